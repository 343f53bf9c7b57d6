"""What a fit needs, in words and numbers: the reason a model does not fit, the memory, cards
or RAM that would make it fit, and the speed to rank by when only the memory of the card is
known. Pure functions over assessments and hardware."""

from __future__ import annotations

import functools
import math

from llm_pick.estimate.assess import Assessment
from llm_pick.estimate.fit import check_fit
from llm_pick.estimate.hardware import GIB, Hardware
from llm_pick.estimate.quant import CPU_ONLY, median
from llm_pick.estimate.speed import DECODE_EFFICIENCY, bytes_per_token, decode_rate, gpu_share
from llm_pick.estimate.speedkinds import UNMEASURED

REFERENCE_BANDWIDTH_GBS = 1000.0  # speed is ranked per 1 TB/s without a memory limit


def memory_reason(smallest: Assessment, hardware: Hardware) -> str:
    fit = smallest.fit
    assert fit is not None
    est = smallest.estimate
    if fit.verdict == "none" and hardware.vram_bytes > 0 and est.quant in CPU_ONLY:
        return (
            f"does not fit: {est.quant} runs on the CPU only (bitnet.cpp), and needs "
            f"{fit.needed_bytes / GIB:.1f} GiB of RAM ({est.context:,} tokens), "
            f"{max(0, hardware.ram_gib * GIB - hardware.ram_headroom_bytes) / GIB:.1f} GiB "
            "usable (--ram GiB)"
        )
    if fit.verdict == "none" and hardware.vram_bytes <= 0:
        return (
            f"needs {fit.needed_bytes / GIB:.1f} GiB of RAM at {est.quant} ({est.context:,} "
            f"tokens), {(hardware.ram_gib * GIB - hardware.ram_headroom_bytes) / GIB:.1f} "
            "GiB usable"
        )
    where = hardware.gpu.name if hardware.gpu is not None else f"{hardware.vram_gib:g} GiB"
    reason = (
        f"does not fit: needs {fit.needed_bytes / GIB:.1f} GiB at {est.quant} "
        f"({est.context:,} tokens) on {hardware.gpus} x {where}"
        if hardware.gpus > 1
        else f"does not fit: needs {fit.needed_bytes / GIB:.1f} GiB at {est.quant} "
        f"({est.context:,} tokens) on {where}"
    )
    usable = (hardware.vram_bytes - hardware.headroom_bytes) * hardware.gpus
    reason += f", {usable / GIB:.1f} GiB usable"
    if hardware.ram_gib and fit.cpu_bytes:
        reason += (
            f" (with CPU offload {fit.cpu_bytes / GIB:.1f} GiB of RAM, "
            f"{hardware.ram_gib:g} GiB given)"
        )
    return reason


def memory_fixes(smallest: Assessment, hardware: Hardware) -> list[str]:
    """Options that would make the smallest format fit: more memory per card (headroom
    included), more of the named card, or the RAM CPU offload would need."""
    fixes = []
    fit = smallest.fit
    if hardware.vram_bytes > 0 and fit is not None:
        if hardware.gpu is not None:  # a named card: how many of them
            usable = hardware.vram_bytes - hardware.headroom_bytes
            cards = math.ceil(fit.needed_bytes / max(1, usable - smallest.estimate.overhead_bytes))
            if hardware.gpus < cards <= 64:
                fixes.append(f"--gpus {cards}")
        else:
            per_card = fit.needed_bytes / hardware.gpus / GIB
            need = max(per_card + 0.5, per_card / 0.95)  # the default headroom, inverted
            fixes.append(f"--vram {math.ceil(need)}" + (" per card" if hardware.gpus > 1 else ""))
    ram = ram_needed(smallest, hardware)
    if ram is not None and ram > hardware.ram_gib:
        fixes.append(f"--ram {ram} for CPU offload" if hardware.vram_bytes else f"--ram {ram}")
    return fixes


def ram_needed(smallest: Assessment, hardware: Hardware) -> int | None:
    """GiB of RAM (the default 10% / 1 GiB kept free included) that offload would need."""
    roomy = check_fit(smallest.estimate, hardware._replace(ram_gib=1e6))
    if roomy.verdict not in ("offload", "cpu"):
        return None
    cpu = roomy.cpu_bytes / GIB
    return math.ceil(max(cpu + 1, cpu / 0.9))


def tokens_per_second(
    chosen: Assessment, hardware: Hardware | None
) -> tuple[float | None, str | None]:
    """Decode tokens/s, and the assumed bandwidth when the card is unknown (None: known). A
    format with no published speed measurement on any hardware (bitnet.cpp's I2_S,
    bitsandbytes) gets no rate, and its speed note says so instead of a bandwidth figure."""
    speed = chosen.speed
    if speed is not None and speed.decode_mid is not None:
        return speed.decode_mid, None
    if chosen.fit is not None and chosen.fit.verdict == "none":
        return None, None
    if speed is not None and speed.family in UNMEASURED:
        return None, speed.note
    # Unknown card: the median bandwidth of the preset cards of that memory class.
    gbs, basis = reference_bandwidth(hardware)
    efficiency = sum(DECODE_EFFICIENCY) / 2
    per_token = bytes_per_token(chosen.estimate)
    share = 1.0 if chosen.fit is None or hardware is None else gpu_share(chosen.fit, per_token)
    ram = hardware.ram_bandwidth_gbs if hardware is not None else gbs
    return decode_rate(per_token, share, gbs, ram, efficiency), basis


def reference_bandwidth(hardware: Hardware | None) -> tuple[float, str]:
    """GB/s to rank speed by when only --vram is known: the median of the discrete preset
    cards with that much memory (up to 1.5x), or 1 TB/s without a memory limit."""
    if hardware is None or hardware.vram_bytes <= 0:
        return REFERENCE_BANDWIDTH_GBS, "per 1 TB/s of GPU bandwidth"
    return _reference(round(hardware.vram_gib, 3))


@functools.cache
def _reference(vram_gib: float) -> tuple[float, str]:
    from llm_pick.catalog.gpus import discrete_bandwidths

    discrete = discrete_bandwidths()  # (memory GiB, GB/s)
    near = sorted(gbs for gib, gbs in discrete if vram_gib <= gib <= 1.5 * vram_gib)
    if not near:
        bigger = [card for card in discrete if card[0] >= vram_gib] or discrete
        near = [min(bigger, key=lambda card: card[0])[1]]
    gbs = median(near)
    return gbs, f"assuming {gbs:g} GB/s (median of the {vram_gib:g} GiB preset cards; --gpu NAME)"


def assumed_speed(chosen: Assessment, hardware: Hardware | None) -> dict[str, object] | None:
    """The reference decode figure the reasons quote when the card is unknown (--vram with no
    --gpu), labelled as assumed: the assumed bandwidth, the ceiling at it and the share of
    it the figure takes. None when the speed is known or there is none."""
    rate, basis = tokens_per_second(chosen, hardware)
    if rate is None or basis is None:
        return None
    gbs, _ = reference_bandwidth(hardware)
    per_token = bytes_per_token(chosen.estimate)
    share = 1.0 if chosen.fit is None or hardware is None else gpu_share(chosen.fit, per_token)
    ram = hardware.ram_bandwidth_gbs if hardware is not None else gbs
    ceiling = decode_rate(per_token, share, gbs, ram, 1.0)
    return {
        "decode_tokens_per_second": round(rate, 1),
        "assumed_bandwidth_gbs": gbs,
        "decode_ceiling_tokens_per_second": round(ceiling, 1),
        "share_of_ceiling": round(rate / ceiling, 3),
        "basis": basis,
        "estimated": True,
    }
