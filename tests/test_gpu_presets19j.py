"""GPU presets checked in the fourth pass (issue 19 §7): the RTX 3060 Ti and 3070 against a launch
specification table, the Arc Pro B50 and B60 against a transcription of Intel's pages."""

from __future__ import annotations

import pytest

from llm_pick.catalog.gpus import load_gpus


@pytest.mark.parametrize(
    ("gpu_id", "bandwidth", "memory"),
    [
        ("rtx-3060-ti", 448, 8),
        ("rtx-3070", 448, 8),
        ("arc-pro-b50", 224, 16),
        ("arc-pro-b60", 456, 24),
    ],
)
def test_a_preset_checked_in_this_pass_holds_the_figure_read(
    gpu_id: str, bandwidth: float, memory: float
) -> None:
    gpu = load_gpus()[gpu_id]
    source = gpu.source
    assert source is not None and source.checked == "secondary"
    assert source.vendor_bandwidth_gbs == bandwidth == gpu.memory_bandwidth_gbs
    assert gpu.memory_gib == memory
    assert source.url and source.quote and source.via
    assert f"{bandwidth}" in source.quote


def test_the_3070_tensor_figure_agrees_with_the_geforce_rule() -> None:
    gpu = load_gpus()["rtx-3070"]
    assert gpu.sm_count is not None and gpu.fp16_tflops is not None
    rule = gpu.sm_count * 1024 * 1.725e9 / 1e12  # 1024 FLOP per clock per SM, 1725 MHz boost
    assert abs(gpu.fp16_tflops - rule) < 0.1
    assert abs(gpu.fp16_tflops - 163 / 2) / gpu.fp16_tflops < 0.01  # NVIDIA's sparse figure


def test_three_presets_are_left_not_verified_each_with_its_reason() -> None:
    left = sorted(
        g.id for g in load_gpus().values() if g.source and g.source.checked == "not-verified"
    )
    assert left == [
        "a10g",
        "rtx-3060-12gb",
        "rtx-3080-12gb",
    ]


@pytest.mark.parametrize(
    ("gpu_id", "memory", "cores"),
    [("rtx-3050-laptop", 4, 2048), ("rtx-5060-laptop", 8, 3328)],
)
def test_a_laptop_part_checked_in_this_pass_is_partial(
    gpu_id: str, memory: float, cores: int
) -> None:
    gpu = load_gpus()[gpu_id]
    assert gpu.source is not None and gpu.source.checked == "partial"
    assert gpu.memory_gib == memory and gpu.sm_count == cores // 128
    assert f"{gpu.memory_bandwidth_gbs:g} GB/s is the reference configuration" in gpu.source.status
