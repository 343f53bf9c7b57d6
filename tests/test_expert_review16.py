"""Issue 19: the sixteenth expert review (tests/data/expert_review16.yaml): MoE experts kept in
RAM (--n-cpu-moe) on 16-24 GB cards; --headroom, --gpus counts that do not divide the attention
heads under vLLM, mixed cards, --ubatch and --threads on CPU only; the effective context beside
max_context; the 2026 presets (RTX 5060 Ti 16 GB, RTX PRO 6000 Blackwell, DGX Spark, Ryzen AI
Max+ 395, M5, MI325X); the quality priors of Mistral Small 4, Large 3 and Medium 3.5. Each
question runs once through the CLI's JSON and is judged by the checks of
tests/expert_checks.py, expert_checks8.py to expert_checks15.py and expert_checks16.py; a
command the CLI refuses is judged as {error, code} by the checks that expect a refusal."""

from __future__ import annotations

from typing import Any

import pytest
from expert_checks16 import CHECKS16
from expert_review import asked, check_verdict, questions, repeated, verdict_problems
from test_expert_review12 import _answer, judge12
from test_expert_review15 import TABLE as TABLE15

QUESTIONS = questions(16)
TABLE = TABLE15 | CHECKS16
Json = dict[str, Any]


def test_every_question_has_a_verdict() -> None:
    assert verdict_problems(QUESTIONS, 30, ("pass", "fixed", "open")) == []


def test_questions_are_new() -> None:
    """No question repeats one of reviews 4-15 (same command line)."""
    assert repeated(QUESTIONS, range(4, 16)) == []


@pytest.mark.parametrize("question", asked(QUESTIONS))
def test_expert_question(question: Json) -> None:
    check_verdict(question, judge12(question, TABLE))


# ---- regressions of the causes this review fixed ----------------------------------------------


def test_vllm_group_divides_the_attention_heads() -> None:
    """vLLM refuses a tensor-parallel size that does not divide the attention heads
    (vllm/config.py verify_with_parallel_config): Llama 3.3 70B (64 heads) on 3 A100s was
    served with --tensor-parallel-size 3. The plan uses the largest group the heads allow (2
    cards), says that one card stays idle and why, and its figures are that group's."""
    argv = ["llama-3.3-70b-instruct", "--gpu", "a100-80gb", "--gpus", "3", "--batch", "8"]
    found = _answer(["explain", *argv])
    plan = found["serving"]
    assert (plan["tensor_parallel"], plan["data_parallel"]) == (2, 1)
    assert found["run"][0]["command"].split()[3:5] == ["--tensor-parallel-size", "2"]
    assert plan["cards_note"].startswith("vLLM splits the 64 attention heads evenly")
    assert "uses 2 of the 3 cards" in plan["cards_note"] and plan["cards_note"] in found["reasons"]
    # a count that divides them keeps every card and says nothing more
    four = _answer(["explain", *argv[:3], "--gpus", "4", "--batch", "8"])
    assert four["serving"]["cards_note"] is None
    assert four["serving"]["tensor_parallel"] * four["serving"]["data_parallel"] == 4


def test_unified_memory_share_is_stated() -> None:
    """A unified-memory preset sized by its own share says which share of the chip's memory
    the GPU gets and from what source (vram_gib_per_gpu alone gave 101.0 for a 128 GB DGX
    Spark); a discrete card, or --vram given, has no such block."""
    spark = _answer(["recommend", "--gpu", "dgx-spark", "--top", "1"])["query"]["hardware"]
    share = spark["unified_memory"]
    assert (share["total_gib"], share["gpu_share"]) == (121.69, 0.83)
    assert abs(share["total_gib"] * share["gpu_share"] - spark["vram_gib_per_gpu"]) < 0.01
    assert "issues/47" in share["basis"]
    m5 = _answer(["memory", "ministral-3-8b-instruct-2512", "-q", "q4_k_m", "--gpu", "m5-16gb"])
    assert m5["hardware"]["unified_memory"]["gpu_share"] == 0.667
    assert "recommendedMaxWorkingSetSize" in m5["hardware"]["unified_memory"]["basis"]
    for other in (["--gpu", "rtx-4090"], ["--gpu", "m5-16gb", "--vram", "12"]):
        hardware = _answer(["recommend", *other, "--top", "1"])["query"]["hardware"]
        assert "unified_memory" not in hardware


def test_reasons_read_as_english() -> None:
    """'a fine-tune of an instruct model' (was 'a instruct'), '1 stream at once' (was '1
    streams')."""
    explained = _answer(
        ["explain", "magistral-small-2509", "--gpu", "rtx-5090", "--needs", "reasoning"]
    )
    assert "(a fine-tune of an instruct model: no further gain assumed)" in explained["reasons"][0]
    served = _answer(
        ["explain", "mistral-large-3-675b-instruct-2512", "--gpu", "mi325x", "--gpus", "8"]
    )
    assert "(fp8, 1 stream at once; estimate)" in served["reasons"][1]
