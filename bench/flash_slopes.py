"""Attention with flash attention, read from the slope of a depth sweep (issue 19 section 4).

    python bench/flash_slopes.py

A llama-bench depth sweep (ppN@dD on one card, one build, D rising) holds the weights' work per
token fixed and adds only attention: per prompt token, seconds = a + s x F, where F is the
attention FLOPs at the token's mean position (estimate/speedkinds.py `prompt_work`). The slope s
times the card's FP16 FLOPS is the inverse efficiency of attention with flash attention on, the
quantity FLASH_INVERSE_EFFICIENCY stands for, free of the weights' term (whose level depends on
the build's matmul kernels). Rows: bench/data/speed_points_flash19j.yaml (speed.py's format; each
row's set follows bench/prefill_rows.py `split_of`). Physics: a slope below 1 / FP16 FLOPS would
beat the card's peak, so an implied constant under 1 is flagged.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NamedTuple

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import speed as bench

from llm_pick.estimate import speedkinds

DATA = bench.FLASH19J


class Slope(NamedTuple):
    set: str
    rows: int
    implied: float  # seconds per attention FLOP x FP16 FLOPS: the sweep's inverse efficiency
    level: float  # the package's estimate / measured - 1 at the shallowest row


def sweeps(path: Path = DATA) -> dict[str, list[Any]]:
    """Flash-attention CUDA prefill points of the file, by the sweep they belong to."""
    raws = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)["points"]
    names = {raw["id"]: str(raw.get("sweep", raw["id"])) for raw in raws}
    found: dict[str, list[Any]] = {}
    for point in bench.load_points((path,)):
        if point.kind == "prefill" and point.flash and point.backend == "cuda":
            found.setdefault(names[point.id], []).append(point)
    return found


def slope(points: list[Any]) -> Slope:
    """Least squares of seconds per token on attention FLOPs per token within one sweep."""
    xs = [p.flash for p in points]
    ys = [1 / p.measured for p in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    s = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mean_x) ** 2 for x in xs
    )
    first = min(points, key=lambda p: p.flash)
    estimated = bench.estimated(first)
    level = estimated / first.measured - 1 if estimated else float("nan")
    return Slope(first.set, len(points), s * first.tflops * 1e12, level)


def main() -> int:
    package = speedkinds.FLASH_INVERSE_EFFICIENCY["cuda"]
    print(f"FLASH_INVERSE_EFFICIENCY[cuda] in the package: {package:.2f}")
    print(f"{'sweep':64} {'set':5} {'rows':>4} {'implied':>8} {'level':>8}")
    for name, points in sorted(sweeps().items()):
        if len(points) < 2:
            continue
        found = slope(points)
        flag = "  (beats the FP16 peak)" if found.implied < 1 else ""
        print(
            f"{name[:64]:64} {found.set:5} {found.rows:4d} {found.implied:8.2f} "
            f"{found.level:+8.1%}{flag}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
