"""Speed estimates (docs/methodology.md, "Speed"). Pure functions.

Decode. One step generates a token for each of `batch` sequences; it reads the active weights
once and each sequence's KV cache:

    bytes  = active weights + batch x KV cache of one sequence (at the stated context)
    step s = layers x PER_LAYER[runtime] + bytes x PER_BYTE[backend]
             + bytes x INVERSE_EFFICIENCY[format family, backend] / bandwidth
             + bytes x HBM_INVERSE_EFFICIENCY / bandwidth   (HBM cards only, memkind.py)
             + bytes x ROCM_INVERSE_EFFICIENCY / bandwidth  (ROCm runtime only)
             + (cards - 1) x SPLIT_SECONDS                  (layer split across cards)
             + the cores' side, CPU only (estimate/cpucost.py: per byte and thread, barriers)

A stream gets 1/step tokens/s; all streams together get batch/step, at most the prefill rate
(the compute ceiling). Layers offloaded to the CPU read their share of the bytes from system
RAM. Prefill is compute bound:

    seconds per prompt token = FLOPs x (INVERSE_PREFILL_EFFICIENCY[16-bit|quantized] / fp16 FLOPS
                                        + PREFILL_PER_FLOP[backend])

FLOPs = 2 x active parameters + 2 x layers x attention width x prompt/2 (attention). The
constants are fitted by bench/speed.py on published measurements (bench/data/speed_points.yaml);
low/high are the 10th/90th percentiles of measured/expected on the fit points. Formats whose
runtime has no collected measurement (bitsandbytes) get no speed: unknown, not a guess.
"""

from __future__ import annotations

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.estimate.cpucost import CPU_DECODE_SCATTER as CPU_DECODE_SCATTER
from llm_pick.estimate.cpucost import CPU_SYNC as CPU_SYNC
from llm_pick.estimate.cpucost import PER_BYTE_THREAD as PER_BYTE_THREAD
from llm_pick.estimate.cpucost import cores_seconds
from llm_pick.estimate.cpucost import thread_path as thread_path
from llm_pick.estimate.fit import Fit
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.memkind import is_hbm
from llm_pick.estimate.memory import Estimate
from llm_pick.estimate.moestep import step_read_bytes
from llm_pick.estimate.prefill import prefill_step
from llm_pick.estimate.speedkinds import APPLE_PREFILL as APPLE_PREFILL
from llm_pick.estimate.speedkinds import DECODE_EFFICIENCY as DECODE_EFFICIENCY
from llm_pick.estimate.speedkinds import DEFAULT_CPU_THREADS as DEFAULT_CPU_THREADS
from llm_pick.estimate.speedkinds import INTEL_PER_BYTE as INTEL_PER_BYTE
from llm_pick.estimate.speedkinds import INVERSE_PREFILL_EFFICIENCY as INVERSE_PREFILL_EFFICIENCY
from llm_pick.estimate.speedkinds import PREFILL_PER_FLOP as PREFILL_PER_FLOP
from llm_pick.estimate.speedkinds import ROCM_INVERSE_EFFICIENCY as ROCM_INVERSE_EFFICIENCY
from llm_pick.estimate.speedkinds import UNMEASURED, is_intel, runtime_inverse, speed_note
from llm_pick.estimate.speedkinds import attention_width_of as attention_width_of
from llm_pick.estimate.speedkinds import backend_group as backend_group
from llm_pick.estimate.speedkinds import decode_rate as decode_rate
from llm_pick.estimate.speedkinds import format_family as format_family
from llm_pick.estimate.speedkinds import prefill_flops as prefill_flops
from llm_pick.estimate.speedkinds import prefill_seconds as prefill_seconds
from llm_pick.estimate.speedkinds import prompt_work as prompt_work

# ---- fitted constants (bench/speed.py --fit prints them; tests/test_speed.py refits) ------
# Every inverse efficiency is fitted with a floor of 1 and every cost with a floor of 0, so no
# step is shorter than its bytes over the bandwidth (the ceiling, docs/methodology.md).
# Fixed cost per layer per step (kernel launches, synchronisation), seconds; by runtime.
PER_LAYER: dict[str, float] = {
    "cuda": 8.25e-05,
    "metal": 0.000186,
    "rocm-vulkan": 6.99e-05,
    "cpu": 0,
    "gptq": 4.75e-05,
    "awq": 0,
}
# Cost per byte read that does not scale with memory bandwidth (the cores' side), s/byte.
PER_BYTE: dict[str, float] = {
    "cuda": 0,
    "metal": 0,
    "rocm-vulkan": 0,
}
# 1 / share of memory bandwidth of the bandwidth-bound part, by format family and backend.
INVERSE_EFFICIENCY: dict[tuple[str, str], float] = {
    ("16-bit", "gpu"): 1.11,
    ("8-bit", "gpu"): 1.1,
    ("k-quant", "gpu"): 1.17,
    ("legacy", "gpu"): 1.26,
    ("gptq", "gpu"): 1.08,
    ("awq", "gpu"): 1.55,
    ("16-bit", "metal"): 1.09,
    ("8-bit", "metal"): 1.07,
    ("k-quant", "metal"): 1.3,
    ("legacy", "metal"): 1.09,
    ("8-bit", "cpu"): 1,
    ("k-quant", "cpu"): 1.28,
    ("legacy", "cpu"): 1,
}
# HBM cards (A100, H100, MI300X...): added to the inverse efficiency (estimate/memkind.py).
HBM_INVERSE_EFFICIENCY = 0.685
SPLIT_SECONDS = 0.000197  # per extra card in a layer split
# 10th / 90th percentiles of measured / expected on the fit points: the printed range.
DECODE_SCATTER = (0.88, 1.10)
PREFILL_SCATTER = (0.81, 1.10)
# ---------------------------------------------------------------------------------------------

DEFAULT_PROMPT_TOKENS = 512  # time to first token is quoted for a prompt this long
LONG_CONTEXT = 32768  # sized for this many tokens or more: also quote a prompt that fills it


def hardware_backend(hardware: Hardware, fit: Fit | None = None) -> str:
    if hardware.gpu is not None:
        return hardware.gpu.backend
    return "cuda" if hardware.vram_gib > 0 and (fit is None or fit.verdict != "cpu") else "cpu"


def inverse_efficiency(family: str, backend: str) -> float | None:
    group = backend_group(backend)
    if family in UNMEASURED or (family in ("gptq", "awq") and group != "cuda"):
        return None  # no published measurement collected for this runtime
    where = group if group in ("metal", "cpu") else "gpu"
    found = INVERSE_EFFICIENCY.get((family, where))
    if found is None and where == "cpu":  # 8/16-bit on a CPU: no point collected; k-quant's
        found = INVERSE_EFFICIENCY[("k-quant", "cpu")]
    return found


def efficiency(
    family: str, backend: str, bandwidth_gbs: float, *, hbm: bool = False, intel: bool = False
) -> float | None:
    """Share of `bandwidth_gbs` a decode step reaches for this format (every per-byte term)."""
    inverse = inverse_efficiency(family, backend)
    if inverse is None:
        return None
    inverse += (HBM_INVERSE_EFFICIENCY if hbm else 0.0) + runtime_inverse(backend)
    per_byte = PER_BYTE.get(backend_group(backend), 0.0) + (INTEL_PER_BYTE if intel else 0.0)
    return 1 / (inverse + per_byte * bandwidth_gbs * 1e9)


def step_seconds(
    read_bytes: float,
    layers: int,
    *,
    family: str,
    backend: str,
    bandwidth_gbs: float,
    cards: int = 1,
    threads: int = DEFAULT_CPU_THREADS,
    hbm: bool = False,
    kernel: str = "generic",
    intel: bool = False,
) -> float | None:
    """Seconds for one decode step that reads `read_bytes` from memory of `bandwidth_gbs`
    (`kernel`: the CPU kernel path, a key of PER_BYTE_THREAD; `intel`: an Intel GPU)."""
    inverse = inverse_efficiency(family, backend)
    if inverse is None or bandwidth_gbs <= 0:
        return None
    inverse += HBM_INVERSE_EFFICIENCY if hbm and backend != "cpu" else 0.0
    inverse += runtime_inverse(backend)
    group = backend_group(backend)
    runtime = family if family in ("gptq", "awq") else group
    per_byte = PER_BYTE.get(group, 0.0) + (INTEL_PER_BYTE if intel and group != "cpu" else 0.0)
    seconds = layers * PER_LAYER.get(runtime, 0.0) + read_bytes * per_byte
    seconds += read_bytes * inverse / (bandwidth_gbs * 1e9)
    if group == "cpu":
        seconds += cores_seconds(read_bytes, layers, threads, family, kernel)
    return seconds + (cards - 1) * SPLIT_SECONDS


class Speed(NamedTuple):
    decode_low: float | None
    decode_high: float | None
    prefill_low: float | None
    prefill_high: float | None
    bytes_per_token: int
    decode_expected: float | None = None
    prefill_expected: float | None = None
    context: int = 0
    batch: int = 1
    aggregate_expected: float | None = None  # all streams together (batch > 1)
    prompt_tokens: int = DEFAULT_PROMPT_TOKENS
    backend: str = "cuda"
    family: str = "k-quant"
    efficiency: float | None = None
    note: str = ""
    ceiling: float | None = None  # tokens/s of one stream at bandwidth / bytes read per step

    @property
    def ceiling_share(self) -> float | None:
        """The share of the bandwidth ceiling the expected decode rate assumes (at most 1)."""
        if self.ceiling is None or self.decode_expected is None:
            return None
        return self.decode_expected / self.ceiling

    context_prefill: float | None = None  # tokens/s for a prompt filling `context` (long)
    prefill_scatter: tuple[float, float] = PREFILL_SCATTER
    prefill_basis: str = ""  # what a CPU share of the prefill rests on (estimate/prefill.py)
    prefill_ceiling: float | None = None  # tokens/s of the CPU part at its physical peak

    def as_dict(self) -> dict[str, object]:
        decode = _range(self.decode_low, self.decode_high, self.decode_expected)
        prefill = _range(self.prefill_low, self.prefill_high, self.prefill_expected)
        ttft = None
        if self.prefill_expected and self.prefill_low and self.prefill_high:
            ttft = {
                "prompt_tokens": self.prompt_tokens,
                "low": round(self.prompt_tokens / self.prefill_high, 2),
                "high": round(self.prompt_tokens / self.prefill_low, 2),
                "expected": round(self.prompt_tokens / self.prefill_expected, 2),
            }
        full = None
        if self.context_prefill and self.context > self.prompt_tokens:
            seconds = self.context / self.context_prefill
            low, high = self.prefill_scatter
            full = {
                "prompt_tokens": self.context,
                "low": round(seconds / high, 2),
                "high": round(seconds / low, 2),
                "expected": round(seconds, 2),
            }
        aggregate = None
        if self.aggregate_expected is not None and decode is not None:
            scale = self.aggregate_expected / (self.decode_expected or 1)
            aggregate = _range(
                (self.decode_low or 0) * scale,
                (self.decode_high or 0) * scale,
                self.aggregate_expected,
            )
        return {
            "decode_tokens_per_second": decode,
            "prefill_tokens_per_second": prefill,
            "bytes_read_per_token": self.bytes_per_token,
            "estimated": True,
            "per": "stream",
            "context": self.context,
            "batch": self.batch,
            "aggregate_decode_tokens_per_second": aggregate,
            "time_to_first_token_seconds": ttft,
            "decode_ceiling_tokens_per_second": None
            if self.ceiling is None
            else round(self.ceiling, 1),
            "share_of_ceiling": None
            if self.ceiling_share is None
            else round(self.ceiling_share, 3),
            "time_to_first_token_at_context_seconds": full,
            "prefill_ceiling_tokens_per_second": self.prefill_ceiling,  # floored to 0.1
            "basis": {
                "backend": self.backend,
                "format_family": self.family,
                "bandwidth_efficiency": None
                if self.efficiency is None
                else round(self.efficiency, 3),
                "note": self.note,
            }
            | ({"prefill": self.prefill_basis} if self.prefill_basis else {}),
        }

    @property
    def decode_mid(self) -> float | None:
        """The central (expected) decode rate of one stream: what the ranking uses."""
        return self.decode_expected


def _range(
    low: float | None, high: float | None, expected: float | None
) -> dict[str, float] | None:
    if low is None or high is None or expected is None:
        return None
    return {"low": round(low, 1), "high": round(high, 1), "expected": round(expected, 1)}


def bytes_per_token(estimate: Estimate) -> int:
    """Active weights plus one sequence's whole KV cache."""
    return estimate.active_weight_bytes + estimate.kv_cache_bytes // estimate.batch


def gpu_share(fit: Fit, read_bytes: int = 0) -> float:
    """The share of the bytes read per step that the GPU reads: by layers (-ngl), or, with
    the routed experts of some layers in RAM (--n-cpu-moe), all but those experts' reads."""
    if fit.verdict == "cpu":
        return 0.0
    if fit.verdict != "offload":
        return 1.0
    if fit.cpu_moe_layers and read_bytes > 0:
        return max(0.0, 1 - fit.cpu_read_bytes / read_bytes)
    return fit.gpu_layers / fit.layers


def ceiling_rate(read: int, share: float, hardware: Hardware) -> float | None:
    """Tokens/s of one stream if every byte of a step (`read`: weights once, every stream's KV)
    came at the full bandwidth of the memory it sits in: no estimate may exceed it."""
    seconds = read * (1 - share) / (hardware.ram_bandwidth_gbs * 1e9)
    if share > 0:
        if not hardware.bandwidth_gbs:
            return None
        seconds += read * share / (hardware.bandwidth_gbs * 1e9)
    return 1 / seconds if seconds > 0 else None


def decode_step(
    estimate: Estimate, hardware: Hardware, share: float, family: str, backend: str
) -> float | None:
    """Seconds per decode step (all `batch` streams), GPU part plus CPU part."""
    read = step_read_bytes(estimate)  # KV of every sequence, MoE: experts the batch routes to
    layers = estimate.layers
    total = 0.0
    if share > 0:
        if not hardware.bandwidth_gbs:
            return None
        gpu = step_seconds(
            read * share,
            round(layers * share),
            family=family,
            backend=backend,
            bandwidth_gbs=hardware.bandwidth_gbs,
            cards=hardware.gpus,
            hbm=is_hbm(hardware.gpu),
            intel=is_intel(hardware.gpu),
        )
        if gpu is None:
            return None
        total += gpu
    if share < 1:
        # CPU layers: the CPU constants (RAM bandwidth, the threads' compute side).
        cpu = step_seconds(
            read * (1 - share),
            layers - round(layers * share),
            family=family,
            backend="cpu",
            bandwidth_gbs=hardware.ram_bandwidth_gbs,
            threads=hardware.threads or DEFAULT_CPU_THREADS,
        )
        if cpu is None:
            return None
        total += cpu
    return total


def estimate_speed(
    estimate: Estimate,
    hardware: Hardware,
    fit: Fit,
    active_params: int,
    *,
    attention_width: int = 0,
    prompt_tokens: int = DEFAULT_PROMPT_TOKENS,
) -> Speed:
    per_token = bytes_per_token(estimate)
    backend = hardware_backend(hardware, fit)
    family = format_family(estimate.quant)
    read = step_read_bytes(estimate)
    share = 0.0 if backend == "cpu" or fit.verdict == "cpu" else gpu_share(fit, read)
    base = Speed(
        None,
        None,
        None,
        None,
        per_token,
        context=estimate.context,
        batch=estimate.batch,
        prompt_tokens=prompt_tokens,
        backend=backend,
        family=family,
        efficiency=_efficiency(family, backend, share, hardware),
    )
    if fit.verdict == "none":
        return base._replace(note="does not fit: no speed")
    step = decode_step(estimate, hardware, share, family, backend)
    long = None
    work = prompt_work(active_params, attention_width, prompt_tokens, estimate.flash_attn)
    found = prefill_step(work, hardware, share, estimate.quant, backend)
    prefill = None if found.seconds is None else 1 / found.seconds
    if prefill and estimate.context >= LONG_CONTEXT and estimate.context > prompt_tokens:
        work = prompt_work(active_params, attention_width, estimate.context, estimate.flash_attn)
        seconds = prefill_step(work, hardware, share, estimate.quant, backend).seconds
        long = None if seconds is None else 1 / seconds
    note = speed_note(family, backend, share, hardware)
    ceiling = ceiling_rate(read, share, hardware)
    base = base._replace(ceiling=ceiling)
    if step is None or ceiling is None:
        return base._replace(note=note)
    stream = 1 / step
    aggregate = estimate.batch / step
    if prefill is not None:
        aggregate = min(aggregate, prefill)  # many streams become compute bound
    low, high = CPU_DECODE_SCATTER if share == 0 else DECODE_SCATTER  # CPU-only: its own rows
    plow, phigh = found.scatter if found.basis else PREFILL_SCATTER
    return base._replace(
        decode_low=stream * low,
        decode_high=min(stream * high, ceiling),
        decode_expected=stream,
        prefill_low=None if prefill is None else prefill * plow,
        prefill_high=None if prefill is None else found.capped(prefill * phigh),
        prefill_expected=prefill,
        aggregate_expected=aggregate if estimate.batch > 1 else None,
        note=note,
        context_prefill=long,
        prefill_scatter=(plow, phigh),
        prefill_basis=found.basis,
        prefill_ceiling=found.ceiling,
    )


def _efficiency(family: str, backend: str, share: float, hardware: Hardware) -> float | None:
    gpu, bandwidth = hardware.gpu, hardware.bandwidth_gbs
    if share > 0 and bandwidth:
        return efficiency(family, backend, bandwidth, hbm=is_hbm(gpu), intel=is_intel(gpu))
    return efficiency(family, "cpu", hardware.ram_bandwidth_gbs)
