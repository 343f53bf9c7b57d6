"""The parts of the speed model shared by decode and prefill: format families, backend
groups, and the prefill (compute-bound) step (docs/methodology.md, "Speed"). Pure functions;
the constants are fitted by bench/speed.py (estimate/speed.py re-exports them)."""

from __future__ import annotations

from typing import Literal

from llm_pick.catalog.filetypes import Gpu
from llm_pick.catalog.tuples import NamedTuple
from llm_pick.catalog.types import Model
from llm_pick.estimate.hardware import Hardware

FormatFamily = Literal[
    "16-bit", "8-bit", "k-quant", "legacy", "gptq", "awq", "bitsandbytes", "ternary"
]
BackendGroup = Literal["cuda", "metal", "rocm-vulkan", "cpu"]
# formats with no decode measurement collected on any hardware: their speed is unknown
UNMEASURED: tuple[str, ...] = ("bitsandbytes", "ternary")

DEFAULT_CPU_THREADS = 8  # threads of a CPU-only run when none is known (llama.cpp: the cores)

# Fitted (bench/speed.py): 1 / share of the card's fp16 FLOPS reached (at least 1), and a cost per
# FLOP that does not scale with them, by backend group.
INVERSE_PREFILL_EFFICIENCY: dict[str, float] = {"16-bit": 1.11, "quantized": 1.46}
PREFILL_PER_FLOP: dict[str, float] = {"cuda": 5.18e-15, "rocm-vulkan": 3.11e-15}
# ROCm (HIP) kernels: added to the inverse efficiency of the bandwidth-bound part (fitted, floor 0):
# on one AMD chip and build, Vulkan reads more of the bandwidth (docs/methodology.md, "AMD").
ROCM_INVERSE_EFFICIENCY = 0.254
# Intel GPUs (Arc, Flex, Max) under SYCL or Vulkan: a cost per byte read that does not scale with
# the card's bandwidth, seconds/byte (fitted, floor 0; docs/methodology.md, "Intel GPUs").
INTEL_PER_BYTE = 2.14e-12
# Before the fitted model: one range for every format and card (kept for callers that rank by a
# bandwidth alone, see ranking.py): 45-91% of bandwidth on Apple M2/M4 (llama.cpp discussion
# #4167), 48-82% on RTX 3090/3090 Ti/4090 (PR #4766, #4812).
DECODE_EFFICIENCY = (0.45, 0.85)
# Apple (no published FLOPS): seconds x GPU cores per FLOP, by chip generation and 16-bit or
# quantized weights, fitted on llama.cpp discussion #4167's pp512 rows (bench/speed.py).
APPLE_PREFILL: dict[tuple[str, str], float] = {
    ("m1", "16-bit"): 3.89e-12,
    ("m1", "quantized"): 4.65e-12,
    ("m2", "16-bit"): 3.65e-12,
    ("m2", "quantized"): 4.42e-12,
    ("m3", "16-bit"): 3.56e-12,
    ("m3", "quantized"): 3.81e-12,
    ("m4", "16-bit"): 3.13e-12,
    ("m4", "quantized"): 3.13e-12,
}
# Attention with flash attention off (llama.cpp -fa 0, the default before -fa auto): scores,
# softmax and weighted sum run as separate kernels over the cache window. Fitted on llama-bench
# pp512..pp8192 sweeps: 1 / share of the fp16 FLOPS its FLOPs reach (at least 1), by backend group,
# and on Apple seconds x GPU cores per FLOP (every generation). Elsewhere, and with flash attention
# on, attention FLOPs run at the weights' rate (docs/methodology.md, "Prefill at longer prompts").
ATTENTION_INVERSE_EFFICIENCY: dict[str, float] = {"cuda": 13.4}
APPLE_ATTENTION = 8.87e-12
# Attention with flash attention on (llama.cpp's default, -fa auto): one fused kernel, fitted on
# llama-bench rows at depth (pp512@d32768 and the like) the same way, floor 1; groups without a
# fitted value, and Apple without APPLE_FLASH_ATTENTION, run it at the weights' rate.
FLASH_INVERSE_EFFICIENCY: dict[str, float] = {"cuda": 3.54}
APPLE_FLASH_ATTENTION: float | None = None


def format_family(quant: str) -> FormatFamily:
    """The efficiency family of a format name (estimate/quant.py)."""
    if quant in ("fp16", "bf16", "fp32"):
        return "16-bit"
    if quant == "q8_0":
        return "8-bit"
    if quant in ("q4_0", "q4_1", "q5_0", "q5_1"):
        return "legacy"
    if quant.startswith(("q", "iq")):  # i-quants: the k-quants' efficiency (not measured apart)
        return "k-quant"
    if quant.startswith("gptq"):
        return "gptq"
    if quant.startswith("awq"):
        return "awq"
    if quant == "i2_s":
        return "ternary"
    return "bitsandbytes"


def backend_group(backend: str) -> BackendGroup:
    """CUDA, Metal, ROCm/Vulkan/SYCL (the other GPU runtimes: one group, too few measurements
    to tell them apart), CPU."""
    if backend in ("rocm", "vulkan", "sycl"):
        return "rocm-vulkan"
    if backend in ("metal", "cpu"):
        return backend  # type: ignore[return-value]
    return "cuda"


def runtime_inverse(backend: str) -> float:
    """The runtime's extra inverse efficiency: ROCm's HIP kernels, 0 for every other runtime."""
    return ROCM_INVERSE_EFFICIENCY if backend == "rocm" else 0.0


class Work(NamedTuple):
    """FLOPs per prompt token, and how many of them are attention run without flash attention
    (`attention`) or with it (`flash`), each costed apart where its constant is fitted, else at
    the weights' rate."""

    flops: float
    attention: float = 0.0
    flash: float = 0.0


def prompt_work(
    active_params: int, attention_width: int, prompt: int, flash_attn: bool, depth: int = 0
) -> Work:
    """The work per token of a `prompt`-token prompt after `depth` cached tokens."""
    attention = attention_flops(attention_width, prompt, depth)
    flops = prefill_flops(active_params, attention_width, prompt, depth)
    return Work(flops, 0.0, attention) if flash_attn else Work(flops, attention)


def decode_rate(
    per_token: int, share: float, gpu_gbs: float, ram_gbs: float, efficiency: float
) -> float:
    """Tokens/s when each token reads `per_token` bytes, `share` of them from the GPU, at one
    efficiency (the ranking's per-1-TB/s scale when the card is unknown)."""
    seconds = per_token * share / (gpu_gbs * 1e9 * efficiency)
    seconds += per_token * (1 - share) / (ram_gbs * 1e9 * efficiency)
    return 1 / seconds


def is_intel(gpu: Gpu | None) -> bool:
    """An Intel GPU preset: its steps carry INTEL_PER_BYTE."""
    return gpu is not None and gpu.vendor == "intel"


def prefill_seconds(
    flops: float | Work, tflops: float | None, family: str, backend: str
) -> float | None:
    """Seconds of compute for `flops` on a card of `tflops` fp16 (gpus.yaml's one kind)."""
    work = flops if isinstance(flops, Work) else Work(flops)
    group = backend_group(backend)
    if not tflops or group not in PREFILL_PER_FLOP or family in ("gptq", "awq", "bitsandbytes"):
        return None
    inverse = INVERSE_PREFILL_EFFICIENCY["16-bit" if family == "16-bit" else "quantized"]
    apart = work.attention if group in ATTENTION_INVERSE_EFFICIENCY else 0.0
    flash = work.flash if group in FLASH_INVERSE_EFFICIENCY else 0.0
    seconds = (work.flops - apart - flash) * (inverse / (tflops * 1e12) + PREFILL_PER_FLOP[group])
    seconds += flash * FLASH_INVERSE_EFFICIENCY.get(group, 1.0) / (tflops * 1e12)
    return seconds + apart * ATTENTION_INVERSE_EFFICIENCY.get(group, 1.0) / (tflops * 1e12)


def apple_prefill_seconds(flops: float | Work, chip: str, cores: int, family: str) -> float | None:
    """Seconds of compute for `flops` on an Apple GPU of `cores` cores of generation `chip`
    (m1..m4); None for a generation or format without fitted measurements."""
    work = flops if isinstance(flops, Work) else Work(flops)
    kind = "16-bit" if family == "16-bit" else "quantized"
    found = APPLE_PREFILL.get((chip, kind))
    if not found or cores <= 0 or family in ("gptq", "awq", "bitsandbytes", "ternary"):
        return None
    flash = work.flash if APPLE_FLASH_ATTENTION is not None else 0.0
    seconds = (work.flops - work.attention - flash) * found + work.attention * APPLE_ATTENTION
    return (seconds + flash * (APPLE_FLASH_ATTENTION or 0.0)) / cores


def apple_chip(name: str, cores: int | None) -> tuple[str, int] | None:
    """(generation, GPU cores) of an Apple preset from its name ("Apple M2 Max (38-core GPU..."),
    or None when it is not an Apple chip or its core count is unknown."""
    words = name.split()
    if not cores or len(words) < 2 or words[0] != "Apple" or words[1][:1] != "M":
        return None
    return words[1].lower(), cores


def device_prefill_seconds(
    flops: float | Work, tflops: float | None, family: str, backend: str, gpu: Gpu | None
) -> float | None:
    """Prefill compute seconds on a card: per Apple GPU core on Apple chips (no published FLOPS),
    else at the card's fp16 FLOPS."""
    apple = apple_chip(gpu.name, gpu.gpu_cores) if gpu is not None else None
    if apple is not None and backend_group(backend) == "metal":
        return apple_prefill_seconds(flops, *apple, family)
    return prefill_seconds(flops, tflops, family, backend)


def speed_note(family: str, backend: str, share: float, hardware: Hardware) -> str:
    """What a speed estimate rests on, or why there is none (CPU threads: --threads, else
    DEFAULT_CPU_THREADS assumed)."""
    if family == "bitsandbytes":
        return "bitsandbytes: no published decode measurement collected; speed unknown"
    if family == "ternary":
        return "bitnet.cpp (I2_S): no published decode measurement collected; speed unknown"
    if family in ("gptq", "awq") and backend_group(backend) != "cuda":
        return f"{family}: measured only on CUDA (exllamav2 / AutoAWQ); speed unknown here"
    parts = []
    threads = hardware.threads or DEFAULT_CPU_THREADS
    if family in ("gptq", "awq"):
        parts.append(f"{family} speed from {'exllamav2' if family == 'gptq' else 'AutoAWQ'}")
    if share < 1:
        parts.append(
            f"{1 - share:.0%} of the bytes from system RAM at {hardware.ram_bandwidth_gbs:g} GB/s "
            f"(CPU constants, {threads} thread{'s' if threads > 1 else ''}"
            f"{'' if hardware.threads else ' assumed'})"
        )
    if backend == "rocm":  # measured pairs: docs/methodology.md, "AMD by runtime"
        parts.append("ROCm assumed; Vulkan decoded up to 17% faster on one measured AMD chip")
    if is_intel(hardware.gpu) and share > 0:  # docs/methodology.md, "Intel GPUs"
        parts.append("Intel GPU: a fitted kernel cost per byte read is added (SYCL and Vulkan)")
    if hardware.gpu is None and backend != "cpu":
        parts.append("backend assumed CUDA (--vram gives no card)")
    chip = apple_chip(hardware.gpu.name, hardware.gpu.gpu_cores) if hardware.gpu else None
    if chip and backend_group(backend) == "metal" and (chip[0], "quantized") not in APPLE_PREFILL:
        parts.append(
            f"no prefill rate fitted for Apple {chip[0].upper()} (a Neural Accelerator in each"
            " GPU core): time to first token unknown"
        )
    return "; ".join(parts)


class AttentionWidth(int):
    """layers x attention heads x head dim (an int, as before), carrying the part of it in
    layers that attend within a window: Llama 4's chunked layers (3 of 4 attend within
    8192-token chunks) or a sliding window (Mistral 7B v0.1: 4096 on every layer), as
    Architecture.window and local_count give them (the fields the KV cache sizing uses)."""

    local: int = 0  # the windowed layers' share of the width
    window: int = 0  # tokens a windowed layer attends to at most
    chunked: bool = False  # chunks (attend within the chunk) rather than a sliding window

    def __new__(
        cls, full: int, local: int = 0, window: int = 0, chunked: bool = False
    ) -> AttentionWidth:
        width = super().__new__(cls, full)
        width.local, width.window, width.chunked = local, window, chunked
        return width


def attention_width_of(model: Model) -> int:
    """layers x attention heads x head dim: the attention FLOPs per prompt token and position
    (with the windowed layers' share, AttentionWidth)."""
    arch = model.architecture
    full = arch.attention_count * arch.q_width
    if not arch.window:
        return full
    local = min(arch.local_count, arch.attention_count) * arch.q_width
    return AttentionWidth(full, local, arch.window, arch.attention_chunk is not None)


def _attended(x: float, window: int, chunked: bool) -> float:
    """Positions attended, summed over prompt positions 0..x: t mod window within chunks,
    min(t, window) under a sliding window."""
    if chunked:
        return (x // window) * window * window / 2 + (x % window) ** 2 / 2
    return x * x / 2 if x <= window else window * window / 2 + window * (x - window)


def mean_attended(depth: int, prompt: int, window: int = 0, chunked: bool = False) -> float:
    """Mean positions a prompt token attends to over a `prompt`-token prompt after `depth`
    cached tokens: depth + prompt/2 with full attention, capped by the window or chunk."""
    if not window:
        return depth + prompt / 2
    if prompt <= 0:
        return depth % window if chunked else min(depth, window)
    end = depth + prompt
    return (_attended(end, window, chunked) - _attended(depth, window, chunked)) / prompt


def attention_flops(attention_width: int, prompt: int, depth: int = 0) -> float:
    """Attention FLOPs per prompt token of a `prompt`-token prompt after `depth` cached tokens:
    QK^T and AV (2 x 2 x layers x heads x head_dim) at the mean position, depth + prompt/2;
    the windowed layers (AttentionWidth) at their mean of min(position, window) (sliding) or
    position within the chunk (chunked)."""
    if not isinstance(attention_width, AttentionWidth) or not attention_width.local:
        return 4 * attention_width * (depth + prompt / 2)
    width, local = attention_width, attention_width.local
    flops = 4 * (width - local) * (depth + prompt / 2)
    return flops + 4 * local * mean_attended(depth, prompt, width.window, width.chunked)


def prefill_flops(active_params: int, attention_width: int, prompt: int, depth: int = 0) -> float:
    """Per prompt token: 2 per active parameter, plus attention (attention_flops)."""
    return 2 * active_params + attention_flops(attention_width, prompt, depth)
