"""GPU and CPU-memory presets (data/gpus.yaml, each figure sourced) and forgiving name
matching."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from llm_pick.catalog.filetypes import Cpu, Gpu, GpuFile
from llm_pick.errors import InputError, UnknownNameError


@cache
def _load() -> tuple[dict[str, Gpu], dict[str, Cpu]]:
    from llm_pick.catalog import datafiles

    found: tuple[dict[str, Gpu], dict[str, Cpu]] = datafiles.bundled(
        "gpus.yaml",
        lambda: GpuFile,
        lambda file: ({g.id: g for g in file.gpus}, {c.id: c for c in file.cpus}),
    )
    return found


def load_gpus() -> dict[str, Gpu]:
    return _load()[0]


@cache
def discrete_bandwidths() -> tuple[tuple[float, float], ...]:
    """(memory GiB, bandwidth GB/s) of each discrete GPU preset (not Apple, not another
    unified-memory chip: those carry a usable_memory_fraction), in file order.
    An installed wheel reads the pairs the build wrote into the small compiled index, without
    parsing the presets (the speed of a card known only by --vram is ranked at their median);
    a checkout loads the presets."""
    from llm_pick.catalog import compiled, datafiles

    found = compiled.summary("gpus.yaml", datafiles.location("gpus.yaml"), DISCRETE)
    if found is None:
        return discrete_of(load_gpus().values())
    return tuple((gib, gbs) for gib, gbs in found)


DISCRETE = "discrete"  # the compiled index's key of those pairs (tools/compile_data.py)


def discrete_of(gpus: Iterable[Gpu]) -> tuple[tuple[float, float], ...]:
    return tuple(
        (g.memory_gib, g.memory_bandwidth_gbs)
        for g in gpus
        if g.vendor != "apple" and g.usable_memory_fraction is None
    )


def load_cpus() -> dict[str, Cpu]:
    return _load()[1]


def find_cpu(name: str) -> Cpu:
    """A CPU-memory preset by id or name (case, spaces and dashes ignored), or a prefix of one."""
    cpus = load_cpus()
    wanted = _norm(name)
    exact = [c.id for c in cpus.values() if wanted in (_norm(c.id), _norm(c.name))]
    found = exact or sorted(c.id for c in cpus.values() if _norm(c.id).startswith(wanted))
    if wanted and len(found) == 1:
        return cpus[found[0]]
    if wanted and len(found) > 1:
        raise InputError(f"--cpu {name!r} is ambiguous: {', '.join(found)}")
    raise UnknownNameError("CPU preset", name, cpus, list_all=True)  # `gpus` lists no CPUs


def _norm(text: str) -> str:
    text = text.lower()
    for word in ("nvidia", "geforce", "amd", "radeon", "apple", "instinct", "tesla"):
        text = text.replace(word, "")
    return "".join(ch for ch in text if ch.isalnum())


_NAMES: list[tuple[dict[str, Gpu], dict[str, set[str]]]] = []  # for the presets last loaded


def _names(gpus: dict[str, Gpu]) -> dict[str, set[str]]:
    """Each normalized id, name and alias -> the presets it names; built once per loaded
    preset file (a run that sizes many cards looks names up often)."""
    if not _NAMES or _NAMES[0][0] is not gpus:
        names: dict[str, set[str]] = {}
        for gpu in gpus.values():
            for label in [gpu.id, gpu.name, *gpu.aliases]:
                names.setdefault(_norm(label), set()).add(gpu.id)
        _NAMES[:] = [(gpus, names)]
    return _NAMES[0][1]


def find_gpu(name: str) -> Gpu:
    """Match an id, a name or an alias, ignoring case, spaces, dashes and vendor words."""
    gpus = load_gpus()
    wanted = _norm(name)
    if not wanted:
        raise InputError("--gpu: give a GPU name, e.g. 4090 or a100-80gb (see llm-pick gpus)")
    names = _names(gpus)
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
