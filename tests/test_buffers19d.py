"""Issue 19 §8, round four: llama-server's logits rows (llama.cpp PR #23861) as the default,
with the MLP set current builds really hold, and the routed experts checked where they bind,
against buffers llama.cpp itself printed (bench/data/compute_buffers_reproduced.yaml)."""

from __future__ import annotations

from types import ModuleType

from conftest import script

from llm_pick.catalog.load import load_catalog
from llm_pick.estimate.computebuf import compute_buffer_bytes, expert_widths, server_outputs
from llm_pick.estimate.memory import estimate_memory

CATALOG = load_catalog(use_env=False)
MIB = 2**20


def _bench() -> ModuleType:
    return script("bench/buffers.py", "buffers19d")


def test_reproduced_buffers_match_to_the_last_mib() -> None:
    table = _bench().reproduced_rows()
    held_out = [r for r in table if r["set"] == "test"]
    assert len(held_out) >= 10
    assert max(abs(r["error"]) for r in table) < 0.001


def test_experts_bind_in_held_out_rows_and_their_placement_matters() -> None:
    rows = [r for r in _bench().reproduced_rows() if r["set"] == "test"]
    moe = {r["model"]: r for r in rows if r["architecture"].get("experts")}
    assert {"mixtral-8x22b", "qwen3-235b-a22b", "olmoe-1b-7b"} <= set(moe)
    for row in moe.values():
        arch = row["architecture"]
        experts = expert_widths(_Shape(arch))  # type: ignore[arg-type]
        # the experts are most of the buffer: far above the logits rows and attention
        assert 4 * 512 * experts > 0.4 * row["mib"] * MIB
    # Qwen3-235B-A22B: n_embd 4096 > 2 x 1536, so the k down outputs go above the product;
    # OLMoE: n_embd 2048 = 2 x 1024, they fit the hole gate and up leave
    q235, olmoe = moe["qwen3-235b-a22b"]["architecture"], moe["olmoe-1b-7b"]["architecture"]
    assert expert_widths(_Shape(q235)) == 3 * 1536 * 8 + 4096 * 8  # type: ignore[arg-type]
    assert expert_widths(_Shape(olmoe)) == 3 * 1024 * 8  # type: ignore[arg-type]


def test_the_server_rows_are_the_default() -> None:
    model = CATALOG.get("llama-3.1-8b-instruct")
    one = estimate_memory(model, "q4_k_m", context=8192)
    assert one.compute_buffer_bytes == compute_buffer_bytes(model, 8192, outputs=1)
    old = compute_buffer_bytes(model, 8192)  # every micro-batch token: 258.5 MiB
    assert old == 4 * 512 * (128256 + 4096) > one.compute_buffer_bytes
    (note,) = [a for a in one.assumptions if "PR #23861" in a]
    assert f"{(old - one.compute_buffer_bytes) / MIB:.0f} MiB more" in note
    four = estimate_memory(model, "q4_k_m", context=8192, batch=4)
    assert server_outputs(4) == 4
    assert four.compute_buffer_bytes == compute_buffer_bytes(model, 8192, 4, outputs=4)
    # not a llama.cpp format: no word about llama-server
    awq = estimate_memory(model, "awq-4bit", context=8192)
    assert not any("PR #23861" in a for a in awq.assumptions)


def test_many_slots_bring_the_logits_back() -> None:
    # 256 slots of a 128256-token vocabulary outgrow the MLP set (55,552 f32 per token)
    model = CATALOG.get("llama-3.1-8b-instruct")
    est = estimate_memory(model, "q4_k_m", context=512, batch=256)
    assert est.compute_buffer_bytes == 4 * 256 * (128256 + 4096)
    assert est.layer_compute_bytes == 4 * 512 * (2 * 4096 + 4096 + 3 * 14336 + 512 // 2)


class _Shape:
    def __init__(self, arch: dict[str, int]) -> None:
        from llm_pick.catalog.shapes import Architecture

        self.architecture = Architecture(**arch)
