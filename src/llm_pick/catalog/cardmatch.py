"""A detected card matched to the preset variant with its real memory: nvidia-smi prints
"NVIDIA A100-SXM4-80GB" or only "NVIDIA A100", Apple's sysctl only "Apple M2 Max", so the name
finds the family (every preset whose id, name or alias is a prefix of the detected name, or the
other way round) and the memory the tool reports picks the variant: the preset's driver total
(nvidia-smi's memory.total, recorded in data/gpus.yaml) within 0.5%, else its marketed GiB
within 3% (drivers report a little less than the marketed size, e.g. 16,380 MiB for 16 GB).
The most specific name wins (the same, then a preset name inside the detected one), then
the closer memory (the driver total over the marketed size). No variant with that memory:
the name's own match (catalog/gpus.py), or none."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from llm_pick.catalog.filetypes import Gpu

MIB = 1024**2
DRIVER_TOLERANCE = 0.005
MARKETED_TOLERANCE = 0.03


def match_card(name: str, memory_bytes: int, gpus: dict[str, Gpu]) -> Gpu | None:
    from llm_pick.catalog.gpus import _norm

    wanted = _norm(name)
    if not wanted:
        return None
    mib = memory_bytes / MIB
    ranked: list[tuple[int, int, int, str]] = []
    for gpu in gpus.values():
        labels = {_norm(label) for label in (gpu.id, gpu.name, *gpu.aliases)} - {""}
        near = [c for c in (_closeness(label, wanted) for label in labels) if c is not None]
        memory = _memory(gpu, mib)
        if near and memory:
            kind, length = max(near)
            ranked.append((kind, memory, length, gpu.id))
    if not ranked:
        return None
    ranked.sort(reverse=True)
    top = ranked[0]
    if len(ranked) > 1 and ranked[1][:3] == top[:3]:
        return None  # two variants equally close: the name's own match decides
    return gpus[top[3]]


def _closeness(label: str, wanted: str) -> tuple[int, int] | None:
    """How a preset label names the detected card: (3, _) the same; (2, length) a prefix of
    it ("a100" in "a100pcie40gb": the longer, the closer); (1, -length) longer than it ("a100"
    for "a10080gb": the shorter, the closer); None: another card."""
    if label == wanted:
        return 3, 0
    if wanted.startswith(label):
        return 2, len(label)
    if label.startswith(wanted):
        return 1, -len(label)
    return None


def _memory(gpu: Gpu, mib: float) -> int:
    """2: the driver total matches; 1: the marketed size matches; 0: neither."""
    if gpu.driver_memory_mib and abs(gpu.driver_memory_mib - mib) <= DRIVER_TOLERANCE * mib:
        return 2
    marketed = gpu.memory_gib * 1024
    return 1 if abs(marketed - mib) <= MARKETED_TOLERANCE * marketed else 0


def memory_note(name: str, memory_bytes: int, preset: Gpu | None) -> tuple[str, ...]:
    """When no preset variant has the card's memory: whose figures are used."""
    gib = memory_bytes / 1024**3
    if preset is None or abs(preset.memory_gib - gib) <= MARKETED_TOLERANCE * gib:
        return ()
    return (
        f"no preset of {name} with {gib:.0f} GiB: the bandwidth of {preset.id} "
        f"({preset.memory_gib:g} GiB) is used, the memory is the card's own",
    )
