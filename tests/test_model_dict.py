"""`list` and `show` JSON: model_dict converts records without dataclasses.asdict's deep copies
and gives the same data for every bundled model."""

from __future__ import annotations

import dataclasses
from typing import Any

from llm_pick.catalog.load import load_catalog
from llm_pick.catalog.types import Model
from llm_pick.reports.catalog import model_dict


def by_asdict(model: Model) -> dict[str, Any]:
    data = dataclasses.asdict(model)
    if data["release_date"] is not None:
        data["release_date"] = data["release_date"].isoformat()
    return data


def test_model_dict_is_asdict_plus_the_derived_fields() -> None:
    for model in load_catalog():
        found = model_dict(model)
        assert found.pop("attention") == model.attention and found.pop("moe") == model.moe
        assert found == by_asdict(model), model.id
        assert list(found) == [f.name for f in dataclasses.fields(model)]
