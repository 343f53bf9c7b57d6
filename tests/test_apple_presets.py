"""Apple chips by tier and memory (issue 20 §2): each preset's bandwidth is its chip's (llama.cpp
discussion #4167), its GPU share follows the RAM size (2/3 up to 32 GB, 3/4 from 36 GB, as
recommendedMaxWorkingSetSize logs show), and Apple gets a prefill / time-to-first-token
estimate fitted per GPU core on #4167's pp512 rows."""

from __future__ import annotations

import json

import pytest
from conftest import run

from llm_pick.catalog.gpus import load_gpus
from llm_pick.catalog.load import load_catalog
from llm_pick.estimate.assess import assess
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.memory import estimate_memory
from llm_pick.estimate.speedkinds import APPLE_PREFILL, apple_chip

APPLE = {key: gpu for key, gpu in load_gpus().items() if gpu.vendor == "apple"}
# The bandwidth of each chip tier (#4167 table, Apple's figures); M3 Ultra's preset keeps 819.
TIER = {"m1": 68, "m2": 100, "m3": 100, "m4": 120, "m1-pro": 200, "m2-pro": 200, "m3-pro": 150}
TIER |= {"m4-pro": 273, "m1-max": 400, "m2-max": 400, "m1-ultra": 800, "m2-ultra": 800}


def test_every_tier_has_a_small_and_a_large_preset() -> None:
    tiers: dict[str, list[float]] = {}
    for key, gpu in APPLE.items():
        tiers.setdefault(key.rsplit("-", 1)[0], []).append(gpu.memory_gib)
    for tier in ("m1", "m2", "m3", "m4", "m1-pro", "m2-pro", "m3-pro", "m4-pro", "m1-max"):
        assert len(tiers[tier]) >= 1, tier
    assert sorted(tiers["m2"]) == [8, 16, 24] and sorted(tiers["m4"]) == [16, 24, 32]
    assert sorted(tiers["m4-pro"]) == [24, 48, 64] and sorted(tiers["m3-pro"]) == [18, 36]


@pytest.mark.parametrize("key", sorted(APPLE))
def test_bandwidth_and_gpu_share_follow_the_chip_and_memory(key: str) -> None:
    gpu = APPLE[key]
    tier = key.rsplit("-", 1)[0]
    if tier in TIER:
        assert gpu.memory_bandwidth_gbs == TIER[tier], key
    share = gpu.usable_memory_fraction
    if gpu.memory_gib <= 32:
        assert share == pytest.approx(2 / 3, abs=0.001), key
    else:  # 3/4 from 36 GB; 0.84 at 128 GB on macOS 26 (those presets' sources)
        assert share is not None and 0.75 <= share <= 0.84, key
    assert apple_chip(gpu.name, gpu.gpu_cores) is not None, key


def test_an_m1_is_never_quoted_at_a_max_or_ultra_bandwidth() -> None:
    """The issue's example: `--gpu m1 --vram 16` was read as 644 GB/s; the M1 is 68 GB/s."""
    result = run("memory", "llama-3-8b", "--quant", "q4_k_m", "--gpu", "m1 16gb", "-f", "json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["hardware"]["memory_bandwidth_gbs"] == 68
    speed = data["speed"]["decode_tokens_per_second"]["expected"]
    assert speed <= data["speed"]["decode_ceiling_tokens_per_second"] <= 68e9 / 4.5e9
    bare = run("memory", "llama-3-8b", "--gpu", "m1", "--vram", "16")
    assert bare.code != 0 and bare.stderr.startswith("Error:") and "m1-16gb" in bare.stderr


@pytest.mark.parametrize("key", ["m1-16gb", "m2-max-64gb", "m4-pro-48gb", "m3-ultra-512gb"])
def test_apple_gets_a_prefill_and_time_to_first_token(key: str) -> None:
    model = next(m for m in load_catalog() if m.id == "llama-3-8b")
    est = estimate_memory(model, "q4_k_m")
    found = assess(est, Hardware.from_gpu(key), model.parameters.active_count).speed
    assert found is not None and found.prefill_expected is not None
    ttft = found.as_dict()["time_to_first_token_seconds"]
    assert isinstance(ttft, dict) and ttft["expected"] > 0


def test_more_gpu_cores_prefill_faster() -> None:
    model = next(m for m in load_catalog() if m.id == "llama-3-8b")
    est = estimate_memory(model, "q4_k_m")
    small = assess(est, Hardware.from_gpu("m2-16gb"), model.parameters.active_count).speed
    large = assess(est, Hardware.from_gpu("m2-max-64gb"), model.parameters.active_count).speed
    assert small and large and small.prefill_expected and large.prefill_expected
    assert large.prefill_expected > 3 * small.prefill_expected  # 38 cores against 10
    assert {chip for chip, _ in APPLE_PREFILL} == {"m1", "m2", "m3", "m4"}
