"""Quality kept by a quantization, per model: f16 perplexity / quantized perplexity.

Published llama.cpp wikitext-2 perplexity tables (f16 and the quantized files in one table)
give the loss of the models below directly. Every other model, and a format a table lacks, uses
the rule

    r(model, format) = k(model) * r(Llama-3-8B, format)        r = ppl(q) / ppl(f16) - 1

where k(model) is the median ratio over the formats its own table shares with Llama-3-8B, and
for a model without a table k = k(reference) * (N_ref / N)^GAMMA: the reference is the measured
model of the same lineage (itself, then its base), else the measured model of the same family
released closest in time, else Llama-3-8B (k = 1). GAMMA = 0.39 is the median over formats of
the size exponent between the LLaMA-1 7B and 13B tables (same table, same setup): larger models
lose less. N is the active parameter count.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

from llm_pick.catalog.types import Model
from llm_pick.estimate.quant import BASE_PPL, Quant, median

GAMMA = 0.39


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
REFERENCE = "llama-3-8b"  # the formats' own ppl_delta (estimate/quant.py) are measured on it


class Loss(NamedTuple):
    kept: float | None  # f16 ppl / quantized ppl; None when the format has no published loss
    basis: str


def _reference_ratio(quant: Quant) -> float | None:
    return None if quant.ppl_delta is None else quant.ppl_delta / BASE_PPL


@functools.cache
def sensitivity(model_id: str) -> float:
    """k of a measured model: median of its loss / Llama-3-8B's loss over shared formats."""
    from llm_pick.estimate.quant import QUANTS

    table = TABLES[model_id]
    ratios = []
    for name, ppl in table.ppl.items():
        ref = _reference_ratio(QUANTS[name])
        if ref:
            ratios.append((ppl / table.f16 - 1) / ref)
    return median(ratios) if ratios else 1.0


def measured_by_family(lineage: dict[str, Model]) -> dict[str, list[Model]]:
    """The catalog's measured models by family (computed once per catalog by callers that ask
    for many models' references)."""
    out: dict[str, list[Model]] = {}
    for model_id in TABLES:
        found = lineage.get(model_id)
        if found is not None:
            out.setdefault(found.family, []).append(found)
    return out


def measured_reference(
    model: Model,
    lineage: dict[str, Model],
    measured: dict[str, list[Model]] | None = None,
) -> Model | None:
    """The measured model whose table (or sensitivity) applies: the model or an ancestor, else
    the family's measured model closest in release date. `measured`: measured_by_family()."""
    cursor: Model | None = model
    seen: set[str] = set()
    while cursor is not None and cursor.id not in seen:
        if cursor.id in TABLES:
            return cursor
        seen.add(cursor.id)
        cursor = lineage.get(cursor.base_model or "")
    families = measured_by_family(lineage) if measured is None else measured
    same = sorted(families.get(model.family, ()), key=lambda m: m.id)
    if not same or model.release_date is None:
        return same[0] if len(same) == 1 else None
    when = model.release_date
    return min(
        same,
        key=lambda m: (abs(((m.release_date or when) - when).days), m.id),
    )


def loss(
    model: Model, quant: Quant, lineage: dict[str, Model], ref: Model | bool | None = True
) -> Loss:
    """The quality `quant` keeps for `model`. `ref`: measured_reference(model, lineage) when
    the caller has it already (True: look it up)."""
    if quant.family == "float":
        return Loss(1.0, "16/32-bit: the reference")
    if ref is True or ref is False:
        ref = measured_reference(model, lineage)
    if ref is not None and quant.name in TABLES[ref.id].ppl and ancestor(ref, model, lineage):
        table = TABLES[ref.id]
        where = model.id if ref is model else f"its base {ref.id}"
        return Loss(table.f16 / table.ppl[quant.name], f"measured on {where}: {table.source}")
    ref_ratio = _reference_ratio(quant)
    if ref_ratio is None:
        return Loss(None, f"{quant.name} has no published perplexity loss: not adjusted")
    if ref is None:
        k = (
            (_params(lineage.get(REFERENCE)) / _params(model)) ** GAMMA
            if REFERENCE in lineage
            else 1.0
        )
        basis = f"Llama-3-8B's loss scaled by size^-{GAMMA}"
    else:
        k = sensitivity(ref.id) * (_params(ref) / _params(model)) ** GAMMA
        basis = (
            f"Llama-3-8B's loss x {k:.2f} (sensitivity measured on {ref.id}, "
            f"scaled by size^-{GAMMA})"
        )
    return Loss(1 / (1 + k * ref_ratio), basis)


def ancestor(ref: Model, model: Model, lineage: dict[str, Model]) -> bool:
    """The model itself or a fine-tune of the measured model: its table applies as it is."""
    cursor: Model | None = model
    for _ in range(len(lineage) + 1):
        if cursor is None:
            return False
        if cursor.id == ref.id:
            return True
        cursor = lineage.get(cursor.base_model or "")
    return False


def _params(model: Model | None) -> float:
    if model is None:
        return 8.03e9
    return float(model.parameters.active_count)


def describe(kept: float, quant: Quant) -> str:
    loss_pct = (1 / kept - 1) * 100 if kept > 0 else math.inf
    return f"x{kept:.4f} for {quant.name} (perplexity +{loss_pct:.2f}%)"


def loss_order(
    model: Model, quants: list[Quant], lineage: dict[str, Model], ref: Model | None
) -> list[Quant]:
    """The formats by the quality they keep for this model, best first (then fewer bits).
    Every model with the same measured reference (and the same ancestry to it) has the same
    order, so callers may keep it per order_key()."""

    def kept(quant: Quant) -> float:
        found = loss(model, quant, lineage, ref).kept
        return -1.0 if found is None else found

    return sorted(quants, key=lambda q: (-kept(q), q.nominal_bits, q.name))


def order_key(model: Model, lineage: dict[str, Model], ref: Model | None) -> tuple[str, bool]:
    """Models with equal keys lose quality in the same order across formats."""
    if ref is None:
        return ("", False)
    return (ref.id, ancestor(ref, model, lineage))
