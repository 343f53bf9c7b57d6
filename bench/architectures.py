"""Print the estimator's error on the 2025-26 architecture kinds against published figures.

    python bench/architectures.py

Points: bench/data/architectures.yaml (GGUF file sizes, KV cache and recurrent-state sizes from
llama.cpp logs, mmproj file sizes), each with its source and quote. `fit` points were used
while the formulas were written; `test` points were held aside.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path
from typing import Any

import yaml

from llm_pick.catalog.shapes import Architecture
from llm_pick.estimate.cache import (
    MMPROJ_BYTES_PER_PARAMETER,
    kv_cache_bytes,
    recurrent_state_bytes,
)
from llm_pick.estimate.quant import get_quant
from llm_pick.estimate.weights import weights

DATA = Path(__file__).resolve().parent / "data" / "architectures.yaml"
UNITS = {"bytes": 1.0, "MiB": 2**20, "GiB": 2**30, "GB": 1e9, "MB": 1e6}


class _Shape:
    """Just what the estimators read from a model."""

    def __init__(self, arch: Architecture, family: str = "llama") -> None:
        self.architecture = arch
        self.family = family


def estimate(point: dict[str, Any]) -> float:
    """The estimate in the point's units."""
    unit = UNITS[point["units"]]
    if point["what"] == "mmproj":
        return MMPROJ_BYTES_PER_PARAMETER * point["encoder_parameters"] / unit
    arch = Architecture(**point["architecture"])
    if point["what"] == "file":
        shape: Any = _Shape(arch, point["family"])
        return weights(shape, get_quant(point["quant"])).total / unit
    if point["what"] == "state":
        return recurrent_state_bytes(arch) / unit
    model: Any = _Shape(arch)
    return kv_cache_bytes(model, point["n_ctx"], 1, point.get("kv_dtype", "fp16")) / unit


def rows() -> list[dict[str, Any]]:
    out = []
    for point in yaml.load(DATA.read_text(), Loader=yaml.CSafeLoader):
        value = estimate(point)
        out.append(
            point | {"estimate": value, "error": (value - point["published"]) / point["published"]}
        )
    return out


def main() -> int:
    table = rows()
    print(
        f"{'model':36} {'kind':44} {'what':6} {'published':>14} {'estimate':>14} {'error':>7}  set"
    )
    for r in table:
        unit = r["units"]
        print(
            f"{r['model'][:36]:36} {r['kind'][:44]:44} {r['what']:6} "
            f"{r['published']:>10,.2f} {unit:3} {r['estimate']:>10,.2f} {unit:3} "
            f"{100 * r['error']:>+6.2f}%  {r['set']}"
        )
    for name in ("fit", "test"):
        errors = [abs(r["error"]) for r in table if r["set"] == name]
        print(
            f"{name}: {len(errors)} points, median |error| {100 * statistics.median(errors):.2f}%,"
            f" max {100 * max(errors):.2f}%"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
