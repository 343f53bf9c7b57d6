"""Reading real llama-bench outputs and llama.cpp load logs (tests/data/llama_bench,
tests/data/load_logs; sources in their README)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llm_pick.errors import InputError
from llm_pick.estimate.benchfiles import MIB, parse_bench, parse_load_log

BENCH = Path(__file__).parent / "data" / "llama_bench"
LOGS = Path(__file__).parent / "data" / "load_logs"


def read(name: str) -> str:
    return (BENCH / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "name",
    ["10_csv_rtx4080_readme.csv", "20_json_rtx4080_readme.json", "30_jsonl_rtx4080_readme.jsonl"],
)
def test_the_readme_run_reads_the_same_in_csv_json_and_jsonl(name: str) -> None:
    runs = parse_bench(read(name), name)
    assert [r.kind for r in runs] == ["prefill", "decode"]
    for run in runs:
        assert run.model_type == "qwen2 7B Q4_K - Medium"
        assert run.model_size == 4677120000
        assert run.model_n_params == 7615616512
        assert run.gpu_info == "NVIDIA GeForce RTX 4080"
        assert run.backends == "CUDA"
        assert run.n_gpu_layers == 99
        assert run.build == "8cf427ff (5163)"
        assert not run.host_parts


def test_json_values_are_the_files_own() -> None:
    data = json.loads(read("20_json_rtx4080_readme.json"))
    runs = parse_bench(read("20_json_rtx4080_readme.json"), "x")
    assert [r.tokens_per_second for r in runs] == [d["avg_ts"] for d in data]


def test_2023_json_schema_names_its_backend_by_flag() -> None:
    runs = parse_bench(read("21_json_rtx3090ti_i9-13900k_build1275.json"), "x")
    assert [r.backends for r in runs] == ["CUDA", "CUDA"]
    assert runs[0].model_type == "llama 7B mostly Q4_0"
    assert runs[0].gpu_info == "NVIDIA GeForce RTX 3090 Ti"


def test_misaligned_csv_rows_are_not_read_by_position() -> None:
    # the published 2023 CSV has 27 values under 26 names: reading it would shift every field
    with pytest.raises(InputError, match="no llama-bench results"):
        parse_bench(read("11_csv_rtx3090ti_i9-13900k_build1275.csv"), "old.csv")


def test_markdown_with_banner_and_nkvo_column() -> None:
    runs = parse_bench(read("02_md_rtx3090ti_pr4812.md"), "x")
    assert [(r.kind, r.tokens_per_second) for r in runs] == [
        ("prefill", 4035.47),
        ("decode", 127.43),
        ("prefill", 237.84),
        ("decode", 59.99),
    ]
    assert [r.host_parts for r in runs] == [False, False, True, True]  # nkvo 1: KV in RAM
    assert {r.gpu_info for r in runs} == {"NVIDIA GeForce RTX 3090 Ti"}
    assert runs[0].model_size == round(3.56 * 1024**3)
    assert runs[0].model_n_params == round(6.74e9)


def test_markdown_unaligned_rows_and_pipes_inside_cells() -> None:
    runs = parse_bench(read("06_md_2gpu_rtx5070ti_rtx5060ti_mixed.md"), "x")
    assert [r.tokens_per_second for r in runs] == [520.68, 32.96, 1296.08, 75.82]
    assert runs[0].model_type == "qwen3next 80B.A3B IQ4_XS - 4.25 bpw"
    assert runs[0].n_gpu_layers == 34
    assert [r.host_parts for r in runs] == [False, False, True, True]  # -ot ...=CPU
    # the CUDA banner is printed before every run: each card once
    assert runs[0].gpu_info == "NVIDIA GeForce RTX 5070 Ti, NVIDIA GeForce RTX 5060 Ti"


def test_markdown_depth_and_old_test_spelling() -> None:
    runs = parse_bench(read("01_md_rtx4080_readme.md"), "x")
    assert [r.n_depth for r in runs] == [0, 0, 0, 0, 512, 512]
    assert runs[0].kind == "prefill" and runs[1].kind == "decode"  # "pp 512", "tg 128"
    assert runs[0].gpu_info is None  # markdown names no GPU without the banner


def test_json_after_backend_banner_lines() -> None:
    runs = parse_bench(read("22_json_snapdragon_adreno840_hexagon_b11469.txt"), "x")
    assert [r.kind for r in runs] == ["prefill", "decode"]
    assert runs[0].gpu_info == "QUALCOMM Adreno(TM) 840, Hexagon"


def test_cpu_jsonl_with_extra_keys() -> None:
    runs = parse_bench(read("31_jsonl_openblas_cpu_build6321_ttft_branch.jsonl"), "x")
    assert len(runs) == 2 and runs[0].gpu_info is None


@pytest.mark.parametrize("text", ["", "hello\n", "[1, 2]", "| a | b |\n|---|---|\n| 1 | 2 |\n"])
def test_no_results_is_one_error(text: str) -> None:
    with pytest.raises(InputError, match="no llama-bench results"):
        parse_bench(text, "f")


def test_load_log_2025_with_device_names() -> None:
    log = parse_load_log((LOGS / "01_mixed_rtx4090_rtx5090_default_split_b5622.log").read_text())
    assert log is not None
    compute = {b.device: b.bytes for b in log.buffers if b.what == "compute"}
    assert compute["CUDA0"] == compute["CUDA1"] == int(1080 * MIB)
    kv = {b.device: b.bytes for b in log.buffers if b.what == "KV"}
    assert kv == {"CUDA0": int(384 * MIB), "CUDA1": int(1152 * MIB)}  # research/mixed_gpu.md §3
    assert log.device_names["CUDA1"] == "NVIDIA GeForce RTX 5090"


def test_load_log_2024_format_and_decimal_comma() -> None:
    old = parse_load_log((LOGS / "03_mixed_rtx4070ti_rtx3090ti_pr6122_old_format.log").read_text())
    assert old is not None and any(b.what == "compute" for b in old.buffers)
    rocm = parse_load_log((LOGS / "05_3x_rocm_row_split_issue16865.log").read_text())
    assert rocm is not None
    model = {b.device: b.bytes for b in rocm.buffers if b.what == "model"}
    assert model["ROCm0"] == int(21051.56 * MIB)
    assert model["ROCm0_Split"] == int(211.66 * MIB)


def test_load_log_2026_timestamps_last_line_counts() -> None:
    text = (LOGS / "07_4x_rtxpro6000_build10505_current_format_with_breakdown.log").read_text()
    log = parse_load_log(text)
    assert log is not None
    compute = {b.device: b.bytes for b in log.buffers if b.what == "compute"}
    assert compute["CUDA0"] == int(5124.07 * MIB)
    again = text + "\nsched_reserve:      CUDA0 compute buffer size =  6000.50 MiB\n"
    later = parse_load_log(again)
    assert later is not None
    assert {b.device: b.bytes for b in later.buffers if b.what == "compute"}["CUDA0"] == int(
        6000.50 * MIB
    )
    rpc = parse_load_log(
        (LOGS / "08_mixed_gb10_plus_rpc_strixhalo_tensor_split_40_60.log").read_text()
    )
    assert rpc is not None and any(b.device.startswith("RPC0[") for b in rpc.buffers)


def test_a_bench_output_is_not_a_load_log() -> None:
    assert parse_load_log(read("20_json_rtx4080_readme.json")) is None
