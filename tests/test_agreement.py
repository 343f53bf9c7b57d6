"""`explain` and `recommend` decide alike: for any option set, every model passes or fails
both, for the same reasons, at the same rank (the constraints are built in one place). Explain
assesses every format of the model it explains only; the others are searched as recommend
searches them, and the whole ranking is the same."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import examples, run
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from llm_pick.catalog.load import load_catalog
from llm_pick.cli.parse import build_query
from llm_pick.errors import InputError
from llm_pick.ranking.pipeline import recommend
from llm_pick.ranking.result import Candidate
from llm_pick.reports.recommend import explain_data

CATALOG = load_catalog()
DEFAULTS: dict[str, Any] = {
    "vram": None,
    "gpu": None,
    "gpus": None,
    "ram": None,
    "ram_bandwidth": None,
    "headroom": None,
    "quant": None,
    "min_bits": None,
    "context": None,
    "batch": 1,
    "kv_dtype": None,
    "flash_attn": "on",
    "profile": "balanced",
    "weight": None,
    "top": 10,
}
PROFILES = ("balanced", "chat", "edge", "long-context", "multilingual", "research")

options = st.fixed_dictionaries(
    {},
    optional={
        "vram": st.sampled_from(["4", "8", "12", "24", "48", "80"]),
        "profile": st.sampled_from(PROFILES),
        "commercial": st.booleans(),
        "unconditional": st.booleans(),
        "min_context": st.sampled_from(["2k", "8k", "32k"]),
        "context": st.sampled_from(["1024", "8k"]),
        "lang": st.sampled_from([["de"], ["fr", "es"], ["zh"]]),
        "variant": st.sampled_from([["base"], ["chat", "instruct"]]),
        "family": st.sampled_from([["llama"], ["mistral", "mixtral"], ["falcon"]]),
        "min_params": st.sampled_from([3.0, 13.0]),
        "max_params": st.sampled_from([8.0, 80.0]),
        "quant": st.sampled_from(["q4_k_m", "q8_0", "fp16"]),
        "min_bits": st.sampled_from([4.0, 6.0]),
        "kv_dtype": st.sampled_from(["q8_0", "q4_0"]),
    },
)


def both(given_options: dict[str, Any], model_id: str) -> tuple[Any, Any]:
    """What recommend and explain (of `model_id`) compute for these options, as the CLI
    builds them."""
    chosen = DEFAULTS | given_options
    if chosen["kv_dtype"] is not None and chosen["quant"] == "fp16":
        chosen["quant"] = None  # a quantized KV cache needs a GGUF format (refused otherwise)
    try:
        query = build_query(**chosen)
    except InputError:  # refused before either command runs (e.g. --min-params above --max-params)
        reject()
    return recommend(CATALOG, query), recommend(CATALOG, query.replace(explained=model_id))


def check_agreement(given_options: dict[str, Any], model_id: str) -> None:
    ranked, explained = both(given_options, model_id)
    shown = [(c.model.id, c.score, c.assessment.estimate) for c in ranked.ranking]
    assert [(c.model.id, c.score, c.assessment.estimate) for c in explained.ranking] == shown
    for model in CATALOG:
        data = explain_data(model, explained)
        outcome = ranked.outcome(model.id)
        assert outcome is not None
        failed = [c["detail"] for c in data["constraints"] if not c["passed"]]
        if isinstance(outcome, Candidate):
            assert data["passed"], (model.id, failed)
            assert data["rank"] == ranked.rank(model.id), model.id
            assert data["score"] == round(outcome.score, 6), model.id
        else:
            assert not data["passed"], (model.id, outcome.reasons)
            assert data["rank"] is None
            assert failed == list(outcome.reasons), model.id


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(options, st.sampled_from(CATALOG.ids))
def test_explain_and_recommend_agree(given_options: dict[str, Any], model_id: str) -> None:
    check_agreement(given_options, model_id)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(options, st.sampled_from(CATALOG.ids))
def test_explain_and_recommend_agree_long_run(given_options: dict[str, Any], model_id: str) -> None:
    check_agreement(given_options, model_id)


def test_profile_variants_exclude_in_explain_too() -> None:
    """The reported bug: with --profile chat, recommend excludes a base model for its variant;
    explain said it passed."""
    args = ("--vram", "24", "--profile", "chat", "-f", "json")
    explained = run("explain", "llama-3-8b", *args)
    assert explained.code == 0, explained.stderr
    data = explained.json()
    assert data["passed"] is False and data["rank"] is None
    variant = next(c for c in data["constraints"] if c["constraint"] == "variant")
    assert variant == {
        "constraint": "variant",
        "passed": False,
        "detail": "variant base not in [chat, instruct, fine-tune]",
    }
    ranked = run("recommend", *args)
    excluded = {e["model"]: e["reasons"] for e in ranked.json()["excluded"]}
    assert excluded["llama-3-8b"] == [variant["detail"]]
    # an explicit --variant wins over the profile's, in both
    chosen = run("explain", "llama-3-8b", *args, "--variant", "base").json()
    assert chosen["passed"] is True and chosen["rank"] is not None


def test_explain_lists_every_format_of_its_model_only() -> None:
    """The explained model has every running format assessed (the bounded search stops at
    the first usable one, so recommend's candidate has fewer)."""
    query = build_query(**(DEFAULTS | {"vram": "24"}))
    ranked = recommend(CATALOG, query)
    name = "llama-3.1-8b-instruct"
    explained = recommend(CATALOG, query.replace(explained=name))
    mine, theirs = explained.outcome(name), ranked.outcome(name)
    assert isinstance(mine, Candidate) and isinstance(theirs, Candidate)
    assert len(mine.options) > len(theirs.options)
    assert mine.assessment.estimate == theirs.assessment.estimate and mine.score == theirs.score
