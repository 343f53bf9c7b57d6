"""Issue 19 §7, second pass: FP16 figures corrected to the vendor's own number, and the count of
presets still not checked against a vendor figure may only go down."""

from __future__ import annotations

import pytest

from llm_pick.catalog.gpus import load_gpus


@pytest.mark.parametrize(
    ("gpu_id", "fp16", "kind"),
    [
        ("rtx-6000-ada", 364.2, "tensor-dense-fp16-accumulate"),  # Ada ProViz whitepaper; was 364
        ("rx-6900-xt", 46.08, "shader"),  # AMD's figure; was TechPowerUp's 46.1
        ("rtx-5090", 419, "tensor-dense-fp16-accumulate"),  # 2 x the FP32-accumulate 209.5
    ],
)
def test_fp16_is_the_vendor_figure(gpu_id: str, fp16: float, kind: str) -> None:
    gpu = load_gpus()[gpu_id]
    assert gpu.fp16_tflops == fp16
    assert gpu.fp16_tflops_kind == kind
    assert gpu.source is not None and gpu.source.checked != "not-verified"


def test_the_not_verified_count_only_goes_down() -> None:
    not_verified = [
        g.id for g in load_gpus().values() if g.source and g.source.checked == "not-verified"
    ]
    assert len(not_verified) <= 43, sorted(not_verified)


CHECKED_IN_THIS_PASS = [
    "rtx-5090",
    "tesla-p40",
    "rtx-6000-ada",
    "rx-7900-xt",
    "rx-6900-xt",
    "arc-a380",
    "arc-a580",
    "arc-a750",
    "arc-b570",
]


@pytest.mark.parametrize("gpu_id", CHECKED_IN_THIS_PASS)
def test_a_preset_checked_in_this_pass_names_what_was_read(gpu_id: str) -> None:
    gpu = load_gpus()[gpu_id]
    source = gpu.source
    assert source is not None and source.checked in ("vendor", "secondary")
    assert source.url and source.quote and source.via
    assert source.vendor_bandwidth_gbs == gpu.memory_bandwidth_gbs
