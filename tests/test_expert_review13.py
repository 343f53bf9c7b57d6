"""Issue 19: the thirteenth expert review (tests/data/expert_review13.yaml): long prompts and
the context a model really holds (§4), licence conditions in the answer (§5) and commands run
as pasted (§7), on the newest catalog models and a few old ones. Each question runs once
through the CLI's JSON and is judged by the checks of tests/expert_checks.py,
expert_checks8.py to expert_checks12.py and expert_checks13.py; a command the CLI refuses is
judged as {error, code} by the checks that expect a refusal (any other check reports it)."""

from __future__ import annotations

from typing import Any

import pytest
from expert_checks8 import CHECKS8
from expert_checks9 import CHECKS9
from expert_checks10 import CHECKS10
from expert_checks11 import CHECKS11
from expert_checks12 import CHECKS12
from expert_checks13 import CHECKS13
from expert_review import asked, check_verdict, questions, repeated, verdict_problems
from test_expert_review12 import _answer, judge12

QUESTIONS = questions(13)
TABLE = CHECKS8 | CHECKS9 | CHECKS10 | CHECKS11 | CHECKS12 | CHECKS13
Json = dict[str, Any]


def test_every_question_has_a_verdict() -> None:
    assert verdict_problems(QUESTIONS, 30, ("pass", "fixed", "open")) == []


def test_questions_are_new() -> None:
    """No question repeats one of reviews 4-12 (same command line)."""
    assert repeated(QUESTIONS, range(4, 13)) == []


@pytest.mark.parametrize("question", asked(QUESTIONS))
def test_expert_question(question: Json) -> None:
    check_verdict(question, judge12(question, TABLE))


# ---- regressions of the causes this review fixed ----------------------------------------------


def test_left_out_model_says_its_licence_conditions() -> None:
    """explain of a model the query leaves out (a code specialist without --needs code) says its
    licence's key conditions in the reasons, as a ranked pick does (issue 19 §5)."""
    cards = ["--gpu", "h100-sxm", "--gpus", "2"]
    said = _answer(["explain", "devstral-2-123b-instruct-2512", *cards, "--commercial"])
    assert not said["passed"]
    terms = [r for r in said["reasons"] if r.startswith("licence conditions (Modified MIT")]
    assert terms and "global monthly revenue exceeds $20 million" in terms[0]
    # a licence that forbids commercial use is said too, whatever the reason it is left out
    alpaca = _answer(["explain", "alpaca-7b", "--gpu", "rtx-3090", "--needs", "code"])
    assert any(r.startswith("licence prohibits commercial use") for r in alpaca["reasons"])


def test_vllm_times_the_asked_prompt() -> None:
    """Under vLLM the first token is timed for the --prompt-tokens asked and, from a 32K
    max_model_len, for a prompt filling it (later); a reason says it (issue 19 §4)."""
    cards = ["--gpu", "h100-sxm", "--gpus", "2"]
    said = _answer(["recommend", *cards, "--prompt-tokens", "8k", "--context", "32k", "--top", "1"])
    top = said["ranking"][0]
    plan = top["serving"]
    speed = plan["throughput"]
    assert plan["assumed_prompt_tokens"] == 8192 and plan["max_model_len"] == 32768
    assert speed["ttft_at_context_seconds"] > speed["ttft_seconds"] > 0
    assert abs(speed["ttft_seconds"] - 8192 / speed["prefill_tokens_per_second"]) < 0.1
    assert any(
        r.startswith("first token after ~") and "8,192-token prompt asked under vLLM" in r
        for r in top["reasons"]
    )
    plain = _answer(["recommend", "--gpu", "h100-sxm", "--gpus", "2", "--top", "1"])
    served = plain["ranking"][0]["serving"]
    assert served["assumed_prompt_tokens"] == 1024  # no prompt asked: a typical turn
    assert served["throughput"]["ttft_at_context_seconds"] is None  # 4K context
    assert not any("prompt asked under vLLM" in r for r in plain["ranking"][0]["reasons"])


def test_compare_shows_licence_conditions() -> None:
    """compare has a licence-conditions row beside the licence: each conditional licence's key
    conditions, none for a licence that allows commercial use (issue 19 §5)."""
    said = _answer(
        [
            "compare",
            "falcon-180b-chat",
            "devstral-2-123b-instruct-2512",
            "mistral-small-4-119b-2603",
        ]
    )
    rows = {r["field"]: r["values"] for r in said["rows"]}
    terms = rows["licence conditions"]
    assert any("Hosting Use" in c for c in terms["falcon-180b-chat"])
    assert any("$20 million" in c for c in terms["devstral-2-123b-instruct-2512"])
    assert terms["mistral-small-4-119b-2603"] == []  # Apache 2.0


def test_compare_times_vllm_first_token() -> None:
    """compare under vLLM: a first-token row for the asked prompt and, from a 32K context,
    one for a prompt filling it, from the same plan recommend serves (issue 19 §4)."""
    models = ["mistral-small-3.2-24b-instruct-2506", "ministral-3-14b-instruct-2512"]
    load = ["--gpu", "h100-sxm", "--batch", "8", "--prompt-tokens", "16k", "--context", "32k"]
    rows = {r["field"]: r["values"] for r in _answer(["compare", *models, *load])["rows"]}
    short = rows["vLLM time to first token s, 16384-token prompt"]
    full = rows["vLLM time to first token s, 32768-token prompt"]
    ranked = _answer(["recommend", *load, "--top", "10"])["ranking"]
    plan = next(e["serving"] for e in ranked if e["model"] == models[0])
    assert short[models[0]] == round(plan["throughput"]["ttft_seconds"], 2)
    assert all(full[m] > short[m] > 0 for m in models)
    plain = {
        r["field"]
        for r in _answer(["compare", *models, "--gpu", "h100-sxm", "--batch", "8"])["rows"]
    }
    assert "vLLM time to first token s, 1024-token prompt" in plain  # a typical turn, said
    assert not any(f.startswith("vLLM time to first token s, 4096") for f in plain)
