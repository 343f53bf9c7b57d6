"""Attention with flash attention at depth (issue 19 section 4): its own constant where fit rows
at depth exist (bench/speed.py), the split rule those rows follow (bench/prefill_rows.py), and
the time to first token at 32K and 128K that follows from it."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import yaml
from conftest import script

from llm_pick.catalog.load import load_catalog
from llm_pick.estimate.assess import assess_model
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.sizing import Sizing


@pytest.fixture(scope="module")
def bench() -> Any:
    return script("bench/speed.py", "speed_bench_depth")


def test_split_rule_is_the_source_url_hash() -> None:
    rules = script("bench/prefill_rows.py", "prefill_rows_split")
    url = "https://github.com/ggml-org/llama.cpp/pull/17505"
    expected = "test" if int(hashlib.sha256(url.encode()).hexdigest(), 16) % 3 == 0 else "fit"
    assert rules.split_of(f"'{url} (description by JohannesGaessler)'") == expected
    held = next(f"https://example.org/{i}" for i in range(50) if _mod3(f"https://example.org/{i}"))
    assert rules.split_of(held + " (row)") == "test"


def _mod3(url: str) -> bool:
    return int(hashlib.sha256(url.encode()).hexdigest(), 16) % 3 == 0


def test_rows_at_depth_or_with_flash_attention_follow_the_rule(bench: Any) -> None:
    rules = script("bench/prefill_rows.py", "prefill_rows_split_data")
    checked = 0
    for path in (bench.POINTS, bench.MORE, bench.CPU_AMD, bench.CONTEXT, bench.DATA20G):
        for raw in yaml.load(path.read_text(), Loader=yaml.CSafeLoader)["points"]:
            if raw.get("kind") == "prefill" and (raw.get("flash_attn") or raw.get("depth")):
                assert raw["set"] == rules.split_of(raw["source"]), raw["id"]
                checked += 1
    assert checked >= 3


def test_flash_constant_is_fitted_on_fit_rows_and_reproduces_them(bench: Any) -> None:
    # The constant is fitted: it is a feature of fit rows, so bench/speed.py's fit gives it,
    # and tests/test_speed.py::test_constants_are_the_fit_of_the_fit_points holds every fitted
    # constant to the fit (fitting again here cost 0.8 s of the fast loop).
    points = bench.load_points()
    fit_rows = [p for p in points if p.set == "fit" and p.kind == "prefill" and bench.usable(p)]
    assert any("FLASH_INVERSE_EFFICIENCY[cuda]" in bench.prefill_features(p) for p in fit_rows)
    rows = [(p, e) for p, e in bench.errors(points) if p.flash and p.backend == "cuda"]
    assert rows and all(p.set == "fit" and abs(e) < 0.02 for p, e in rows)


def test_floor_keeps_flash_attention_at_or_below_the_fp16_rate(bench: Any) -> None:
    assert bench.lower_bound("FLASH_INVERSE_EFFICIENCY[cuda]") == 1.0
    assert bench.lower_bound("ATTENTION_INVERSE_EFFICIENCY[cuda]") == 1.0
    assert bench.lower_bound("ROCM_INVERSE_EFFICIENCY") == 0.0  # an addend, not a share


def _ttft(context: int, flash: bool) -> float:
    model = next(m for m in load_catalog() if m.id == "llama-3.1-8b")
    hardware = Hardware.from_gpu("rtx-3090").with_ram(64)
    speed = assess_model(model, "q4_k_m", Sizing(context=context, flash_attn=flash), hardware).speed
    assert speed.context_prefill
    return float(context / speed.context_prefill)


def test_flash_attention_ttft_grows_faster_than_the_prompt() -> None:
    """At 128K each prompt token attends to four times as many positions as at 32K: time to first
    token grows more than 4x, and stays below flash attention off."""
    short, long = _ttft(32768, True), _ttft(131072, True)
    assert long > 4.4 * short
    assert short < _ttft(32768, False) and long < _ttft(131072, False)
