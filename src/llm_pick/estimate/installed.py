"""The models found on this machine (catalog/stores.py) read as models: each GGUF header read
once (bounded), as a `FileModel` (exact weights, for `local`) and as a catalog entry made the
way `import` makes it (for `recommend --installed`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from llm_pick.catalog.stores import Installed
from llm_pick.catalog.types import Model
from llm_pick.errors import CatalogError
from llm_pick.estimate.modelfile import FileModel


@dataclass(frozen=True)
class Found:
    """One installed file, read: its model (None when unreadable) or why not."""

    file: Installed
    model: FileModel | None
    entry: Model | None
    problem: str | None


def model_id(name: str, taken: set[str]) -> str:
    """A catalog id from the store's name (llama3.2:3b -> llama3.2-3b), unique in `taken`."""
    from llm_pick.catalog.ggufsplit import unsplit_name

    plain = unsplit_name(name.lower()).removesuffix(".gguf")
    base = re.sub(r"[^a-z0-9.]+", "-", plain).strip("-.")[:80]
    base = base or "model"
    chosen, n = base, 2
    while chosen in taken:
        chosen, n = f"{base}-{n}", n + 1
    taken.add(chosen)
    return chosen


def read_installed(files: list[Installed]) -> list[Found]:
    """Each file's header read and checked; a file that cannot be read is kept with its reason
    (one bad file never hides the others)."""
    from llm_pick.catalog.ggufsplit import read_model_gguf
    from llm_pick.estimate.copyof import bundled_models
    from llm_pick.estimate.modelfile import file_model

    taken: set[str] = set()
    out = []
    catalog = bundled_models() if files else ()
    for item in files:
        try:
            header = read_model_gguf(item.path)  # a split file: all its parts
            found = file_model(header)
            entry = _entry(header, found, item, model_id(item.name, taken), catalog)
        except CatalogError as error:
            out.append(Found(item, None, None, str(error).removeprefix(f"{item.path}: ")))
            continue
        out.append(Found(replace(item, quant=found.quant), found, entry, None))
    return out


def _entry(
    header: Any, found: FileModel, item: Installed, new_id: str, catalog: tuple[Model, ...]
) -> Model:
    """The entry `import` would make; a copy of a catalog model takes that model's facts
    where the file is silent (estimate/copyof.py)."""
    from llm_pick.catalog.ggufsplit import unsplit_name
    from llm_pick.catalog.provenance import card_facts
    from llm_pick.catalog.validate import validate_document
    from llm_pick.estimate.copyof import link_file, original_of
    from llm_pick.estimate.importer import finish, gguf_entry

    entry, facts = gguf_entry(header, found, unsplit_name(item.path.name))
    facts = card_facts(item.path.parent) | facts
    entry["id"] = new_id
    entry["sources"] = [f"GGUF header of {item.name} ({item.store})"]
    original = original_of(header, found, unsplit_name(item.path.name), catalog)
    link_file(entry, item.path, found, original)
    entry, _ = finish(entry, facts, {}, item.name, original)
    (model,) = validate_document(item.name, b"", {"schema_version": 1, "models": [entry]})
    return model
