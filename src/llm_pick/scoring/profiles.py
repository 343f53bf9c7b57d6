"""Weight profiles (data/profiles.yaml, or a user's file) and --weight overrides."""

from __future__ import annotations

from functools import cache
from typing import Any

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.errors import InputError, UnknownNameError
from llm_pick.scoring.criteria import parse_weight, weights_of


class Profile(NamedTuple):
    name: str
    description: str
    weights: dict[str, float]
    why: str = ""
    variants: tuple[str, ...] = ()  # only these variants unless --variant says otherwise
    ability: str = "general"  # the quality criterion's ability: general or code
    specialists: tuple[str, ...] = ()  # specialised models ranked (code, reasoning)


def _profiles(file: Any) -> dict[str, Profile]:
    return {
        p.name: Profile(
            p.name,
            p.description,
            dict(p.weights),
            p.why,
            tuple(p.variants),
            p.ability,
            tuple(p.specialists),
        )
        for p in file.profiles
    }


def _profile_file() -> type:
    from llm_pick.catalog.filetypes import ProfileFile

    return ProfileFile


@cache
def load_profiles() -> dict[str, Profile]:
    from llm_pick.catalog import datafiles

    return datafiles.bundled("profiles.yaml", _profile_file, _profiles)  # type: ignore[no-any-return]


def get_profile(name_or_file: str) -> Profile:
    """A bundled profile by name, or the single profile in a user's YAML/JSON file."""
    profiles = load_profiles()
    if name_or_file in profiles:
        return profiles[name_or_file]
    from pathlib import Path

    candidate = Path(name_or_file)
    if candidate.suffix.lower() in (".yaml", ".yml", ".json") or candidate.exists():
        from llm_pick.catalog import datafiles

        found: dict[str, Profile] = datafiles.user_file(candidate, _profile_file, _profiles)
        if len(found) != 1:
            raise InputError(f"--profile {name_or_file}: the file must hold exactly one profile")
        return next(iter(found.values()))
    raise UnknownNameError("profile", name_or_file, profiles, list_all=True)


def resolve_weights(profile: Profile, overrides: list[str] | None) -> dict[str, float]:
    weights = dict(profile.weights)
    for text in overrides or ():
        name, value = parse_weight(text)
        weights[name] = value
    return weights_of(weights, "--weight")
