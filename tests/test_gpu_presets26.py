"""The 2025-26 presets (issue 20 §2): each figure is the vendor's as the cited report gives it, not
the third-party tables' (TechPowerUp's MI325X 288 GB / 10,300 GB/s, a spec site's RTX 5050 224 GB/s,
another's RX 9070 XT 512 GB/s); derived FP16 figures follow their stated rule; unified-memory
presets carry the usable share their sources give and stay out of the discrete-card median."""

from __future__ import annotations

import pytest

from llm_pick.catalog.gpus import discrete_bandwidths, discrete_of, find_gpu, load_gpus
from llm_pick.estimate import memkind

NEW = [
    "rtx-5060-ti-16gb",
    "rtx-5060-ti-8gb",
    "rtx-5060",
    "rtx-5050",
    "rtx-pro-6000-blackwell",
    "dgx-spark",
    "h100-nvl",
    "rx-9070-xt",
    "rx-9070",
    "rx-9060-xt-16gb",
    "mi325x",
    "mi355x",
    "ryzen-ai-max-395-128gb",
    *(f"m5-{gib}gb" for gib in (16, 24, 32)),
    *(f"m5-pro-{gib}gb" for gib in (24, 48, 64)),
    *(f"m5-max-{gib}gb" for gib in (36, 48, 64, 128)),
]


@pytest.mark.parametrize("gpu_id", NEW)
def test_each_new_preset_quotes_the_vendor_bandwidth_it_holds(gpu_id: str) -> None:
    gpu = load_gpus()[gpu_id]
    source = gpu.source
    assert source is not None and source.checked == "secondary", gpu_id  # reports, not amd.com
    assert source.url and source.quote and source.via and source.read_at == "2026-12-07"
    assert source.vendor_bandwidth_gbs == gpu.memory_bandwidth_gbs, gpu_id


@pytest.mark.parametrize(
    ("gpu_id", "gib", "gbs", "quoted", "not_this"),
    [
        ("rtx-5050", 8, 320, "320GB/s", 224),  # 20 Gbps GDDR6, not 14 Gbps
        ("rx-9070-xt", 16, 640, "640 GB/s", 644.6),  # AMD's 20 Gbps, not TechPowerUp's 20.1
        ("mi325x", 256, 6000, "6 TB/s", 10300),  # AMD's footnote, not TechPowerUp's
        ("mi355x", 288, 8000, "8 TB/s", 8190),
        ("rtx-pro-6000-blackwell", 96, 1792, "1,792 GB/s", 1790),
        ("dgx-spark", 128, 273, "273 GB/s", 301),
        ("m5-16gb", 16, 153, "153GB/s", 120),
        ("m5-pro-48gb", 48, 307, "307GB/s", 273),
        ("m5-max-128gb", 128, 614, "614GB/s", 546),
    ],
)
def test_figures_pinned_to_their_sources(
    gpu_id: str, gib: float, gbs: float, quoted: str, not_this: float
) -> None:
    gpu = load_gpus()[gpu_id]
    assert (gpu.memory_gib, gpu.memory_bandwidth_gbs) == (gib, gbs)
    assert gpu.memory_bandwidth_gbs != not_this
    assert gpu.source is not None and quoted in (gpu.source.quote or ""), gpu_id


@pytest.mark.parametrize(
    ("gpu_id", "sms", "boost_ghz"),
    [("rtx-5060-ti-16gb", 36, 2.572), ("rtx-5060", 30, 2.497), ("rtx-5050", 20, 2.57)],
)
def test_rtx50_fp16_is_sms_x_1024_x_boost(gpu_id: str, sms: int, boost_ghz: float) -> None:
    """The rule the rtx-5070 preset's 48 x 1024 x 2.512 GHz = 123.5 (NVIDIA's 988 AI TOPS / 8)
    follows; each boost clock is quoted in the preset's source."""
    gpu = load_gpus()[gpu_id]
    assert gpu.sm_count == sms and gpu.fp16_tflops_kind == "tensor-dense-fp16-accumulate"
    assert gpu.fp16_tflops == pytest.approx(sms * 1024 * boost_ghz / 1000, abs=0.05)
    cited = " ".join([gpu.source.quote or "", gpu.source.via or "", *gpu.sources])  # type: ignore[union-attr]
    assert f"{sms * 128:,}" in cited or str(sms * 128) in cited


def test_rx_9070_leaves_out_the_fp16_its_sources_disagree_on() -> None:
    gpu = load_gpus()["rx-9070"]
    assert gpu.fp16_tflops is None and gpu.fp16_tflops_kind is None
    assert "2540 MHz and 2520 MHz" in gpu.source.status  # type: ignore[union-attr]


def test_unified_memory_presets_carry_their_sourced_share() -> None:
    spark = load_gpus()["dgx-spark"]
    # CUDA's 121.69 GiB pool, of which 101.3 GiB was free at boot headless (issue #47)
    assert spark.driver_memory_mib == round(121.69 * 1024)
    assert spark.usable_gib == pytest.approx(101.0, abs=0.1)
    halo = load_gpus()["ryzen-ai-max-395-128gb"]
    assert halo.usable_gib == 96  # AMD's 96 GB of Variable Graphics Memory on the 128 GB part
    assert halo.backend == "vulkan" and "96GB of Variable Graphics Memory" in halo.source.via  # type: ignore[operator,union-attr]


def test_unified_memory_presets_are_not_discrete_cards() -> None:
    """--vram N with no --gpu ranks at the median bandwidth of discrete presets near N GiB; the
    273 and 256 GB/s of 128 GB unified machines are not what a 128 GB card would have."""
    unified = {g.id for g in load_gpus().values() if g.usable_memory_fraction}
    assert {"dgx-spark", "ryzen-ai-max-395-128gb", "m5-max-128gb"} <= unified
    pairs = discrete_of(load_gpus().values())
    assert (128, 273) not in pairs and (128, 256) not in pairs
    assert discrete_bandwidths() == pairs  # the compiled index holds the same pairs


def test_hbm_presets_include_the_new_hbm_cards() -> None:
    for gpu_id in ("h100-nvl", "mi325x", "mi355x"):
        assert memkind.is_hbm(load_gpus()[gpu_id]), gpu_id
    for gpu_id in ("dgx-spark", "rtx-pro-6000-blackwell", "ryzen-ai-max-395-128gb"):
        assert not memkind.is_hbm(load_gpus()[gpu_id]), gpu_id


@pytest.mark.parametrize(
    ("name", "gpu_id"),
    [
        ("5060 ti", "rtx-5060-ti-8gb"),  # the bare name is the 8 GB card, as for the 4060 Ti
        ("5060 ti 16gb", "rtx-5060-ti-16gb"),
        ("rtx 6000", "rtx-6000-ada"),  # unchanged by the RTX PRO 6000's names
        ("rtx pro 6000", "rtx-pro-6000-blackwell"),
        ("dgx spark", "dgx-spark"),
        ("strix halo", "ryzen-ai-max-395-128gb"),
        ("m5 max 128gb", "m5-max-128gb"),
    ],
)
def test_names_find_the_new_presets(name: str, gpu_id: str) -> None:
    assert find_gpu(name).id == gpu_id
