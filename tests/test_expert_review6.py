"""Issue 19 and issue 20 §2/§3: the causes the fifth expert review found and left open
(tests/data/expert_review6.yaml), each question run through the CLI's JSON and judged by the
checks of tests/expert_checks.py and the few below; then unit regressions of each cause."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import run
from expert_checks import CHECKS

HERE = Path(__file__).parent / "data"
QUESTIONS = yaml.safe_load((HERE / "expert_review6.yaml").read_text())
Json = dict[str, Any]


def data(*args: str) -> Json:
    result = run(*args, "-f", "json")
    assert result.code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def faster(kind: str, answer: Json, first: str, then: str) -> list[str]:
    """compare: per-stream decode of `first` above `then` in every format both run."""
    assert kind == "compare"
    out = []
    for row in answer["rows"]:
        if not re.fullmatch(r"decode tok/s \S+", row["field"]):
            continue
        a, b = row["values"].get(first), row["values"].get(then)
        if a is not None and b is not None and a <= b:
            out.append(f"{row['field']}: {first} {a} not above {then} {b}")
    return out


def runtime_note(kind: str, answer: Json) -> list[str]:
    """memory: rows that are llama.cpp's where recommend assumes vLLM say so."""
    assert kind == "memory"
    note = answer.get("runtime_note") or ""
    return [] if "vLLM" in note and "llama.cpp" in note else ["no word of the runtime assumed"]


LOCAL = {"faster": faster, "runtime_note": runtime_note}


def test_every_question_is_fixed_or_a_guard() -> None:
    assert len({q["id"] for q in QUESTIONS}) == len(QUESTIONS)
    assert all(q["verdict"] in ("pass", "fixed") for q in QUESTIONS)
    assert all(q.get("found") for q in QUESTIONS if q["verdict"] == "fixed")


@pytest.mark.parametrize("question", QUESTIONS, ids=[q["id"] for q in QUESTIONS])
def test_expert_question(question: Json) -> None:
    kind = question["argv"][0]
    answer = data(*question["argv"])
    problems: list[str] = []
    for item in question["checks"]:
        name, params = (item, {}) if isinstance(item, str) else next(iter(item.items()))
        check = LOCAL.get(name) or CHECKS[name]
        problems += [f"{name}: {p}" for p in check(kind, answer, **params)]
    assert problems == [], question["asks"]
