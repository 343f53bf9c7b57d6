"""What every expert review's test file checks of its own question list
(tests/test_expert_review8.py to tests/test_expert_review11.py): verdicts recorded, no
question asked by an earlier review, and an open question still failing; and which questions
the fast loop asks (`asked`)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

HERE = Path(__file__).parent / "data"
Json = dict[str, Any]


@cache
def questions(review: int) -> list[Json]:
    """tests/data/expert_reviewN.yaml (read once per process, with libyaml: the same safe
    loader; callers do not change it)."""
    found: list[Json] = yaml.load(
        (HERE / f"expert_review{review}.yaml").read_text(), Loader=yaml.CSafeLoader
    )
    return found


def verdict_problems(
    asked: list[Json], at_least: int, verdicts: tuple[str, ...] = ("pass", "fixed")
) -> list[str]:
    """What is wrong with the list: too short, an id twice, a verdict not allowed, a fixed
    question without what was found, an open one without why it stays open."""
    out = [] if len(asked) >= at_least else [f"{len(asked)} questions, fewer than {at_least}"]
    if len({q["id"] for q in asked}) != len(asked):
        out.append("an id is used twice")
    out += [f"{q['id']}: verdict {q['verdict']}" for q in asked if q["verdict"] not in verdicts]
    out += [
        f"{q['id']}: fixed, nothing found"
        for q in asked
        if q["verdict"] == "fixed" and not q.get("found")
    ]
    out += [
        f"{q['id']}: open, no reason" for q in asked if q["verdict"] == "open" and not q.get("open")
    ]
    return out


def repeated(asked: list[Json], earlier: Iterable[int]) -> list[str]:
    """The ids of questions whose command line one of the `earlier` reviews asked."""
    before = {tuple(q["argv"]) for n in earlier for q in questions(n)}
    return [q["id"] for q in asked if tuple(q["argv"]) in before]


def check_verdict(question: Json, found: list[str]) -> None:
    """An open question still fails (else its verdict must change); any other passes."""
    if question["verdict"] == "open":
        assert found, f"{question['id']} passes now: change its verdict"
    else:
        assert found == [], question["asks"]


PASSED_SHARE = 6  # the fast loop asks one in six of the questions answered right at once


def asked(found: list[Json]) -> list[Any]:
    """The questions as pytest parameters (by id): the full run (CI) asks them all; the fast
    loop (`pytest -m "not slow"`) every question whose answer once failed (verdict fixed or
    open: each names a cause, and most also have a regression test of their own) and every
    sixth of those that passed, the rest marked `slow`."""
    params, passed = [], 0
    for question in found:
        slow = False
        if question.get("verdict", "pass") == "pass":
            slow, passed = passed % PASSED_SHARE != 0, passed + 1
        marks = [pytest.mark.slow] if slow else []
        params.append(pytest.param(question, id=question["id"], marks=marks))
    return params
