"""Issue 19 §7, third pass: the presets re-checked against NVIDIA's, Apple's and Intel's figures
(data/gpus.yaml `source`), the figures corrected to them, and the SM counts held to the vendor's
CUDA-core counts."""

from __future__ import annotations

import pytest

from llm_pick.catalog.gpus import load_gpus


@pytest.mark.parametrize(
    ("gpu_id", "field", "value"),
    [
        ("rtx-3080-10gb", "memory_bandwidth_gbs", 760),  # 19 Gbps x 320 bit; was 760.3
        ("rtx-4070", "memory_bandwidth_gbs", 504),  # 21 Gbps x 192 bit; was 504.2
        ("rtx-4070-ti-super", "memory_bandwidth_gbs", 672),  # was 672.3
        ("rtx-4080-super", "memory_bandwidth_gbs", 736),  # 23 Gbps x 256 bit; was 736.3
        ("rtx-5070", "fp16_tflops", 123.5),  # 988 AI TOPS / 8; was 123
        ("rtx-5070-ti", "fp16_tflops", 175.8),  # 1406 / 8; was 176
        ("rtx-5080", "fp16_tflops", 225.1),  # 1801 / 8; was 225
    ],
)
def test_a_figure_the_vendor_contradicted_is_corrected(
    gpu_id: str, field: str, value: float
) -> None:
    gpu = load_gpus()[gpu_id]
    assert getattr(gpu, field) == value
    assert gpu.source is not None and gpu.source.checked == "secondary"


def test_the_3060_ti_tensor_figure_is_derived_like_the_others() -> None:
    gpu = load_gpus()["rtx-3060-ti"]
    # 38 SMs x 1024 dense FP16-accumulate FLOP per clock x 1.665 GHz; the old 69.1 was unreachable
    assert gpu.fp16_tflops == pytest.approx(38 * 1024 * 1.665e9 / 1e12, abs=0.05)


# RTX 50 "AI TOPS" is the sparse FP4 rate, 8 x the dense FP16-accumulate rate (5090: 3352 -> 419)
AI_TOPS_BLACKWELL = {"rtx-5090": 3352, "rtx-5080": 1801, "rtx-5070-ti": 1406, "rtx-5070": 988}


@pytest.mark.parametrize(("gpu_id", "ai_tops"), sorted(AI_TOPS_BLACKWELL.items()))
def test_blackwell_fp16_is_nvidias_ai_tops_over_eight(gpu_id: str, ai_tops: int) -> None:
    assert load_gpus()[gpu_id].fp16_tflops == pytest.approx(ai_tops / 8, abs=0.051)  # one decimal


# CUDA cores as NVIDIA gives them (product pages, CES tables, the laptop comparison page), each
# quoted in the preset's `sources`; GeForce Ampere, Ada and Blackwell SMs hold 128 CUDA cores.
CUDA_CORES = {
    "rtx-3060-12gb": "3,584",
    "rtx-3060-ti": "4,864",
    "rtx-3070": "5888",
    "rtx-4060": "3072",
    "rtx-4060-ti-8gb": "4352",
    "rtx-4060-ti-16gb": "4352",
    "rtx-3080-10gb": "8704",
    "rtx-3090-ti": "10,752",
    "rtx-4070": "5888",
    "rtx-4070-ti-super": "8448",
    "rtx-4080": "9728",
    "rtx-4080-super": "10240",
    "rtx-5070": "6144",
    "rtx-5070-ti": "8960",
    "rtx-5080": "10752",
    "rtx-3060-laptop": "3.840",
    "rtx-3070-laptop": "5.120",
    "rtx-3080-laptop": "6.144",
    "rtx-3080-ti-laptop": "7424",
    "rtx-4050-laptop": "2.560",
    "rtx-4060-laptop": "3.072",
    "rtx-4070-laptop": "4.608",
    "rtx-4080-laptop": "7.424",
    "rtx-4090-laptop": "9.728",
    "rtx-5070-laptop": "4,608",
    "rtx-5070-ti-laptop": "5,888",
    "rtx-5080-laptop": "7,680",
    "rtx-5090-laptop": "10,496",
}


@pytest.mark.parametrize(("gpu_id", "cores"), sorted(CUDA_CORES.items()))
def test_sm_count_is_the_vendors_cuda_cores_over_128(gpu_id: str, cores: str) -> None:
    gpu = load_gpus()[gpu_id]
    cited = (
        " ".join([*gpu.sources, gpu.source.quote or ""]) if gpu.source else " ".join(gpu.sources)
    )
    assert cores in cited, f"{gpu_id}: the vendor's count {cores} is not quoted"
    count = int(cores.replace(",", "").replace(".", ""))  # "9.728" and "10,496" as printed
    assert count % 128 == 0
    assert gpu.sm_count == count // 128


def test_a_partial_preset_names_its_reference_bandwidth() -> None:
    partial = [g for g in load_gpus().values() if g.source and g.source.checked == "partial"]
    assert len(partial) >= 13
    for gpu in partial:
        source = gpu.source
        assert source is not None
        assert gpu.kind == "laptop", gpu.id
        assert source.url and source.quote and source.via, gpu.id
        assert source.vendor_bandwidth_gbs is None, gpu.id  # the vendor gives none
        assert f"{gpu.memory_bandwidth_gbs:g} GB/s is the reference configuration" in source.status


def test_every_apple_preset_cites_apples_figure() -> None:
    apple = [g for g in load_gpus().values() if g.vendor == "apple"]
    for gpu in apple:
        assert gpu.source is not None and gpu.source.checked in ("vendor", "secondary"), gpu.id


def test_the_not_verified_count_went_down() -> None:
    left = sorted(
        g.id for g in load_gpus().values() if g.source and g.source.checked == "not-verified"
    )
    assert len(left) <= 9, left
    for gpu_id in left:
        status = load_gpus()[gpu_id].source.status  # type: ignore[union-attr]
        assert not status.startswith("not re-verified"), gpu_id  # each says why it still is
