"""Issue 19: the eleventh expert review (tests/data/expert_review11.yaml), a llama.cpp/vLLM
engineer judging `memory` and `compare` JSON against the physics of the cache and of training:
each question run once through the CLI's JSON and judged by the checks of tests/expert_checks.py,
expert_checks8.py, expert_checks9.py, expert_checks10.py and expert_checks11.py; then the
regressions of its two causes fixed here: the chunked (and interleaved sliding-window) layers'
cache kept in F16 under a quantized cache type (llama.cpp PR #21277, reverted the next day by
PR #21332), and sized for a 512-token micro-batch whatever --ubatch."""

from __future__ import annotations

from typing import Any

import pytest
from expert_answers import answer as data
from expert_checks import CATALOG, judge
from expert_checks8 import CHECKS8
from expert_checks9 import CHECKS9
from expert_checks10 import CHECKS10
from expert_checks11 import CHECKS11
from expert_review import asked, check_verdict, questions, repeated, verdict_problems

from llm_pick.estimate.memory import estimate_memory

QUESTIONS = questions(11)
TABLE = CHECKS8 | CHECKS9 | CHECKS10 | CHECKS11
Json = dict[str, Any]
SCOUT = "llama-4-scout-17b-16e-instruct"


def test_every_question_has_a_verdict() -> None:
    assert verdict_problems(QUESTIONS, 30, ("pass", "fixed", "open")) == []
    assert {q["argv"][0] for q in QUESTIONS} == {"memory", "compare"}


def test_questions_are_new() -> None:
    """No question repeats one of reviews 4-10 (same command line)."""
    assert repeated(QUESTIONS, range(4, 11)) == []


@pytest.mark.parametrize("question", asked(QUESTIONS))
def test_expert_question(question: Json) -> None:
    check_verdict(question, judge(question, data(*question["argv"]), TABLE))


def _chunked_part(kv_dtype: str, ubatch: int = 512) -> int:
    """Scout's cache at 32K less its global layers' part: what the 36 chunked layers hold."""
    model = CATALOG.get(SCOUT)
    arch = model.architecture
    est = estimate_memory(model, "q4_k_m", context=32768, kv_dtype=kv_dtype, ubatch=ubatch)
    per = {"fp16": 2.0, "q8_0": 34 / 32, "q4_0": 18 / 32}[kv_dtype]
    global_part = 2 * arch.kv_heads * arch.head_dim * 12 * 32768 * per
    return round(est.kv_cache_bytes - global_part)


def test_chunked_layers_take_the_cache_type() -> None:
    """llama.cpp quantizes the SWA/chunked part of the cache with the rest (PR #21277 kept it
    in F16 and was reverted by PR #21332): Scout's 36 chunked layers at q8_0 hold 17/32 and at
    q4_0 9/32 of their F16 bytes."""
    fp16 = _chunked_part("fp16")
    assert fp16 == 2 * 8 * 128 * 36 * (8192 + 512) * 2
    assert _chunked_part("q8_0") == pytest.approx(fp16 * 17 / 32, abs=2)
    assert _chunked_part("q4_0") == pytest.approx(fp16 * 9 / 32, abs=2)


def test_chunked_layers_hold_one_asked_micro_batch() -> None:
    """The chunked layers keep the chunk plus one micro-batch of the asked -ub (llama.cpp:
    size_swa = min(size, PAD(n_swa + n_ubatch, 256))), and the note says so."""
    assert _chunked_part("fp16", ubatch=2048) == 2 * 8 * 128 * 36 * (8192 + 2048) * 2
    assert _chunked_part("fp16", ubatch=128) == 2 * 8 * 128 * 36 * 8448 * 2  # 8320 padded
    said = data("memory", SCOUT, "-q", "Q4_K_M", "--context", "32k", "--ubatch", "2048")
    assert any("10240 tokens per sequence" in a for a in said["assumptions"])
