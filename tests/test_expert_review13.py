"""Issue 19: the thirteenth expert review (tests/data/expert_review13.yaml): long prompts and
the context a model really holds (§4), licence conditions in the answer (§5) and commands run
as pasted (§7), on the newest catalog models and a few old ones. Each question runs once
through the CLI's JSON and is judged by the checks of tests/expert_checks.py,
expert_checks8.py to expert_checks12.py and expert_checks13.py; a command the CLI refuses is
judged as {error, code} by the checks that expect a refusal (any other check reports it)."""

from __future__ import annotations

from typing import Any

import pytest
from expert_checks import judge
from expert_checks8 import CHECKS8
from expert_checks9 import CHECKS9
from expert_checks10 import CHECKS10
from expert_checks11 import CHECKS11
from expert_checks12 import CHECKS12
from expert_checks13 import CHECKS13
from expert_review import asked, check_verdict, questions, repeated, verdict_problems
from test_expert_review12 import REFUSAL_AWARE, _answer

QUESTIONS = questions(13)
TABLE = CHECKS8 | CHECKS9 | CHECKS10 | CHECKS11 | CHECKS12 | CHECKS13
Json = dict[str, Any]


def judge13(question: Json) -> list[str]:
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
    assert verdict_problems(QUESTIONS, 30, ("pass", "fixed", "open")) == []


def test_questions_are_new() -> None:
    """No question repeats one of reviews 4-12 (same command line)."""
    assert repeated(QUESTIONS, range(4, 13)) == []


@pytest.mark.parametrize("question", asked(QUESTIONS))
def test_expert_question(question: Json) -> None:
    check_verdict(question, judge13(question))


# ---- regressions of the causes this review fixed ----------------------------------------------
