"""Published quantization-loss tables (wikitext perplexity of F16 and quantized files in one
table, one setup) and the generations they speak for: a table applies to models of its own
generation and architecture only (Llama 3 lost much more than Llama 2: llama.cpp PR #6745).
"""

from __future__ import annotations

import re

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.estimate.quant import BASE_PPL, QUANTS


class Table(NamedTuple):
    f16: float
    ppl: dict[str, float]
    source: str


_README = "llama.cpp examples/perplexity/README.md (commit a2a24aec6)"
TABLES: dict[str, Table] = {
    "llama-1-7b": Table(
        5.9066,
        {
            "q2_k": 6.7764,
            "q3_k_s": 6.4571,
            "q3_k_m": 6.1503,
            "q3_k_l": 6.0869,
            "q4_k_s": 6.0215,
            "q4_k_m": 5.9601,
            "q5_k_s": 5.9419,
            "q5_k_m": 5.9208,
            "q6_k": 5.9110,
            "q4_0": 6.1565,
            "q4_1": 6.0912,
            "q5_0": 5.9862,
            "q5_1": 5.9481,
            "q8_0": 5.9070,
        },
        "llama.cpp PR #1684 'Performance' table (K-quants) and README.md at 9d92d6742 "
        "'Quantization' table (Q4_0..Q8_0); both print F16 5.9066",
    ),
    "llama-1-13b": Table(
        5.2543,
        {
            "q2_k": 5.8545,
            "q3_k_s": 5.6033,
            "q3_k_m": 5.4498,
            "q3_k_l": 5.4063,
            "q4_k_s": 5.3404,
            "q4_k_m": 5.3002,
            "q5_k_s": 5.2785,
            "q5_k_m": 5.2638,
            "q6_k": 5.2568,
            "q4_0": 5.3860,
            "q4_1": 5.3608,
            "q5_0": 5.2856,
            "q5_1": 5.2706,
            "q8_0": 5.2548,
        },
        "llama.cpp PR #1684 'Performance' table (K-quants) and README.md at 9d92d6742 "
        "'Quantization' table (Q4_0..Q8_0); both print F16 5.2543",
    ),
    "llama-2-70b": Table(
        3.4313,
        {
            "q2_k": 3.7339,
            "q3_k_s": 3.7019,
            "q3_k_m": 3.5932,
            "q3_k_l": 3.5617,
            "q4_0": 3.5550,
            "q4_1": 3.5125,
            "q4_k_s": 3.4852,
            "q4_k_m": 3.4725,
            "q5_0": 3.4744,
            "q5_k_s": 3.4483,
            "q5_k_m": 3.4451,
            "q6_k": 3.4367,
        },
        f"{_README}, 'Old Numbers' Llama 2 70B scoreboard (from PR #3340)",
    ),
    "mistral-7b-v0.1": Table(
        5.6924,
        {
            "q2_k": 6.7580,
            "q3_k_s": 6.0692,
            "q3_k_m": 5.8894,
            "q4_k_s": 5.7764,
            "q4_k_m": 5.7539,
            "q5_k_s": 5.7258,
            "q5_k_m": 5.7168,
            "q6_k": 5.7028,
        },
        "llama.cpp PR #4930 description (2024-01-14), Mistral-7B without imatrix, fp16 5.6924",
    ),
    "mixtral-8x7b-instruct": Table(
        4.4091,
        {"q3_k_s": 4.6677},
        "llama.cpp PR #4930, ikawrakow comment 2024-01-15: 'PPL(no imatrix) = 4.6677 ... "
        "PPL(fp16) = 4.4091' (Mixtral-8x7B-Instruct)",
    ),
}
_8B_README = (
    "llama.cpp tools/perplexity/README.md 'LLaMA 3 8b Scoreboard' (Revision f364eb6f): "
    "no imatrix for the k/legacy quants, WT 10m imatrix for the i-quants; F16 6.2316"
)
TABLES["llama-3-8b"] = Table(
    BASE_PPL,
    {q.name: BASE_PPL + q.ppl_delta for q in QUANTS.values() if q.family == "gguf" and q.ppl_delta},
    _8B_README,
)
TABLES["llama-3-70b"] = Table(
    2.8308,
    {
        "iq2_xxs": 6.6705,
        "iq2_xs": 5.7486,
        "iq2_s": 5.5215,
        "iq2_m": 4.8959,
        "q2_k": 4.7763,
        "iq3_xxs": 3.9671,
        "iq3_xs": 3.7210,
        "q3_k_s": 3.6502,
        "iq3_s": 3.4698,
        "iq3_m": 3.4402,
        "q3_k_m": 3.3617,
        "q3_k_l": 3.3016,
        "iq4_xs": 3.0310,
        "iq4_nl": 3.0261,
        "q4_k_s": 3.0050,
        "q4_k_m": 2.9674,
        "q5_k_s": 2.8843,
        "q5_k_m": 2.8656,
        "q6_k": 2.8441,
        "q8_0": 2.8316,
    },
    "llama.cpp PR #6745, dranger003's Llama-3-70B table (wiki.test, 400-chunk wiki.train "
    "imatrix below Q6_K): F16 2.8308, Q3_K_M 3.3617 (+18.75%), Q4_K_M 2.9674 (+4.83%)",
)
TABLES["llama-4-scout-17b-16e"] = Table(
    8.6,
    {"iq2_xxs": 11.66, "iq3_xxs": 9.76184},
    "bartowski, 'Comparing sub 50GB Llama 4 Scout quants (KLD/Top P)' (Hugging Face, "
    "2025-04-09): BF16 PPL 8.6, mainline IQ2_XXS 11.66, IQ3_XXS 9.76184",
)
# A model's generation: the first pattern its lineage root (base_model followed to the end)
# matches. Same generation = same architecture and training recipe era; a table never speaks
# for another generation.
GENERATIONS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("llama-1", r"llama-1-"),
        ("llama-2", r"llama-2-"),
        ("llama-3", r"llama-3[.-]"),
        ("llama-4", r"llama-4-"),
        ("mistral-7b", r"mistral-7b-v"),
        ("mixtral", r"mixtral-8x"),
        ("falcon-1", r"falcon-(7b|40b|180b)"),
    )
)


def generation_of(root_id: str) -> str | None:
    for name, pattern in GENERATIONS:
        if pattern.match(root_id):
            return name
    return None


# Quality a quantized KV cache keeps (f16 ppl / ppl with that cache), Llama-3-8B f16 weights:
# llama.cpp PR #7412, JohannesGaessler's table of 2024-05-20 (f16/f16/f16 6.232196, f16/q8_0/q8_0
# 6.234369: KLD +0.0008). Its q4_0 K/V rows were not in any copy read: q4_0 has no measured loss
# here, so it is never chosen for the user.
KV_KEPT: dict[str, float] = {"fp16": 1.0, "q8_0": 6.232196 / 6.234369}
KV_SOURCE = "llama.cpp PR #7412 (Llama-3-8B: f16 cache 6.232196, q8_0 K+V 6.234369)"
