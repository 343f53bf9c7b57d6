"""Decode points on the 2025-26 presets (bench/data/speed_points_presets26.yaml): split by source as
the other issue-20 files, scored by bench/speed.py but never fitted, at the errors measured."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import script

from llm_pick.catalog.gpus import load_gpus

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data" / "speed_points_presets26.yaml"


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(DATA.read_text())
    return loaded


@pytest.fixture(scope="module")
def errors() -> dict[str, tuple[str, str, float]]:
    bench = script("bench/speed.py", "speed_bench26")
    return {p.id: (p.set, p.hardware, e) for p, e in bench.unseen_errors()}


def test_split_is_by_source_hash(data: dict[str, Any]) -> None:
    for point in data["points"]:
        url = point["source_url"]
        held_out = int(hashlib.sha256(url.encode()).hexdigest(), 16) % 3 == 0
        assert point["set"] == ("test" if held_out else "fit"), point["id"]
        assert point["source"].startswith(url), point["id"]
        assert "'" in point["source"], point["id"]  # the quoted row


def test_every_point_is_on_a_new_preset(data: dict[str, Any]) -> None:
    presets = load_gpus()
    for point in data["points"]:
        assert point["device"] in presets and point["gpus"] == 1, point["id"]
        assert point["backend"] == presets[point["device"]].backend or point["backend"] == "rocm"


def test_the_points_are_scored_but_not_fitted() -> None:
    bench = script("bench/speed.py", "speed_bench26b")
    assert DATA in bench.UNSEEN and DATA not in bench.DATA
    fitted = {p.id for p in bench.load_points()}
    assert not fitted & {p.id for p, _ in bench.unseen_errors()}


def test_strix_halo_under_rocm_is_within_the_targets(
    errors: dict[str, tuple[str, str, float]],
) -> None:
    halo = {i: v for i, v in errors.items() if i.startswith("ryzen-ai-max-395")}
    assert len(halo) == 1
    assert all(cls == "amd" and abs(e) <= 0.05 for _, cls, e in halo.values())


def test_dgx_spark_small_model_is_underestimated(
    errors: dict[str, tuple[str, str, float]],
) -> None:
    """A 3B model on a current build runs faster than the fitted per-layer cost says: at 28
    layers PER_LAYER[cuda] alone is 2.3 ms of the 9.1 ms measured for Q4_K; the bandwidth term
    (2.04 GB x 1.17 / 273 GB/s = 8.7 ms) leaves about 0.4 ms for it. A known miss, below the
    measurement and never above the ceiling."""
    spark = {i: v for i, v in errors.items() if i.startswith("dgx-spark")}
    assert len(spark) == 2
    assert all(-0.20 <= e <= -0.08 for _, _, e in spark.values())
