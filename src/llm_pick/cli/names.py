"""--family, --license and --exclude checked against the catalog like --variant is: an
unknown value is an error with "did you mean", never a silent no-op or an empty list. An
--exclude may name a model by its Hugging Face repo or Ollama tag (catalog/aliases.py)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from llm_pick.errors import InputError, UnknownNameError


def _known(option: str, values: Iterable[str], valid: Iterable[str]) -> None:
    valid = sorted(set(valid))
    for value in values:
        if value in valid:
            continue
        near = difflib.get_close_matches(value, valid, n=3, cutoff=0.5)
        hint = f" Did you mean {' or '.join(near)}?" if near else ""
        raise InputError(
            f"{option}: no catalog model has {value!r}.{hint} Known: {', '.join(valid)}"
        )


def checked(wanted: Any, models: Any) -> Any:
    """Constraints with every family, licence and excluded id checked against `models`;
    excluded names are turned into catalog ids."""
    everything = list(models)
    _known("--family", wanted.families, (m.family for m in everything))
    _known("--license", wanted.licenses, (m.license.id.lower() for m in everything))
    exclude = []
    for name in wanted.exclude:
        try:
            exclude.append(models.get(name).id)
        except UnknownNameError as error:
            raise InputError(f"--exclude: {error}") from None
    licences = {m.license.id.lower(): m.license.id for m in everything}
    return wanted._replace(
        exclude=tuple(dict.fromkeys(exclude)),
        licenses=tuple(licences[x] for x in wanted.licenses),
    )


NO_HARDWARE = (
    "Note: no hardware given, so memory is not checked and every model is ranked as if it fit "
    "(the largest models may lead). Give --vram 24GB, --gpu NAME or --vram auto "
    "(`llm-pick hardware` shows what is detected)."
)


def load_checked(catalog: list[Path] | None, query: Any) -> tuple[Any, Any]:
    """The catalog and the query (or bare constraints) with its names checked against it."""
    from llm_pick.catalog.load import load_catalog

    models = load_catalog(catalog or ())
    if hasattr(query, "constraints"):
        if query.hardware is None:  # said first, before the ranking (cli/amounts.py)
            from llm_pick.cli.amounts import PENDING

            PENDING.insert(0, NO_HARDWARE)
        return models, query.replace(constraints=checked(query.constraints, models))
    return models, checked(query, models)
