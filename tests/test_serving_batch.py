"""How a serving step grows with the batch under tensor parallel (the all-reduce payload) and
prompts served from vLLM's prefix cache (estimate/serving.py: allreduce_seconds, Load.cached);
the rows that rely on the prefix cache say why (bench/data/serving_rows.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from llm_pick.catalog.load import load_catalog
from llm_pick.estimate import serving
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.serving import SERVING_FORMATS, Load, serving_speed

ROOT = Path(__file__).resolve().parents[1]
FP8 = SERVING_FORMATS["fp8"]


def test_allreduce_payload_grows_with_the_batch_and_needs_two_cards() -> None:
    model = load_catalog().get("llama-3.1-405b-instruct")
    assert serving.allreduce_seconds(model, 1, 128) == 0.0
    one, many = serving.allreduce_seconds(model, 8, 1), serving.allreduce_seconds(model, 8, 128)
    assert many == pytest.approx(128 * one)
    # two all-reduces per layer of batch x hidden 16-bit values, 2 (tp - 1) / tp per card
    arch = model.architecture
    payload = 2 * arch.layers * 128 * arch.hidden_size * 2 * 2 * 7 / 8
    assert many == pytest.approx(payload / (serving.ALLREDUCE_GBS * 1e9))


def test_tensor_parallel_step_carries_the_allreduce_payload() -> None:
    """A step on 8 cards grows with the batch by more than its compute and cache reads: the
    all-reduce payload is part of the growth (the fitted bus bandwidth is finite)."""
    model = load_catalog().get("llama-3.1-70b-instruct")
    hardware = Hardware.from_gpu("mi300x", 8)
    small, _, _ = serving.decode_step(model, FP8, hardware, 16, 1024)
    large, _, _ = serving.decode_step(model, FP8, hardware, 128, 1024)
    payload = serving.allreduce_seconds(model, 8, 128) - serving.allreduce_seconds(model, 8, 16)
    assert payload > 0
    assert large - small > payload


def test_cached_prompt_is_not_prefilled() -> None:
    model = load_catalog().get("llama-3.1-405b-instruct")
    hardware = Hardware.from_gpu("mi300x", 8)
    fresh = serving_speed(model, FP8, hardware, Load(64, 2048, 2048))
    half = serving_speed(model, FP8, hardware, Load(64, 2048, 2048, None, 1024))
    cached = serving_speed(model, FP8, hardware, Load(64, 2048, 2048, None, 2048))
    assert fresh.aggregate < half.aggregate < cached.aggregate
    assert cached.ttft_seconds == pytest.approx(cached.step_seconds)  # one step, no prefill
    # the decode steps still read the whole prompt's cache: same step either way
    assert cached.step_seconds == fresh.step_seconds
    assert cached.prefill_tokens_per_second == fresh.prefill_tokens_per_second


@settings(max_examples=examples(40), deadline=None)
@given(
    gpus=st.sampled_from((1, 2, 4, 8)),
    batch=st.integers(1, 512),
    prompt=st.integers(1, 16384),
    output=st.integers(1, 4096),
    cached_share=st.floats(0.0, 1.0),
)
def test_cached_prompts_never_beat_the_ceiling(
    gpus: int, batch: int, prompt: int, output: int, cached_share: float
) -> None:
    model = load_catalog().get("llama-3.1-70b-instruct")
    hardware = Hardware.from_gpu("h100-sxm", gpus)
    load = Load(batch, prompt, output, None, int(prompt * cached_share))
    speed = serving_speed(model, FP8, hardware, load)
    assert speed.step_seconds >= speed.ceiling_step_seconds > 0
    assert speed.aggregate <= speed.concurrency / speed.ceiling_step_seconds
    assert speed.ttft_seconds >= speed.step_seconds


def test_prefix_cached_rows_say_why() -> None:
    rows = yaml.load(
        (ROOT / "bench" / "data" / "serving_rows.yaml").read_text(), Loader=yaml.CSafeLoader
    )["rows"]
    cached = [r for r in rows if r.get("prefix_cached")]
    assert cached, "the ROCm dev-docker latency rows run on a warm prefix cache"
    for row in cached:
        assert "18639" in row["prefix_cached_source"]  # the vLLM PR that turned it off
