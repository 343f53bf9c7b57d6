"""Print the CUDA-context allowance's error against context sizes measured on real cards.

    python bench/cuda_context.py

Points: bench/data/cuda_contexts.yaml (each with its source and quote). The allowance is
estimate/cudactx.py's context_mib: a line in resident thread slots (SMs x threads per SM)
through the two `fit` points; the `test` points were held aside.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path
from typing import Any

import yaml

from llm_pick.estimate.cudactx import context_mib

DATA = Path(__file__).resolve().parent / "data" / "cuda_contexts.yaml"


def rows() -> list[dict[str, Any]]:
    out = []
    for point in yaml.load(DATA.read_text(), Loader=yaml.CSafeLoader):
        estimate = context_mib(point["sms"], point["threads"])
        out.append(
            point | {"estimate": estimate, "error": (estimate - point["mib"]) / point["mib"]}
        )
    return out


def main() -> int:
    table = rows()
    print(f"{'card':52} {'SMs':>4} {'thr':>5} {'MiB':>5} {'est':>6} {'error':>7}  set")
    for r in table:
        print(
            f"{r['card'][:52]:52} {r['sms']:>4} {r['threads']:>5} {r['mib']:>5} "
            f"{r['estimate']:>6.0f} {100 * r['error']:>+6.1f}%  {r['set']}"
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
