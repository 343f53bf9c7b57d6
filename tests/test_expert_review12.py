"""Issue 19: the twelfth expert review (tests/data/expert_review12.yaml): a runtime the user
fixes on each hardware kind, constraint combinations, the old families beside the 2025-26
releases, training sharded over several cards and `explain` read as an expert reads it. Each
question runs once through the CLI's JSON and is judged by the checks of tests/expert_checks.py,
expert_checks8.py to expert_checks11.py and expert_checks12.py; a command the CLI refuses is
judged as {error, code} by the checks that expect a refusal (any other check reports it)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import run
from expert_checks import judge
from expert_checks8 import CHECKS8
from expert_checks9 import CHECKS9
from expert_checks10 import CHECKS10
from expert_checks11 import CHECKS11
from expert_checks12 import CHECKS12
from expert_review import check_verdict, questions, repeated, verdict_problems

QUESTIONS = questions(12)
TABLE = CHECKS8 | CHECKS9 | CHECKS10 | CHECKS11 | CHECKS12
REFUSAL_AWARE = {"answered", "one_error_line", "runtime_runs_here", "within_window"}
Json = dict[str, Any]


def _answer(argv: list[str]) -> Json:
    result = run(*argv, "-f", "json")
    if result.code != 0:
        return {"error": result.stderr, "code": result.code}
    found: Json = json.loads(result.stdout)
    return found


def judge12(question: Json) -> list[str]:
    """judge(), but a refused command fails every check that does not expect a refusal."""
    data = _answer(question["argv"])
    if "error" not in data:
        return judge(question, data, TABLE)
    problems: list[str] = []
    for item in question["checks"]:
        name = item if isinstance(item, str) else next(iter(item))
        if name in REFUSAL_AWARE:
            problems += judge({**question, "checks": [item]}, data, TABLE)
        else:
            problems.append(f"{name}: refused ({data['code']}): {data['error'].strip()[:200]}")
    return problems


def test_every_question_has_a_verdict() -> None:
    assert verdict_problems(QUESTIONS, 40, ("pass", "fixed", "open")) == []


def test_questions_are_new() -> None:
    """No question repeats one of reviews 4-11 (same command line)."""
    assert repeated(QUESTIONS, range(4, 12)) == []


@pytest.mark.parametrize("question", QUESTIONS, ids=[q["id"] for q in QUESTIONS])
def test_expert_question(question: Json) -> None:
    check_verdict(question, judge12(question))
