"""`llm-pick calibrate`: measurements from real llama-bench outputs, the stored file (in a
temporary XDG_CONFIG_HOME, never the user's), and their use by later estimates."""

from __future__ import annotations

import json
import os
import re
import stat
import statistics
from pathlib import Path
from typing import Any

import pytest

from llm_pick.catalog.gpus import find_gpu
from llm_pick.catalog.load import load_catalog
from llm_pick.errors import InputError
from llm_pick.estimate.benchfiles import BenchRun, parse_bench
from llm_pick.estimate.calibrate_runs import measure, quant_of
from llm_pick.estimate.calibration import config_path, load_calibration, parse_calibration

BENCH = Path(__file__).parent / "data" / "llama_bench"
LOGS = Path(__file__).parent / "data" / "load_logs"
README_4080 = [
    str(BENCH / n)
    for n in (
        "10_csv_rtx4080_readme.csv",
        "20_json_rtx4080_readme.json",
        "30_jsonl_rtx4080_readme.jsonl",
    )
]


def runs_of(name: str) -> list[BenchRun]:
    return parse_bench((BENCH / name).read_text(encoding="utf-8"), name)


@pytest.mark.parametrize(
    ("model_type", "quant"),
    [
        ("qwen2 7B Q4_K - Medium", "q4_k_m"),
        ("llama 7B mostly Q4_0", "q4_0"),
        ("llama 13B Q6_K", "q6_k"),
        ("llama 8B F16", "fp16"),
        ("llama 8B BF16", "bf16"),
        ("mistral 7B Q8_0", "q8_0"),
        ("qwen3next 80B.A3B IQ4_XS - 4.25 bpw", "iq4_xs"),
    ],
)
def test_quant_of_llama_cpp_file_type_names(model_type: str, quant: str) -> None:
    assert quant_of(model_type) == quant


def test_decode_and_prefill_shares_from_the_file_values() -> None:
    card = find_gpu("rtx-4080")
    read = measure(runs_of("20_json_rtx4080_readme.json"), "f", list(load_catalog(())), None)
    assert read.skipped == []
    prefill, decode = read.measurements
    data = json.loads((BENCH / "20_json_rtx4080_readme.json").read_text())
    assert decode.device == "rtx-4080" and decode.family == "k-quant"
    wanted = data[1]["model_size"] * data[1]["avg_ts"] / (card.memory_bandwidth_gbs * 1e9)
    assert decode.efficiency == pytest.approx(wanted, abs=1e-4)
    assert card.fp16_tflops is not None
    flops = 2 * data[0]["model_n_params"] * data[0]["avg_ts"]
    assert prefill.efficiency == pytest.approx(flops / (card.fp16_tflops * 1e12), abs=1e-4)
    assert 0 < decode.efficiency < 1


def test_catalog_match_by_exact_parameter_count() -> None:
    read = measure(
        runs_of("21_json_rtx3090ti_i9-13900k_build1275.json"), "f", list(load_catalog(())), None
    )
    catalog = load_catalog(())
    assert [m.model for m in read.measurements] != [None, None]
    model = catalog.get(str(read.measurements[0].model))
    assert model.parameters.total == 6738415616  # llama-bench's model_n_params


@pytest.mark.parametrize(
    ("name", "reason", "count"),
    [
        ("31_jsonl_openblas_cpu_build6321_ttft_branch.jsonl", "a CPU run", 2),
        ("22_json_snapdragon_adreno840_hexagon_b11469.txt", "several kinds of device", 2),
        ("01_md_rtx4080_readme.md", "does not name the GPU", 4),  # and 2 at depth 512
    ],
)
def test_runs_that_cannot_be_measured_say_why(name: str, reason: str, count: int) -> None:
    read = measure(runs_of(name), name, [], None)
    assert read.measurements == []
    assert sum(reason in why for why in read.skipped) == count


def test_ram_parts_depth_and_partial_offload_are_skipped() -> None:
    read = measure(runs_of("02_md_rtx3090ti_pr4812.md"), "f", [], None)
    assert len(read.measurements) == 2 and len(read.skipped) == 2
    assert all("system RAM" in why for why in read.skipped)
    depth = measure(runs_of("01_md_rtx4080_readme.md"), "f", [], find_gpu("rtx-4080"))
    assert sum("at depth 512" in why for why in depth.skipped) == 2
    mixed = runs_of("06_md_2gpu_rtx5070ti_rtx5060ti_mixed.md")
    only = [r._replace(gpu_info="NVIDIA GeForce RTX 5070 Ti") for r in mixed]
    assert any("-ngl 34" in why for why in measure(only, "f", [], None).skipped)


def test_a_run_faster_than_the_card_is_refused() -> None:
    run = runs_of("20_json_rtx4080_readme.json")[1]
    read = measure([run._replace(tokens_per_second=1000.0)], "f", [], None)
    assert read.measurements == [] and "beyond the card" in read.skipped[0]


# ---- the command ------------------------------------------------------------------------


def test_config_path_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert config_path() == tmp_path / "llm-pick" / "calibration.json"
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/ignored")  # the spec: absolute only
    assert config_path() == Path.home() / ".config" / "llm-pick" / "calibration.json"


def test_calibrate_stores_atomically_private(cli: Any) -> None:
    result = cli("calibrate", *README_4080, "--format", "json")
    assert result.code == 0, result.stderr
    path = config_path()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert not [p for p in path.parent.iterdir() if p.name != path.name]  # no temporary left
    stored = load_calibration()
    assert stored is not None and len(stored.measurements) == 6
    (row,) = result.json()["corrections"]
    decodes = [m.efficiency for m in stored.measurements if m.kind == "decode"]
    assert row["runs"] == 6 and row["decode_efficiency"] == statistics.median(decodes)
    again = cli("calibrate", *README_4080)  # the same runs again are not counted twice
    assert again.code == 0 and "(0 new)" in again.stderr
    assert len(load_calibration().measurements) == 6  # type: ignore[union-attr]


def test_later_estimates_use_it_and_say_so(cli: Any) -> None:
    args = ("memory", "llama-3.1-8b", "--gpu", "rtx-4080", "--quant", "q4_k_m", "-f", "json")
    before = cli(*args)
    assert cli("calibrate", *README_4080).code == 0
    after = cli(*args)
    assert before.code == after.code == 0
    old, new = before.json(), after.json()
    old_speed = old["options"][0]["speed"] if "options" in old else old["speed"]
    new_speed = new["options"][0]["speed"] if "options" in new else new["speed"]
    assert "calibrated" not in old_speed["basis"]["note"]
    assert new_speed["basis"]["note"].startswith("calibrated from 6 of your runs (rtx-4080")
    stored = load_calibration()
    assert stored is not None
    share = statistics.median(m.efficiency for m in stored.measurements if m.kind == "decode")
    card = find_gpu("rtx-4080")
    bound = card.memory_bandwidth_gbs * 1e9 / new_speed["bytes_read_per_token"]
    decode = new_speed["decode_tokens_per_second"]
    assert decode["expected"] == pytest.approx(share * bound, rel=0.01)
    assert decode["high"] <= bound + 0.05  # never beats the memory bandwidth
    other = cli("memory", "llama-3.1-8b", "--gpu", "rtx-3090", "--quant", "q4_k_m", "-f", "json")
    assert "calibrated" not in json.dumps(other.json())  # another card: not used


def test_show_and_reset(cli: Any) -> None:
    empty = cli("calibrate", "--show")
    assert empty.code == 0 and "No calibration stored" in empty.stderr
    cli("calibrate", *README_4080, str(LOGS / "01_mixed_rtx4090_rtx5090_default_split_b5622.log"))
    shown = cli("calibrate", "--show")
    assert shown.code == 0
    assert re.search(r"rtx-4080\s+k-quant\s+78%\s+57%\s+6", shown.stdout), shown.stdout
    assert "1080.0" in shown.stdout  # the compute buffers of the log
    reset = cli("calibrate", "--reset")
    assert reset.code == 0 and not config_path().exists()


def test_nothing_usable_is_one_error_and_nothing_written(cli: Any) -> None:
    name = str(BENCH / "31_jsonl_openblas_cpu_build6321_ttft_branch.jsonl")
    result = cli("calibrate", name)
    assert result.code == 1 and "Error: no usable run" in result.stderr
    assert "Traceback" not in result.stderr and not config_path().exists()


HOSTILE = [
    "not json",
    "[]",
    '{"version": 2}',
    '{"version": 1, "extra": 1}',
    '{"version": 1, "measurements": {}}',
    '{"version": 1, "measurements": [1]}',
    '{"version": 1, "measurements": [{"device": "x"}]}',
    '{"version": 1, "buffers": [{"device": "a", "device_name": "b", "compute_bytes": -1,'
    ' "source": "c"}]}',
    "[" * 100000,
]


def _measurement(**changes: object) -> str:
    entry: dict[str, object] = {
        "device": "rtx-4080",
        "family": "k-quant",
        "kind": "decode",
        "tokens_per_second": 100.0,
        "efficiency": 0.7,
        "quant": "q4_k_m",
        "model_type": "t",
        "model": None,
        "source": "s",
    }
    entry.update(changes)
    return json.dumps({"version": 1, "measurements": [entry]})


HOSTILE += [
    _measurement(efficiency=1.5),  # beats the bandwidth
    _measurement(efficiency=float("nan")),
    _measurement(efficiency=-1.0),
    _measurement(family="ternary"),
    _measurement(model_type="x\x1b[31m"),
    _measurement(tokens_per_second=True),
]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_bad_file_is_an_error_for_calibrate_and_a_warning_elsewhere(cli: Any, text: str) -> None:
    with pytest.raises(InputError):
        parse_calibration(text, "f")
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text(text)
    shown = cli("calibrate", "--show")
    assert shown.code == 1 and shown.stderr.startswith("Error: ")
    assert shown.stderr.count("\n") == 1 and "Traceback" not in shown.stderr
    other = cli("memory", "llama-3.1-8b", "--gpu", "rtx-4080", "--quant", "q4_k_m", "-f", "json")
    assert other.code == 0 and other.stderr.startswith("Warning: calibration ignored")
    assert "\x1b" not in other.stderr
    assert path.read_text() == text  # left alone until --reset


def test_not_a_regular_file(cli: Any) -> None:
    path = config_path()
    path.parent.mkdir(parents=True)
    path.symlink_to("/dev/zero")
    result = cli("calibrate", "--show")
    assert result.code == 1 and "Error:" in result.stderr and "Traceback" not in result.stderr
    path.unlink()
    path.write_bytes(b" " * (5 * 1024**2))  # over the size cap
    assert cli("calibrate", "--show").code == 1
