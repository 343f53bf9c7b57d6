"""Which presets have HBM memory (the speed model's HBM term, docs/methodology.md "Speed").

A decode step at batch 1 is a chain of matrix-vector products: each keeps a bounded number of
reads in flight, and HBM's wide, higher-latency interface needs more in flight than GDDR to
reach its peak (Little's law), so llama.cpp reaches a smaller share of an A100's or H100's
bandwidth than of an RTX card's (bench/data: A100 80 GB 8B F16 at 53 tok/s, 40% of 2,039 GB/s;
RTX 4090 at 55 tok/s, 82% of 1,008 GB/s). The memory type of each preset is in its
data/gpus.yaml sources (vendor datasheets: "80GB HBM2e", "HBM3", ...).
"""

from __future__ import annotations

from llm_pick.catalog.filetypes import Gpu

# Preset ids whose memory is HBM (each preset's sources in data/gpus.yaml name it).
HBM_PRESETS = frozenset(
    {
        "a100-40gb",  # HBM2
        "a100-80gb-sxm",  # HBM2e
        "a100-80gb-pcie",  # HBM2e
        "h100-sxm",  # HBM3
        "h100-pcie",  # HBM2e
        "h200",  # HBM3e
        "mi210",  # HBM2e
        "mi250",  # HBM2e
        "mi300x",  # HBM3
        "h100-nvl",  # HBM3
        "mi325x",  # HBM3E
        "mi355x",  # HBM3E
    }
)


def is_hbm(gpu: Gpu | None) -> bool:
    """True for a preset with HBM memory; False for GDDR, unified memory or no preset."""
    return gpu is not None and gpu.id in HBM_PRESETS
