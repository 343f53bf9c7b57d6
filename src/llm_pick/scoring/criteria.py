"""The six criteria, each a value in 0..1 with a one-line explanation, and the weights that
combine them. Pure functions; docs/scoring.md gives every formula and why.

    score = sum over criteria of (weight / sum of weights) x value
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.catalog.types import CRITERIA, Model, check_weights
from llm_pick.errors import InputError
from llm_pick.estimate.quant import Quant
from llm_pick.scoring.quality import Ability, ability, mmlu_equivalent
from llm_pick.scoring.quality import value as scale_value
from llm_pick.scoring.quant_loss import describe as describe_loss
from llm_pick.scoring.quant_loss import loss

__all__ = ["CRITERIA"]

# Speed: 0 at or below SPEED_MIN tokens/s (too slow to use); SPEED_COMFORT_VALUE at
# SPEED_COMFORT, about four times reading speed (people read about 238 words a minute,
# Brysbaert 2019, doi 10.1016/j.jml.2019.104047: about 5 tokens/s at 1.3 tokens a word); 1 from
# SPEED_FULL. Logarithmic in between: most of the value is earned by being usable, the rest
# (faster prompts, several users) saturates.
SPEED_MIN = 2.0
SPEED_COMFORT = 20.0
SPEED_COMFORT_VALUE = 0.9
SPEED_FULL = 80.0
# Context: each doubling of the model's context over the required one adds 0.2 (32x = 1).
CONTEXT_DOUBLINGS = 5
# Languages: log2(1 + extra languages) / log2(1 + 16): 16 or more extra languages = 1.
LANGUAGES_FULL = 16
LICENSE_VALUE = {"allowed": 1.0, "conditional": 0.5, "prohibited": 0.0, "unknown": 0.0}


class Value(NamedTuple):
    value: float
    describe: Callable[[], str]  # the note, formatted only when shown (most are not)
    missing: bool = False  # the input was unpublished and a documented default was used
    estimated: bool = False  # the value rests on an estimate (basis says from what)
    basis: str | None = None  # what the value rests on, in words

    @property
    def note(self) -> str:
        return self.describe()


class Criterion(NamedTuple):
    value: float
    weight: float  # normalized: the weights of a query sum to 1
    contribution: float
    note: str
    missing: bool = False
    estimated: bool = False
    basis: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "value": round(self.value, 6),
            "weight": round(self.weight, 6),
            "contribution": round(self.contribution, 6),
            "note": self.note,
        }
        if self.missing:
            data["missing"] = True
        if self.estimated:
            data["estimated"] = True
        if self.basis is not None:
            data["basis"] = self.basis
        return data


def quality(
    model: Model,
    quant: Quant,
    lineage: dict[str, Model],
    found: Ability | None = None,
    ref: Model | bool | None = True,
) -> Value:
    """The quality scale (scoring/quality.py) times the quality the format keeps
    (scoring/quant_loss.py); docs/scoring.md gives the formulas. `found` (the model's ability)
    and `ref` (its measured reference) when the caller has them already: neither depends on
    the format."""
    found = ability(model, lineage) if found is None else found
    kept = loss(model, quant, lineage, ref)
    value = scale_value(found.theta) * (1.0 if kept.kept is None else kept.kept)
    basis = found.basis
    if kept.kept is not None and kept.kept < 1.0:
        basis += f"; {quant.name}: {kept.basis}"
    elif kept.kept is None:  # no published loss: the basis says the format is not adjusted
        basis += f"; {kept.basis}"

    def describe() -> str:
        # an estimate's basis starts with "estimated:", so the note says it
        note = f"MMLU-equivalent {mmlu_equivalent(found.theta):.1f} ({found.basis})"
        if kept.kept is None:
            note += f"; {kept.basis}"
        elif kept.kept < 1.0:
            note += f"; {describe_loss(kept.kept, quant)}"
            if kept.short:
                note += f" ({kept.short})"
        return note

    return Value(value, describe, False, found.estimated, basis)


def speed_value(tps: float) -> float:
    if tps <= SPEED_MIN:
        return 0.0
    if tps <= SPEED_COMFORT:
        return SPEED_COMFORT_VALUE * math.log(tps / SPEED_MIN) / math.log(SPEED_COMFORT / SPEED_MIN)
    rest = math.log(min(tps, SPEED_FULL) / SPEED_COMFORT) / math.log(SPEED_FULL / SPEED_COMFORT)
    return SPEED_COMFORT_VALUE + (1 - SPEED_COMFORT_VALUE) * rest


def speed(tokens_per_second: float | None, assumed: str | None = None) -> Value:
    """Saturating: 0 at SPEED_MIN tokens/s or less, 1 from SPEED_FULL. `assumed` says which
    bandwidth the figure assumes when the card is unknown; with no figure, why the speed of a
    format that runs is unknown (0, marked missing: nothing is credited)."""
    if tokens_per_second is None and assumed is not None:  # runs, at a speed not measured
        return Value(0.0, lambda: f"{assumed} (no speed credited)", True)
    if tokens_per_second is None:
        return Value(0.0, lambda: "does not run on the given hardware", True)
    value = speed_value(tokens_per_second)
    if assumed is not None:
        return Value(value, lambda: f"~{tokens_per_second:.0f} tokens/s decode {assumed}")
    return Value(value, lambda: f"~{tokens_per_second:.0f} tokens/s decode (estimate)")


def context(model: Model, required: int, stated: bool = True) -> Value:
    """Headroom over the required context (or over the default 4096 when none is required)."""
    ratio = model.context_length / required
    value = min(1.0, max(0.0, math.log2(ratio) / CONTEXT_DOUBLINGS))
    basis = "required" if stated else "default"
    return Value(
        value,
        lambda: f"{model.context_length:,}-token context ({ratio:g}x the {required:,} {basis})",
    )


_LICENSE_WORDS = {
    "allowed": "commercial use allowed",
    "conditional": "commercial use with conditions",
    "prohibited": "no commercial use",
    "unknown": "licence unknown",
}


def license_value(model: Model, asked: bool = True) -> Value:
    """How free the terms are for commercial use; without --commercial it is shown but its
    weight is 0 (ranking.query.query_weights)."""
    lic = model.license
    words = _LICENSE_WORDS[lic.commercial_use]
    if not asked:
        return Value(
            LICENSE_VALUE[lic.commercial_use],
            lambda: f"{lic.id}: {words} (not weighed: --commercial not given)",
        )
    return Value(LICENSE_VALUE[lic.commercial_use], lambda: f"{lic.id}: {words}")


def ecosystem(family: str, runtimes: dict[str, tuple[str, ...]]) -> Value:
    if not runtimes:
        return Value(0.0, lambda: "no runtime data", True)
    supported = sum(1 for families in runtimes.values() if family in families)
    return Value(
        supported / len(runtimes),
        lambda: f"runs on {supported} of {len(runtimes)} tracked runtimes",
    )


def not_loaded(found: Value, model: Model, runtimes: dict[str, tuple[str, ...]]) -> Value:
    """Runtimes of the family that cannot load this architecture do not count."""
    gone = {u.runtime for u in (model.runtimes.unsupported or ())} if model.runtimes else set()
    able = [rid for rid, families in runtimes.items() if model.family in families]
    left = [rid for rid in able if rid not in gone]
    if not runtimes or len(left) == len(able):
        return found
    missing = ", ".join(sorted(gone & set(able)))
    return Value(
        len(left) / len(runtimes),
        lambda: (
            f"runs on {len(left)} of {len(runtimes)} tracked runtimes "
            f"({missing} cannot load its architecture)"
        ),
    )


def recovered_first(found: Value) -> Value:
    """A weight-diff release: the runtimes run it only after the weights are recovered."""
    old = found.describe
    return found._replace(
        describe=lambda: (
            f"{old()} once its weights are recovered from the released diff "
            "(no runtime loads the diff itself)"
        )
    )


def unlisted_ecosystem(model: Model, runtimes: dict[str, tuple[str, ...]]) -> Value:
    """A family data/runtimes.yaml does not list: the runtimes the entry names, else none."""
    named = model.runtimes.supported if model.runtimes and model.runtimes.supported else []
    tracked = sorted(set(named) & set(runtimes))
    if not runtimes:
        return Value(0.0, lambda: "no runtime data", True)
    if not tracked:
        return Value(
            0.0,
            lambda: (
                f"family {model.family} is not in data/runtimes.yaml and the entry names "
                "no runtimes.supported: no runtime support assumed (default)"
            ),
            True,
        )
    return Value(
        len(tracked) / len(runtimes),
        lambda: (
            f"runs on {len(tracked)} of {len(runtimes)} tracked runtimes "
            f"({', '.join(tracked)}; from the entry's runtimes.supported)"
        ),
    )


def languages(model: Model, required: tuple[str, ...]) -> Value:
    known = [code for code in model.languages if code != "und"]  # und: not stated
    extra = max(0, len(known) - len(required))
    value = min(1.0, math.log2(1 + extra) / math.log2(1 + LANGUAGES_FULL))
    return Value(value, lambda: f"{len(known)} documented languages")


def weights_of(weights: dict[str, float], what: str = "weights") -> dict[str, float]:
    """Every criterion's weight (missing ones 0), checked once for every source of weights."""
    try:
        check_weights(weights)
    except ValueError as error:
        raise InputError(f"{what}: {error}") from None
    return {name: float(weights.get(name, 0.0)) for name in CRITERIA}


def normalize(weights: dict[str, float]) -> dict[str, float]:
    checked = weights_of(weights)
    total = sum(checked.values())
    return {name: value / total for name, value in checked.items()}


def total(values: dict[str, Value], weights: dict[str, float]) -> float:
    """The score: the sum of weight x value (the weights are normalized)."""
    return sum(weights[name] * values[name].value for name in CRITERIA)


def combine(
    values: dict[str, Value], weights: dict[str, float]
) -> tuple[float, dict[str, Criterion]]:
    """Score and per-criterion contributions; the contributions sum to the score."""
    criteria = {}
    for name in CRITERIA:
        item, weight = values[name], weights[name]
        criteria[name] = Criterion(
            item.value,
            weight,
            weight * item.value,
            item.note,
            item.missing,
            item.estimated,
            item.basis,
        )
    return sum(c.contribution for c in criteria.values()), criteria


def parse_weight(text: str) -> tuple[str, float]:
    """'quality=2' -> ('quality', 2.0); a clear InputError otherwise."""
    name, sep, raw = text.partition("=")
    name = name.strip().lower()
    if not sep or not name or not raw.strip():
        raise InputError(f"--weight {text!r}: expected NAME=VALUE, e.g. quality=2")
    try:
        value = float(raw)
    except ValueError:
        raise InputError(f"--weight {text!r}: {raw.strip()!r} is not a number") from None
    try:
        check_weights({name: value} if value > 0 else {name: value, "quality": 1.0})
    except ValueError as error:
        raise InputError(f"--weight {text!r}: {error}") from None
    return name, value
