"""Weight bytes one decode step reads when `batch` sequences each route their token to the
top-k of E experts in every MoE layer. With uniform, independent routing (an assumption:
the load-balancing losses of Switch Transformer and Mixtral aim for it; Mixtral's paper,
arXiv:2401.04088 §5, finds no marked topic specialisation), an expert is read by none of the
batch with probability (1 - k/E)^batch, so a step reads E x (1 - (1 - k/E)^batch) experts per
MoE layer: k at batch 1, growing towards all E."""

from __future__ import annotations

from llm_pick.estimate.memory import Estimate


def touched_share(routed_share: float, batch: int) -> float:
    """The share of all experts a step of `batch` tokens reads, where one token reads
    `routed_share` (k/E) of them."""
    if routed_share <= 0 or batch <= 1:
        return max(0.0, min(1.0, routed_share))
    return 1 - (1 - min(1.0, routed_share)) ** batch


def step_weight_bytes(estimate: Estimate) -> int:
    """The weights a decode step of `estimate.batch` sequences reads: every weight a token
    reads, plus the routed experts the other tokens of the batch route to."""
    active = estimate.active_weight_bytes
    experts, per_token = estimate.expert_bytes, estimate.active_expert_bytes  # a file's exact
    if experts <= 0:
        experts, per_token = estimate.routed_bytes, estimate.active_routed_bytes
    if experts <= 0 or per_token <= 0 or estimate.batch <= 1:
        return active
    touched = touched_share(per_token / experts, estimate.batch)
    return active - per_token + round(experts * max(touched, per_token / experts))


def step_read_bytes(estimate: Estimate) -> int:
    """All a decode step reads: its weights (step_weight_bytes) and every sequence's cache."""
    return step_weight_bytes(estimate) + estimate.kv_cache_bytes
