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
TIER |= {"m3-ultra": 819, "m5": 153, "m5-pro": 307}
# Max chips whose two GPU variants have different buses (Apple's tech specs: M3 Max 30-core 300
# GB/s, 40-core 400; M4 Max 32-core 410, 40-core 546; M5 Max 32-core 460, 40-core 614).
VARIANT = {("m3-max", 30): 300, ("m3-max", 40): 400, ("m4-max", 32): 410, ("m4-max", 40): 546}
VARIANT |= {("m5-max", 32): 460, ("m5-max", 40): 614}
# Generations with no fitted prefill rate per GPU core: M5 puts a Neural Accelerator in each GPU
# core (Apple: over 4x the M4's peak GPU compute for AI), so M1-M4's rates do not carry over.
UNFITTED = {"m5"}
# Every memory size Apple sold per tier (M1-M4: base, Pro, Max, Ultra), each a preset.
SOLD = {
    "m1": [8, 16],
    "m2": [8, 16, 24],
    "m3": [8, 16, 24],
    "m4": [16, 24, 32],
    "m1-pro": [16, 32],
    "m2-pro": [16, 32],
    "m3-pro": [18, 36],
    "m4-pro": [24, 48, 64],
    "m1-max": [32, 64],
    "m2-max": [32, 64, 96],
    "m3-max": [36, 48, 64, 96, 128],
    "m4-max": [36, 48, 64, 128],
    "m1-ultra": [64, 128],
    "m2-ultra": [64, 128, 192],
    "m3-ultra": [96, 256, 512],
    "m5": [16, 24, 32],
    "m5-pro": [24, 48, 64],
    "m5-max": [36, 48, 64, 128],
}


def test_every_tier_and_memory_size_sold_has_a_preset() -> None:
    tiers: dict[str, list[float]] = {}
    for key, gpu in APPLE.items():
        tiers.setdefault(key.rsplit("-", 1)[0], []).append(gpu.memory_gib)
    assert {tier: sorted(sizes) for tier, sizes in tiers.items()} == SOLD


def test_max_variants_follow_the_memory_size() -> None:
    """M3 Max: 30-core GPU (300 GB/s) at 36 and 96 GB, 40-core (400) at 48/64/128; M4 Max:
    32-core (410) only at 36 GB, 40-core (546) at 48/64/128."""
    cores = {key: APPLE[key].gpu_cores for key in APPLE if "-max-" in key and key[1] in "345"}
    assert cores == {
        "m3-max-36gb": 30,
        "m3-max-96gb": 30,
        "m3-max-48gb": 40,
        "m3-max-64gb": 40,
        "m3-max-128gb": 40,
        "m4-max-36gb": 32,
        "m4-max-48gb": 40,
        "m4-max-64gb": 40,
        "m4-max-128gb": 40,
        "m5-max-36gb": 32,
        "m5-max-48gb": 40,
        "m5-max-64gb": 40,
        "m5-max-128gb": 40,
    }
    assert APPLE["m4-max-36gb"].memory_bandwidth_gbs < APPLE["m4-max-48gb"].memory_bandwidth_gbs
    assert APPLE["m5-max-36gb"].memory_bandwidth_gbs < APPLE["m5-max-48gb"].memory_bandwidth_gbs


@pytest.mark.parametrize("key", sorted(APPLE))
def test_bandwidth_and_gpu_share_follow_the_chip_and_memory(key: str) -> None:
    gpu = APPLE[key]
    tier = key.rsplit("-", 1)[0]
    expected = TIER.get(tier) or VARIANT[(tier, gpu.gpu_cores or 0)]
    assert gpu.memory_bandwidth_gbs == expected, key
    share = gpu.usable_memory_fraction
    if gpu.memory_gib <= 32:
        assert share == pytest.approx(2 / 3, abs=0.001), key
    else:  # 3/4 from 36 GB; 0.84 at 128 GB on macOS 26 (those presets' sources)
        assert share is not None and 0.75 <= share <= 0.84, key
    # The speed model's Apple fit reads the generation and GPU cores from the preset: both must
    # be there, and the generation must be one the prefill constants were fitted for.
    chip = apple_chip(gpu.name, gpu.gpu_cores)
    assert chip is not None and chip == (tier[:2], gpu.gpu_cores), key
    assert ((chip[0], "quantized") in APPLE_PREFILL) == (chip[0] not in UNFITTED), key


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


@pytest.mark.parametrize("key", ["m5-16gb", "m5-pro-48gb", "m5-max-128gb"])
def test_m5_decodes_at_its_bandwidth_and_quotes_no_prefill(key: str) -> None:
    """M5 presets carry Apple's bandwidth (153 / 307 / 614 GB/s) into the decode estimate, under
    its ceiling; the prefill stays unknown rather than borrowing M4's per-core rate (a Neural
    Accelerator in each M5 GPU core: Apple claims over 4x the M4's peak GPU compute for AI)."""
    model = next(m for m in load_catalog() if m.id == "llama-3-8b")
    est = estimate_memory(model, "q4_k_m")
    found = assess(est, Hardware.from_gpu(key), model.parameters.active_count).speed
    assert found is not None and found.decode_expected is not None and found.ceiling is not None
    assert found.ceiling == pytest.approx(
        APPLE[key].memory_bandwidth_gbs * 1e9 / found.bytes_per_token
    )
    assert 0 < found.decode_expected <= found.ceiling
    assert found.prefill_expected is None
    assert "no prefill rate fitted for Apple M5" in found.note
