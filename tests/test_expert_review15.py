"""Issue 19: the fifteenth expert review (tests/data/expert_review15.yaml): runtimes on Apple
silicon (Ollama, MLX), AMD and mixed cards and laptops; profiles and needs (coding, code, tools,
vision, reasoning, languages, fixed formats, sizes, families, licences with their conditions);
datacenter serving on H100/H200/A100/MI300X; the same query exported as CSV, Markdown and HTML;
the old families beside the new. Each question runs once through the CLI's JSON and is judged
by the checks of tests/expert_checks.py, expert_checks8.py to expert_checks14.py and
expert_checks15.py; a command the CLI refuses is judged as {error, code} by the checks that
expect a refusal (any other check reports it)."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from conftest import run
from expert_checks import CATALOG
from expert_checks15 import CHECKS15, same_in_format
from expert_review import asked, check_verdict, questions, repeated, verdict_problems
from test_expert_review12 import _answer, judge12
from test_expert_review14 import TABLE as TABLE14

QUESTIONS = questions(15)
TABLE = TABLE14 | CHECKS15
Json = dict[str, Any]


def test_every_question_has_a_verdict() -> None:
    assert verdict_problems(QUESTIONS, 40, ("pass", "fixed", "open")) == []


def test_questions_are_new() -> None:
    """No question repeats one of reviews 4-14 (same command line)."""
    assert repeated(QUESTIONS, range(4, 15)) == []


@pytest.mark.parametrize("question", asked(QUESTIONS))
def test_expert_question(question: Json) -> None:
    # an export is compared with the JSON of the question's own command line
    export = functools.partial(same_in_format, argv=question["argv"])
    check_verdict(question, judge12(question, TABLE | {"same_in_format": export}))


# ---- regressions of the causes this review fixed ----------------------------------------------


def test_code_ability_floor_from_a_family_release_it_outscores() -> None:
    """--profile coding: a release with no fitted code score of its own or its base's, that
    matches or beats another of its family on every code benchmark both publish, is held at
    least as able at code as that release, not at a general ability below it: Magistral Small
    2509 (LiveCodeBench v5 at least 2506's) keeps Magistral Small 2506's code ability (its
    base's), where it fell to its general ability (as its base Mistral Small 3.2). Devstral
    Small 2 (SWE-bench Verified 68.0 against 2505's 46.8) ranked 11th on a 4090 under that
    fallback before main's date-aware prior lifted its general ability above the floor; it
    leads now. General benchmarks (MT-Bench) shared with a larger model lift no code ability."""
    from llm_pick.scoring.code import code_ability

    lineage = {m.id: m for m in CATALOG}
    new = code_ability(lineage["magistral-small-2509"], lineage)
    old = code_ability(lineage["magistral-small-2506"], lineage)
    assert new.estimated and new.theta >= old.theta
    assert new.basis.startswith("estimated: code ability at least as magistral-small-250")
    assert "livecodebench_v5" in new.basis
    small = code_ability(lineage["ministral-3-3b-instruct-2512"], lineage)
    assert "mm_mt_bench" not in small.basis
    ranked = _answer(["recommend", "--gpu", "rtx-4090", "--profile", "coding", "--top", "3"])
    assert ranked["ranking"][0]["model"] == "devstral-small-2-24b-instruct-2512"


def test_recommend_memory_counts_the_vision_projector_apart() -> None:
    """recommend's memory block names the mmproj file the command loads (encoder_bytes), so its
    parts add up to the total: 0.8 GiB of a vision pick's total was in no field; `memory`
    gives the same projector for the same model, format and card."""
    ranked = _answer(["recommend", "--gpu", "rtx-3090", "--needs", "vision", "--top", "3"])
    for pick in ranked["ranking"]:
        memory = pick["memory"]
        parts = ("weights_bytes", "kv_cache_bytes", "overhead_bytes", "encoder_bytes")
        assert memory["total_bytes"] == sum(memory[p] for p in parts)
    first = ranked["ranking"][0]
    alone = _answer(["memory", first["model"], "-q", first["quant"], "--gpu", "rtx-3090"])
    assert first["memory"]["encoder_bytes"] == alone["encoder_bytes"] > 0


def test_profile_help_names_every_bundled_profile() -> None:
    """--help lists every profile that ships (coding was missing, though the exclusion
    reasons of code specialists point to --profile coding)."""
    from llm_pick.scoring.profiles import load_profiles

    shown = " ".join(run("recommend", "--help").stdout.split())
    listed = shown.split("--profile NAME|FILE")[1].split(" or a file")[0]
    for name in load_profiles():
        assert f" {name}," in listed, name


def test_vllm_serves_a_batch_it_holds_most_of() -> None:
    """vLLM holding at least half the asked sequences at full length serves them (the rest
    queue; docs.vllm.ai configuration/optimization 'Preemption'): Mistral Large 2411 on 4 H100s
    for 32 streams at 32K holds 29 in FP8 with an FP8 cache, and was handed to llama.cpp's
    layer split (-np 32 -c 1048576, ~6 tokens/s a stream). The plan runs 29 at once
    (--max-num-seqs 29) and says so; fewer than half (Llama 3.1 405B there) stays llama.cpp's."""
    argv = ["mistral-large-instruct-2411", "--gpu", "h100-sxm", "--gpus", "4", "--batch", "32"]
    found = _answer(["explain", *argv, "--context", "32k"])
    plan = found["serving"]
    assert plan is not None and plan["throughput"]["concurrency"] == 29
    assert plan["batch_held"].startswith("29 of the 32 sequences of 32,768 tokens fit")
    assert plan["batch_held"] in found["reasons"]
    command = found["run"][0]["command"]
    assert command.startswith("vllm serve ") and "--max-num-seqs 29" in command
    assert not any("cannot hold the batch" in r for r in found["reasons"])
    big = _answer(["explain", "llama-3.1-405b-instruct", *argv[1:], "--context", "32k"])
    assert any("cannot hold the batch: at best" in r for r in big["reasons"])
    # compare says how many run at once beside the throughput of the asked streams
    both = ["compare", "llama-3.3-70b-instruct", *argv, "--context", "32k"]
    rows = {r["field"]: r["values"] for r in _answer(both)["rows"]}
    assert rows["vLLM streams at once"] == {
        "llama-3.3-70b-instruct": 32,
        "mistral-large-instruct-2411": 29,
    }
