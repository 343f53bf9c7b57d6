"""What would bring a 4-bit format within reach when the chosen one keeps fewer bits.

An expert runs 2-3-bit weights only when nothing of 4 bits or more fits (issue 19 §1). When
the pick is such a format because no 4-bit one fits at the asked context, the answer says how
many tokens a Q4_K_M (with the same KV cache) holds on the same placement: the option that
trades context for the weights' quality. The longest context is found as `memory` finds it
(estimate/assess.py longest_context)."""

from __future__ import annotations

from llm_pick.estimate.assess import Assessment, assess_model, longest_context
from llm_pick.estimate.quant import QUANTS
from llm_pick.ranking.choice import FOUR_BIT, placement
from llm_pick.ranking.query import Query
from llm_pick.ranking.result import Candidate

LOW_BITS = 4.0  # nominal bits per weight under which a format counts as 2-3-bit
PROBE = 512  # a context short enough for the 4-bit format's placement to be known


def _runs(item: Assessment) -> bool:
    return item.fit is not None and item.fit.verdict != "none"


def low_bit_advice(cand: Candidate, query: Query) -> str | None:
    """The reason to add when `cand` runs a 2-3-bit GGUF format that was chosen because no
    4-bit format fits at the asked context; None otherwise (or without hardware)."""
    est = cand.assessment.estimate
    quant = QUANTS.get(est.quant)
    hardware = cand.hardware
    if hardware is None or quant is None or quant.family != "gguf":
        return None
    if quant.nominal_bits >= LOW_BITS or cand.assessment.fit is None:
        return None
    sizing = query.sizing_for(cand.model, est.kv_dtype)
    if query.sizing.v_dtype is not None:
        sizing = query.sizing_for(cand.model)
    asked = assess_model(cand.model, FOUR_BIT, sizing, hardware)
    if _runs(asked) and placement(asked) <= placement(cand.assessment):
        return None  # it fits as well: the choice's own reasons say why it lost
    short = assess_model(cand.model, FOUR_BIT, sizing.at(min(PROBE, est.context)), hardware)
    if not _runs(short) or placement(short) > placement(cand.assessment):
        return None  # no 4-bit format is placed as well at any context
    tokens = longest_context(cand.model, short, hardware, sizing)
    if tokens >= est.context:
        return None
    kept = cand.values["quality"].value
    return (
        f"{est.quant} keeps {quant.nominal_bits:.2f} bits per weight (quality value "
        f"{kept:.3f}) because no 4-bit format fits {est.context:,} tokens here; "
        f"{FOUR_BIT} with a {est.kv_dtype} cache fits up to {tokens:,} tokens "
        f"(--context {tokens})"
    )
