"""Issue 20's Arm server CPU rows (bench/data/speed_points_cpu20i.yaml) and the two CPU terms they
carry: the Q8_0 path's per-byte cost and the threads' barriers (estimate/cpucost.py)."""

from __future__ import annotations

import hashlib
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import script

from llm_pick.estimate import cpucost, speed

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data" / "speed_points_cpu20i.yaml"


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(DATA.read_text())
    return loaded


@pytest.fixture(scope="module")
def errors() -> dict[str, tuple[str, float]]:
    """(set, estimated / measured - 1) of every point of this file, by id."""
    bench = script("bench/speed.py", "speed_bench20i")
    ids = {p["id"] for p in yaml.safe_load(DATA.read_text())["points"]}
    return {p.id: (p.set, e) for p, e in bench.errors(bench.load_points()) if p.id in ids}


def test_split_is_by_source_hash(data: dict[str, Any]) -> None:
    """speed_points_cpu_amd.yaml's rule: `test` when sha256(source_url) % 3 == 0."""
    for point in data["points"]:
        url = point["source_url"]
        held_out = int(hashlib.sha256(url.encode()).hexdigest(), 16) % 3 == 0
        assert point["set"] == ("test" if held_out else "fit"), point["id"]
        assert point["source"].startswith(url), point["id"]


def test_every_row_states_threads_and_memory(data: dict[str, Any]) -> None:
    for name, device in data["devices"].items():
        assert device["backend"] == "cpu" and device["bandwidth_gbs"] > 0, name
        assert "'" in device["memory"] and device["source"].startswith("https://"), name
    for point in data["points"]:
        assert point["device"] in data["devices"] and point["threads"] > 0, point["id"]
        assert point["backend"] == "cpu" and point["kind"] == "decode", point["id"]


def test_graviton4_fit_rows_fit(errors: dict[str, tuple[str, float]]) -> None:
    """A 96-core Arm server: 1B/3B models at 64 and 96 threads within 10% (were +33% to
    +156% before the barrier term and the Q8_0 path)."""
    rows = [e for i, (_, e) in errors.items() if i.startswith("graviton4")]
    assert len(rows) == 8 and max(abs(e) for e in rows) <= 0.10


def test_q8_0_costs_less_per_byte_than_the_generic_path() -> None:
    assert cpucost.thread_path("8-bit") == "8-bit" and cpucost.thread_path("k-quant") == "generic"
    assert cpucost.thread_path("8-bit", "repacked") == "repacked"
    assert 0 < speed.PER_BYTE_THREAD["8-bit"] < speed.PER_BYTE_THREAD["generic"]


def test_past_some_thread_count_more_threads_are_slower() -> None:
    """The barriers grow with the threads: a step has a best thread count (issue #6434: an
    EPYC 9654 peaks near 60 of its 96 cores), and every step stays above bytes / bandwidth."""
    assert speed.CPU_SYNC > 0

    def step(threads: int) -> float:
        found = speed.step_seconds(
            1e9, 16, family="k-quant", backend="cpu", bandwidth_gbs=400, threads=threads
        )
        assert found is not None and found > 1e9 / 400e9
        return found

    times = [step(t) for t in (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)]
    best = times.index(min(times))
    assert 0 < best < len(times) - 1
    assert all(a > b for a, b in pairwise(times[: best + 1]))
    assert all(a < b for a, b in pairwise(times[best:]))


def test_cpu_only_range_is_its_own() -> None:
    """CPU cores differ more than cards (an M4 core runs repacked Q4_0 2.5x a Graviton3 core),
    so a CPU-only estimate carries the CPU rows' scatter, wider than the GPU one."""
    low, high = speed.CPU_DECODE_SCATTER
    assert low < speed.DECODE_SCATTER[0] and high >= speed.DECODE_SCATTER[1] and low < 1 < high
