"""llama.cpp's i-quant file types (IQ2_XXS .. IQ4_NL): which ggml type each tensor gets.

Restated from `llama_tensor_get_type` in llama.cpp src/llama-quant.cpp (read at 007dbbf3) and
`llama_ftype_get_default_type`; the block layouts are in estimate/quant.py (ggml-common.h at
01243c58). Published IQ files are made with an importance matrix (llama-quantize refuses the
2-bit types and IQ3_XXS without one), so the rules that differ with an imatrix follow it.
"""

from __future__ import annotations

# file type -> ggml type of most matrices (IQ2_S stores IQ2_XS, IQ2_M stores IQ2_S, IQ3_XS and
# IQ3_M store IQ3_S)
IQ_BASE = {
    "iq2_xxs": "iq2_xxs",
    "iq2_xs": "iq2_xs",
    "iq2_s": "iq2_xs",
    "iq2_m": "iq2_s",
    "iq3_xxs": "iq3_xxs",
    "iq3_xs": "iq3_s",
    "iq3_s": "iq3_s",
    "iq3_m": "iq3_s",
    "iq4_xs": "iq4_xs",
    "iq4_nl": "iq4_nl",
}
_LOW = ("iq2_xxs", "iq2_xs", "iq2_s", "iq2_m")  # llama.cpp's low-bit group (IQ1_* too)


class Layer:
    """Where a tensor sits: its layer, the layer count, GQA ratio and expert count."""

    __slots__ = ("experts", "gqa", "i", "n")

    def __init__(self, i: int, n: int, gqa: int, experts: int) -> None:
        self.i, self.n, self.gqa, self.experts = i, n, gqa, experts


def iq_type(ftype: str, kind: str, at: Layer, more_bits: bool) -> str:
    """The ggml type of one tensor kind in an IQ file (`more_bits`: llama.cpp's use_more_bits
    for this layer). Whole-model kinds: token_embd, output."""
    base = IQ_BASE[ftype]
    if kind in ("output", "token_embd"):
        return _whole(ftype, kind, base)
    if kind == "attn_v":
        return _attn_v(ftype, base, at)
    if kind in ("attn_k", "attn_q"):
        if kind == "attn_k" and at.experts == 8:
            return "q8_0"
        return {"iq3_xxs": "iq2_s", "iq3_xs": "iq3_xxs"}.get(ftype, base)
    if kind in ("ffn_down", "ffn_gate", "ffn_up"):
        return _ffn(ftype, kind, base, at, more_bits)
    if kind == "attn_output":
        if at.experts == 8:
            return "q5_k"
        if ftype in ("iq2_s", "iq2_m", "iq3_xxs"):
            return "iq3_s"
        return "q4_k" if ftype == "iq3_m" else base
    if kind == "attn_qkv":
        return "q4_k" if ftype == "iq3_m" else base
    return base


def _whole(ftype: str, kind: str, base: str) -> str:
    if kind == "output":
        return "q5_k" if ftype in (*_LOW, "iq3_xxs") else "q6_k"
    if ftype in ("iq2_xxs", "iq2_xs"):
        return "q2_k"
    return "iq3_s" if ftype in ("iq2_s", "iq2_m", "iq3_xxs") else base


def _ffn(ftype: str, kind: str, base: str, at: Layer, more_bits: bool) -> str:
    early = at.i < at.n // 8
    if kind != "ffn_down":
        middle = at.n // 8 <= at.i < 7 * at.n // 8
        return "iq3_xxs" if ftype == "iq3_xs" and middle else base
    if ftype in _LOW and early:
        return "iq3_s" if ftype in ("iq2_s", "iq2_m") else "q2_k"
    if ftype == "iq3_m" and (early or (at.experts == 8 and more_bits)):
        return "q4_k"
    return base


def _attn_v(ftype: str, base: str, at: Layer) -> str:
    if at.experts == 8:
        return "q8_0"  # 'for the 8-expert model, bumping this to Q8_0 trades just ~128MB'
    shared = at.gqa >= 4
    if ftype in _LOW:
        if shared or at.experts >= 4:
            return "q4_k"
        return "iq3_s" if ftype in ("iq2_s", "iq2_m") else "q2_k"
    if ftype == "iq3_m":
        return "q4_k"
    if ftype.startswith("iq3"):
        return "q4_k" if shared else base
    return "q5_k" if shared else base  # IQ4_XS, IQ4_NL
