"""What passes over one catalog share (ranking/passes.py, Catalog.memo) changes no answer:
queries asked in turn of one catalog get the answers a fresh copy of it (other records, so
nothing kept) gives each alone; catalogs of the very same records share what is kept."""

from __future__ import annotations

import copy
from typing import Any

from test_agreement import DEFAULTS
from test_shared_pipeline import flat

from llm_pick.catalog.load import Catalog, load_catalog
from llm_pick.cli.parse import build_query
from llm_pick.ranking import pipeline, topn

BUNDLED = load_catalog()
ASKED: list[dict[str, Any]] = [
    {"vram": "24", "profile": "coding"},
    {"vram": "24"},
    {"vram": "12", "quant": "q8_0"},
    {"vram": "80", "min_bits": 6.0, "profile": "multilingual"},
    {"gpu": "h100-sxm", "gpus": 8, "batch": 32},
    {"vram": "24", "profile": "coding", "commercial": True},
    {},
]


def fresh() -> Catalog:
    """The bundled models as new records: nothing is kept for them yet."""
    return Catalog({m.id: copy.copy(m) for m in BUNDLED}, BUNDLED.sources)


def test_a_catalog_asked_many_questions_answers_as_a_fresh_one() -> None:
    shared = fresh()
    for options in ASKED:
        query = build_query(**(DEFAULTS | options))
        # the bounded top reads the same pass (tests/test_topn.py holds it to this ranking)
        assert flat(topn.recommend(shared, query)) == flat(pipeline.recommend(fresh(), query))
    assert shared.memo("pass")  # the figures were kept with it


def test_the_unshared_pipeline_keeps_nothing_with_the_catalog() -> None:
    """pipeline.SHARING off (the reference the shared pipeline is checked against) computes
    everything in its own pass."""
    catalog = fresh()
    pipeline.SHARING = False
    try:
        pipeline.recommend(catalog, build_query(**(DEFAULTS | {"vram": "24"})))
    finally:
        pipeline.SHARING = True
    assert catalog.memo("pass") == {}


def test_loads_of_the_same_records_share_what_is_kept() -> None:
    first, second = load_catalog(), load_catalog()
    assert first is not second and first.memo("pass") is second.memo("pass")
    assert fresh().memo("pass") is not first.memo("pass")
