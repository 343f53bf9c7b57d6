"""ranking/topn.py finds the shown top without sizing every model: for random queries (and
random catalogs of fine-tunes), its answer is pipeline.recommend's, field by field: the shown
candidates before the rest is read, then the whole ranking, the exclusions and the hints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import examples, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shaped_gguf import write_shaped
from test_agreement import DEFAULTS
from test_agreement import options as query_options
from test_shared_pipeline import fine_tunes, flat, tune

from llm_pick.catalog.load import Catalog, load_catalog
from llm_pick.cli.parse import build_query
from llm_pick.errors import InputError
from llm_pick.ranking import pipeline, topn
from llm_pick.ranking.result import Candidate

CATALOG = load_catalog()
HARDWARE = st.fixed_dictionaries(
    {},
    optional={
        "ram": st.sampled_from(["16", "64"]),
        "gpu": st.sampled_from(["4090", "rtx-3060-12gb", "a100-80gb", "h100-sxm", "mi300x"]),
        "gpus": st.sampled_from([2, 8]),
        "batch": st.sampled_from([1, 8, 32]),  # datacenter cards: vLLM (ranking/serve.py)
        "top": st.sampled_from([1, 3, 10, 25]),
        "flash_attn": st.sampled_from(["on", "off"]),
    },
)


def query_of(chosen: dict[str, Any]) -> Any:
    chosen = DEFAULTS | chosen
    if chosen["kv_dtype"] is not None and chosen["quant"] == "fp16":
        chosen["quant"] = None
    if chosen.get("gpu") is not None:
        chosen["vram"] = None
    try:
        return build_query(**chosen)
    except InputError:
        return None


def check_same(catalog: Catalog, query: Any) -> None:
    exhaustive = pipeline.recommend(catalog, query)
    found = topn.recommend(catalog, query)
    reasons = [(e.model.id, e.reasons) for e in exhaustive.excluded]
    assert [(m.id, r) for m, r in topn.excluded_reasons(found)] == reasons  # before deciding
    shown, rest = flat(exhaustive), flat(found._replace(ranking=found.shown))
    assert rest[0] == shown[0][: query.top]  # the top, before the rest is computed
    assert rest[1:] == shown[1:]
    assert len(found.ranking) == len(exhaustive.ranking)
    assert flat(found) == shown  # and every candidate, read from the exhaustive ranking


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query_options, HARDWARE)
def test_the_bounded_top_is_the_exhaustive_one(given_options: Any, hardware: Any) -> None:
    query = query_of(given_options | hardware)
    if query is not None:
        check_same(CATALOG, query)


@settings(max_examples=examples(20), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(tune, min_size=8, max_size=40), query_options, HARDWARE)
def test_the_bounded_top_of_fine_tunes_is_the_exhaustive_one(
    specs: list[tuple[Any, ...]], given_options: Any, hardware: Any
) -> None:
    query = query_of(given_options | hardware)
    if query is not None:
        check_same(fine_tunes(specs), query)


def deciding(query: Any) -> tuple[Any, list[str]]:
    """topn.recommend's answer and the ids of the models it decided exactly, in turn."""
    decided: list[str] = []
    outcome = pipeline.outcome

    def counted(model: Any, *args: Any) -> Any:
        decided.append(model.id)
        return outcome(model, *args)

    pipeline.outcome = counted  # type: ignore[assignment]
    try:
        return topn.recommend(CATALOG, query), decided
    finally:
        pipeline.outcome = outcome  # type: ignore[assignment]


def test_models_below_the_top_are_not_sized() -> None:
    """The work is removed: `recommend --vram 24 --commercial` sizes and scores a fraction of
    the models, and reading the rest computes the exhaustive ranking."""
    query = build_query(**(DEFAULTS | {"vram": "24", "commercial": True}))
    found, decided = deciding(query)
    ranking = found.ranking
    assert isinstance(ranking, topn.Ranking)
    excluded = {m.id for m, _ in topn.excluded_reasons(found)}
    sized = [mid for mid in decided if mid not in excluded]
    assert query.top <= len(sized) < len(ranking) // 2
    assert len(decided) - len(sized) < len(excluded)  # some exclusions are their reasons only
    assert ranking[0] is found.shown[0]
    assert isinstance(ranking[-1], Candidate)  # read from the exhaustive ranking
    assert len(list(ranking)) == len(ranking) == len(ranking[:])
    assert found.excluded[-1] == found.excluded[len(found.excluded) - 1]  # decided when read


def test_a_ranking_reads_like_a_tuple() -> None:
    query = build_query(**(DEFAULTS | {"vram": "24"}))
    full = pipeline.recommend(CATALOG, query).ranking
    calls = 0

    def rest() -> Any:
        nonlocal calls
        calls += 1
        return full

    ranking = topn.Ranking(tuple(full[:3]), len(full), rest)
    assert ranking[:3] == full[:3] and ranking[1] is full[1] and calls == 0
    assert len(ranking) == len(full) and bool(ranking) and calls == 0
    assert ranking[5] is full[5] and ranking[-1] is full[-1] and ranking[2:7] == full[2:7]
    assert list(ranking) == list(full) and ranking == full and calls == 1
    with pytest.raises(IndexError):
        ranking[len(full)]


def test_the_bound_without_the_losses_only_shortcut(monkeypatch: pytest.MonkeyPatch) -> None:
    """Were a format to keep more than 16-bit quality (a table with a gain), the bound reads
    the model's best format instead: the answers stay the exhaustive ones."""
    monkeypatch.setattr(topn, "_losses_only", lambda: False)
    for chosen in ({"vram": "24", "commercial": True}, {"vram": "8"}, {"vram": "80", "top": 3}):
        query = query_of(chosen)
        check_same(CATALOG, query)


def test_an_imported_file_is_sized_in_its_own_format(tmp_path: Path) -> None:
    """An imported GGUF runs only in its file's format: excluded by a constraint where that
    format does not fit, its reasons say so, though a smaller format of its shape would run."""
    path = write_shaped(tmp_path / "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf")
    mine = tmp_path / "mine.yaml"
    assert run("import", str(path), "-o", str(mine)).code == 0
    catalog = load_catalog([mine])
    for chosen in ({"vram": "4", "family": ["mistral"]}, {"vram": "4", "commercial": True}):
        check_same(catalog, query_of(chosen))


def check_explained(catalog: Catalog, query: Any, model_id: str) -> None:
    """explain's answer (reports/recommend.explain_data) from the top computed down to the
    model explained is the exhaustive ranking's, and the rest of the ranking is not read."""
    from llm_pick.reports.recommend import explain_data

    model = next(m for m in catalog if m.id == model_id)
    wanted = query.replace(explained=model_id)
    found = topn.recommend(catalog, wanted)
    data = explain_data(model, found)
    if isinstance(found.ranking, topn.Ranking):
        assert found.ranking._all is None, "explain read the ranking below the model"
    assert data == explain_data(model, pipeline.recommend(catalog, wanted))


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query_options, HARDWARE, st.sampled_from(CATALOG.ids))
def test_explain_of_the_bounded_top_is_the_exhaustive_one(
    given_options: Any, hardware: Any, model_id: str
) -> None:
    query = query_of(given_options | hardware)
    if query is not None:
        check_explained(CATALOG, query, model_id)


def test_explain_sizes_a_fraction_of_the_models() -> None:
    """Explaining a model ranked near the top sizes few models exactly."""
    query = build_query(**(DEFAULTS | {"vram": "24", "commercial": True}))
    top = topn.recommend(CATALOG, query).ranking[0].model.id
    found, decided = deciding(query.replace(explained=top))
    assert found.rank(top) == 1
    assert len(set(decided)) < len(CATALOG) // 2


@settings(max_examples=examples(20), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(tune, min_size=8, max_size=40), query_options, HARDWARE, st.data())
def test_explain_among_fine_tunes_is_the_exhaustive_one(
    specs: list[tuple[Any, ...]], given_options: Any, hardware: Any, data: st.DataObject
) -> None:
    query = query_of(given_options | hardware)
    if query is not None:
        catalog = fine_tunes(specs)
        check_explained(catalog, query, data.draw(st.sampled_from(catalog.ids)))


@pytest.mark.parametrize("model_id", ["llama-3-8b-instruct", "llama-2-13b", "bloomz-3b"])
def test_explain_takes_its_rank_from_the_models_above_it(model_id: str) -> None:
    """On 12 GiB the top down to these models holds a 2-3-bit pick that a model below
    dominates (or a base model whose chat model ranks lower): the order rules only move a
    model down, so the rank comes from the models above it (topn._ahead), exactly as the full
    ranking gives it, and the rest of the ranking is not read."""
    used: list[Any] = []
    ahead = topn._ahead

    def counted(*args: Any) -> Any:
        used.append(found := ahead(*args))
        return found

    topn._ahead = counted
    try:
        check_explained(CATALOG, query_of({"vram": "12"}), model_id)
    finally:
        topn._ahead = ahead
    assert used and used[0] is not None
