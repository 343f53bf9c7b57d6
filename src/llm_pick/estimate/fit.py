"""Fit verdicts (GPU / partial CPU offload / CPU only / no fit) and speed. Pure functions.

Decode is memory-bandwidth bound: each generated token reads the active weights and the
whole KV cache once, so tokens/s ~= efficiency x bandwidth / bytes per token. Prefill is
compute bound: about 2 x active parameters FLOPs per prompt token. Efficiencies are ranges
measured by others (docs/methodology.md), so every speed is a range and an estimate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, NamedTuple

from llm_pick.estimate.hardware import GIB, Hardware
from llm_pick.estimate.memory import CUDA_CONTEXT_BYTES, Estimate

# Share of peak memory bandwidth llama.cpp reaches decoding one stream: measured 45-91% on
# Apple M2/M4 (llama.cpp discussion #4167) and 48-82% on RTX 3090/3090 Ti/4090 (PR #4766,
# #4812); small quantized models sit at the low end.
DECODE_EFFICIENCY = (0.45, 0.85)
# Share of peak fp16 FLOPS reached in prompt processing: Llama-3-8B Q6_K at 4668 tokens/s on
# an RTX 4090 is 45% of its 165 TFLOPS (dmatora/LLM-inference-speed-benchmarks#10); the range
# around that single measurement is an assumption.
PREFILL_EFFICIENCY = (0.3, 0.6)

Verdict = Literal["gpu", "offload", "cpu", "none"]


class Card(NamedTuple):
    """What one GPU holds: whole decoder layers with their KV cache, its own CUDA context and
    compute buffer, and (on the last card, when every layer is on the GPUs) the output head."""

    layers: int
    weights_bytes: int
    kv_cache_bytes: int
    overhead_bytes: int  # CUDA context + compute buffer
    capacity_bytes: int  # usable memory of the card
    headroom_bytes: int  # kept free

    @property
    def total_bytes(self) -> int:
        return self.weights_bytes + self.kv_cache_bytes + self.overhead_bytes

    def as_dict(self) -> dict[str, int]:
        return {
            "layers": self.layers,
            "weights_bytes": self.weights_bytes,
            "kv_cache_bytes": self.kv_cache_bytes,
            "overhead_bytes": self.overhead_bytes,
            "total_bytes": self.total_bytes,
            "capacity_bytes": self.capacity_bytes,
            "headroom_bytes": self.headroom_bytes,
        }


class Fit(NamedTuple):
    verdict: Verdict
    needed_bytes: int  # on the GPUs (all cards); in RAM for a CPU-only run
    available_bytes: int  # usable GPU memory, all cards (RAM for a CPU-only run)
    gpu_layers: int  # decoder layers on the GPU (all when verdict is gpu)
    layers: int
    cpu_bytes: int  # bytes in system RAM (offload, cpu)
    margin_bytes: int  # spare after the headroom: GPU (gpu), RAM (offload, cpu); < 0 short
    headroom_bytes: int = 0  # kept free on the GPUs (all cards), or in RAM for CPU-only
    cards: tuple[Card, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "verdict": self.verdict,
            "needed_bytes": self.needed_bytes,
            "available_bytes": self.available_bytes,
            "margin_bytes": self.margin_bytes,
            "headroom_bytes": self.headroom_bytes,
            "gpu_layers": self.gpu_layers,
            "layers": self.layers,
            "cpu_bytes": self.cpu_bytes,
            "cards": [card.as_dict() for card in self.cards],
        }


def needed_on_gpus(estimate: Estimate, hardware: Hardware) -> int:
    """Everything on the GPUs: each extra card holds its own CUDA context and buffer."""
    return estimate.total_bytes + (hardware.gpus - 1) * estimate.overhead_bytes


def _split(layers: int, caps: list[int]) -> list[int] | None:
    """Whole layers per card, as even as the cards allow (llama.cpp splits by layer); None
    when they do not all fit."""
    if layers > sum(max(0, c) for c in caps):
        return None
    share = [0] * len(caps)
    left = layers
    while left:
        room = [i for i, c in enumerate(caps) if share[i] < c]
        per = max(1, left // len(room))
        for i in room:
            take = min(per, caps[i] - share[i], left)
            share[i] += take
            left -= take
            if not left:
                break
    return share


def check_fit(estimate: Estimate, hardware: Hardware) -> Fit:
    """Where the model goes: all on the GPUs (layers split whole across cards), partly in RAM
    (llama.cpp -ngl, with --ram), all in RAM (no GPU: --vram 0), or nowhere. Each card keeps
    its headroom free (Hardware.headroom_bytes); RAM keeps Hardware.ram_headroom_bytes."""
    layers = estimate.layers
    ram = int(hardware.ram_gib * GIB)
    ram_free = ram - hardware.ram_headroom_bytes
    if hardware.vram_bytes <= 0:  # CPU only: no CUDA context, one compute buffer
        needed = estimate.total_bytes - CUDA_CONTEXT_BYTES if estimate.mode == "inference" else 0
        verdict: Verdict = "cpu" if 0 < needed <= ram_free else "none"
        headroom = hardware.ram_headroom_bytes
        return Fit(verdict, needed, ram, 0, layers, needed, ram_free - needed, headroom)
    per_card, cards_n = hardware.vram_bytes, hardware.gpus
    headroom = hardware.headroom_bytes
    usable = per_card - headroom
    per_layer = (estimate.layer_weight_bytes + estimate.kv_cache_bytes) / layers
    layer_kv = estimate.kv_cache_bytes / layers
    outside = estimate.weights_bytes - estimate.layer_weight_bytes  # embeddings, output head
    fixed = estimate.overhead_bytes
    available = per_card * cards_n

    def card(n: int, last: bool) -> Card:
        weights = int(n * (per_layer - layer_kv)) + (outside if last else 0)
        return Card(n, weights, int(n * layer_kv), fixed, per_card, headroom)

    caps = [int((usable - fixed) // per_layer) for _ in range(cards_n)]
    caps[-1] = int((usable - fixed - outside) // per_layer)
    split = _split(layers, caps)
    if split is not None:
        used = tuple(card(n, i == cards_n - 1) for i, n in enumerate(split))
        needed = sum(c.total_bytes for c in used)
        margin = min(usable - c.total_bytes for c in used)
        return Fit("gpu", needed, available, layers, layers, 0, margin, headroom * cards_n, used)
    full = needed_on_gpus(estimate, hardware)
    if estimate.mode != "inference" or ram <= 0:
        short = usable * cards_n - full
        return Fit("none", full, available, 0, layers, 0, short, headroom * cards_n)
    # Partial offload (llama.cpp -ngl): whole decoder layers with their KV cache go to the
    # GPUs; the rest, the output head and a CPU compute buffer stay in system RAM.
    room = [max(0, int((usable - fixed) // per_layer)) for _ in range(cards_n)]
    gpu_layers = min(layers - 1, sum(room))
    split = _split(gpu_layers, room) or [0] * cards_n
    used = tuple(card(n, False) for n in split)
    on_gpu = sum(c.total_bytes for c in used)
    cpu = outside + int((layers - gpu_layers) * per_layer) + estimate.compute_buffer_bytes
    verdict = "offload" if gpu_layers > 0 and cpu <= ram_free else "none"
    if verdict == "none":
        return Fit("none", full, available, gpu_layers, layers, cpu, ram_free - cpu, headroom)
    return Fit(
        "offload", on_gpu, available, gpu_layers, layers, cpu, ram_free - cpu, headroom, used
    )


def max_context(fits: Callable[[int], bool], longest: int) -> int:
    """The most tokens (up to `longest`) for which `fits(tokens)` holds, or 0: memory grows
    with the context, so a binary search finds it."""
    if not fits(1):
        return 0
    low, high = 1, longest
    while low < high:
        mid = (low + high + 1) // 2
        if fits(mid):
            low = mid
        else:
            high = mid - 1
    return low


class Speed(NamedTuple):
    decode_low: float | None
    decode_high: float | None
    prefill_low: float | None
    prefill_high: float | None
    bytes_per_token: int

    def as_dict(self) -> dict[str, object]:
        return {
            "decode_tokens_per_second": _range(self.decode_low, self.decode_high),
            "prefill_tokens_per_second": _range(self.prefill_low, self.prefill_high),
            "bytes_read_per_token": self.bytes_per_token,
            "estimated": True,
        }

    @property
    def decode_mid(self) -> float | None:
        if self.decode_low is None or self.decode_high is None:
            return None
        return (self.decode_low + self.decode_high) / 2


def _range(low: float | None, high: float | None) -> dict[str, float] | None:
    if low is None or high is None:
        return None
    return {"low": round(low, 1), "high": round(high, 1)}


def bytes_per_token(estimate: Estimate) -> int:
    """Active weights plus one sequence's whole KV cache."""
    return estimate.active_weight_bytes + estimate.kv_cache_bytes // estimate.batch


def gpu_share(fit: Fit) -> float:
    """The share of the decoder layers (and of the bytes read per token) on the GPU."""
    if fit.verdict == "cpu":
        return 0.0
    return fit.gpu_layers / fit.layers if fit.verdict == "offload" else 1.0


def decode_rate(
    per_token: int, share: float, gpu_gbs: float, ram_gbs: float, efficiency: float
) -> float:
    """Tokens/s when each token reads `per_token` bytes, `share` of them from the GPU."""
    seconds = per_token * share / (gpu_gbs * 1e9 * efficiency)
    seconds += per_token * (1 - share) / (ram_gbs * 1e9 * efficiency)
    return 1 / seconds


def estimate_speed(estimate: Estimate, hardware: Hardware, fit: Fit, active_params: int) -> Speed:
    per_token = bytes_per_token(estimate)
    decode: list[float | None] = [None, None]
    gpu_gbs = hardware.bandwidth_gbs or (1.0 if fit.verdict == "cpu" else None)
    if gpu_gbs and fit.verdict != "none":
        share = gpu_share(fit)
        for i, eff in enumerate(DECODE_EFFICIENCY):
            decode[i] = decode_rate(per_token, share, gpu_gbs, hardware.ram_bandwidth_gbs, eff)
    prefill: list[float | None] = [None, None]
    if hardware.fp16_tflops and fit.verdict == "gpu":
        flops_per_token = 2 * active_params
        for i, eff in enumerate(PREFILL_EFFICIENCY):
            prefill[i] = hardware.fp16_tflops * 1e12 * eff / flops_per_token
    return Speed(decode[0], decode[1], prefill[0], prefill[1], per_token)


class Assessment(NamedTuple):
    """One model at one quantization on (optionally) given hardware."""

    estimate: Estimate
    fit: Fit | None
    speed: Speed | None

    def as_dict(self) -> dict[str, object]:
        data = self.estimate.as_dict()
        data["fit"] = self.fit.as_dict() if self.fit else None
        data["speed"] = self.speed.as_dict() if self.speed else None
        return data


def assess(estimate: Estimate, hardware: Hardware | None, active_params: int) -> Assessment:
    if hardware is None:
        return Assessment(estimate, None, None)
    fit = check_fit(estimate, hardware)
    if estimate.mode != "inference":  # training speed is not modelled: no inference figures
        return Assessment(estimate, fit, None)
    return Assessment(estimate, fit, estimate_speed(estimate, hardware, fit, active_params))
