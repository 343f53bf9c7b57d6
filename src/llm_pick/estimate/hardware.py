"""The hardware a query runs against: the record, and its constructors (a GPU preset, plain
GPU memory, detection, CPU only; then RAM for offload and the memory kept free), each value
checked with the CLI's messages. Detection itself is in detect.py. No printing."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.errors import InputError
from llm_pick.estimate import limits
from llm_pick.estimate.limits import GIB, MAX_BANDWIDTH_GBS, MAX_GIB, MAX_GPUS
from llm_pick.estimate.splitmode import LAYER

if TYPE_CHECKING:
    from llm_pick.catalog.filetypes import Gpu
    from llm_pick.estimate.calibration import Calibration

__all__ = ["GIB", "MAX_GIB", "MAX_GPUS", "Hardware"]
MAX_THREADS = 1024  # --threads: no CPU llama.cpp runs on has more

# System RAM bandwidth used for layers offloaded to the CPU when --ram-bandwidth is not
# given: dual-channel DDR4-3200 = 2 channels x 8 bytes x 3200 MT/s = 51.2 GB/s (JEDEC).
DEFAULT_RAM_BANDWIDTH_GBS = 51.2


def default_headroom(card_bytes: int) -> int:
    """Memory kept free on a card: 5% of it, at least 0.5 GiB and at most 1 GiB. The cap is
    llama.cpp's own margin: its automatic fitting, on by default in llama-server, keeps
    1024 MiB free per device (`-fitt, --fit-target MiB ... default: 1024`, llama.cpp issue
    #18390); the driver's, cuBLAS's and a compositor's shares do not grow with the card."""
    return min(GIB, max(GIB // 2, int(card_bytes * 0.05)))


class Hardware(NamedTuple):
    """What a query runs on. Memory is GiB per card; bandwidth is GB/s (10^9 bytes/s)."""

    label: str
    vram_gib: float  # usable per card
    gpus: int = 1
    bandwidth_gbs: float | None = None
    fp16_tflops: float | None = None
    ram_gib: float = 0.0
    ram_bandwidth_gbs: float = DEFAULT_RAM_BANDWIDTH_GBS
    gpu: Gpu | None = None
    source: str = "--vram"
    headroom_gib: float | None = None  # kept free per card; None: default_headroom()
    calibration: Calibration | None = None  # the user's own runs (estimate/calibration.py)
    mixed: tuple[Gpu, ...] = ()  # cards of different kinds, in llama.cpp's device order
    threads: int | None = None  # CPU threads (--threads); None: speed.DEFAULT_CPU_THREADS

    def __repr__(self) -> str:
        return f"Hardware({self.label!r}, {self.vram_gib:g} GiB per card, source {self.source!r})"

    @classmethod
    def from_gpu(cls, name: str, count: int = 1, vram_gib: float | None = None) -> Hardware:
        """`count` cards of a preset from data/gpus.yaml (`llm-pick gpus`), e.g. "4090";
        `vram_gib`: its usable memory when not the preset's (e.g. an Apple chip whose GPU
        limit was raised with `sysctl iogpu.wired_limit_mb`)."""
        from llm_pick.catalog.gpus import find_gpu

        cards = limits.count("--gpus", count, MAX_GPUS)
        card = find_gpu(name)
        memory, source = card.usable_gib, f"--gpu {card.id} (data/gpus.yaml)"
        if vram_gib is not None:
            memory = limits.finite("--vram", vram_gib, maximum=MAX_GIB) or 0.0
            source += f", --vram {memory:g} GiB usable"
        return cls(
            label=card.name if cards == 1 else f"{cards} x {card.name}",
            vram_gib=memory,
            gpus=cards,
            gpu=card,
            bandwidth_gbs=card.memory_bandwidth_gbs,
            fp16_tflops=card.fp16_tflops,
            source=source,
        )

    @classmethod
    def from_gpus(cls, names: list[str]) -> Hardware:
        """One card per name (`--gpu rtx-3090 --gpu rtx-3060-12gb`); cards of one kind are
        `from_gpu(name, count)`, different kinds a mixed set (estimate/fit.py mixed_fit)."""
        from llm_pick.catalog.gpus import find_gpu

        limits.count("--gpu", len(names), MAX_GPUS)
        cards = tuple(find_gpu(name) for name in names)
        if len({card.id for card in cards}) == 1:
            return cls.from_gpu(names[0], len(cards))
        if len({card.backend for card in cards}) > 1:
            kinds = ", ".join(sorted({card.backend for card in cards}))
            raise InputError(f"--gpu: cards of different backends ({kinds}) in one run")
        ids = " ".join(f"--gpu {card.id}" for card in cards)
        first = cards[0]
        return cls(
            label=" + ".join(card.name for card in cards),
            vram_gib=min(card.usable_gib for card in cards),
            gpus=len(cards),
            gpu=first,
            bandwidth_gbs=first.memory_bandwidth_gbs,
            fp16_tflops=first.fp16_tflops,
            source=f"{ids} (data/gpus.yaml)",
            mixed=cards,
        )

    @classmethod
    def _mixed_presets(cls, cards: list[Any]) -> Hardware | None:
        """Detected cards of different kinds as a mixed set, when each has a preset (the
        variant with the card's memory: estimate/detect.py preset_of)."""
        from llm_pick.errors import LlmPickError
        from llm_pick.estimate.detect import preset_of

        ids = [preset.id for card in cards if (preset := preset_of(card)) is not None]
        if len(ids) < len(cards):
            return None
        try:
            return cls.from_gpus(ids)
        except LlmPickError:
            return None

    def card_headroom_bytes(self, card: Gpu) -> int:
        """Memory kept free on one card of a mixed set (as headroom_bytes)."""
        if self.headroom_gib is not None:
            return int(self.headroom_gib * GIB)
        return default_headroom(int(card.usable_gib * GIB))

    @classmethod
    def from_vram(cls, gib: float, count: int = 1) -> Hardware:
        """`count` cards with `gib` GiB usable each, of no known kind (speed: a typical card
        of that memory, estimate/advice.py)."""
        cards = limits.count("--gpus", count, MAX_GPUS)
        memory = limits.finite("--vram", gib, maximum=MAX_GIB) or 0.0
        label = f"{memory:g} GiB GPU" if cards == 1 else f"{cards} GPUs x {memory:g} GiB"
        return cls(label=label, vram_gib=memory, gpus=cards, source="--vram")

    @classmethod
    def detect(cls, count: int | None = None) -> Hardware:
        """The GPUs nvidia-smi, rocm-smi or Apple's sysctl report (`count`: use that many of
        them); usable memory per card is the smallest card's."""
        from llm_pick.estimate.detect import detect_gpus

        cards = None if count is None else limits.count("--gpus", count, MAX_GPUS)
        found = detect_gpus()
        used = cards or len(found.cards)
        if cards is None and len({card.name for card in found.cards}) > 1:
            mixed = cls._mixed_presets(list(found.cards))
            if mixed is not None:  # cards of different kinds: a per-card split
                return mixed._replace(source=f"{found.tool} (mixed cards, data/gpus.yaml)")
        preset = found.gpu
        return cls(
            label=f"{used} x {found.name}" if used > 1 else found.name,
            vram_gib=found.usable_gib,
            gpus=used,
            gpu=preset,
            bandwidth_gbs=preset.memory_bandwidth_gbs if preset else None,
            fp16_tflops=preset.fp16_tflops if preset else None,
            source=found.tool,
        )

    @classmethod
    def cpu_only(
        cls, ram_gib: float, bandwidth_gbs: float | None = None, cpu: str | None = None
    ) -> Hardware:
        """No GPU: the model runs from `ram_gib` of system RAM (see `with_ram`)."""
        if not ram_gib:
            raise InputError("--vram 0 (CPU only) needs --ram GiB: the model runs from RAM")
        return cls(label="", vram_gib=0.0, source="--vram 0").with_ram(ram_gib, bandwidth_gbs, cpu)

    def on_cpu(self) -> Hardware:
        """The same machine with its cards left out: its RAM only (a CPU-only runtime)."""
        return self._replace(
            vram_gib=0.0, gpus=1, gpu=None, bandwidth_gbs=None, fp16_tflops=None, mixed=()
        )

    def with_ram(
        self, gib: float, bandwidth_gbs: float | None = None, cpu: str | None = None
    ) -> Hardware:
        """System RAM for layers offloaded to the CPU; its bandwidth in GB/s, or a CPU
        memory preset's (`llm-pick gpus`), else dual-channel DDR4-3200."""
        ram = limits.finite("--ram", gib, maximum=MAX_GIB, allow_zero=True) or 0.0
        speed = limits.finite("--ram-bandwidth", bandwidth_gbs, maximum=MAX_BANDWIDTH_GBS)
        if cpu is not None:
            from llm_pick.catalog.gpus import find_cpu

            if bandwidth_gbs is not None:
                raise InputError("--cpu and --ram-bandwidth conflict: --cpu sets the bandwidth")
            speed = find_cpu(cpu).memory_bandwidth_gbs
        label = f"CPU only, {ram:g} GiB RAM" if not self.vram_gib else self.label
        return self._replace(
            label=label, ram_gib=ram, ram_bandwidth_gbs=speed or DEFAULT_RAM_BANDWIDTH_GBS
        )

    def with_bandwidth(self, gbs: float | None) -> Hardware:
        """Each GPU's memory bandwidth in GB/s, replacing the preset's (None: unchanged)."""
        speed = limits.finite("--bandwidth", gbs, maximum=MAX_BANDWIDTH_GBS)
        if speed is None:
            return self
        return self._replace(
            bandwidth_gbs=speed, source=f"{self.source}, --bandwidth {speed:g} GB/s"
        )

    def with_threads(self, threads: int | None) -> Hardware:
        """CPU threads for a CPU-only run or layers in RAM (llama.cpp -t; None: unchanged)."""
        if threads is None:
            return self
        return self._replace(threads=limits.count("--threads", threads, MAX_THREADS))

    def with_headroom(self, gib: float | None) -> Hardware:
        """Memory kept free per card (None: max(0.5 GiB, 5% of the card))."""
        spare = limits.finite("--headroom", gib, maximum=MAX_GIB, allow_zero=True)
        if spare is not None and self.source == "--vram" and spare >= self.vram_gib:
            raise InputError(f"--headroom {spare:g} GiB leaves nothing of --vram {self.vram_gib:g}")
        return self._replace(headroom_gib=spare)

    @property
    def vram_bytes(self) -> int:
        return int(self.vram_gib * GIB)

    @property
    def headroom_bytes(self) -> int:
        """Per card: --headroom, else default_headroom (docs/methodology.md)."""
        if self.headroom_gib is not None:
            return int(self.headroom_gib * GIB)
        return default_headroom(self.vram_bytes)

    @property
    def ram_headroom_bytes(self) -> int:
        """System RAM left to the OS and other programs: max(1 GiB, 10%)."""
        return max(GIB, int(self.ram_gib * GIB * 0.10))

    def describe(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "gpu": self.gpu.id if self.gpu else None,
            "gpus": self.gpus,
            "vram_gib_per_gpu": self.vram_gib,
            "vram_bytes_total": sum(int(c.usable_gib * GIB) for c in self.mixed)
            if self.mixed
            else self.vram_bytes * self.gpus,
            "memory_bandwidth_gbs": self.bandwidth_gbs,
            "fp16_tflops": self.fp16_tflops,
            "ram_gib": self.ram_gib,
            "ram_bandwidth_gbs": self.ram_bandwidth_gbs,
            "headroom_bytes_per_gpu": self.headroom_bytes if self.vram_bytes else 0,
            "ram_headroom_bytes": self.ram_headroom_bytes if self.ram_gib else 0,
            "source": self.source,
        } | self._extras()

    def _extras(self) -> dict[str, Any]:
        """--threads when given; with several GPUs, the split the estimates assume (layer:
        estimate/splitmode.py); a unified-memory preset's share for the GPU."""
        several = self.gpus > 1 or bool(self.mixed)
        return (
            ({"cpu_threads": self.threads} if self.threads else {})
            | ({"split_mode": LAYER} if several else {})
            | self._unified()
        )

    def _unified(self) -> dict[str, Any]:
        """On a unified-memory preset (Apple, DGX Spark, Ryzen AI Max) sized by its own share
        (no --vram), the share of the chip's memory the GPU is given and its source line in
        data/gpus.yaml: vram_gib_per_gpu alone does not say that 101 GiB is 0.83 of 128 GB."""
        card = self.gpu
        if card is None or self.mixed or not card.usable_memory_fraction or "--vram" in self.source:
            return {}
        total = card.driver_memory_mib / 1024 if card.driver_memory_mib else card.memory_gib
        return {"unified_memory": _share(card, total, self.vram_gib)}


def _share(card: Gpu, total: float, usable: float) -> dict[str, Any]:
    """The share's record: its source lines (the driver's total and the fraction), else the
    preset notes' sentences about it."""
    words = ("fraction", "driver memory", "usable share")
    lines, sep = [s for s in card.sources if any(w in s.lower() for w in words)], "; "
    if not lines:
        sentences = re.split(r"(?<=\.) ", card.notes or "")
        lines, sep = [s for s in sentences if any(w in s.lower() for w in words)], " "
    return {
        "total_gib": round(total, 2),
        "gpu_share": card.usable_memory_fraction,
        "gpu_gib": round(usable, 2),
        "basis": sep.join(lines) or None,
        "override": "pass --vram GiB with the GPU's real limit (e.g. after raising it)",
    }
