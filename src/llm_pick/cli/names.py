"""--family, --license and --exclude checked against the catalog like --variant is: an
unknown value is an error with "did you mean", never a silent no-op or an empty list. An
--exclude may name a model by its Hugging Face repo or Ollama tag (catalog/aliases.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from llm_pick.errors import InputError, UnknownNameError

if TYPE_CHECKING:
    from pathlib import Path


def _known(option: str, values: Iterable[str], valid: Iterable[str]) -> None:
    valid = sorted(set(valid))
    for value in values:
        if value in valid:
            continue
        import difflib  # for the message only

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


def _norm(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def gpu_pick_note(name: str, card: Any) -> str | None:
    """When --gpu NAME did not say the memory (a100, "m2 max"), which preset was taken and
    the other memory variants of that name: said in the first line of output."""
    from llm_pick.catalog.gpus import load_gpus

    wanted = _norm(name)
    size = f"{card.memory_gib:g}"
    if wanted == _norm(card.id) or size in wanted:
        return None
    others = sorted(
        gpu.id
        for gpu in load_gpus().values()
        if gpu.memory_gib != card.memory_gib
        and gpu.kind == card.kind  # a laptop part is another card, not a memory size
        and any(_norm(label).startswith(wanted) for label in (gpu.id, gpu.name, *gpu.aliases))
    )
    if not others and card.vendor != "apple":  # one memory size: nothing to choose
        return None
    also = f"; other memory sizes: {', '.join(others)}" if others else ""
    if card.vendor == "apple":
        also += "; Apple chips are sold with several memory sizes"
    return (
        f"Note: --gpu {name} read as {card.id} ({card.memory_gib:g} GB){also}. Name one, or keep "
        f"--gpu {card.id} and give --vram for another memory size."
    )
