"""Published INT4 weight-only losses (W4A16, group 128: the AWQ and GPTQ checkpoints vLLM
serves), each row with the FP16 perplexity of the same table, so every ratio is taken within
one source: quality kept = FP16 ppl / INT4 ppl. A row speaks for its own model and its
fine-tunes; other models of the same generation scale the nearest-size row by size
(scoring/quant_loss.py), and a generation without a row is not adjusted.

One table so far: MIT Han Lab's (the AWQ authors') WikiText-2 perplexity at 2048 tokens of
FP16, AWQ W4A16 g128 and GPTQ-R W4A16 g128 (GPTQ with act-order reordering) for twelve models,
in the lmquant/deepcompressor README (QServe, arXiv 2405.04532). bench/quant_loss.py checks
the size rule on these rows (held out by model).
"""

from __future__ import annotations

from llm_pick.catalog.tuples import NamedTuple


class Int4Row(NamedTuple):
    f16: float  # FP16 perplexity in the same table
    ppl: float  # the INT4 model's perplexity
    source: str


QSERVE = (
    "mit-han-lab/lmquant README.md (commit 079487a8), 'Perplexity Evaluation' (QServe, "
    "arXiv 2405.04532): WikiText-2, 2048-token windows, FP16 of the same table"
)
# the table's column for each catalog model (its "Llama 30B" is LLaMA-1 33B; "Mistral 7B"
# names no version: taken as v0.1, the base released before the table)
COLUMNS = {
    "llama-3.1-70b": "Llama-3.1 70B",
    "llama-3.1-8b": "Llama-3.1 8B",
    "llama-3-70b": "Llama-3 70B",
    "llama-3-8b": "Llama-3 8B",
    "llama-2-7b": "Llama-2 7B",
    "llama-2-13b": "Llama-2 13B",
    "llama-2-70b": "Llama-2 70B",
    "llama-1-7b": "Llama 7B",
    "llama-1-13b": "Llama 13B",
    "llama-1-33b": "Llama 30B",
    "mistral-7b-v0.1": "Mistral 7B",
}
# model: (FP16, GPTQ-R W4A16 g128, AWQ W4A16 g128), as printed
_PRINTED = {
    "llama-3.1-70b": (2.81, 3.46, 3.22),
    "llama-3.1-8b": (6.24, 6.64, 6.60),
    "llama-3-70b": (2.85, 3.42, 3.20),
    "llama-3-8b": (6.14, 6.56, 6.54),
    "llama-2-7b": (5.47, 5.63, 5.60),
    "llama-2-13b": (4.88, 4.99, 4.97),
    "llama-2-70b": (3.32, 3.43, 3.41),
    "llama-1-7b": (5.68, 5.83, 5.78),
    "llama-1-13b": (5.09, 5.20, 5.19),
    "llama-1-33b": (4.10, 4.22, 4.21),
    "mistral-7b-v0.1": (5.25, 5.39, 5.37),
}
INT4: dict[str, dict[str, Int4Row]] = {
    "awq-4bit": {m: Int4Row(f, awq, QSERVE) for m, (f, _, awq) in _PRINTED.items()},
    "gptq-4bit": {m: Int4Row(f, gptq, QSERVE) for m, (f, gptq, _) in _PRINTED.items()},
}
LABEL = {"awq-4bit": "AWQ INT4 (W4A16 g128)", "gptq-4bit": "GPTQ INT4 (GPTQ-R W4A16 g128)"}
