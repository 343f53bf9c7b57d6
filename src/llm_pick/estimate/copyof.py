"""An imported GGUF file and the catalog model it is a copy of (catalog/match.py): the entry
records the file (`runtimes.file`: it runs as it is, in its own format) and, for a copy, the
original's catalog facts where the file is silent (licence, languages, organisation, variant,
benchmarks, capabilities), each named in the entry's sources."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from llm_pick.catalog.gguf import GgufFile
from llm_pick.catalog.types import Model
from llm_pick.estimate.modelfile import FileModel
from llm_pick.estimate.quant import QUANTS

# What `import` marks unknown when the file is silent -> the original's field.
FILLED = ("organization", "license", "languages", "variant")
# Taken from the original when the entry has none.
EXTRA = ("release_date", "hf_repo", "benchmarks", "capabilities", "effective_context")


def bundled_models() -> tuple[Model, ...]:
    """The catalog a file is matched against: the bundled one (and LLM_PICK_CATALOG)."""
    from llm_pick.catalog.load import load_catalog

    return tuple(load_catalog([]))


def original_of(
    file: GgufFile, found: FileModel, name: str, catalog: Iterable[Model] | None = None
) -> Model | None:
    from llm_pick.catalog.match import catalog_match, file_names

    models = bundled_models() if catalog is None else catalog
    return catalog_match(found.model, file_names(name, file.metadata), models)


def link_file(entry: dict[str, Any], path: Path, found: FileModel, original: Model | None) -> None:
    """runtimes.file: the path (absolute), the file's format, the original it copies."""
    quant = found.quant if found.quant in QUANTS else None
    record: dict[str, Any] = {"path": str(path.resolve()), "quant": quant}
    if original is not None:
        record["matches"] = original.id
    entry["runtimes"] = {"file": record}


def fill_from(entry: dict[str, Any], unknown: list[str], original: Model) -> list[str]:
    """The original's facts where the file was silent; what is still unknown."""
    for key in [*(k for k in FILLED if k in unknown), *EXTRA]:
        value = getattr(original, key)
        if key in EXTRA and (key in entry or not value):
            continue
        entry[key] = _plain(value)
    entry["sources"] = [
        *entry["sources"],
        f"catalog entry {original.id}: the file matches it (same architecture, parameter "
        "count within 1%, name); its licence, languages, benchmarks and other facts the file "
        "does not state are the catalog's",
    ]
    return [key for key in unknown if key not in FILLED]


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
