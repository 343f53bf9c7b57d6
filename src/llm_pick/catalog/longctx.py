"""Published long-context evaluations of a model (RULER, NoLiMa), or its developer's own
statement on the card of where quality degrades: the context it really uses, as printed beside
the context it claims. Catalog data, each row sourced."""

from __future__ import annotations

from typing import Any, Literal

from llm_pick.catalog.constrained import Text
from llm_pick.catalog.record import record

_STRICT: Any = {"extra": "forbid", "use_attribute_docstrings": True}


NAMES = {"ruler": "RULER", "nolima": "NoLiMa", "model_card": "model card", "ruler_card": "RULER"}

# RULER's bar (arXiv 2404.06654): Llama-2-7B's score at 4K. A length is used effectively when
# the model scores above it there.
RULER_BAR = 85.6


@record(eq=False)
class EffectiveContext:
    """One evaluation's effective context length, as printed (e.g. 32K of a claimed 128K)."""

    __pydantic_config__ = _STRICT

    benchmark: Literal["ruler", "nolima", "model_card", "ruler_card"]
    """RULER (arXiv 2404.06654: the longest length scoring above Llama-2-7B's 85.6 at 4K),
    NoLiMa (arXiv 2502.05167: the longest length keeping 85% of the model's base score),
    model_card: the developer's own statement, on the card, of the length past which quality
    degrades (no benchmark run; quoted in the source), or ruler_card: RULER scores the
    developer printed on the card at a few lengths with no effective length printed; the
    effective length is then the longest printed length scoring above 85.6 (`scores`)."""
    effective: Text
    """The effective length as the table prints it (4K, 32K ...)."""
    claimed: Text
    """The claimed length the same row prints."""
    source: Text
    """The table row, and where it was read."""
    scores: dict[Text, float] | None = None
    """ruler_card only: each printed length's RULER score as the card prints it (32K: 93.96)."""


def kilo(length: str) -> float:
    """A printed length in thousands of tokens: 32K -> 32, 1M -> 1024."""
    unit = {"K": 1, "M": 1024}[length[-1].upper()]
    return float(length[:-1]) * unit


def card_effective(scores: dict[str, float]) -> str | None:
    """The longest printed length scoring above RULER's bar; None when none does."""
    passing = [length for length, score in scores.items() if score > RULER_BAR]
    return max(passing, key=kilo) if passing else None


def _part(row: EffectiveContext) -> str:
    shown = f"{NAMES[row.benchmark]} {row.effective} of {row.claimed}"
    if row.benchmark != "ruler_card" or not row.scores:
        return shown
    each = ", ".join(f"{score:g} at {length}" for length, score in row.scores.items())
    gap = 2 * kilo(row.effective)  # RULER's lengths double: 4K, 8K ... 128K
    skipped = gap < kilo(row.claimed) and all(kilo(k) != gap for k in row.scores)
    unscored = f"; {gap:g}K not scored" if skipped else ""
    return f"{shown} (the card's RULER scores {each}, read against RULER's {RULER_BAR}{unscored})"


def effective_note(rows: list[EffectiveContext]) -> str | None:
    """Beside max_context: the evaluations that found a shorter effective context."""
    shorter = [r for r in rows if r.effective != r.claimed]
    if not shorter:
        return None
    parts = [_part(r) for r in shorter]
    return "effective context shorter than advertised: " + "; ".join(parts) + " (published)"
