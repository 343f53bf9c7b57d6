"""Print the compute-buffer estimate's error against buffer sizes printed in llama.cpp logs.

    python bench/buffers.py

Points: bench/data/compute_buffers.yaml (each with its source and the log line). The estimate
is estimate/memory.py's compute_buffer_bytes (no fitted constant: the sizes of the tensors live
at once for a 512-token micro-batch). The `fit` points are the ones the formula was checked on
while it was written; the `test` points were held aside.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path
from typing import Any

import yaml

from llm_pick.catalog.load import load_catalog
from llm_pick.catalog.shapes import Architecture
from llm_pick.estimate.memory import compute_buffer_bytes

DATA = Path(__file__).resolve().parent / "data" / "compute_buffers.yaml"
MIB = 2**20


class _Shape:
    """Just what compute_buffer_bytes reads from a model."""

    def __init__(self, arch: Architecture) -> None:
        self.architecture = arch


def rows() -> list[dict[str, Any]]:
    catalog = load_catalog(use_env=False)
    out = []
    for point in yaml.safe_load(DATA.read_text()):
        if "architecture" in point:
            model: Any = _Shape(Architecture(**point["architecture"]))
        else:
            model = catalog.get(point["model"])
        estimate = compute_buffer_bytes(model, point["n_ctx"], 1, point["flash_attn"]) / MIB
        error = (estimate - point["mib"]) / point["mib"]
        out.append(point | {"estimate": estimate, "error": error})
    return out


def main() -> int:
    table = rows()
    print(f"{'model':38} {'n_ctx':>6} {'FA':>3} {'log MiB':>8} {'est MiB':>8} {'error':>7}  set")
    for r in table:
        fa = "on" if r["flash_attn"] else "off"
        print(
            f"{r['model'][:38]:38} {r['n_ctx']:>6} {fa:>3} {r['mib']:>8.1f} "
            f"{r['estimate']:>8.1f} {100 * r['error']:>+6.1f}%  {r['set']}"
        )
    for name in ("fit", "test"):
        errors = [abs(r["error"]) for r in table if r["set"] == name]
        print(
            f"{name}: {len(errors)} points, median |error| {100 * statistics.median(errors):.1f}%,"
            f" max {100 * max(errors):.1f}%"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
