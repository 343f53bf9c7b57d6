"""Issue 19 §8, round three: the logits rows llama-server reserves since llama.cpp PR #23861,
the attention mask in the compute and host buffers, and the routed experts' live set
(estimate/memory.py), each against the load logs in bench/buffers.py."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from conftest import script

from llm_pick.catalog.load import load_catalog
from llm_pick.catalog.shapes import Architecture
from llm_pick.estimate.computebuf import expert_widths
from llm_pick.estimate.memory import (
    compute_buffer_bytes,
    estimate_memory,
    host_buffer_bytes,
    layer_compute_bytes,
)

CATALOG = load_catalog(use_env=False)
MIB = 2**20


def _bench() -> ModuleType:
    return script("bench/buffers.py", "buffers19c")


class _Shape:
    def __init__(self, **arch: Any) -> None:
        self.architecture = Architecture(**arch)


QWEN3_4B = _Shape(
    layers=36,
    hidden_size=2560,
    intermediate_size=9728,
    attention_heads=32,
    kv_heads=8,
    head_dim=128,
    vocab_size=151936,
)
QWEN3_30B_A3B = _Shape(
    layers=48,
    hidden_size=2048,
    intermediate_size=768,
    attention_heads=32,
    kv_heads=4,
    head_dim=128,
    vocab_size=151936,
    experts=128,
    experts_per_token=8,
)


def test_server_reserves_logits_rows_for_its_slots_only() -> None:
    model: object = QWEN3_4B
    full = compute_buffer_bytes(model, 8192, 1, True)  # type: ignore[arg-type]
    server = compute_buffer_bytes(model, 8192, 1, True, outputs=4)  # type: ignore[arg-type]
    assert full == 4 * 512 * (151936 + 2560)  # one logits row per micro-batch token
    # 4 rows of logits are far below the layer set: the MLP and the f16 mask bind, above
    # the input embeddings and the attention set's high-water mark (2 x hidden + q)
    assert server == 4 * 512 * (2 * 2560 + 4096 + 3 * 9728 + 8192 // 2)
    assert compute_buffer_bytes(model, 8192, 1, True, outputs=10**6) == full  # type: ignore[arg-type]


def test_post_23861_server_log_is_nearer_with_the_slot_rows() -> None:
    # the only post-PR log found: llama-server, Qwen3-4B, -c 8192, 4 slots, 85.01 MiB
    (row,) = _bench().server_rows()
    assert row["mib"] == 85.01 and row["outputs"] == 4
    assert row["ubatch_rows"] > 3.5 * row["mib"]  # the old reservation: 301.8 MiB
    # the slot rows leave the layer set: 83.0 MiB against 85.01 (issue 19 §8, round four)
    assert -0.03 < row["error"] < 0


def test_compute_buffers_still_match_every_log_after_the_mask_and_expert_terms() -> None:
    table = _bench().rows()
    assert any(r["model"] == "qwen3-14b" and r["set"] == "test" for r in table)
    assert max(abs(r["error"]) for r in table) < 0.01


def test_flash_attention_buffer_grows_by_the_f16_mask_only() -> None:
    model = CATALOG.get("llama-3.1-8b-instruct")
    grown = layer_compute_bytes(model, 16384) - layer_compute_bytes(model, 8192)
    assert grown == 4 * 512 * (16384 - 8192) // 2  # f16: half an f32 row per context token
    off = layer_compute_bytes(model, 16384, 1, False) - layer_compute_bytes(model, 8192, 1, False)
    assert off == 4 * 512 * (32 + 1) * 8192  # the scores of 32 heads and the f32 mask


def test_routed_experts_follow_build_moe_ffn() -> None:
    # Qwen3-30B-A3B: experts narrower than half the model, so the k down outputs do not fit
    # the hole gate and up leave and go above their product
    assert expert_widths(QWEN3_30B_A3B) == 3 * 768 * 8 + 2048 * 8  # type: ignore[arg-type]
    mixtral = CATALOG.get("mixtral-8x7b-instruct")
    assert expert_widths(mixtral) == 3 * 14336 * 2


def test_host_buffer_holds_the_embeddings_and_the_f32_mask() -> None:
    table = _bench().host_rows()
    current = [r for r in table if "2024" not in r["era"] and "2026" not in r["era"]]
    assert len(current) == 4
    assert max(abs(r["error"]) for r in current) < 0.05
    model = CATALOG.get("llama-3.1-8b-instruct")
    compute, output = host_buffer_bytes(model, 1, 512, 8192)
    assert compute == 4 * 512 * (4096 + 8192) and output == 4 * 128256
    est = estimate_memory(model, "q4_k_m", context=8192)
    assert est.host_compute_bytes == compute
