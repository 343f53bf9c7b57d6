"""One rule over the final order: a base model never ranks above the chat or instruct model
made from it, unless the query asks for base models (--variant base).

A base model is a starting point for fine-tuning; it does not follow instructions, and an
expert answering "which model should I run" names the instruct release. The two often score
alike (the instruct model's quality is measured with its base's benchmarks, the formats are
the same), so a hair's difference in the estimate decided the order."""

from __future__ import annotations

from collections.abc import Sequence

from llm_pick.ranking.result import Candidate

TUNED = frozenset({"chat", "instruct"})


def tuned_first(ranked: Sequence[Candidate], variants: Sequence[str]) -> list[Candidate]:
    """`ranked` with each base model moved just below the lowest-ranked chat or instruct
    model made from it that it outranked (O(n)); the moved one says why in its reasons."""
    out = list(ranked)
    if "base" in variants:
        return out
    position = {c.model.id: i for i, c in enumerate(out)}
    last_tuned: dict[int, int] = {}  # base's index -> index of its lowest tuned model below it
    for i, cand in enumerate(out):
        base = cand.model.base_model
        if cand.model.variant not in TUNED or base is None:
            continue
        j = position.get(base)
        if j is not None and j < i and out[j].model.variant == "base":
            last_tuned[j] = max(last_tuned.get(j, i), i)
    if not last_tuned:
        return out
    keys = {i: (last_tuned.get(i, i), 1 if i in last_tuned else 0, i) for i in range(len(out))}
    order = sorted(range(len(out)), key=keys.__getitem__)
    return [_noted(out[i], out[last_tuned[i]]) if i in last_tuned else out[i] for i in order]


def _noted(base: Candidate, tuned: Candidate) -> Candidate:
    note = (
        f"ranked below {tuned.model.id}, the {tuned.model.variant} model made from it: a base "
        "model is for fine-tuning, not for chat (--variant base ranks base models alone)"
    )
    return base._replace(choice=(*base.choice, note))
