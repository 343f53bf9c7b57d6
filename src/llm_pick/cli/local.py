"""`llm-pick local` (the models on this machine) and `recommend --installed` (rank only
those): the stores are found by catalog/stores.py, each header read once (bounded)."""

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from llm_pick.cli.options import (
    HARDWARE_OPTIONS,
    SIZING_OPTIONS,
    ForceOpt,
    FormatOpt,
    OutputFormat,
    OutputOpt,
    with_estimate_options,
)
from llm_pick.errors import InputError

FoldersArg = Annotated[
    list[Path] | None,
    typer.Argument(
        metavar="[FOLDER]...",
        help="More folders to search for .gguf files (4 levels deep).",
        show_default=False,
    ),
]


def _found(folders: list[Path] | None) -> list[Any]:
    from llm_pick.catalog.stores import scan
    from llm_pick.estimate.installed import read_installed

    for folder in folders or ():
        if not folder.is_dir():
            raise InputError(f"{folder}: not a folder")
    return read_installed(scan(list(folders or ()), os.environ))


def machine(given: dict[str, Any]) -> tuple[Any, Any, list[str]]:
    """The hardware (this machine's, detected, unless an option names it), the sizing, and a
    note when detection found no GPU (then fit and speed are left out)."""
    from llm_pick.cli.parse import hardware, sizing

    options = {name: given[name] for name, _, _ in HARDWARE_OPTIONS}
    sized = sizing(**{name: given[name] for name, _, _ in SIZING_OPTIONS})
    if any(value is not None for value in options.values()):
        return hardware(**options), sized, []
    try:
        return hardware(vram="auto"), sized, []
    except InputError as error:
        return None, sized, [f"Note: no fit or speed: {error}"]


@with_estimate_options
def local_command(
    folders: FoldersArg = None,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    force: ForceOpt = False,
    **estimate: Any,
) -> None:
    """List the models already on this machine (Ollama, LM Studio, the Hugging Face cache,
    llama.cpp's cache, FOLDERs): exact memory from each file, fit on this machine (detected
    unless --vram/--gpu is given), speed, and the command that runs that copy.

    Stores: OLLAMA_MODELS (else ~/.ollama/models and /usr/share/ollama/.ollama/models); LM
    Studio's ~/.lmstudio-home-pointer, ~/.cache/lm-studio or ~/.lmstudio (settings.json
    downloadsFolder); HF_HUB_CACHE, HF_HOME or XDG_CACHE_HOME; LLAMA_CACHE."""
    from llm_pick.cli.output import emit
    from llm_pick.reports.local import local_report

    hardware, sizing, notes = machine(estimate)
    report = local_report(_found(folders), sizing, hardware)
    report.notes.extend(notes)
    emit(report, fmt, output, force=force)


def _folders_first(command: Any) -> None:
    """FOLDERs stay a positional argument (with_options makes every defaulted one an option)."""
    signature = command.__signature__
    params = list(signature.parameters.values())
    first = [p.replace(kind=p.POSITIONAL_OR_KEYWORD) for p in params if p.name == "folders"]
    rest = [p for p in params if p.name != "folders"]
    command.__signature__ = signature.replace(parameters=first + rest)


_folders_first(local_command)


def installed_catalog(wanted: Any) -> tuple[Any, Any]:
    """recommend --installed: a catalog of the installed files (read as `import` reads
    them), and the query with each one's own format and copy."""
    from llm_pick.catalog.load import Catalog
    from llm_pick.estimate.quant import QUANTS

    found = [f for f in _found(None) if f.entry is not None and f.file.quant in QUANTS]
    if not found:
        raise InputError("no installed GGUF model found (`llm-pick local` lists the stores)")
    models = Catalog({f.entry.id: f.entry for f in found}, [])
    copies = {f.entry.id: f.file for f in found}
    return models, wanted.replace(installed=copies, files={f.entry.id: f.model for f in found})
