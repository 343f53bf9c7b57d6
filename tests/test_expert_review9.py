"""Issue 19: the ninth expert review (tests/data/expert_review9.yaml), each question run once
through the CLI's JSON and judged by the checks of tests/expert_checks.py, expert_checks8.py
and expert_checks9.py; then regressions of its three causes: the Ollama command without the KV
cache type the sizing chose, a vLLM-served format's quality without the format named, and
compare's context row without the published effective context."""

from __future__ import annotations

from typing import Any

import pytest
from expert_answers import answer as data
from expert_checks import judge
from expert_checks8 import CHECKS8
from expert_checks9 import CHECKS9
from expert_review import asked, questions, repeated, verdict_problems

QUESTIONS = questions(9)
Json = dict[str, Any]


def test_every_question_is_fixed_or_a_guard() -> None:
    assert verdict_problems(QUESTIONS, 40) == []


def test_questions_are_new() -> None:
    """No question repeats one of reviews 4-8 (same command line)."""
    assert repeated(QUESTIONS, (4, 5, 6, 7, 8)) == []


@pytest.mark.parametrize("question", asked(QUESTIONS))
def test_expert_question(question: Json) -> None:
    assert judge(question, data(*question["argv"]), CHECKS8 | CHECKS9) == [], question["asks"]


def _ollama(answer: Json) -> str:
    return str(next(r["note"] for r in answer["run"] if r["runtime"] == "ollama"))


def test_ollama_runs_the_chosen_cache() -> None:
    """A q8_0 cache chosen with the weights (2x 4090 at 64K: an f16 cache of Llama 3.3 70B is
    20 GiB and does not fit): the Ollama note gives the server's cache type with flash
    attention, as llama-server's --cache-type-k/v; an f16 sizing adds nothing."""
    chosen = data(
        "explain", "llama-3.3-70b-instruct", "--gpu", "rtx-4090", "--gpus", "2", "--context", "64k"
    )
    assert chosen["memory"]["kv_dtype"] == "q8_0"
    note = _ollama(chosen)
    assert "OLLAMA_FLASH_ATTENTION=1 OLLAMA_KV_CACHE_TYPE=q8_0" in note
    assert "num_ctx to 65536" in note
    plain = _ollama(data("explain", "llama-3.1-8b-instruct", "--gpu", "rtx-4090"))
    assert "OLLAMA_KV_CACHE_TYPE" not in plain


def test_ollama_says_a_split_cache_is_llama_servers() -> None:
    """Ollama has one cache type for K and V: a K q8_0 / V q4_0 sizing is not claimed for it."""
    from llm_pick.reports.ollama_env import ollama_settings
    from llm_pick.reports.run import Sized

    split = Sized("q4_k_m", 32768, None, 32, kv_dtype="q8_0", v_dtype="q4_0")
    said = ollama_settings(split)
    assert "does not run under Ollama" in said and "OLLAMA_KV_CACHE_TYPE=" not in said
    same = ollama_settings(split._replace(v_dtype=None, batch=2))
    assert same.startswith(", and OLLAMA_NUM_PARALLEL=2") and "OLLAMA_KV_CACHE_TYPE=q8_0" in same
    assert ollama_settings(split._replace(kv_dtype="fp16", v_dtype=None)) == ""


def test_served_format_is_named_in_the_quality_basis() -> None:
    """Served by vLLM: FP8 is scored as BF16 and says so with its source; an INT4 format names
    its loss's basis, in the basis as in the note."""
    ranked = data(
        "recommend",
        "--gpu",
        "h100-sxm",
        "--gpus",
        "4",
        "--commercial",
        "--family",
        "llama",
        "--top",
        "5",
    )
    served = [e for e in ranked["ranking"] if e.get("serving")]
    assert "fp8" in {e["serving"]["format"] for e in served}
    big = data(
        "explain", "llama-3.1-405b-instruct", "--gpu", "h100-sxm", "--gpus", "4", "--batch", "8"
    )
    served.append({"serving": big["serving"], "criteria": big["criteria"]})
    assert big["serving"]["format"] == "awq-4bit"  # FP8 does not fit 4 cards
    for entry in served:
        quality = entry["criteria"]["quality"]
        assert entry["serving"]["format"] in quality["basis"]
        assert entry["serving"]["format"] in quality["note"]
    fp8 = next(e for e in served if e["serving"]["format"] == "fp8")
    assert "fp8 scored as bf16: arXiv 2411.02355" in fp8["criteria"]["quality"]["basis"]
    one = data("explain", "falcon-180b-chat", "--gpu", "h200", "--gpus", "4", "--commercial")
    assert (
        one["as_run"]["quant"] == "fp8"
        and "fp8 scored as bf16" in one["reasons"][0] + one["criteria"]["quality"]["basis"]
    )


def test_compare_gives_the_effective_context_beside_the_window() -> None:
    """compare: the published effective context (RULER 32K of Llama 3.1 8B's 128K, with its
    source) in a row beside the context row, as recommend and explain give it; none where the
    catalog records none."""
    both = data("compare", "llama-3.1-8b-instruct", "falcon3-7b-instruct", "--gpu", "rtx-4090")
    fields = [r["field"] for r in both["rows"]]
    assert fields.index("effective context") == fields.index("context") + 1
    row = next(r["values"] for r in both["rows"] if r["field"] == "effective context")
    alone = data("explain", "llama-3.1-8b-instruct", "--gpu", "rtx-4090")["effective_context"]
    assert row["llama-3.1-8b-instruct"] == alone
    assert any(e["benchmark"] == "ruler" and e["effective"] == "32K" for e in alone["evaluations"])
    assert row["falcon3-7b-instruct"] is None
