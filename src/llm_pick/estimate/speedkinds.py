"""The parts of the speed model shared by decode and prefill: format families, backend
groups, and the prefill (compute-bound) step (docs/methodology.md, "Speed"). Pure functions;
the constants are fitted by bench/speed.py (estimate/speed.py re-exports them)."""

from __future__ import annotations

from typing import Literal

from llm_pick.catalog.types import Model

FormatFamily = Literal[
    "16-bit", "8-bit", "k-quant", "legacy", "gptq", "awq", "bitsandbytes", "ternary"
]
BackendGroup = Literal["cuda", "metal", "rocm-vulkan", "cpu"]

# Fitted (bench/speed.py): 1 / share of the card's fp16 FLOPS reached (at least 1), and a cost per
# FLOP that does not scale with them, by backend group.
INVERSE_PREFILL_EFFICIENCY: dict[str, float] = {"16-bit": 1.31, "quantized": 1.71}
PREFILL_PER_FLOP: dict[str, float] = {"cuda": 4.47e-15, "rocm-vulkan": 1.94e-15}


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
    """CUDA, Metal, ROCm/Vulkan (one group: too few measurements to tell them apart), CPU."""
    if backend in ("rocm", "vulkan"):
        return "rocm-vulkan"
    if backend in ("metal", "cpu"):
        return backend  # type: ignore[return-value]
    return "cuda"


def prefill_seconds(flops: float, tflops: float | None, family: str, backend: str) -> float | None:
    """Seconds of compute for `flops` on a card of `tflops` fp16 (gpus.yaml's one kind)."""
    group = backend_group(backend)
    if not tflops or group not in PREFILL_PER_FLOP or family in ("gptq", "awq", "bitsandbytes"):
        return None
    inverse = INVERSE_PREFILL_EFFICIENCY["16-bit" if family == "16-bit" else "quantized"]
    return flops * (inverse / (tflops * 1e12) + PREFILL_PER_FLOP[group])


def attention_width_of(model: Model) -> int:
    """layers x attention heads x head dim: the attention FLOPs per prompt token and position."""
    arch = model.architecture
    return arch.attention_count * arch.q_width


def prefill_flops(active_params: int, attention_width: int, prompt: int) -> float:
    """Per prompt token: 2 per active parameter, plus attention over half the prompt on average
    (QK^T and AV: 2 x 2 x layers x heads x head_dim x position)."""
    return 2 * active_params + 2 * attention_width * prompt
