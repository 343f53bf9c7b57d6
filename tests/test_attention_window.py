"""Prefill's attention FLOPs over windowed layers (issue 19 §4, issue 20 §3): Llama 4's chunked
layers (3 of 4 attend within 8192-token chunks) and Mistral 7B v0.1's 4096-token sliding
window attend to min(position, window) tokens, not to the whole prompt."""

from __future__ import annotations

import pytest

from llm_pick.catalog.load import load_catalog
from llm_pick.estimate.speedkinds import attention_flops, attention_width_of, mean_attended

CATALOG = load_catalog(use_env=False)


def test_full_attention_is_unchanged() -> None:
    width = attention_width_of(CATALOG.get("llama-3.1-8b-instruct"))
    assert attention_flops(width, 8192) == 4 * width * 4096
    assert attention_flops(width, 512, depth=1000) == 4 * width * 1256


def test_mean_attended_caps_at_the_window() -> None:
    assert mean_attended(0, 2048, 4096) == pytest.approx(1024)  # inside the window: full
    assert mean_attended(0, 32768, 4096) == pytest.approx((4096**2 / 2 + 4096 * 28672) / 32768)
    assert mean_attended(10_000, 512, 4096) == 4096  # past the window: the window
    assert mean_attended(0, 8192 * 100, 8192, chunked=True) == pytest.approx(4096)
    assert mean_attended(0, 8192, 8192, chunked=True) == pytest.approx(4096)
    assert mean_attended(0, 1000) == 500  # no window


def test_mistral_v01_sliding_window_caps_every_layer() -> None:
    model = CATALOG.get("mistral-7b-instruct-v0.1")
    width = attention_width_of(model)
    full = 4 * int(width) * 16384
    assert attention_flops(width, 32768) == pytest.approx(4 * int(width) * 3840)
    assert attention_flops(width, 32768) < 0.25 * full
    assert attention_flops(width, 4096) == pytest.approx(4 * int(width) * 2048)  # inside


def test_llama4_chunked_layers_attend_within_their_chunk() -> None:
    model = CATALOG.get("llama-4-maverick-17b-128e-instruct")
    width = attention_width_of(model)
    prompt = 1 << 20
    full = 4 * int(width) * prompt / 2
    local = model.architecture.local_count / model.architecture.attention_count
    assert local == 0.75
    expected = full * (1 - local) + 4 * int(width) * local * 4096
    assert attention_flops(width, prompt) == pytest.approx(expected)
    assert attention_flops(width, prompt) < 0.26 * full
