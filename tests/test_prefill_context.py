"""Prefill at longer prompts (issue 19 section 4, issue 20): attention without flash attention
costed apart, and the rules that set prefill rows apart (bench/prefill_rows.py)."""

from __future__ import annotations

import statistics
from typing import Any

import pytest
from conftest import script

from llm_pick.catalog.gpus import load_gpus
from llm_pick.catalog.load import load_catalog
from llm_pick.estimate import speedkinds
from llm_pick.estimate.assess import assess_model
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.sizing import Sizing


@pytest.fixture(scope="module")
def bench() -> Any:
    return script("bench/speed.py", "speed_bench_context")


@pytest.fixture(scope="module")
def points(bench: Any) -> list[Any]:
    found: list[Any] = bench.load_points()
    return found


def test_superseded_rule_sets_apart_the_pre_4725_metal_moe_rows_only(points: list[Any]) -> None:
    apart = {p.id for p in points if p.apart.startswith("llama.cpp PR #4725")}
    assert len(apart) == 8 and all(i.endswith("-pp512-pr4406") for i in apart)
    # the same PR's decode rows are kept: the rule is about prefill kernels
    kept = [p for p in points if p.id.endswith("-tg128-pr4406")]
    assert len(kept) == 8 and all(p.set in ("fit", "test") for p in kept)


def test_superseded_rule_needs_a_date() -> None:
    rules = script("bench/prefill_rows.py", "prefill_rows_test")
    row = {"id": "x", "kind": "prefill", "gpus": 1, "prompt": 512, "tokens_per_second": 9.0}
    with pytest.raises(ValueError, match="date"):
        rules.superseded(row, "metal", True)
    assert rules.superseded(row | {"date": "2023-12-16"}, "metal", True).startswith("llama.cpp")
    assert rules.superseded(row | {"date": "2025-12-10"}, "metal", True) == ""
    assert rules.superseded(row, "metal", False) == ""  # dense models: no date needed
    assert rules.superseded(row, "cuda", True) == ""


def test_rising_sweep_rule() -> None:
    rules = script("bench/prefill_rows.py", "prefill_rows_sweep")

    def row(prompt: int, rate: float, name: str) -> dict[str, Any]:
        found = {"id": f"{name}-{prompt}", "kind": "prefill", "gpus": 1, "prompt": prompt}
        return found | {"tokens_per_second": rate, "sweep": f"{name}-512"}

    falling = [row(512, 1000, "a"), row(4096, 800, "a"), row(8192, 700, "a")]
    noisy = [row(512, 1000, "b"), row(1024, 900, "b"), row(4096, 985, "b")]  # +9.4%
    rising = [row(512, 600, "c"), row(1024, 680, "c"), row(8192, 1300, "c")]
    found = rules.rising_sweeps([*falling, *noisy, *rising])
    assert found == {"c-512", "c-1024", "c-8192"}


def test_rising_rows_in_the_data_are_whole_sweeps(points: list[Any]) -> None:
    rising = {p.id for p in points if p.apart == "rising_sweep"}
    # XiongjieDai's A100 SXM F16 row (603.76 at pp512, 1323.07 at pp8192) and the others
    assert "a100-80gb-sxm-x1-cuda-llama-3-8b-fp16-pp512" in rising
    assert "a100-80gb-sxm-x1-cuda-llama-3-8b-fp16-pp8192" in rising
    assert len(rising) == 15  # A100 SXM F16, L40S F16, A40 70B, M1 7-core: whole sweeps


def test_longer_prompts_held_out(bench: Any, points: list[Any]) -> None:
    """The held-out sweep rows past pp512, at what the refit achieved."""
    found = [(p, e) for p, e in bench.errors(points) if p.set == "test" and p.kind == "prefill"]
    long = [abs(e) for p, e in found if p.id.rsplit("-", 1)[-1] in ("pp4096", "pp8192")]
    assert len(long) >= 20
    assert statistics.median(long) <= 0.13 and max(long) <= 0.33


def test_flash_attention_rows_cost_attention_apart(points: list[Any]) -> None:
    fa = [p for p in points if p.id.endswith(("-fa-beowulf17", "-fa-pr17505"))]
    assert len(fa) == 3 and {p.set for p in fa} == {"fit"}  # bench/prefill_rows.py split_of
    assert all(p.attention == 0 and p.flash > 0 for p in fa)  # the flash term, not the -fa 0 one


def _assessed(gpu: str, context: int, flash: bool) -> Any:
    model = next(m for m in load_catalog() if m.id == "llama-3.1-8b")
    hardware = Hardware.from_gpu(gpu).with_ram(64)
    sizing = Sizing(context=context, flash_attn=flash)
    return assess_model(model, "q4_k_m", sizing, hardware).speed


@pytest.mark.parametrize("gpu", ["rtx-3090", "m2-max-96gb"])
def test_prefill_slows_with_the_prompt(gpu: str) -> None:
    fast = _assessed(gpu, 32768, True)
    slow = _assessed(gpu, 32768, False)
    assert fast.prefill_expected and fast.context_prefill
    assert fast.context_prefill < fast.prefill_expected  # a 32K prompt costs more per token
    assert slow.context_prefill < fast.context_prefill  # without flash attention more again
    longer = _assessed(gpu, 131072, True)
    assert longer.context_prefill < fast.context_prefill


def test_prefill_never_beats_the_compute_bound() -> None:
    """Physics: per prompt token at least its FLOPs over the card's fp16 FLOPS, attention too."""
    assert min(speedkinds.ATTENTION_INVERSE_EFFICIENCY.values()) >= 1
    assert min(speedkinds.FLASH_INVERSE_EFFICIENCY.values()) >= 1
    width, active = 32 * 32 * 128, 8_030_261_248
    for gpu in load_gpus().values():
        if gpu.backend != "cuda" or not gpu.fp16_tflops:
            continue
        for prompt in (512, 32768, 131072):
            for flash in (True, False):
                work = speedkinds.prompt_work(active, width, prompt, flash)
                for family in ("16-bit", "k-quant"):
                    seconds = speedkinds.prefill_seconds(work, gpu.fp16_tflops, family, "cuda")
                    assert seconds is not None
                    assert seconds >= work.flops / (gpu.fp16_tflops * 1e12), gpu.id
