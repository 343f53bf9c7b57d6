"""Which FP8 paths vLLM has on a card: W8A8 on FP8 tensor cores ("native"), FP8 weights
weight-only through FP8 Marlin, and the FP8 KV cache (--kv-cache-dtype fp8). Sources beside
each rule; docs/methodology.md 7b."""

from __future__ import annotations

from llm_pick.estimate.hardware import Hardware

# FP8 tensor cores: compute capability >= 8.9 (Ada, Hopper, Blackwell) and AMD CDNA 3/4
# (vLLM quantization docs, supported hardware); elsewhere vLLM runs FP8 weight-only.
_FP8_MARKS = (
    "h100",
    "h200",
    "h20",
    "gh200",
    "b100",
    "b200",
    "gb200",
    "b300",
    "l40",
    "l4",
    "rtx-40",
    "rtx-50",
    "4060",
    "4070",
    "4080",
    "4090",
    "5060",
    "5070",
    "5080",
    "5090",
    "ada",
    "mi300",
    "mi325",
    "mi350",
    "mi355",
)


def fp8_card(hardware: Hardware) -> bool:
    """Whether the card multiplies FP8 natively (W8A8 at twice the FP16 rate)."""
    key = (hardware.gpu.id if hardware.gpu else hardware.label).lower()
    return any(mark in key for mark in _FP8_MARKS)


# NVIDIA cards before Turing (compute capability < 7.5): no FP8 Marlin kernel either
_PRE_TURING_MARKS = ("p40", "p100", "v100", "titan-v", "gtx-10", "tesla-p", "tesla-v")


def fp8_mode(hardware: Hardware) -> str | None:
    """How vLLM runs FP8 weights on this card: "native" (W8A8 on FP8 tensor cores),
    "weight-only" (W8A16 through FP8 Marlin on NVIDIA compute capability 7.5 and up: vLLM's
    FP8 docs, 'FP8 models will run on compute capability >= 7.5 (Turing) as weight-only
    W8A16, utilizing FP8 Marlin'; vLLM PR #5975), or None (no FP8 kernel: older NVIDIA
    cards, AMD before CDNA 3, unknown cards)."""
    if fp8_card(hardware):
        return "native"
    gpu = hardware.gpu
    if gpu is None or gpu.vendor != "nvidia" or gpu.backend != "cuda":
        return None
    return None if any(mark in gpu.id.lower() for mark in _PRE_TURING_MARKS) else "weight-only"
