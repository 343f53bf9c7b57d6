"""The bundled data, validated once at build time: catalog/compiled.json is a small index (the
sha256 of each bundled YAML file and the catalog's as-of date) and compiled_<file>.json beside
it holds each file's data as plain JSON (models, GPUs, profiles, runtimes), so a command reads
only the files it uses (`--version` and the profiles never parse the 1 MB of models).

Nothing is cached at run time and nothing is unpickled: the JSON is read, its source hashes are
compared with the YAML files beside it, and the frozen dataclasses are built directly (no
pydantic, no yaml). A stale entry (a YAML file edited after compiling) is never used: the
caller validates the YAML instead. `python tools/compile_data.py` regenerates the files and
tests/test_compiled.py fails when one is stale.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from llm_pick.catalog.dates import date

if TYPE_CHECKING:  # the catalog types are imported when models are built, not for as_of
    from pathlib import Path

    from llm_pick.catalog.types import Model

FORMAT = 2
FILES = ("models.yaml", "gpus.yaml", "profiles.yaml", "runtimes.yaml")
# Plain strings at run time: pathlib is imported only where a Path is asked for (start-up).
_INDEX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "compiled.json")
_DATA = os.path.join(os.path.dirname(os.path.dirname(_INDEX)), "data")


def _part(name: str) -> str:
    return os.path.join(os.path.dirname(_INDEX), f"compiled_{name.removesuffix('.yaml')}.json")


def part(name: str) -> Path:
    """The compiled data of bundled file `name` (models.yaml -> compiled_models.json)."""
    from pathlib import Path

    return Path(_part(name))


def __getattr__(name: str) -> Any:
    """COMPILED (the index) and PARTS (the data files) as Paths, made when asked."""
    from pathlib import Path

    if name == "COMPILED":
        return Path(_INDEX)
    if name == "PARTS":
        return tuple(part(item) for item in FILES)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _index() -> dict[str, Any]:
    try:
        with open(_INDEX, "rb") as handle:
            data: dict[str, Any] = json.loads(handle.read().decode())
    except (OSError, ValueError):
        return {}
    return data.get("files", {}) if data.get("format") == FORMAT else {}


@cache
def _data(name: str) -> Any:
    """The compiled data of `name`, None when its file is missing or unreadable."""
    try:
        # decoded first: json.loads(bytes) detects the encoding and decodes again (3 M instr.)
        with open(_part(name), "rb") as handle:
            return json.loads(handle.read().decode())
    except (OSError, ValueError):
        return None


def entry(name: str, raw: bytes) -> Any:
    """The compiled plain data of bundled file `name` when it was compiled from exactly these
    bytes, else None (the caller then validates the YAML)."""
    from llm_pick.catalog.digest import hexdigest

    item = _index().get(name)
    if item is None or item.get("sha256") != hexdigest(raw):
        return None
    return _data(name)


def as_of() -> date | None:
    """The bundled catalog's as-of date, as compiled (read from the small index only)."""
    found = _index().get("models.yaml", {}).get("as_of")
    return date.fromisoformat(found) if found else None


def shipped(name: str, path: str | Path) -> tuple[str, Any] | None:
    """(sha256, data) of bundled file `name` in an installed wheel, where the compiled files and
    the YAML files come from the same build (tests/test_compiled.py fails a build whose JSON is
    stale), so the YAML is not read again; None in a source checkout, where `entry` compares."""
    item = _shipped_index(name, path)
    data = None if item is None else _data(name)
    return None if data is None else (item["sha256"], data)  # type: ignore[index]


def summary(name: str, path: str | Path, key: str) -> Any:
    """A figure the build wrote beside bundled file `name`'s hash in the small index (`key`;
    e.g. the discrete GPU presets' memory and bandwidth), in an installed wheel as for
    `shipped`, without reading that file's data; None elsewhere or when it is not there."""
    item = _shipped_index(name, path)
    return None if item is None else item.get(key)


def _shipped_index(name: str, path: str | Path) -> dict[str, Any] | None:
    if os.fspath(path) != os.path.join(_DATA, name) or not os.path.isfile(path):
        return None
    found: dict[str, Any] | None = _index().get(name)
    return found


# ---- plain JSON -> frozen dataclasses (the data was validated when it was compiled) ----------


def model(data: dict[str, Any]) -> Model:
    from llm_pick.catalog.types import Model

    return _build(Model, data)  # type: ignore[no-any-return]


def models(data: list[dict[str, Any]]) -> tuple[Model, ...]:
    from llm_pick.catalog.types import Model

    return tuple(_build(Model, item) for item in data)


def file_of(name: str, data: dict[str, Any]) -> Any:
    """A bundled data file's object (GpuFile, ProfileFile, RuntimeFile)."""
    from llm_pick.catalog import filetypes

    kind = {"gpus.yaml": "GpuFile", "profiles.yaml": "ProfileFile", "runtimes.yaml": "RuntimeFile"}
    return _build(getattr(filetypes, kind[name]), data)


Convert = Callable[[Any], Any] | None  # None: the JSON value as it is
_set = object.__setattr__


def _build(cls: type, data: dict[str, Any]) -> Any:
    converters = _converters(cls)
    values = dict(data) if converters else data  # the parsed data itself is never changed
    for key, convert in converters:  # only the fields that need converting
        value = values.get(key)
        if value is not None:
            values[key] = convert(value)
    if len(values) != len(cls.__dataclass_fields__):  # type: ignore[attr-defined]
        return cls(**values)  # compiled before a field was added: the checked constructor
    made: Any = object.__new__(cls)  # the data was validated when it was compiled: no checks again
    for key, value in values.items():
        _set(made, key, value)
    return made


@cache
def _converters(cls: type) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """The fields of dataclass `cls` whose JSON value must be turned back into the field's type
    (nested dataclasses, lists and dicts of them, dates), each with its converter; plain
    values need nothing. Only the annotations that name such a type are evaluated (as
    typing.get_type_hints would evaluate them all: 3 ms for the catalog's types)."""
    names = vars(sys.modules[cls.__module__])
    found = []
    for item in fields(cls):
        kind = item.type
        if isinstance(kind, str):
            if not any(_structured(word, names) for word in _WORD.findall(kind)):
                continue  # text, numbers, Literal, lists of text: the JSON value as it is
            kind = eval(kind, names)  # our own annotation, as get_type_hints evaluates it
        convert = _converter(kind)
        if convert is not None:
            found.append((item.name, convert))
    return tuple(found)


_WORD = re.compile(r"[A-Za-z_][\w.]*")


def _structured(word: str, names: dict[str, Any]) -> bool:
    """Whether a name in an annotation is a dataclass or a date (its JSON value is converted)."""
    head, *rest = word.split(".")
    value = names.get(head)
    for part in rest:
        value = getattr(value, part, None)
    return value is date or (isinstance(value, type) and is_dataclass(value))


def _converter(kind: Any) -> Convert:
    import types
    import typing

    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is typing.Annotated:
        return _converter(args[0])
    if origin in (typing.Union, types.UnionType):
        found = [c for c in (_converter(a) for a in args if a is not type(None)) if c]
        return found[0] if len(found) == 1 else None
    if origin is list:
        item = _converter(args[0])
        return None if item is None else (lambda values: [item(v) for v in values])
    if origin is dict:
        value = _converter(args[1])
        return None if value is None else (lambda d: {k: value(v) for k, v in d.items()})
    if kind is date:
        return date.fromisoformat
    if is_dataclass(kind):
        return lambda data: _build(kind, data)  # type: ignore[arg-type]
    return None
