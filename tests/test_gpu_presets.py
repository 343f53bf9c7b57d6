"""GPU presets re-verified against vendor figures (issue 19 §7): each id once, each preset with
its `source`, and every vendor figure read holds the preset to it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from llm_pick.catalog.filetypes import GpuFile
from llm_pick.catalog.gpus import load_gpus
from llm_pick.catalog.validate import validate_file
from llm_pick.errors import CatalogError

DATA = Path(__file__).resolve().parents[1] / "data" / "gpus.yaml"


def test_each_preset_id_is_listed_once_in_the_data_file() -> None:
    raw = yaml.load(DATA.read_text(), Loader=yaml.CSafeLoader)
    ids = [g["id"] for g in raw["gpus"]]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    assert "&id" not in DATA.read_text()  # no YAML anchors left from copied entries


def test_a_file_listing_a_preset_twice_is_refused(tmp_path: Path) -> None:
    raw = yaml.load(DATA.read_text(), Loader=yaml.CSafeLoader)
    raw["gpus"].append(dict(raw["gpus"][0]))
    with pytest.raises(CatalogError) as error:
        validate_file(tmp_path / "gpus.yaml", yaml.safe_dump(raw).encode(), GpuFile)
    assert "listed more than once: rtx-3060-12gb" in " ".join(error.value.problems)


def test_every_preset_says_how_it_was_checked() -> None:
    for gpu in load_gpus().values():
        assert gpu.source is not None, gpu.id
        if gpu.source.checked != "not-verified":
            assert gpu.source.url and gpu.source.quote, gpu.id


def test_presets_match_the_vendor_bandwidth_read() -> None:
    checked = [g for g in load_gpus().values() if g.source and g.source.vendor_bandwidth_gbs]
    assert len(checked) >= 15
    for gpu in checked:
        vendor = gpu.source.vendor_bandwidth_gbs  # type: ignore[union-attr]
        assert vendor is not None
        assert abs(gpu.memory_bandwidth_gbs - vendor) <= 0.002 * vendor, gpu.id


@pytest.mark.parametrize(
    ("gpu_id", "bandwidth"),
    [("t4", 300), ("arc-a770-16gb", 560), ("a100-80gb-pcie", 1935), ("mi300x", 5325)],
)
def test_the_mismatches_found_are_fixed(gpu_id: str, bandwidth: float) -> None:
    assert load_gpus()[gpu_id].memory_bandwidth_gbs == bandwidth


def test_mi250_is_one_device_as_rocm_sees_it() -> None:
    mi250 = load_gpus()["mi250"]
    assert mi250.memory_gib == 64  # one of the module's two GCDs
    assert mi250.fp16_tflops == pytest.approx(362.1 / 2)
