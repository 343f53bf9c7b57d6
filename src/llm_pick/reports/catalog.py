"""Reports of `list`, `show` and `gpus`: the public JSON shape of models, flat rows, tables."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from llm_pick.catalog.filetypes import Gpu
from llm_pick.catalog.types import Model
from llm_pick.render.cells import mmlu
from llm_pick.reports.report import Report


def model_dict(model: Model) -> dict[str, Any]:
    """The entry as JSON data: catalog field names plus derived `attention` and `moe`."""
    data: dict[str, Any] = {}
    for name in _names(type(model)):
        value = getattr(model, name)  # records (architecture, benchmarks...) as plain data
        if type(value) in _LEAVES:
            data[name] = value
            continue
        dated = name == "release_date"
        data[name] = value.isoformat() if dated else _plain(value)
        if name == "architecture":
            data["attention"] = model.attention
            data["moe"] = model.moe
    return data


_FIELDS: dict[type, tuple[str, ...]] = {}
_LEAVES = frozenset((str, int, float, bool, type(None)))


def _names(cls: type) -> tuple[str, ...]:
    found = _FIELDS.get(cls)
    if found is None:
        found = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return found


def _plain(value: Any) -> Any:
    """dataclasses.asdict's data without its deep copies (the records are frozen and their
    leaves immutable): records to dicts, inside dicts, lists and tuples (a list of
    `list`/`show` entries costs a third of the time; the 100k-model catalog bench)."""
    kind = type(value)
    if kind in _LEAVES:  # most values: nothing to convert
        return value
    leaves = _LEAVES
    if hasattr(kind, "__dataclass_fields__"):
        out = {}
        for name in _names(kind):
            item = getattr(value, name)
            out[name] = item if type(item) in leaves else _plain(item)
        return out
    if kind is dict:
        return {k: item if type(item) in leaves else _plain(item) for k, item in value.items()}
    if kind is list or kind is tuple:
        return kind(item if type(item) in leaves else _plain(item) for item in value)
    return value


def display_order(models: Iterable[Model]) -> list[Model]:
    """Families together, then by release, size and id (deterministic)."""
    return sorted(
        models,
        key=lambda m: (m.family, m.release_date or dt.date.min, m.parameters.total, m.id),
    )


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
    "capabilities",
)


def capability_words(model: Model) -> str:
    """What `--needs` values the model meets ("vision reasoning tools"), "text" when it meets
    none, "unrecorded" when its card's capabilities are not in the catalog."""
    caps = model.capabilities
    if caps is None:
        return "unrecorded"
    return " ".join(caps.offers) or "text"


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
        capability_words(model),
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


def list_report(models: Iterable[Model], as_of: dt.date | None = None) -> Report:
    shown = display_order(models)
    dated = f" (catalog as of {as_of.isoformat()})" if as_of else ""

    def table() -> Any:
        from llm_pick.render.catalog import model_list

        return model_list(shown, f"{len(shown)} models{dated}")

    def data() -> dict[str, Any]:  # built only for --format json
        return {
            "models": [model_dict(m) for m in shown],
            "catalog": {"as_of": as_of.isoformat() if as_of else None},
        }

    return Report(
        data=data,
        columns=LIST_COLUMNS,
        rows=_Rows(shown),
        table=table,
    )


class _Rows(Sequence[list[Any]]):
    """The flat rows of `list`, made when first read (CSV, Markdown, HTML: not for a table)."""

    def __init__(self, models: list[Model]):
        self._models = models
        self._rows: list[list[Any]] | None = None

    def _made(self) -> list[list[Any]]:
        if self._rows is None:
            self._rows = [list_row(m) for m in self._models]
        return self._rows

    def __len__(self) -> int:
        return len(self._models)

    def __getitem__(self, index: Any) -> Any:
        return self._made()[index]


def show_report(model: Model) -> Report:
    data = model_dict(model)

    def table() -> Any:
        from llm_pick.render.catalog import model_detail

        return model_detail(model)

    return Report(data=data, columns=("field", "value"), rows=flatten(data), table=table)


GPU_COLUMNS = (
    "id",
    "name",
    "vendor",
    "memory_gib",
    "usable_gib",
    "memory_bandwidth_gbs",
    "fp16_tflops",
    "fp16_tflops_kind",
    "checked",
)


def gpus_report(gpus: list[Gpu]) -> Report:
    def table() -> Any:
        from llm_pick.render.catalog import gpu_table

        return gpu_table(gpus)

    rows = [
        [
            g.id,
            g.name,
            g.vendor,
            g.memory_gib,
            round(g.usable_gib, 2),
            g.memory_bandwidth_gbs,
            g.fp16_tflops,
            g.fp16_tflops_kind,
            g.source.checked if g.source else None,
        ]
        for g in gpus
    ]
    data = {"gpus": [dataclasses.asdict(g) | {"usable_gib": g.usable_gib} for g in gpus]}
    return Report(data=data, columns=GPU_COLUMNS, rows=rows, table=table)
