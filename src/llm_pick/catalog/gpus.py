"""GPU presets (data/gpus.yaml, each figure sourced) and forgiving name matching."""

from __future__ import annotations

from functools import cache

from llm_pick.catalog.types import Gpu, GpuFile
from llm_pick.errors import InputError, UnknownNameError


@cache
def load_gpus() -> dict[str, Gpu]:
    from llm_pick.catalog import datafiles

    gpus: dict[str, Gpu] = datafiles.load(
        datafiles.path("gpus.yaml"), lambda: GpuFile, lambda file: {g.id: g for g in file.gpus}
    )
    return gpus


def _norm(text: str) -> str:
    text = text.lower()
    for word in ("nvidia", "geforce", "amd", "radeon", "apple", "instinct", "tesla"):
        text = text.replace(word, "")
    return "".join(ch for ch in text if ch.isalnum())


def find_gpu(name: str) -> Gpu:
    """Match an id, a name or an alias, ignoring case, spaces, dashes and vendor words."""
    gpus = load_gpus()
    wanted = _norm(name)
    if not wanted:
        raise InputError("--gpu: give a GPU name, e.g. 4090 or a100-80gb (see llm-pick gpus)")
    names: dict[str, set[str]] = {}
    for gpu in gpus.values():
        for label in [gpu.id, gpu.name, *gpu.aliases]:
            names.setdefault(_norm(label), set()).add(gpu.id)
    if wanted in names and len(names[wanted]) == 1:
        return gpus[next(iter(names[wanted]))]
    candidates = sorted(
        {i for label, ids in names.items() if label.startswith(wanted) for i in ids}
    )
    if len(candidates) == 1:
        return gpus[candidates[0]]
    if len(candidates) > 1:
        raise InputError(f"--gpu {name!r} is ambiguous: {', '.join(candidates)}")
    raise UnknownNameError("GPU", name, gpus)
