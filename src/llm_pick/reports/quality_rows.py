"""`compare`'s quality rows: every model's ability on the quality scale (scoring/quality.py) as
an MMLU-equivalent percentage, estimated values marked "~" with their basis, and the quality
criterion each format keeps (0-1: scoring/quant_loss.py), beside memory and speed. Rows are
(field, values, shown, better) for reports/compare.py to mark."""

from __future__ import annotations

from typing import Any

from llm_pick.catalog.types import Model
from llm_pick.estimate.quant import Quant
from llm_pick.scoring.criteria import quality
from llm_pick.scoring.quality import Ability, ability, mmlu_equivalent

RawRow = tuple[str, dict[str, Any], dict[str, str], str]
ABILITY = "quality (MMLU-eq.)"


def ability_rows(by: dict[str, Model], lineage: dict[str, Model]) -> list[RawRow]:
    found: dict[str, Ability] = {i: ability(m, lineage) for i, m in by.items()}
    values: dict[str, Any] = {i: round(mmlu_equivalent(a.theta), 1) for i, a in found.items()}
    shown = {i: f"{'~' if a.estimated else ''}{values[i]:.1f}" for i, a in found.items()}
    marked: dict[str, Any] = {i: a.estimated for i, a in found.items()}
    basis: dict[str, Any] = {i: a.basis for i, a in found.items()}
    return [
        (ABILITY, values, shown, "max"),
        ("quality estimated", marked, {i: "yes" if v else "no" for i, v in marked.items()}, ""),
        ("quality basis", basis, {i: str(v) for i, v in basis.items()}, ""),
    ]


def kept_row(q: Quant, by: dict[str, Model], lineage: dict[str, Model]) -> RawRow:
    """The quality criterion (0-1: the scale times what the format keeps) at format `q`."""
    values: dict[str, Any] = {i: round(quality(m, q, lineage).value, 4) for i, m in by.items()}
    return (f"quality {q.name}", values, {i: f"{v:.3f}" for i, v in values.items()}, "max")
