"""The per-thread cost each CPU-only decode row implies, beside the fitted constant.

    python bench/cpu_threads.py

A CPU step is modelled as a bandwidth part plus bytes x PER_BYTE_THREAD[path] / threads plus
the threads' barriers, layers x threads x CPU_SYNC (src/llm_pick/estimate/cpucost.py). For a
measured row the per-thread cost that would make the estimate exact is (measured seconds -
bandwidth part - barriers) x threads / bytes. Rows whose bandwidth part and barriers are most
of the measured step set that cost poorly (a small difference of two large numbers): the
`floor` column is the share of the measured step those two explain.
Issue 20 (cpu20h): this is how the held-out EPYC rows were compared with the fit rows; the
figures are a diagnosis, not a fit.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
import speed as bench

from llm_pick.estimate import speed

LOOSE = 0.8  # a bandwidth floor above this share of the step leaves the thread cost unsettled


class Implied(NamedTuple):
    point: bench.Point
    floor: float  # bandwidth part / measured step seconds
    cost: float  # implied seconds per byte x thread


def implied(p: bench.Point) -> Implied:
    """The per-thread cost that makes the model's step equal the measured one."""
    modelled = bench.decode_step(p)
    assert modelled is not None
    path = speed.thread_path(p.family, p.kernel)
    rest = modelled - p.read_bytes * speed.PER_BYTE_THREAD[path] / p.threads  # barriers stay in
    measured = 1 / p.measured
    return Implied(p, rest / measured, (measured - rest) * p.threads / p.read_bytes)


def cpu_rows(points: list[bench.Point]) -> list[Implied]:
    chosen = [p for p in points if p.backend == "cpu" and p.kind == "decode"]
    return [implied(p) for p in chosen]


def main() -> int:
    print(f"{'set':4} {'row':62} {'family':8} {'t':>3} {'floor':>6} {'ps/B x t':>9}")
    for row in cpu_rows(bench.load_points()):
        p = row.point
        flag = " (floor-bound)" if row.floor > LOOSE else ""
        print(
            f"{p.set:4} {p.id[:62]:62} {p.family:8} {p.threads:3d} {row.floor:6.0%} "
            f"{row.cost * 1e12:9.1f}{flag}"
        )
    for kernel, value in speed.PER_BYTE_THREAD.items():
        print(f"fitted PER_BYTE_THREAD[{kernel}] = {value * 1e12:.1f} ps/byte x thread")
    print(f"fitted CPU_SYNC = {speed.CPU_SYNC * 1e6:.2f} us/layer x thread")
    return 0


if __name__ == "__main__":
    sys.exit(main())
