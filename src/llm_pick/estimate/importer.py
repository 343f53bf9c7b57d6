"""`llm-pick import`: a catalog entry from a GGUF file, a config.json or a model folder.

What the file says is filled in (and its source named): the shapes, and the GGUF `general.*`
keys or the model card's YAML header (catalog/provenance.py); what neither states is marked
unknown (commercial_use: unknown, languages: [und]) unless an option sets it, so the entry
validates and ranks at once. Parameters are exact when counted from tensors
(GGUF, safetensors headers), and computed from the shapes (and said so) otherwise."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from llm_pick.catalog.gguf import GgufFile
from llm_pick.catalog.hfkinds import encoder_of
from llm_pick.catalog.types import Model
from llm_pick.errors import CatalogError
from llm_pick.estimate.modelfile import FileModel
from llm_pick.estimate.tensors import inventory_of


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-.")
    return slug or "model"


def from_gguf(path: Path) -> tuple[dict[str, Any], dict[str, Any], Model | None]:
    """The entry read from a GGUF header (the file recorded: it runs as it is), what the file
    (or a README.md beside it) says about its provenance, and the catalog model it copies."""
    from llm_pick.catalog.ggufsplit import part_path, read_model_gguf, split_count, unsplit_name
    from llm_pick.catalog.provenance import card_facts
    from llm_pick.estimate.copyof import link_file, original_of
    from llm_pick.estimate.modelfile import file_model

    file = read_model_gguf(path)  # a split file: all its parts
    found = file_model(file)
    name = unsplit_name(path.name)
    entry, facts = gguf_entry(file, found, name)
    original = original_of(file, found, name)
    count = split_count(path.name)
    first = part_path(path, 1, count) if count > 1 else path  # llama.cpp opens the first part
    link_file(entry, first, found, original)
    return entry, card_facts(path.parent) | facts, original


def gguf_entry(
    file: GgufFile, found: FileModel, name: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The entry and the provenance facts of a GGUF header already read."""
    from llm_pick.catalog.provenance import gguf_facts

    model = found.model
    arch = {k: v for k, v in found.facts.items() if v is not None}
    meta = file.metadata
    entry: dict[str, Any] = {
        "id": _slug(name.removesuffix(".gguf")),
        "name": model.name,
        "family": model.family,
        "parameters": {
            "total": model.parameters.total,
            "active": model.parameters.active_count,
            "exact": True,
            "source": f"sum of the tensor shapes in {name}"
            + (f" ({file.parts} parts)" if file.parts > 1 else ""),
        },
        "architecture": arch,
        "context_length": model.context_length,
        "sources": [f"GGUF header of {name} ({meta.get('general.architecture')})"],
    }
    return entry, gguf_facts(meta)


def from_config(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    from llm_pick.catalog.hfconfig import read_json
    from llm_pick.catalog.provenance import card_facts

    folder = path if path.is_dir() else path.parent
    config_path = path / "config.json" if path.is_dir() else path
    if not config_path.exists():  # anything else is refused by read_json (a FIFO, a device)
        raise CatalogError(f"{path}: no config.json in this folder")
    config = read_json(config_path)
    shards = sorted(folder.glob("*.safetensors")) if path.is_dir() else []
    name = folder.name if path.is_dir() else config_path.parent.name
    return config_entry(config, str(config_path), name, shards), card_facts(folder)


def config_entry(
    config: Any, where: str, name: str, shards: list[Path] | None = None
) -> dict[str, Any]:
    """The entry from a parsed config.json (`where` names it in messages); the parameters are
    counted from the safetensors headers in `shards`, else computed from the shapes."""
    from llm_pick.catalog.hfconfig import architecture_fields, folder_parameters
    from llm_pick.catalog.limits import problems
    from llm_pick.catalog.shapes import Architecture

    family, fields, context = architecture_fields(config, where)
    try:
        arch = Architecture(**fields)
    except (TypeError, ValueError) as error:
        raise CatalogError(f"{where}: inconsistent values: {error}") from None
    for field, reason in problems(arch)[:1]:  # derived values: head_dim = hidden / heads
        raise CatalogError(f"{where}: {field} (derived from the other keys) {reason}")
    if shards:
        total = folder_parameters(shards)
        source = f"sum of the tensor shapes in the safetensors headers ({len(shards)} file(s))"
        exact = True
    else:
        total = inventory_of(arch, family).parameters
        source = "computed by llm-pick from the config.json shapes (no safetensors headers read)"
        exact = False
    share = (arch.experts_per_token or 1) / (arch.experts or 1)
    inv = inventory_of(arch, family)
    experts = sum(inv.elements(m) for m in inv.matrices if m.routed)
    return {
        "id": _slug(name),
        "name": name,
        "family": family,
        "parameters": {
            "total": total,
            "active": total - experts + round(experts * share),
            "exact": exact,
            "source": source,
        },
        "architecture": fields,
        "context_length": context,
        "sources": [f"config.json of {name}"],
    } | ({"encoder": encoder} if (encoder := encoder_of(config)) else {})


def hub_entry(ref: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """hf:ORG/REPO[:QUANT]: the GGUF header of the chosen file (range requests), else the
    config.json; the model card's YAML header when the repository has a README.md."""
    from llm_pick.catalog import hub
    from llm_pick.catalog.ggufsplit import unsplit_name
    from llm_pick.catalog.provenance import card_header
    from llm_pick.estimate.modelfile import file_model

    repo, quant = hub.parse(ref)
    client = hub.Hub()
    files = client.files(repo)
    card = card_header(client.text(repo, "README.md")) if "README.md" in files else {}
    if quant is not None or any(f.lower().endswith(".gguf") for f in files):
        name = hub.choose_gguf(repo, files, quant)
        file = hub.hub_gguf(client, repo, files, name)  # a split file: all its parts
        entry, facts = gguf_entry(file, file_model(file), unsplit_name(name.split("/")[-1]))
        entry["sources"] = [f"GGUF header of hf:{repo}/{name} (read by HTTP range requests)"]
    elif "config.json" in files:
        config = client.json(repo, "config.json")
        entry, facts = config_entry(config, f"hf:{repo}/config.json", repo.split("/")[1]), {}
        entry["sources"] = [f"config.json of hf:{repo}"]
    else:
        raise CatalogError(f"hf:{repo}: neither a GGUF file nor a config.json in the repository")
    entry["hf_repo"] = repo
    return entry, card | facts


def import_entry(path: Path, given: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The entry for `path` with the options in `given` applied, and the fields the file did
    not state and no option set (marked unknown)."""
    if str(path).startswith("hf:"):
        return finish(*hub_entry(str(path)), given, str(path))
    if not path.exists():
        raise CatalogError(f"{path}: no such file or folder")
    original = None
    if path.is_file() and path.name.lower().endswith(".gguf"):
        entry, facts, original = from_gguf(path)
    elif path.is_dir() or path.name == "config.json" or path.suffix == ".json":
        entry, facts = from_config(path)
    else:
        raise CatalogError(f"{path}: give a .gguf file, a config.json or a model folder")
    return finish(entry, facts, given, str(path), original)


def finish(
    entry: dict[str, Any],
    facts: dict[str, Any],
    given: dict[str, Any],
    source: str,
    original: Model | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Fill in what the file states, then what the catalog model it copies says, then the
    options; the result is checked as `catalog validate` checks it (one CatalogError naming
    the field)."""
    from llm_pick.catalog.provenance import apply

    _validate(entry, source)
    unknown = apply(entry, facts)
    if original is not None:
        from llm_pick.estimate.copyof import fill_from

        unknown = fill_from(entry, unknown, original)
    said = entry.pop("notes", None)
    name = source.rsplit("/", 1)[-1]
    entry["notes"] = f"Imported by llm-pick import from {name}; check every field." + (
        f" The file states: {said}." if said else ""
    )
    for key, value in given.items():
        if value is not None:
            entry[key] = value
    unknown = [key for key in unknown if given.get(key) is None]
    _validate(entry, source, stand_ins=False)
    return entry, unknown


# Stand-ins for what the user fills in, so that only the values read from the file are judged.
_STAND_INS = {
    "organization": "-",
    "variant": "base",
    "languages": ["en"],
    "license": {"id": "-", "name": "-", "url": "-", "commercial_use": "allowed"},
}


def _validate(entry: dict[str, Any], source: str, stand_ins: bool = True) -> None:
    """The values read from the file, checked as `catalog validate` checks an entry: one
    CatalogError naming the first field it would refuse."""
    from llm_pick.catalog.validate import validate_document

    trial = {**entry, **_STAND_INS} if stand_ins else entry
    try:
        validate_document(source, b"", {"schema_version": 1, "models": [trial]})
    except CatalogError as error:
        first = (error.problems or [str(error)])[0].removeprefix(f"{source}: ")
        raise CatalogError(
            f"{source}: the entry read from it would not pass `catalog validate`: "
            f"{first.removeprefix('models[0].')}"
        ) from None


ORDER = [
    "id",
    "name",
    "family",
    "organization",
    "release_date",
    "variant",
    "base_model",
    "hf_repo",
    "parameters",
    "architecture",
    "context_length",
    "license",
    "languages",
    "benchmarks",
    "sources",
    "notes",
    "runtimes",
    "capabilities",
    "encoder",
]


def ordered(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: entry[key] for key in ORDER if key in entry}
