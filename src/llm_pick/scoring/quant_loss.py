"""Quality kept by a quantization, per model: f16 perplexity / quantized perplexity.

Published perplexity tables (scoring/quant_tables.py) give the loss of their own model and its
fine-tunes directly. Another model uses the table of the measured model of its own generation
nearest in size (never another generation), its loss r = ppl(q) / ppl(f16) - 1 scaled by
(N_ref / N)^GAMMA; a format that table lacks uses r(Llama-3-8B, format) times k, the median
ratio of the table to Llama-3-8B's over shared formats. A model whose generation has no table
gets Llama-3-8B's loss scaled by size, marked estimated. GAMMA = 0.39 is the median over formats
of the size exponent between the LLaMA-1 7B and 13B tables (same table, same setup): larger
models lose less. N is the active parameter count.

INT4 weight-only formats (AWQ, GPTQ) follow the same rules on their own tables
(scoring/int4_tables.py: each row's ratio within its source): the model's or its base's row,
else the same generation's nearest-size row scaled by size^-GAMMA; a generation without a row
is not adjusted and says so (Llama-3-8B's GGUF losses are never borrowed for them).
"""

from __future__ import annotations

import functools
import math

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.catalog.types import Model
from llm_pick.estimate.quant import BASE_PPL, Quant, median
from llm_pick.scoring.int4_tables import INT4, LABEL
from llm_pick.scoring.quant_tables import TABLES, Table, generation_of

__all__ = ["TABLES", "Loss", "Table", "loss"]

GAMMA = 0.39


REFERENCE = "llama-3-8b"  # the formats' own ppl_delta (estimate/quant.py) are measured on it


class Loss(NamedTuple):
    kept: float | None  # f16 ppl / quantized ppl; None when the format has no published loss
    basis: str
    short: str | None = None  # the basis in a few words, for the note (INT4 formats)


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


def root_of(model: Model, lineage: dict[str, Model]) -> Model:
    """The end of the model's base_model chain (itself when it has no base in the catalog)."""
    cursor, seen = model, {model.id}
    while cursor.base_model and cursor.base_model in lineage and cursor.base_model not in seen:
        cursor = lineage[cursor.base_model]
        seen.add(cursor.id)
    return cursor


def generation(model: Model, lineage: dict[str, Model]) -> str | None:
    return generation_of(root_of(model, lineage).id)


def measured_by_family(lineage: dict[str, Model]) -> dict[str, list[Model]]:
    """The catalog's measured models by generation (computed once per catalog by callers that
    ask for many models' references)."""
    out: dict[str, list[Model]] = {}
    for model_id in TABLES:
        found = lineage.get(model_id)
        gen = None if found is None else generation(found, lineage)
        if found is not None and gen is not None:
            out.setdefault(gen, []).append(found)
    return out


def measured_reference(
    model: Model,
    lineage: dict[str, Model],
    measured: dict[str, list[Model]] | None = None,
) -> Model | None:
    """The measured model whose table applies: the model or an ancestor, else the measured
    model of the same generation nearest in size (never another generation; None when its
    generation has no table). `measured`: measured_by_family()."""
    cursor: Model | None = model
    seen: set[str] = set()
    while cursor is not None and cursor.id not in seen:
        if cursor.id in TABLES:
            return cursor
        seen.add(cursor.id)
        cursor = lineage.get(cursor.base_model or "")
    gen = generation(model, lineage)
    if gen is None:
        return None
    groups = measured_by_family(lineage) if measured is None else measured
    size = math.log(_params(model))
    return min(
        groups.get(gen, ()),
        key=lambda m: (abs(math.log(_params(m)) - size), m.id),
        default=None,
    )


def loss(
    model: Model, quant: Quant, lineage: dict[str, Model], ref: Model | bool | None = True
) -> Loss:
    """The quality `quant` keeps for `model`. `ref`: measured_reference(model, lineage) when
    the caller has it already (True: look it up)."""
    if quant.family == "float":
        return Loss(1.0, "16/32-bit: the reference")
    if quant.name in INT4:
        return int4_loss(model, quant.name, lineage)
    if ref is True or ref is False:
        ref = measured_reference(model, lineage)
    if ref is not None and ancestor(ref, model, lineage) and quant.name in TABLES[ref.id].ppl:
        table = TABLES[ref.id]
        where = model.id if ref is model else f"its base {ref.id}"
        return Loss(table.f16 / table.ppl[quant.name], f"measured on {where}: {table.source}")
    ref_ratio = _reference_ratio(quant)
    if ref is None:
        if ref_ratio is None:
            return Loss(None, f"{quant.name} has no published perplexity loss: not adjusted")
        k = (_params(lineage.get(REFERENCE)) / _params(model)) ** GAMMA
        basis = (
            "estimated: no published table for its generation; Llama-3-8B's loss "
            f"scaled by size^-{GAMMA}"
        )
        return Loss(1 / (1 + k * ref_ratio), basis)
    table = TABLES[ref.id]
    scale = 1.0 if ancestor(ref, model, lineage) else (_params(ref) / _params(model)) ** GAMMA
    gen = generation(ref, lineage)
    if quant.name in table.ppl:
        ratio = (table.ppl[quant.name] / table.f16 - 1) * scale
        basis = (
            f"estimated from {ref.id} (same generation {gen}, nearest size), its loss scaled "
            f"by size^-{GAMMA}: {table.source}"
        )
        return Loss(1 / (1 + ratio), basis)
    if ref_ratio is None:
        return Loss(None, f"{quant.name} has no published perplexity loss: not adjusted")
    k = sensitivity(ref.id) * scale
    basis = (
        f"estimated: Llama-3-8B's {quant.name} loss x {k:.2f} (sensitivity measured on "
        f"{ref.id}, generation {gen}, scaled by size^-{GAMMA}): {table.source}"
    )
    return Loss(1 / (1 + k * ref_ratio), basis)


def int4_reference(model: Model, fmt: str, lineage: dict[str, Model]) -> tuple[Model | None, bool]:
    """The model whose INT4 row applies, and whether it is the model or an ancestor: else the
    row of the same generation nearest in size (ties: the longer id prefix shared with the
    model's root, then the id); (None, False) when its generation has no row."""
    rows = INT4[fmt]
    cursor: Model | None = model
    seen: set[str] = set()
    while cursor is not None and cursor.id not in seen:
        if cursor.id in rows:
            return cursor, True
        seen.add(cursor.id)
        cursor = lineage.get(cursor.base_model or "")
    gen = generation(model, lineage)
    if gen is None:
        return None, False
    same = [lineage[m] for m in rows if m in lineage and generation(lineage[m], lineage) == gen]
    root, size = root_of(model, lineage).id, math.log(_params(model))

    def shared(m: Model) -> int:
        return next(
            (i for i, (a, b) in enumerate(zip(m.id, root, strict=False)) if a != b), len(m.id)
        )

    best = min(
        same, key=lambda m: (abs(math.log(_params(m)) - size), -shared(m), m.id), default=None
    )
    return best, False


def int4_anchor(model: Model, lineage: dict[str, Model]) -> tuple[str | None, str]:
    """What int4_reference reads of a model besides its generation and size: the nearest of
    it and its ancestors with an INT4 row, and its lineage root (ranking/shared.py keys)."""
    cursor: Model | None = model
    seen: set[str] = set()
    while cursor is not None and cursor.id not in seen:
        if any(cursor.id in rows for rows in INT4.values()):
            return cursor.id, root_of(model, lineage).id
        seen.add(cursor.id)
        cursor = lineage.get(cursor.base_model or "")
    return None, root_of(model, lineage).id


def int4_loss(model: Model, fmt: str, lineage: dict[str, Model]) -> Loss:
    """An INT4 weight-only format's loss (module docstring): never another generation's."""
    label = LABEL[fmt]
    ref, own = int4_reference(model, fmt, lineage)
    if ref is None:
        gen = generation(model, lineage)
        which = f" ({gen})" if gen else ""
        return Loss(
            None,
            f"{label}: not measured, no published loss for its generation{which}; "
            "scored unadjusted",
        )
    row = INT4[fmt][ref.id]
    measured = f"FP16 {row.f16} -> {row.ppl}: {row.source}"
    if own:
        where = model.id if ref is model else f"its base {ref.id}"
        short = f"{label} measured on {where}, QServe table"
        return Loss(row.f16 / row.ppl, f"{label} measured on {where} ({measured})", short)
    scale = (_params(ref) / _params(model)) ** GAMMA
    ratio = (row.ppl / row.f16 - 1) * scale
    basis = (
        f"estimated: {label} loss of {ref.id} (same generation {generation(ref, lineage)}, "
        f"nearest size) scaled by size^-{GAMMA} ({measured})"
    )
    short = f"estimated from {ref.id}'s {label} loss, same generation, scaled by size"
    return Loss(1 / (1 + ratio), basis, short)


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
