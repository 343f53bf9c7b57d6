"""Plain-data views of catalog models: the public JSON shape and flat table rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

from llm_pick.catalog.types import Model

COMMERCIAL_MARK = {"allowed": "yes", "conditional": "cond.", "prohibited": "no"}


def model_dict(model: Model) -> dict[str, Any]:
    """The entry as JSON data: catalog field names plus derived `attention` and `moe`."""
    data: dict[str, Any] = {}
    for item in dataclasses.fields(model):
        value = getattr(model, item.name)
        if dataclasses.is_dataclass(value):
            value = dataclasses.asdict(value)  # type: ignore[arg-type]
        elif item.name == "benchmarks":
            value = {name: dataclasses.asdict(b) for name, b in value.items()}
        elif item.name == "release_date" and value is not None:
            value = value.isoformat()
        elif isinstance(value, list):
            value = list(value)
        data[item.name] = value
        if item.name == "architecture":
            data["attention"] = model.attention
            data["moe"] = model.moe
    return data


def display_order(models: Iterable[Model]) -> list[Model]:
    """Families together, then by release, size and id (deterministic)."""
    return sorted(
        models,
        key=lambda m: (m.family, m.release_date or dt.date.min, m.parameters.total, m.id),
    )


def billions(count: int) -> str:
    value = count / 1e9
    return f"{value:.3g}B" if value < 100 else f"{value:.0f}B"


def mmlu(model: Model) -> float | None:
    bench = model.benchmarks.get("mmlu")
    return bench.value if bench else None


LIST_COLUMNS = (
    "id",
    "family",
    "variant",
    "params_b",
    "active_b",
    "attention",
    "moe",
    "context",
    "license",
    "commercial",
    "languages",
    "mmlu",
)


def list_row(model: Model) -> list[Any]:
    params = model.parameters
    return [
        model.id,
        model.family,
        model.variant,
        round(params.total / 1e9, 2),
        round(params.active_count / 1e9, 2),
        model.attention,
        model.moe,
        model.context_length,
        model.license.id,
        model.license.commercial_use,
        " ".join(model.languages),
        mmlu(model),
    ]


def flatten(data: object, prefix: str = "") -> list[list[Any]]:
    """Nested JSON data -> [["architecture.layers", 32], ...] rows for CSV and Markdown."""
    if isinstance(data, dict):
        rows: list[list[Any]] = []
        for key, value in data.items():
            rows += flatten(value, f"{prefix}.{key}" if prefix else str(key))
        return rows
    if isinstance(data, list):
        if all(not isinstance(item, dict | list) for item in data):
            return [[prefix, "; ".join(str(item) for item in data)]]
        rows = []
        for index, value in enumerate(data):
            rows += flatten(value, f"{prefix}[{index}]")
        return rows
    return [[prefix, data]]
