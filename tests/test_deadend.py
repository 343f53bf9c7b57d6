"""Issue 22 §3: dead ends say what to change. When no model passes, the closest models are
named with the one option that admits each, checked by ranking again with it; `explain` and
`memory` verdicts that do not fit say the same. Every suggested option is pasted back into the
command here and must do what it says."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from conftest import entry, run, write_catalog


def with_change(args: list[str], change: str) -> list[str]:
    """The command line with the suggested option applied, as a user would edit it."""
    words = shlex.split(change)
    if words[0] == "drop":
        out, drop = list(args), words[1:]
        while drop:  # a flag, with its value when one follows
            size = 2 if len(drop) > 1 and not drop[1].startswith("--") else 1
            at = next(j for j in range(len(out)) if out[j : j + size] == drop[:size])
            del out[at : at + size]
            drop = drop[size:]
        return out
    if "instead" in words:  # --commercial instead of --unconditional
        return [words[0] if a == words[-1] else a for a in args]
    flag, value = words
    if flag in args:
        out = list(args)
        out[out.index(flag) + 1] = value
        return out
    return [*args, flag, value]


def dead_end(args: list[str]) -> list[dict]:
    result = run("recommend", *args, "-f", "json")
    assert result.code == 3, result.stderr  # nothing passes: exit 3 (errors.py)
    data = result.json()
    assert data["ranking"] == []
    assert len(data["closest"]) == len(data["closest_changes"]) > 0
    return data["closest_changes"]


@pytest.mark.parametrize(
    "args",
    [
        ["--vram", "8", "--min-params", "60"],
        ["--vram", "12", "--min-context", "1m"],
        ["--vram", "2", "--kv-dtype", "fp16", "--context", "32k"],
        ["--family", "falcon", "--unconditional", "--min-params", "100", "--vram", "200"],
    ],
)
def test_each_suggested_change_admits_its_models(args: list[str]) -> None:
    changes = dead_end(args)
    named = [m for c in changes for m in c["models"]]
    assert len(named) == len(set(named))  # each model once
    assert len({c["change"] for c in changes}) == len(changes)  # no repeated lines
    for change in changes:
        again = run("recommend", *with_change(args, change["change"]), "--top", "200", "-f", "json")
        assert again.code == 0, again.stderr
        ranked = {c["model"] for c in again.json()["ranking"]}
        assert set(change["models"]) <= ranked, change


def test_the_nearest_models_come_first_not_the_farthest() -> None:
    changes = dead_end(["--vram", "12", "--min-context", "1m"])
    assert changes[0]["change"] == "--min-context 256k"  # the longest contexts, not 2k ones
    assert all(c["change"] != "--min-context 2k" for c in changes)


def test_memory_dead_end_names_the_cheapest_memory_first() -> None:
    changes = dead_end(["--vram", "8", "--min-params", "60"])
    gib = [int(c["change"].split()[1]) for c in changes if c["change"].startswith("--vram")]
    assert gib == sorted(gib) and gib[0] < 24
    table = run("recommend", "--vram", "8", "--min-params", "60")
    assert "No model satisfies every constraint. Closest:" in table.stdout
    assert f"--vram {gib[0]}: admits llama-2-70b" in table.stdout


def test_dropping_a_constraint_is_offered(tmp_path: Path) -> None:
    closed = entry(
        id="closed-7b",
        family="testfam",
        license={"commercial_use": "prohibited", "conditions": "research only"},
    )
    catalog = write_catalog(tmp_path / "c.yaml", closed)
    args = ["--catalog", str(catalog), "--family", "testfam", "--commercial", "--vram", "24"]
    (change,) = dead_end(args)
    assert change == {
        "change": "drop --commercial",
        "models": ["closed-7b"],
        "now": change["now"],
    }
    again = run("recommend", *with_change(args, change["change"]), "-f", "json")
    assert [c["model"] for c in again.json()["ranking"]] == ["closed-7b"]


def test_explain_says_the_one_change() -> None:
    args = ["--vram", "24", "--min-context", "32k"]
    result = run("explain", "llama-2-7b", *args, "-f", "json")
    assert result.code == 0, result.stderr
    change = result.json()["one_change"]
    assert change == "--min-context 4k"
    again = run("explain", "llama-2-7b", *with_change(args, change), "-f", "json")
    assert again.json()["rank"] is not None
    table = run("explain", "llama-2-7b", *args)
    assert "One change admits it: --min-context 4k" in table.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["llama-3.1-70b", "-q", "q4_k_m", "--vram", "24"], "--vram 44"),
        (["llama-3.1-8b", "-q", "q4_k_m", "--vram", "8", "--context", "32k"], "--kv-dtype q8_0"),
    ],
)
def test_memory_says_the_one_change(args: list[str], expected: str) -> None:
    result = run("memory", *args, "-f", "json")
    data = json.loads(result.stdout)
    assert data["fit"]["verdict"] == "none" and data["one_change"] == expected
    again = json.loads(run("memory", *with_change(args, expected), "-f", "json").stdout)
    assert again["fit"]["verdict"] != "none" and "one_change" not in again
    assert f"One change makes it fit: {expected}" in run("memory", *args).stdout


def test_a_verdict_that_fits_suggests_nothing() -> None:
    data = run("memory", "llama-3.1-8b", "-q", "q4_k_m", "--vram", "24", "-f", "json").json()
    assert "one_change" not in data
