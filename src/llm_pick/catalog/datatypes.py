"""Validation types of the small data files (profiles, runtimes). Imported only when a file
is validated (a cache miss); the rest of the package works with the plain values they
convert to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from llm_pick.catalog.types import Family
from llm_pick.scoring.criteria import CRITERIA

_STRICT: Any = {"extra": "forbid"}


@dataclass(frozen=True, slots=True, kw_only=True)
class ProfileSpec:
    """One weight profile."""

    __pydantic_config__ = _STRICT

    name: str
    description: str
    weights: dict[str, float]
    why: str = ""

    def __post_init__(self) -> None:
        unknown = sorted(set(self.weights) - set(CRITERIA))
        if unknown:
            raise ValueError(f"unknown criteria {unknown}; valid: {', '.join(CRITERIA)}")
        if any(not 0 <= w <= 1e6 for w in self.weights.values()):
            raise ValueError("weights must be between 0 and 1000000")
        if sum(self.weights.values()) <= 0:
            raise ValueError("at least one weight must be positive")


@dataclass(frozen=True, slots=True, kw_only=True)
class ProfileFile:
    """data/profiles.yaml, or a user's profile file."""

    __pydantic_config__ = _STRICT

    schema_version: Literal[1]
    profiles: list[ProfileSpec] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class Runtime:
    """An inference runtime and the families its own docs say it supports."""

    __pydantic_config__ = _STRICT

    id: str
    name: str
    url: str
    supports: list[Family]
    sources: list[str] = field(default_factory=list)
    notes: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RuntimeFile:
    """data/runtimes.yaml."""

    __pydantic_config__ = _STRICT

    schema_version: Literal[1]
    runtimes: list[Runtime]
