"""Published long-context evaluations of a model (RULER, NoLiMa), or its developer's own
statement on the card of where quality degrades: the context it really uses, as printed beside
the context it claims. Catalog data, each row sourced."""

from __future__ import annotations

from typing import Any, Literal

from llm_pick.catalog.constrained import Text
from llm_pick.catalog.record import record

_STRICT: Any = {"extra": "forbid", "use_attribute_docstrings": True}


NAMES = {"ruler": "RULER", "nolima": "NoLiMa", "model_card": "model card"}


@record(eq=False)
class EffectiveContext:
    """One evaluation's effective context length, as printed (e.g. 32K of a claimed 128K)."""

    __pydantic_config__ = _STRICT

    benchmark: Literal["ruler", "nolima", "model_card"]
    """RULER (arXiv 2404.06654: the longest length scoring above Llama-2-7B's 85.6 at 4K),
    NoLiMa (arXiv 2502.05167: the longest length keeping 85% of the model's base score), or
    model_card: the developer's own statement, on the card, of the length past which quality
    degrades (no benchmark run; quoted in the source)."""
    effective: Text
    """The effective length as the table prints it (4K, 32K ...)."""
    claimed: Text
    """The claimed length the same row prints."""
    source: Text
    """The table row, and where it was read."""


def effective_note(rows: list[EffectiveContext]) -> str | None:
    """Beside max_context: the evaluations that found a shorter effective context."""
    shorter = [r for r in rows if r.effective != r.claimed]
    if not shorter:
        return None
    names = NAMES
    parts = [f"{names[r.benchmark]} {r.effective} of {r.claimed}" for r in shorter]
    return "effective context shorter than advertised: " + "; ".join(parts) + " (published)"
