"""Quantization formats: storage per block, and which tensor gets which type.

GGUF (llama.cpp) file types are mixes: `Q4_K_M` stores most matrices as Q4_K but keeps
attn_v and half of ffn_down at Q6_K, the output head at Q6_K, and norms at F32. The rules
below restate the behaviour of llama.cpp's `llama_tensor_get_type` (src/llama-quant.cpp) for
the dense and Mixtral-style models in our catalog; docs/methodology.md lists them with their
sources. GPU formats (bitsandbytes, GPTQ, AWQ) quantize the linear layers of the decoder
blocks and keep the embeddings, the output head and the norms in 16 bits.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.errors import UnknownNameError
from llm_pick.estimate.iquant import IQ_BASE, Layer, iq_type

CPU_ONLY = ("i2_s",)  # formats only a CPU runtime loads (bitnet.cpp's llama-cli runs -ngl 0)
QK_K = 256  # super-block size of the K-quants: rows must be a multiple of it

# ggml storage: (weights per block, bytes per block) from ggml/src/ggml-common.h
GGML_BLOCKS: dict[str, tuple[int, int]] = {
    "f32": (1, 4),
    "f16": (1, 2),
    "bf16": (1, 2),
    "q8_0": (32, 34),  # 32 int8 + fp16 scale
    "q5_1": (32, 24),
    "q5_0": (32, 22),  # 32 x 4 bits + 32 high bits + fp16 scale
    "q4_1": (32, 20),
    "q4_0": (32, 18),  # 32 x 4 bits + fp16 scale
    "q6_k": (256, 210),
    "q5_k": (256, 176),
    "q4_k": (256, 144),
    "q3_k": (256, 110),
    "q2_k": (256, 84),
    "i2_s": (4, 1),  # bitnet.cpp's ternary type: 2 bits per weight, one scale per tensor
    "iq2_xxs": (256, 66),  # i-quants (ggml-common.h at 01243c58): fp16 scale + codebook indices
    "iq2_xs": (256, 74),
    "iq2_s": (256, 82),
    "iq3_xxs": (256, 98),
    "iq3_s": (256, 110),
    "iq4_xs": (256, 136),
    "iq4_nl": (32, 18),
}


# K-quant types cannot store rows whose length is not a multiple of 256; llama.cpp then
# falls back to a 32-block type (convert_incompatible_tensor in src/llama-quant.cpp).
# Every 256-block i-quant falls back to IQ4_NL (32-block).
K_FALLBACK = {"q2_k": "q4_0", "q3_k": "q4_0", "q4_k": "q5_0", "q5_k": "q5_1", "q6_k": "q8_0"}
K_FALLBACK.update(
    dict.fromkeys(("iq2_xxs", "iq2_xs", "iq2_s", "iq3_xxs", "iq3_s", "iq4_xs"), "iq4_nl")
)

Family = Literal["gguf", "float", "gpu", "ternary"]


class Quant(NamedTuple):
    name: str
    family: Family
    label: str
    base: str  # ggml type of most matrices, or the float type
    nominal_bits: float  # bits per weight of the main matrices, scales included
    ppl_delta: float | None  # wikitext perplexity increase over f16 at Llama-3-8B, if published
    quality_source: str
    runtime: str


_LLAMA_CPP_PPL = (
    "llama.cpp tools/quantize/quantize.cpp QUANT_OPTIONS, ppl increase @ Llama-3-8B "
    "(commit 5b48cd53, values from PR #7413)"
)

# i-quants: bits per weight from quantize.cpp QUANT_OPTIONS; loss from the same scoreboard's
# rows made with a Wikitext importance matrix ("WT 10m"), as published IQ files are.
_IQ_PPL = (
    "llama.cpp tools/perplexity/README.md 'LLaMA 3 8b Scoreboard' (Revision f364eb6f), "
    "dPPL @ Llama-3-8B with a WT 10m imatrix"
)

_QUANTS = [
    Quant("fp32", "float", "32-bit float", "f32", 32, 0.0, "reference precision", "any"),
    Quant("fp16", "float", "16-bit float", "f16", 16, 0.0, "reference (llama.cpp baseline)", "any"),
    Quant("bf16", "float", "bfloat16", "bf16", 16, 0.0, "training precision of most models", "any"),
    Quant("q8_0", "gguf", "GGUF Q8_0", "q8_0", 8.5, 0.0026, _LLAMA_CPP_PPL, "llama.cpp"),
    Quant("q6_k", "gguf", "GGUF Q6_K", "q6_k", 6.5625, 0.0217, _LLAMA_CPP_PPL, "llama.cpp"),
    Quant("q5_k_m", "gguf", "GGUF Q5_K_M", "q5_k", 5.5, 0.0569, _LLAMA_CPP_PPL, "llama.cpp"),
    Quant("q5_k_s", "gguf", "GGUF Q5_K_S", "q5_k", 5.5, 0.1049, _LLAMA_CPP_PPL, "llama.cpp"),
    Quant("q5_1", "gguf", "GGUF Q5_1", "q5_1", 6.0, 0.1062, _LLAMA_CPP_PPL, "llama.cpp"),
    Quant("q5_0", "gguf", "GGUF Q5_0", "q5_0", 5.5, 0.1316, _LLAMA_CPP_PPL, "llama.cpp"),
    Quant("q4_k_m", "gguf", "GGUF Q4_K_M", "q4_k", 4.5, 0.1754, _LLAMA_CPP_PPL, "llama.cpp"),
    Quant("q4_k_s", "gguf", "GGUF Q4_K_S", "q4_k", 4.5, 0.2689, _LLAMA_CPP_PPL, "llama.cpp"),
    Quant("q4_1", "gguf", "GGUF Q4_1", "q4_1", 5.0, 0.4511, _LLAMA_CPP_PPL, "llama.cpp"),
    Quant("q4_0", "gguf", "GGUF Q4_0", "q4_0", 4.5, 0.4685, _LLAMA_CPP_PPL, "llama.cpp"),
    Quant("q3_k_l", "gguf", "GGUF Q3_K_L", "q3_k", 3.4375, 0.5562, _LLAMA_CPP_PPL, "llama.cpp"),
    Quant("q3_k_m", "gguf", "GGUF Q3_K_M", "q3_k", 3.4375, 0.6569, _LLAMA_CPP_PPL, "llama.cpp"),
    Quant("q3_k_s", "gguf", "GGUF Q3_K_S", "q3_k", 3.4375, 1.6321, _LLAMA_CPP_PPL, "llama.cpp"),
    Quant("q2_k", "gguf", "GGUF Q2_K", "q2_k", 2.625, 3.5199, _LLAMA_CPP_PPL, "llama.cpp"),
    *(
        Quant(
            name, "gguf", f"GGUF {name.upper()}", IQ_BASE[name], bits, delta, _IQ_PPL, "llama.cpp"
        )
        for name, bits, delta in (
            ("iq4_nl", 4.5, 0.223959),
            ("iq4_xs", 4.25, 0.228071),
            ("iq3_m", 3.4375, 0.666694),  # bits: its main type (IQ3_S); the mix is 3.66
            ("iq3_s", 3.4375, 0.733867),
            ("iq3_xs", 3.0625, 0.931409),  # IQ3_XXS in the middle layers
            ("iq3_xxs", 3.0, 1.226803),  # attn_q/k at IQ2_S: under 3.0625 without GQA
            ("iq2_m", 2.5625, 2.369166),  # main type IQ2_S
            ("iq2_s", 2.3125, 3.419148),  # main type IQ2_XS
            ("iq2_xs", 2.3125, 4.529791),
            ("iq2_xxs", 2.0625, 7.860148),
        )
    ),
    Quant(
        "i2_s",
        "ternary",
        "BitNet I2_S (ternary)",
        "i2_s",
        2.0,
        None,
        "ternary-trained weights stored as trained (BitNet b1.58, arXiv 2402.17764)",
        "bitnet.cpp",
    ),
    Quant(
        "bnb-int8",
        "gpu",
        "bitsandbytes LLM.int8()",
        "int8",
        8.0,
        None,
        "LLM.int8() paper arXiv 2208.07339: no degradation up to 175B",
        "transformers",
    ),
    Quant(
        "bnb-nf4",
        "gpu",
        "bitsandbytes NF4 (blocksize 64)",
        "nf4",
        4.5,
        None,
        "QLoRA paper arXiv 2305.14314",
        "transformers",
    ),
    Quant(
        "bnb-nf4-dq",
        "gpu",
        "bitsandbytes NF4 + double quant",
        "nf4",
        4.127,
        None,
        "QLoRA paper arXiv 2305.14314",
        "transformers",
    ),
    Quant(
        "gptq-4bit",
        "gpu",
        "GPTQ 4-bit, group 128",
        "int4",
        4.0 + 16 / 128 + 4 / 128,
        None,  # per model: scoring/int4_tables.py (not Llama-3-8B's llama.cpp setup)
        "GPTQ paper arXiv 2210.17323; per-model loss: QServe table (scoring/int4_tables.py)",
        "transformers / vLLM / exllama",
    ),
    Quant(
        "awq-4bit",
        "gpu",
        "AWQ 4-bit, group 128",
        "int4",
        4.0 + 16 / 128 + 4 / 128,
        None,  # per model: scoring/int4_tables.py (not Llama-3-8B's llama.cpp setup)
        "AWQ paper arXiv 2306.00978; per-model loss: QServe table (scoring/int4_tables.py)",
        "transformers / vLLM",
    ),
]

QUANTS: dict[str, Quant] = {q.name: q for q in _QUANTS}
ALIASES = {
    "f16": "fp16",
    "f32": "fp32",
    "int8": "bnb-int8",
    "nf4": "bnb-nf4",
    "gptq": "gptq-4bit",
    "awq": "awq-4bit",
    "8bit": "bnb-int8",
    "4bit": "bnb-nf4",
}


def get_quant(name: str) -> Quant:
    key = name.strip().lower().replace("_", "_")
    key = ALIASES.get(key, key)
    if key in QUANTS:
        return QUANTS[key]
    raise UnknownNameError("quantization", name, QUANTS, list_all=True)


def applies(quant: Quant, ternary: bool) -> bool:
    """Whether a format can hold a model: I2_S holds only ternary-trained weights, and a
    ternary model runs from I2_S (bitnet.cpp) or its float checkpoint. No published GGUF
    k-quant of a ternary model was found, and upstream llama.cpp cannot read I2_S files
    (llama.cpp issue #17105: "tensor ... of type 36 ... not a multiple of block size")."""
    if quant.family == "ternary":
        return ternary
    return not ternary or quant.family == "float"


def use_more_bits(layer: int, layers: int) -> bool:
    """llama.cpp's choice of layers that get a bigger type in *_M mixes:
    the first and last eighth of the layers and every third layer in between."""
    return layer < layers // 8 or layer >= 7 * layers // 8 or (layer - layers // 8) % 3 == 2


class Shape(NamedTuple):
    """What the GGUF recipes need to know about a model."""

    layers: int
    falcon: bool  # llama.cpp's Falcon architecture has its own rules
    experts: int  # 0 for dense
    gqa: int  # attention_heads // kv_heads
    type_70b: bool  # llama.cpp's LLM_TYPE_70B: a llama-architecture model with 80 layers and GQA


@cache
def gguf_types(quant: str, kind: str, shape: Shape) -> tuple[tuple[str, int], ...]:
    """(ggml type, number of layers) pairs for one per-layer tensor kind under a file type.

    Kinds: attn_q, attn_k, attn_v, attn_qkv, attn_output, ffn_gate, ffn_up, ffn_down,
    ffn_gate_inp (router). Whole-model kinds: token_embd, output.
    """
    if kind in ("token_embd", "output"):
        return ((_gguf_type(quant, kind, 0, shape), 1),)
    counts: dict[str, int] = {}
    for layer, layers in _layer_classes(shape.layers):
        kind_type = _gguf_type(quant, kind, layer, shape)
        counts[kind_type] = counts.get(kind_type, 0) + layers
    return tuple(sorted(counts.items()))


@cache
def _layer_classes(n: int) -> tuple[tuple[int, int], ...]:
    """Layers grouped by everything the rules look at (the use_more_bits choice and the
    first 2, 4, n/16 and n/8 layers, the last n/8): (a representative layer, how many layers)."""
    groups: dict[tuple[bool, ...], list[int]] = {}
    for i in range(n):
        key = (use_more_bits(i, n), i < 2, i < 4, i < n // 16, i < n // 8, i >= 7 * n // 8)
        groups.setdefault(key, []).append(i)
    return tuple((members[0], len(members)) for members in groups.values())


def _gguf_type(quant: str, kind: str, i: int, shape: Shape) -> str:
    base = QUANTS[quant].base
    n = shape.layers
    if quant in IQ_BASE and kind not in ("ffn_gate_inp", "ssm_conv1d", "ssm_a"):
        if kind == "output" and shape.falcon:
            return "q8_0"
        found = iq_type(quant, kind, Layer(i, n, shape.gqa, shape.experts), use_more_bits(i, n))
        if kind == "attn_v" and shape.type_70b and found in ("q3_k", "q4_k"):
            return "q5_k"  # 8 query heads share each V head (all file types)
        return found
    if kind == "output":
        return "q8_0" if shape.falcon or base == "q8_0" else "q6_k"
    if kind == "token_embd":
        return base
    if kind in ("ffn_gate_inp", "ssm_conv1d", "ssm_a"):
        # the router is tiny and kept at full precision; so are Mamba's convolution and A
        # (llama-quant.cpp: "do not quantize Mamba's small yet 2D weights"; ssm_a has no
        # ".weight" suffix, and only names ending in "weight" are quantized)
        return "f32"
    if kind == "attn_qkv":
        # Fused QKV (Falcon, BLOOM): the rule llama.cpp applied from 2023 until its 2025
        # refactor, which made every published Falcon/BLOOM GGUF we checked (bench/).
        return {"q3_k_m": "q4_k", "q3_k_l": "q4_k", "q4_k_m": "q5_k", "q5_k_m": "q6_k"}.get(
            quant, base
        )
    if kind == "attn_v":
        kind_type = _attn_v_type(quant, base, i, shape)
        if shape.type_70b and kind_type in ("q3_k", "q4_k"):
            kind_type = "q5_k"  # 8 query heads share each V head: V is 8x smaller, bump it
        return "q8_0" if shape.experts == 8 else kind_type
    if kind == "attn_k":
        return "q8_0" if shape.experts == 8 else base
    if kind == "ffn_down":
        if quant == "q2_k":
            return "q3_k"
        if quant == "q3_k_m":
            if i < n // 16:
                return "q5_k"
            return "q4_k" if not shape.falcon or use_more_bits(i, n) else "q3_k"
        if quant == "q3_k_l":
            return "q4_k" if shape.falcon else "q5_k"
        if quant == "q4_k_m":
            if shape.falcon:
                return "q6_k" if i < n // 16 else ("q5_k" if use_more_bits(i, n) else "q4_k")
            return "q6_k" if use_more_bits(i, n) else base
        if quant == "q5_k_m" and use_more_bits(i, n):
            return "q6_k"
        if quant == "q4_k_s" and not shape.falcon and i < n // 8:
            return "q5_k"
        return base
    if kind == "attn_output":
        if shape.falcon:
            return "q4_k" if quant == "q3_k_l" else base
        if shape.experts == 8:
            if quant in ("q2_k", "q3_k_s", "q3_k_m", "q4_k_s", "q4_k_m"):
                return "q5_k"
            return base
        return {"q2_k": "q3_k", "q3_k_m": "q4_k", "q3_k_l": "q5_k"}.get(quant, base)
    return base


def _attn_v_type(quant: str, base: str, i: int, shape: Shape) -> str:
    if quant == "q2_k":
        return "q4_k" if shape.gqa >= 4 else "q3_k"
    if quant == "q3_k_m":
        return "q5_k" if i < 2 else "q4_k"
    if quant == "q3_k_l":
        return "q5_k"
    if quant in ("q4_k_m", "q5_k_m") and use_more_bits(i, shape.layers):
        return "q6_k"
    if quant == "q4_k_s" and i < 4:
        return "q5_k"
    return base


def storable(kind: str, row_length: int) -> str:
    """The type llama.cpp really stores when a K-quant row length is not a multiple of 256."""
    if kind in K_FALLBACK and row_length % QK_K:
        return K_FALLBACK[kind]
    return kind


# Llama-3-8B F16 wikitext perplexity in the same setup: llama.cpp PR #6936 reports Q4_K_M at
# 6.407115 with a mean increase of 0.175482 over F16, so F16 is 6.2316.
BASE_PPL = 6.2316


def retention(quant: Quant) -> float | None:
    """Base perplexity / quantized perplexity (1.0 = no measurable loss); None if unpublished."""
    if quant.family == "float":
        return 1.0
    if quant.ppl_delta is None:
        return None
    return BASE_PPL / (BASE_PPL + quant.ppl_delta)


def median(values: list[float]) -> float:
    """The median (statistics.median without importing statistics, fractions and decimal,
    which cost start-up time)."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2
