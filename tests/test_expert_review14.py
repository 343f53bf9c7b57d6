"""Issue 19: the fourteenth expert review (tests/data/expert_review14.yaml): memory to the last
buffer (§8), the format and KV type chosen for the 2025-26 releases (§1, §2), training verdicts
(§3), compare's quality row beside the old families (§6), and the same figures for one model on
one machine from recommend, explain, memory and compare. Each question runs once through the
CLI's JSON and is judged by the checks of tests/expert_checks.py, expert_checks8.py to
expert_checks13.py and expert_checks14.py; a command the CLI refuses is judged as
{error, code} by the checks that expect a refusal (any other check reports it)."""

from __future__ import annotations

from typing import Any

import pytest
from expert_checks8 import CHECKS8
from expert_checks9 import CHECKS9
from expert_checks10 import CHECKS10
from expert_checks11 import CHECKS11
from expert_checks12 import CHECKS12
from expert_checks13 import CHECKS13
from expert_checks14 import CHECKS14
from expert_review import asked, check_verdict, questions, repeated, verdict_problems
from test_expert_review12 import judge12

QUESTIONS = questions(14)
TABLE = CHECKS8 | CHECKS9 | CHECKS10 | CHECKS11 | CHECKS12 | CHECKS13 | CHECKS14
Json = dict[str, Any]


def test_every_question_has_a_verdict() -> None:
    assert verdict_problems(QUESTIONS, 40, ("pass", "fixed", "open")) == []


def test_questions_are_new() -> None:
    """No question repeats one of reviews 4-13 (same command line)."""
    assert repeated(QUESTIONS, range(4, 14)) == []


@pytest.mark.parametrize("question", asked(QUESTIONS))
def test_expert_question(question: Json) -> None:
    check_verdict(question, judge12(question, TABLE))
