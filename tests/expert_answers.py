"""The JSON answers the expert reviews judge (tests/test_expert_review{4..8}.py), each command
run once per test process: a question's command and a regression asking the same one again
(or another review asking it) read the same output. The reviews' tests change no environment,
configuration or module (each runs in the isolated, empty HOME of tests/conftest.py), so the
output depends on the command alone; each reader gets its own parsed copy to change."""

from __future__ import annotations

import json
from typing import Any

from conftest import run

_OUTPUT: dict[tuple[str, ...], str] = {}


def answer(*args: str) -> dict[str, Any]:
    """The JSON of `llm-pick ARGS -f json`, which must succeed."""
    if args not in _OUTPUT:
        result = run(*args, "-f", "json")
        assert result.code == 0, result.stderr
        _OUTPUT[args] = result.stdout
    found: dict[str, Any] = json.loads(_OUTPUT[args])
    return found
