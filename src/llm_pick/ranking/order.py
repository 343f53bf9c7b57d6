"""One rule over the score order: a model at 2-3 bits never ranks above another model that
keeps at least as much quality at 4 bits or more and decodes at a usable speed (issue 19 §1:
an expert does not trade a 4-bit model of comparable quality for a 2-3-bit one to gain speed
past the usable line). The score still orders everything else."""

from __future__ import annotations

from collections.abc import Sequence

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
    dominates it; the moved one says why in its reasons."""
    out = list(ranked)
    if hardware is None:
        return out
    for _ in range(len(out)):  # each pass moves one candidate down; bounded
        moved = False
        for i, cand in enumerate(out):
            if not low_bit(cand):
                continue
            above = [j for j in range(i + 1, len(out)) if dominates(out[j], cand, hardware)]
            if not above:
                continue
            last = out[above[-1]]
            note = (
                f"ranked below {last.model.id} ({last.assessment.estimate.quant}): it keeps at "
                f"least as much quality at 4+ bits and decodes at {USABLE_TPS:.0f}+ tokens/s, "
                f"so {cand.assessment.estimate.quant}'s extra speed does not count"
            )
            out.insert(above[-1] + 1, cand._replace(choice=(*cand.choice, note)))
            del out[i]
            moved = True
            break
        if not moved:
            break
    return out
