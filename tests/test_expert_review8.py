"""Issue 19 and issue 20 §1/§3: the eighth expert review (tests/data/expert_review8.yaml),
each question run once through the CLI's JSON and judged by the checks of
tests/expert_checks.py and tests/expert_checks8.py; then regressions of its two causes:
compare's speed rows without their ceiling, share and first-token time, and vLLM rates
without their ceiling in tokens/s (explain without the serving plan at all)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import run
from expert_answers import answer as data
from expert_checks import judge
from expert_checks8 import CHECKS8
from expert_review import asked, questions, repeated, verdict_problems

QUESTIONS = questions(8)
Json = dict[str, Any]


def test_every_question_is_fixed_or_a_guard() -> None:
    assert verdict_problems(QUESTIONS, 40) == []


def test_questions_are_new() -> None:
    """No question repeats one of reviews 4-6 (same command line)."""
    assert repeated(QUESTIONS, (4, 5, 6)) == []


@pytest.mark.parametrize("question", asked(QUESTIONS))
def test_expert_question(question: Json) -> None:
    assert judge(question, data(*question["argv"]), CHECKS8) == [], question["asks"]


def _row(answer: Json, field: str) -> dict[str, Any]:
    return next(r["values"] for r in answer["rows"] if r["field"] == field)


def test_compare_speed_terms_are_memorys() -> None:
    """compare's ceiling, share and first-token time for one model and format are those
    `memory` gives for the same card, context and prompt."""
    card = ["--gpu", "rtx-4070", "--context", "8k", "--prompt-tokens", "2k"]
    both = data(
        "compare", "llama-3.1-8b-instruct", "mistral-7b-instruct-v0.3", "-q", "q4_k_m", *card
    )
    alone = data("memory", "llama-3.1-8b-instruct", "-q", "q4_k_m", *card)["speed"]
    name = "llama-3.1-8b-instruct"
    assert both["prompt_tokens"] == 2048
    assert (
        _row(both, "decode ceiling tok/s q4_k_m")[name] == alone["decode_ceiling_tokens_per_second"]
    )
    assert _row(both, "share of ceiling q4_k_m")[name] == alone["share_of_ceiling"]
    first = alone["time_to_first_token_seconds"]
    assert first["prompt_tokens"] == 2048
    assert _row(both, "time to first token s q4_k_m")[name] == first["expected"]


def test_compare_assumed_rate_keeps_its_ceiling() -> None:
    """--vram with no card: the assumed rate's ceiling and share, and no first-token time
    (no card, no prefill figure)."""
    answer = data(
        "compare", "ministral-3-8b-instruct-2512", "llama-3.1-8b-instruct", "--vram", "12"
    )
    ceiling = _row(answer, "decode ceiling tok/s q4_k_m")
    rate = _row(answer, "decode tok/s q4_k_m")
    assert all(ceiling[m] and rate[m] <= ceiling[m] for m in rate)
    assert all(v is None for v in _row(answer, "time to first token s q4_k_m").values())


def test_vllm_rate_states_its_ceiling() -> None:
    """Served by vLLM: the per-stream rate, its ceiling in tokens/s (1 / the bandwidth-bound
    step) and the share, in recommend's serving block and in explain's."""
    answer = data(
        "explain", "llama-3.3-70b-instruct", "--gpu", "h100-sxm", "--gpus", "2", "--batch", "16"
    )
    speed = answer["serving"]["throughput"]
    assert speed["ceiling_per_stream"] == round(1 / speed["ceiling_step_seconds"], 1)
    assert 0 < speed["share_of_ceiling"] <= 1
    assert speed["per_stream"] <= speed["ceiling_per_stream"] * 1.0005
    assert answer["as_run"]["tokens_per_second"] == round(speed["per_stream"], 1)
    ranked = data("recommend", "--gpu", "h100-sxm", "--gpus", "2", "--batch", "16", "--top", "1")
    assert "ceiling_per_stream" in ranked["ranking"][0]["serving"]["throughput"]


def test_explain_has_no_plan_under_llama_cpp() -> None:
    answer = data("explain", "llama-3.1-8b-instruct", "--gpu", "rtx-4090")
    assert answer["serving"] is None


def test_whole_layer_shortfall_is_a_shortfall() -> None:
    """Two cards with room in all but not for whole layers each: short, by at least what
    the layers lack, and more context is never less short."""
    card = ["memory", "llama-3.1-70b-instruct", "-q", "q4_k_m", "--gpu", "rtx-3090", "--gpus", "2"]
    fits = data(*card, "--context", "18749")["fit"]
    assert fits["verdict"] == "gpu" and fits["margin_bytes"] >= 0
    shorts = [data(*card, "--context", c)["fit"] for c in ("18750", "19k", "19800", "24k")]
    assert all(f["verdict"] == "none" for f in shorts)
    margins = [f["margin_bytes"] for f in shorts]
    assert all(m < 0 for m in margins)
    assert margins == sorted(margins, reverse=True)
    shown = run(*card, "--context", "19k").stdout
    assert re.search(r"does not fit \(\d+\.\d+ GiB short\)", shown), shown


def test_total_counts_every_cards_overhead() -> None:
    """Eight cards, eight CUDA contexts and compute buffers: the total is what the cards and
    RAM hold, in memory's JSON and table, recommend's and compare's."""
    card = ["--gpu", "a100-80gb-sxm", "--gpus", "8"]
    block = data("memory", "llama-3.1-405b-instruct", "-q", "q4_k_m", *card)
    cards = block["fit"]["cards"]
    assert block["overhead_bytes"] == sum(c["overhead_bytes"] for c in cards)
    held = sum(c["total_bytes"] for c in cards) + block["weights_in_ram_bytes"]
    assert abs(block["total_bytes"] - held) <= 2**20
    shown = run("memory", "llama-3.1-405b-instruct", "-q", "q4_k_m", *card).stdout
    assert f"{block['total_bytes'] / 2**30:.2f}" in shown
    both = data("compare", "llama-3.1-405b-instruct", "mistral-large-instruct-2411", *card)
    assert _row(both, "memory q4_k_m (GiB)")["llama-3.1-405b-instruct"] == round(
        block["total_bytes"] / 2**30, 2
    )
    one = data("memory", "llama-3.1-8b-instruct", "-q", "q4_k_m", "--gpu", "rtx-4090")
    assert "overhead_per_card_bytes" not in one


def test_compare_vllm_rows_state_their_ceiling() -> None:
    """compare's vLLM rows carry the per-stream ceiling and share explain's serving plan gives
    for the same card, batch and context; no rate above its ceiling."""
    card = ["--gpu", "h100-sxm", "--gpus", "2", "--batch", "8", "--context", "8k"]
    both = data("compare", "llama-3.3-70b-instruct", "mistral-large-instruct-2411", *card)
    ceiling = _row(both, "vLLM ceiling tok/s per stream")
    rate = _row(both, "vLLM tok/s per stream")
    assert all(ceiling[m] and rate[m] <= ceiling[m] for m in rate)
    alone = data("explain", "llama-3.3-70b-instruct", *card)["serving"]["throughput"]
    assert ceiling["llama-3.3-70b-instruct"] == alone["ceiling_per_stream"]
    share = _row(both, "vLLM share of ceiling")["llama-3.3-70b-instruct"]
    assert share == alone["share_of_ceiling"]
