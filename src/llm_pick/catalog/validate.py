"""Validate parsed catalog documents with pydantic, collecting every problem with its
file:line and field path; and the catalog's JSON Schema.

Imported only when a file is not in the cache: pydantic stays off the hot path.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

from llm_pick.catalog.documents import Locator, parse_document
from llm_pick.catalog.types import ID_PATTERN, CatalogFile, Model
from llm_pick.errors import CatalogError


def load_models(name: str, raw: bytes) -> list[Model]:
    """Parse (YAML safe loader, or JSON by suffix; repeated keys refused) and validate one
    catalog file."""
    return load_file(name, raw)[0]


def load_file(name: str, raw: bytes) -> tuple[list[Model], dt.date | None]:
    """The models of one catalog file and its `as_of` date (None when it has none)."""
    data = parse_document(name, raw)
    models = validate_document(name, raw, data)
    found = data.get("as_of")
    return models, found if isinstance(found, dt.date) else _iso(found)


def _iso(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else None


def validate_document(name: str, raw: bytes, data: Any) -> list[Model]:
    from pydantic import ValidationError

    if not isinstance(data, dict):
        raise CatalogError(
            f"{name}: expected a mapping with 'schema_version: 1' and 'models: [...]', "
            f"found {type(data).__name__}"
        )
    try:
        catalog = _adapter().validate_python(data)
    except ValidationError as error:
        problems = _format_errors(name, raw, error.errors(include_url=False))
        raise CatalogError(f"{name}: {len(problems)} problem(s)", problems) from None
    return _unique(name, raw, catalog.models)


def validate_file(file: Path, raw: bytes, kind: type) -> Any:
    """Parse and validate a data or profile file as `kind` (a dataclass): CatalogError with
    every reason."""
    from pydantic import TypeAdapter, ValidationError

    data = parse_document(str(file), raw)
    try:
        return TypeAdapter(kind).validate_python(data)
    except ValidationError as error:
        problems = [
            f"{file}: {'.'.join(str(p) for p in e['loc']) or '(document)'}: {e['msg']}"
            for e in error.errors(include_url=False)
        ]
        raise CatalogError(f"{file}: {len(problems)} problem(s)", problems) from None


@cache
def _adapter() -> Any:
    from pydantic import TypeAdapter

    from llm_pick.catalog.constrained import bind_constraints

    bind_constraints()
    return TypeAdapter(CatalogFile)


def json_schema() -> dict[str, Any]:
    schema: dict[str, Any] = _adapter().json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "llm-pick catalog"
    model_props = schema["$defs"]["Model"]["properties"]
    model_props["id"]["pattern"] = f"^{ID_PATTERN}$"
    model_props["languages"]["items"]["pattern"] = "^[a-z]{2,3}$"
    return dict(sorted(schema.items(), key=lambda kv: kv[0] != "$schema"))


def _unique(name: str, raw: bytes, models: list[Model]) -> list[Model]:
    """The models, or CatalogError naming every repeated id."""
    problems = _duplicate_ids(name, raw, models)
    if problems:
        raise CatalogError(f"{name}: {len(problems)} problem(s)", problems)
    return models


def _duplicate_ids(name: str, raw: bytes, models: list[Model]) -> list[str]:
    first: dict[str, int] = {}
    problems = []
    lines = Locator(name, raw)
    for index, model in enumerate(models):
        if model.id in first:
            where = lines.where(("models", index, "id"))
            problems.append(
                f"{where}: models[{index}].id: duplicate id {model.id!r} "
                f"(first at models[{first[model.id]}])"
            )
        else:
            first[model.id] = index
    return problems


_MESSAGES = {
    "missing": "required field is missing",
    "missing_keyword_only_argument": "required field is missing",
    "missing_argument": "required field is missing",
    "unexpected_keyword_argument": "unknown field",
    "extra_forbidden": "unknown field",
}


def _format_errors(name: str, raw: bytes, errors: list[Any]) -> list[str]:
    locator = Locator(name, raw)
    problems = []
    for error in errors:
        loc = tuple(error["loc"])
        message = _MESSAGES.get(error["type"]) or error["msg"].removeprefix("Value error, ")
        if (
            error["type"] not in _MESSAGES
            and "input" in error
            and not isinstance(error["input"], dict | list)
        ):
            message += f" (got {error['input']!r})"
        problems.append(f"{locator.where(loc)}: {_path(loc)}: {message}")
    return problems


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"
