"""What a recommendation was sized from, when it is not the catalog's shapes and the
formula alone: an installed file (recommend --installed) or the user's load log."""

from __future__ import annotations

from llm_pick.ranking.result import Candidate, Recommendation


def sizing_notes(cand: Candidate, rec: Recommendation) -> dict[str, str]:
    """JSON keys: `sized_from` (the installed file's exact bytes), `compute_buffer_note` (the
    compute buffer from the user's load log, estimate/buffered.py)."""
    from llm_pick.estimate.memory import MEASURED

    out = {}
    own = rec.query.files.get(cand.model.id)
    if own is not None:
        out["sized_from"] = f"file: the exact bytes of its {own.weights.tensors} tensors"
    said = [a for a in cand.assessment.estimate.assumptions if a.startswith(MEASURED)]
    if said:
        out["compute_buffer_note"] = said[0]
    return out


def footnotes(rec: Recommendation) -> list[str]:
    """The same, said once under the table."""
    notes = []
    top = sizing_notes(rec.shown[0], rec) if rec.shown else {}
    if "compute_buffer_note" in top:
        notes.append(f"Top pick: {top['compute_buffer_note']}.")
    if rec.query.files:
        notes.append(
            "Memory from each installed file (the exact bytes of its tensors; KV cache and "
            "buffers estimated from its metadata)."
        )
    return notes
