"""Weight profiles (data/profiles.yaml, or a user's file) and --weight overrides."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from .errors import InputError, UnknownNameError
from .scoring import CRITERIA, parse_weight

_STRICT = {"extra": "forbid"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Profile:
    __pydantic_config__ = _STRICT  # type: ignore[assignment]

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
    __pydantic_config__ = _STRICT  # type: ignore[assignment]

    schema_version: Literal[1]
    profiles: list[Profile] = field(default_factory=list)


@cache
def load_profiles() -> dict[str, Profile]:
    from . import datafiles

    data: ProfileFile = datafiles.load(datafiles.path("profiles.yaml"), ProfileFile)
    return {p.name: p for p in data.profiles}


def get_profile(name_or_file: str) -> Profile:
    """A bundled profile by name, or the single profile in a user's YAML/JSON file."""
    profiles = load_profiles()
    if name_or_file in profiles:
        return profiles[name_or_file]
    candidate = Path(name_or_file)
    if candidate.suffix.lower() in (".yaml", ".yml", ".json") or candidate.exists():
        from . import datafiles

        data: ProfileFile = datafiles.load(candidate, ProfileFile, use_cache=False)
        if len(data.profiles) != 1:
            raise InputError(f"--profile {name_or_file}: the file must hold exactly one profile")
        return data.profiles[0]
    raise UnknownNameError("profile", name_or_file, profiles, list_all=True)


def resolve_weights(profile: Profile, overrides: list[str] | None) -> dict[str, float]:
    weights = {name: profile.weights.get(name, 0.0) for name in CRITERIA}
    for text in overrides or ():
        name, value = parse_weight(text)
        weights[name] = value
    if sum(weights.values()) <= 0:
        raise InputError("every criterion weight is 0: give at least one a positive weight")
    return weights
