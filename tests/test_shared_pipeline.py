"""recommend shares one formats search and one scoring between models of equal inputs (fine-tunes
of one base: ranking/pipeline.py, SHARING). For generated catalogs of such fine-tunes, some
alike and some not, and any option set, the shared pipeline decides exactly as the one that
searches and scores every model on its own: the same ranking, scores, formats, criteria notes,
choice reasons, exclusions and hints."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_agreement import DEFAULTS

from llm_pick.catalog.load import Catalog, load_catalog
from llm_pick.catalog.types import Benchmark, Model
from llm_pick.cli.parse import build_query
from llm_pick.errors import InputError
from llm_pick.ranking import pipeline
from llm_pick.ranking.result import Recommendation
from llm_pick.scoring.criteria import Value

BUNDLED = list(load_catalog())
# a few bases of different kinds (dense, MoE, vision, hybrid SSM, ternary...), so that fine-tunes
# of one base meet often
BASES = [
    BUNDLED.index(m)
    for m in BUNDLED
    if m.id
    in {
        "llama-3.1-8b-instruct",
        "llama-2-13b",
        "mixtral-8x7b-instruct",
        "pixtral-12b-2409",
        "falcon-h1-1.5b-instruct",
        "falcon-7b",
        "bloomz-3b",
        "mistral-7b-instruct-v0.2",
    }
    or m.architecture.ternary
]

# the options that leave fine-tunes in the ranking (test_agreement.py draws from all of them)
options = st.fixed_dictionaries(
    {},
    optional={
        "vram": st.sampled_from(["8", "12", "24", "48"]),
        "profile": st.sampled_from(["balanced", "chat", "multilingual", "long-context"]),
        "commercial": st.booleans(),
        "context": st.sampled_from(["1024", "8k"]),
        "lang": st.sampled_from([["de"], ["fr", "es"]]),
        "quant": st.sampled_from(["q4_k_m", "q8_0"]),
        "min_bits": st.sampled_from([4.0, 6.0]),
        "kv_dtype": st.sampled_from(["q8_0", "q4_0"]),
    },
)

# one fine-tune: its base (an index into the bundled models, or into the fine-tunes made so
# far), and what it states for itself (None: inherited from the base as it is)
tune = st.tuples(
    st.sampled_from(BASES),
    st.sampled_from([None, None, None, 0, 1, 2]),  # a fine-tune of an earlier fine-tune
    st.sampled_from([None, None, 2048]),  # context_length, capped at the base's
    st.sampled_from([None, None, ("en",), ("en", "de", "fr")]),
    st.sampled_from([False, False, True]),  # a stricter licence
    st.sampled_from([None, None, None, 75.0]),  # an MMLU score of its own
)


def fine_tunes(specs: list[tuple[Any, ...]]) -> Catalog:
    models = {m.id: m for m in BUNDLED}
    made: list[Model] = []
    for number, (index, parent, context, languages, strict, mmlu) in enumerate(specs):
        base = made[parent] if parent is not None and parent < len(made) else BUNDLED[index]
        changes: dict[str, Any] = {
            "id": f"{base.id}-tune-{number}",
            "name": f"{base.name} tune {number}",
            "variant": "fine-tune",
            "base_model": base.id,
            "hf_repo": None,
            "benchmarks": {},
        }
        if context is not None:
            changes["context_length"] = min(context, base.context_length)
        if languages is not None:
            changes["languages"] = list(languages)
        if strict:  # the same licence id, stricter terms
            changes["license"] = dataclasses.replace(
                base.license, commercial_use="prohibited", conditions="test: no commercial use"
            )
        if mmlu is not None:
            changes["benchmarks"] = {"mmlu": Benchmark(value=mmlu, source="test", shots=5)}
        model = dataclasses.replace(base, **changes)
        made.append(model)
        models[model.id] = model
    return Catalog(models, [])


def values(found: dict[str, Value]) -> dict[str, tuple[Any, ...]]:
    return {k: (v.value, v.note, v.missing, v.estimated, v.basis) for k, v in found.items()}


def flat(rec: Recommendation) -> tuple[Any, ...]:
    """Everything a recommendation says, comparable (notes formatted)."""
    ranked = [
        (
            c.model.id,
            c.assessment,
            c.score,
            values(c.values),
            [(o.assessment, o.score, values(o.values)) for o in c.options],
            c.choice,
            c.serving,
        )
        for c in rec.ranking
    ]
    excluded = [e._replace(model=e.model.id) for e in rec.excluded]
    return ranked, excluded, rec.hints


def check_same(specs: list[tuple[Any, ...]], given_options: dict[str, Any]) -> None:
    chosen = DEFAULTS | given_options
    if chosen["kv_dtype"] is not None and chosen["quant"] == "fp16":
        chosen["quant"] = None
    try:
        query = build_query(**chosen)
    except InputError:
        return  # refused before recommend runs
    catalog = fine_tunes(specs)
    shared = pipeline.recommend(catalog, query)
    pipeline.SHARING = False
    try:
        alone = pipeline.recommend(catalog, query)
    finally:
        pipeline.SHARING = True
    assert flat(shared) == flat(alone)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(tune, min_size=8, max_size=40), options)
def test_shared_pipeline_decides_as_the_full_one(
    specs: list[tuple[Any, ...]], given_options: dict[str, Any]
) -> None:
    check_same(specs, given_options)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(tune, min_size=1, max_size=80), options)
def test_shared_pipeline_decides_as_the_full_one_long_run(
    specs: list[tuple[Any, ...]], given_options: dict[str, Any]
) -> None:
    check_same(specs, given_options)


def test_fine_tunes_of_one_base_are_searched_once() -> None:
    """The sharing happens: twenty alike fine-tunes of one base cost one formats search."""
    base = next(m for m in BUNDLED if m.id == "llama-3.1-8b-instruct")
    catalog = fine_tunes([(BUNDLED.index(base), None, None, None, False, None)] * 20)
    query = build_query(**(DEFAULTS | {"vram": "24"}))
    calls = 0
    search = pipeline._search

    def counted(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        return search(*args)

    pipeline._search = counted  # type: ignore[assignment]
    try:
        rec = pipeline.recommend(catalog, query)
    finally:
        pipeline._search = search  # type: ignore[assignment]
    tunes = [c for c in rec.ranking if "-tune-" in c.model.id]
    assert len(tunes) == 20
    assert {c.assessment.estimate.model for c in tunes} == {c.model.id for c in tunes}
    assert len({(c.score, c.assessment.estimate.quant) for c in tunes}) == 1
    assert calls <= len(BUNDLED)  # not one more for each of the twenty
