"""The hardware a query runs against (the record) and its limits. Option values are turned
into it by cli/parse.py; detection is in detect.py. No printing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from llm_pick.catalog.filetypes import Gpu

GIB = 1024**3
# System RAM bandwidth used for layers offloaded to the CPU when --ram-bandwidth is not
# given: dual-channel DDR4-3200 = 2 channels x 8 bytes x 3200 MT/s = 51.2 GB/s (JEDEC).
DEFAULT_RAM_BANDWIDTH_GBS = 51.2
# Limits shared by --vram/--gpus/--ram and detection: larger is a typo or a broken tool.
MAX_GPUS = 64
MAX_GIB = 1024 * 1024  # 1 PiB


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

    @property
    def vram_bytes(self) -> int:
        return int(self.vram_gib * GIB)

    @property
    def headroom_bytes(self) -> int:
        """Per card: --headroom, else max(0.5 GiB, 5% of the card) (docs/methodology.md)."""
        if self.headroom_gib is not None:
            return int(self.headroom_gib * GIB)
        return max(GIB // 2, int(self.vram_bytes * 0.05))

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
            "vram_bytes_total": self.vram_bytes * self.gpus,
            "memory_bandwidth_gbs": self.bandwidth_gbs,
            "fp16_tflops": self.fp16_tflops,
            "ram_gib": self.ram_gib,
            "ram_bandwidth_gbs": self.ram_bandwidth_gbs,
            "headroom_bytes_per_gpu": self.headroom_bytes if self.vram_bytes else 0,
            "ram_headroom_bytes": self.ram_headroom_bytes if self.ram_gib else 0,
            "source": self.source,
        }
