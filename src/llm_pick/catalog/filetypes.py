"""Types of the small data files shipped beside the catalog: weight profiles, runtimes, GPU
and CPU presets. Plain frozen dataclasses validated by pydantic on a cache miss; no I/O."""

from __future__ import annotations

from dataclasses import field
from typing import Any, Literal

from llm_pick.catalog.record import record
from llm_pick.catalog.types import KnownFamily, Variant, check_weights

Backend = Literal["cuda", "rocm", "vulkan", "metal", "cpu"]  # llama.cpp backends

_PLAIN: Any = {"extra": "forbid"}


@record()
class ProfileSpec:
    """One weight profile."""

    __pydantic_config__ = _PLAIN

    name: str
    description: str
    weights: dict[str, float]
    why: str = ""
    variants: list[Variant] = field(default_factory=list)
    """Only these variants are ranked (e.g. chat: no base models), unless --variant is given."""
    ability: Literal["general", "code"] = "general"
    """Which ability the quality criterion reads: the general one, or code (code benchmarks)."""
    specialists: list[Literal["code", "reasoning"]] = field(default_factory=list)
    """Specialised models this profile ranks (code, always-reasoning); others are left out."""

    def __post_init__(self) -> None:
        check_weights(self.weights)


@record()
class ProfileFile:
    """data/profiles.yaml, or a user's profile file."""

    __pydantic_config__ = _PLAIN

    schema_version: Literal[1]
    profiles: list[ProfileSpec] = field(default_factory=list)


@record()
class Runtime:
    """An inference runtime and the families its own docs say it supports."""

    __pydantic_config__ = _PLAIN

    id: str
    name: str
    url: str
    supports: list[KnownFamily]
    sources: list[str] = field(default_factory=list)
    notes: str | None = None


@record()
class RuntimeFile:
    """data/runtimes.yaml."""

    __pydantic_config__ = _PLAIN

    schema_version: Literal[1]
    runtimes: list[Runtime]


@record()
class GpuSource:
    """How a preset's figures were checked against the vendor's datasheet, whitepaper or product
    page: vendor (read and quoted), secondary (a report of the vendor's figure), partial (the vendor
    publishes some of the figures, which match, but no bandwidth: laptop parts), not-verified."""

    __pydantic_config__ = _PLAIN

    checked: Literal["vendor", "secondary", "partial", "not-verified"]
    status: str
    read_at: str
    url: str | None = None
    quote: str | None = None
    via: str | None = None
    vendor_bandwidth_gbs: float | None = None  # the vendor's figure, where read


@record()
class Gpu:
    """A GPU preset: memory, bandwidth, fp16 throughput, each with its source."""

    __pydantic_config__ = _PLAIN

    id: str
    name: str
    vendor: Literal["nvidia", "amd", "apple", "intel"]
    kind: Literal["consumer", "datacenter", "workstation", "apple", "laptop"]
    memory_gib: float
    memory_bandwidth_gbs: float
    fp16_tflops: float | None = None
    fp16_tflops_kind: str | None = None
    usable_memory_fraction: float | None = None
    aliases: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    notes: str | None = None
    backend: Backend = "cuda"
    driver_memory_mib: float | None = None  # total the driver reports (nvidia-smi, rocm-smi)
    source: GpuSource | None = None  # the vendor check of the figures
    gpu_cores: int | None = None  # Apple: GPU cores (the prefill model scales with them)
    sm_count: int | None = None  # NVIDIA: streaming multiprocessors (the CUDA context)
    threads_per_sm: int | None = None  # NVIDIA: resident threads per SM (None: 1536)

    @property
    def usable_gib(self) -> float:
        """What a fit may use: the driver-reported total where sourced (else the marketed
        size), times Metal's working-set share on Apple chips."""
        total = self.driver_memory_mib / 1024 if self.driver_memory_mib else self.memory_gib
        return total * (self.usable_memory_fraction or 1.0)


@record()
class Cpu:
    """A system-memory preset for CPU-only runs and offloaded layers (--cpu NAME)."""

    __pydantic_config__ = _PLAIN

    id: str
    name: str
    channels: int
    mts: int  # transfers per second (millions)
    memory_bandwidth_gbs: float  # theoretical: mts x 8 bytes x channels / 1000
    sources: list[str] = field(default_factory=list)
    notes: str | None = None


@record()
class GpuFile:
    """data/gpus.yaml."""

    __pydantic_config__ = _PLAIN

    schema_version: Literal[1]
    gpus: list[Gpu]
    cpus: list[Cpu] = field(default_factory=list)

    def __post_init__(self) -> None:
        ids = [g.id for g in self.gpus] + [c.id for c in self.cpus]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"preset ids listed more than once: {', '.join(twice)}")
