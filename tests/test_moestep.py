"""A batched MoE decode step reads the experts any of its tokens routes to (estimate/moestep)."""

from __future__ import annotations

from llm_pick.catalog.load import load_catalog
from llm_pick.estimate.memory import estimate_memory
from llm_pick.estimate.moestep import step_weight_bytes, touched_share

CATALOG = load_catalog(use_env=False)


def test_touched_share_is_k_over_e_at_one_and_grows_to_all() -> None:
    assert touched_share(1 / 128, 1) == 1 / 128
    assert abs(touched_share(1 / 128, 64) - (1 - (127 / 128) ** 64)) < 1e-12
    shares = [touched_share(4 / 128, b) for b in (1, 2, 8, 64, 4096)]
    assert shares == sorted(shares) and shares[-1] > 0.999


def test_step_reads_more_experts_with_the_batch_up_to_all_weights() -> None:
    model = CATALOG.get("mixtral-8x7b-instruct")
    one = estimate_memory(model, "q4_k_m", context=4096, batch=1)
    assert one.routed_bytes > 0 and one.expert_bytes == 0  # named ffn_gate, not ffn_gate_exps
    assert step_weight_bytes(one) == one.active_weight_bytes
    reads = [step_weight_bytes(one._replace(batch=b)) for b in (1, 2, 8, 64)]
    assert reads == sorted(reads) and reads[1] > reads[0]
    every = one.active_weight_bytes - one.active_routed_bytes + one.routed_bytes
    assert reads[-1] <= every and reads[-1] > 0.99 * every  # 8 experts, 64 tokens: nearly all


def test_dense_models_read_the_same_at_any_batch() -> None:
    one = estimate_memory(CATALOG.get("llama-3.1-8b-instruct"), "q4_k_m", context=4096, batch=8)
    assert step_weight_bytes(one) == one.active_weight_bytes
