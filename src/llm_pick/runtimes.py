"""Which inference runtimes support which model families (data/runtimes.yaml, sourced)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from .schema import Family


@dataclass(frozen=True, slots=True, kw_only=True)
class Runtime:
    __pydantic_config__ = {"extra": "forbid"}  # type: ignore[assignment]

    id: str
    name: str
    url: str
    supports: list[Family]
    sources: list[str] = field(default_factory=list)
    notes: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RuntimeFile:
    __pydantic_config__ = {"extra": "forbid"}  # type: ignore[assignment]

    schema_version: Literal[1]
    runtimes: list[Runtime]


@cache
def load_runtimes() -> tuple[Runtime, ...]:
    from . import datafiles

    data: RuntimeFile = datafiles.load(datafiles.path("runtimes.yaml"), RuntimeFile)
    return tuple(data.runtimes)
