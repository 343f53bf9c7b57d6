"""bench/cpu_threads.py: the per-thread cost a CPU row implies inverts the model's CPU step."""

from __future__ import annotations

from types import ModuleType

import pytest
from conftest import script

from llm_pick.estimate import speed


@pytest.fixture(scope="module")
def module() -> ModuleType:
    return script("bench/cpu_threads.py", "cpu_threads_bench")


def _point(module: ModuleType, measured: float, kernel: str = "generic") -> object:
    bench = module.bench
    fields = {"id": "synthetic", "set": "fit", "kind": "decode", "hardware": "cpu"}
    return bench.Point(
        **fields,
        backend="cpu",
        cards=1,
        bandwidth_gbs=100.0,
        tflops=None,
        family="k-quant",
        layers=32,
        read_bytes=4e9,
        flops=0.0,
        measured=measured,
        threads=6,
        kernel=kernel,
    )


@pytest.mark.parametrize("kernel", sorted(speed.PER_BYTE_THREAD))
def test_a_row_the_model_matches_implies_the_fitted_cost(module: ModuleType, kernel: str) -> None:
    seconds = speed.step_seconds(
        4e9, 32, family="k-quant", backend="cpu", bandwidth_gbs=100.0, threads=6, kernel=kernel
    )
    assert seconds is not None
    row = module.implied(_point(module, 1 / seconds, kernel))
    assert row.cost == pytest.approx(speed.PER_BYTE_THREAD[kernel], rel=1e-9)
    inverse = speed.INVERSE_EFFICIENCY[("k-quant", "cpu")]
    barriers = 32 * 6 * speed.CPU_SYNC  # layers x threads: the barriers sit with the floor
    assert row.floor == pytest.approx((4e9 * inverse / 100e9 + barriers) / seconds, rel=1e-9)


def test_a_faster_row_implies_a_cheaper_thread(module: ModuleType) -> None:
    seconds = speed.step_seconds(
        4e9, 32, family="k-quant", backend="cpu", bandwidth_gbs=100.0, threads=6
    )
    assert seconds is not None
    slow = module.implied(_point(module, 1 / seconds))
    fast = module.implied(_point(module, 1.2 / seconds))
    assert fast.cost < slow.cost and fast.floor > slow.floor


def test_every_cpu_decode_row_is_listed(module: ModuleType) -> None:
    points = module.bench.load_points()
    rows = module.cpu_rows(points)
    expected = [p for p in points if p.backend == "cpu" and p.kind == "decode"]
    assert [r.point.id for r in rows] == [p.id for p in expected] and len(rows) >= 12
    assert all(r.floor > 0 for r in rows)
