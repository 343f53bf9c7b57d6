"""One rule over the score order: a model at 2-3 bits never ranks above another model that
keeps at least as much quality at 4 bits or more and decodes at a usable speed (issue 19 §1:
an expert does not trade a 4-bit model of comparable quality for a 2-3-bit one to gain speed
past the usable line). The score still orders everything else."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence

from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.quant import QUANTS
from llm_pick.ranking.choice import USABLE_TPS, placement, usable
from llm_pick.ranking.result import Candidate

LOW_BITS = 4.0  # formats under 4 bits per weight (Q3_K_*, IQ3_*, Q2_K, IQ2_*) count as 2-3-bit


def low_bit(candidate: Candidate) -> bool:
    quant = QUANTS.get(candidate.assessment.estimate.quant)
    return quant is not None and quant.family == "gguf" and quant.nominal_bits < LOW_BITS


def _quality(candidate: Candidate) -> float:
    return candidate.values["quality"].value


def dominates(better: Candidate, low: Candidate, hardware: Hardware | None) -> bool:
    """`better` keeps at least `low`'s quality at 4+ bits, runs at a usable speed and is
    placed no worse (no more of it in RAM)."""
    return (
        not low_bit(better)
        and _quality(better) >= _quality(low) - 1e-12
        and usable(better.assessment, hardware)
        and placement(better.assessment) <= placement(low.assessment)
    )


def reorder(ranked: Sequence[Candidate], hardware: Hardware | None) -> list[Candidate]:
    """The score order with each 2-3-bit candidate moved just below the last candidate that
    dominates it (if that one ranks below it); the moved one says why in its reasons. Only
    2-3-bit candidates move, and those moved below one candidate keep their score order.
    O(n log n): the last dominator is found by quality among the 4+-bit usable candidates of
    each placement (catalogs of 100,000 models)."""
    out = list(ranked)
    if hardware is None:
        return out
    lows = [i for i, c in enumerate(out) if low_bit(c)]
    if not lows:
        return out
    last_of = _last_dominators(out, hardware)
    keys: list[tuple[int, int, int]] = [(i, 0, i) for i in range(len(out))]
    moved: dict[int, int] = {}
    for i in lows:
        j = last_of(_quality(out[i]), placement(out[i].assessment))
        if j > i:
            keys[i] = (j, 1, i)
            moved[i] = j
    order = sorted(range(len(out)), key=keys.__getitem__)
    return [_noted(out[i], out[moved[i]]) if i in moved else out[i] for i in order]


def _last_dominators(out: list[Candidate], hardware: Hardware) -> Callable[[float, int], int]:
    """last(quality, place): the highest index of a 4+-bit usable candidate with at least
    that quality and a placement no worse than `place`; -1 when there is none."""
    tables: dict[int, tuple[list[float], list[int]]] = {}
    for place in (0, 1, 2):
        rows = sorted(
            (
                (_quality(c), i)
                for i, c in enumerate(out)
                if not low_bit(c)
                and placement(c.assessment) <= place
                and usable(c.assessment, hardware)
            ),
            key=lambda row: -row[0],
        )
        best, suffix = -1, []  # suffix[k]: the highest index among the k+1 best qualities
        for _, i in rows:
            best = max(best, i)
            suffix.append(best)
        tables[place] = ([-q for q, _ in rows], suffix)

    def last(quality: float, place: int) -> int:
        negatives, suffix = tables[min(max(place, 0), 2)]
        k = bisect_right(negatives, -quality + 1e-12)  # those with quality >= quality - 1e-12
        return suffix[k - 1] if k else -1

    return last


def _noted(cand: Candidate, last: Candidate) -> Candidate:
    note = (
        f"ranked below {last.model.id} ({last.assessment.estimate.quant}): it keeps at "
        f"least as much quality at 4+ bits and decodes at {USABLE_TPS:.0f}+ tokens/s, "
        f"so {cand.assessment.estimate.quant}'s extra speed does not count"
    )
    return cand._replace(choice=(*cand.choice, note))
