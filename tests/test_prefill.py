"""CPU prefill (estimate/prefill.py) and its bench (bench/cpu_prefill.py): the constants are the
fit of the sourced rows, the held-out rows are split by source, and the time to first token is
quoted on CPU-only runs and with layers in RAM, growing with the prompt, under the compute
ceiling."""

from __future__ import annotations

import hashlib
import statistics
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from conftest import run, script

from llm_pick.catalog.load import load_catalog
from llm_pick.estimate import prefill, speed
from llm_pick.estimate.fit import Fit
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.memory import estimate_memory
from llm_pick.estimate.speedkinds import attention_width_of, prefill_flops

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return script("bench/cpu_prefill.py", "cpu_prefill_bench")


def memory_json(*args: str) -> dict[str, Any]:
    result = run("memory", "llama-3-8b", "-q", "q4_k_m", *args, "--format", "json")
    assert result.code == 0, result.stderr
    found: dict[str, Any] = result.json()
    return found


@pytest.mark.parametrize(
    "name", ["speed_points_cpu_prefill.yaml", "speed_points_cpu_prefill_formats.yaml"]
)
def test_rows_are_sourced_and_split_by_source(name: str) -> None:
    data = yaml.load((ROOT / "bench/data" / name).read_text(), Loader=yaml.CSafeLoader)
    sides: dict[str, set[str]] = {}
    for point in data["points"]:
        assert point["source"].startswith("https://") and point["threads"] > 0
        url = point["source"].split()[0]
        held = int(hashlib.sha256(url.encode()).hexdigest(), 16) % 3 == 0
        assert point["set"] == ("test" if held else "fit"), point["id"]
        sides.setdefault(url, set()).add(point["set"])
        assert point["device"] in data["devices"]
        assert prefill.cpu_kernel(point["quant"]) is not None, point["id"]
    assert all(len(found) == 1 for found in sides.values())
    assert {p["set"] for p in data["points"]} == {"fit", "test"}


def test_constants_are_the_fit(bench: ModuleType) -> None:
    line = bench.fitted(bench.load_rows())
    assert pytest.approx(line.rate, rel=0.01) == prefill.CPU_PREFILL_RATE
    assert pytest.approx(line.exponent, abs=0.001) == prefill.CPU_THREAD_EXPONENT
    assert pytest.approx(line.factors, rel=0.01) == prefill.CPU_KERNEL_FACTOR
    assert pytest.approx((line.low, line.high), abs=0.01) == prefill.CPU_PREFILL_SCATTER


def test_held_out_rows(bench: ModuleType) -> None:
    rows = bench.load_rows()
    line = bench.fitted(rows)
    ratios = [line.ratio(r) for r in rows if r.set == "test"]
    assert len(ratios) >= 4
    assert 0.5 < statistics.median(ratios) < 2.0  # measured / expected, held out by source


def test_bench_prints_constants_and_held_out(
    bench: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    monkey_argv = sys.argv
    sys.argv = ["cpu_prefill.py"]
    try:
        assert bench.main() == 0
    finally:
        sys.argv = monkey_argv
    out = capsys.readouterr().out
    assert "CPU_PREFILL_RATE = " in out and "test: " in out and "within the scatter" in out
    assert "CPU_KERNEL_FACTOR = " in out and "before (" in out and "one machine out" in out


def test_cpu_only_quotes_time_to_first_token() -> None:
    data = memory_json("--vram", "0", "--ram", "32")
    assert data["fit"]["verdict"] == "cpu"
    found = data["speed"]
    ttft = found["time_to_first_token_seconds"]
    assert ttft["prompt_tokens"] == 512 and ttft["low"] < ttft["expected"] < ttft["high"]
    assert found["estimated"] is True and "CPU prefill at 8 threads" in found["basis"]["prefill"]


def test_time_to_first_token_grows_with_prompt_faster_than_linearly() -> None:
    short = memory_json("--vram", "0", "--ram", "32")["speed"]["time_to_first_token_seconds"]
    # 7K: Llama 3 8B's 8K window holds the prompt and room for the reply
    long = memory_json("--vram", "0", "--ram", "32", "--prompt-tokens", "7k")["speed"]
    seconds = long["time_to_first_token_seconds"]
    assert seconds["prompt_tokens"] == 7168
    # Attention grows with the position: each token of a long prompt costs more.
    assert seconds["expected"] > 14 * short["expected"]


def test_more_threads_faster_but_not_beyond_proportion() -> None:
    eight = memory_json("--vram", "0", "--ram", "32", "--threads", "8")["speed"]
    thirty_two = memory_json("--vram", "0", "--ram", "32", "--threads", "32")["speed"]
    a = eight["prefill_tokens_per_second"]["expected"]
    b = thirty_two["prefill_tokens_per_second"]["expected"]
    assert a < b < 4 * a


@pytest.mark.parametrize("threads", [1, 8, 96, 1024])
@pytest.mark.parametrize("prompt", [512, 32768])
@pytest.mark.parametrize("quant", ["q4_0", "q4_k_m", "iq2_xxs", "fp16"])
def test_cpu_prefill_under_the_compute_ceiling(threads: int, prompt: int, quant: str) -> None:
    model = next(m for m in load_catalog() if m.id == "llama-3.1-8b")
    est = estimate_memory(model, quant, context=prompt)
    hardware = Hardware(label="cpu", vram_gib=0, ram_gib=512, threads=threads)
    fit = Fit("cpu", est.total_bytes, 512 << 30, 0, est.layers, est.total_bytes, 1)
    width = attention_width_of(model)
    found = speed.estimate_speed(
        est,
        hardware,
        fit,
        model.parameters.active_count,
        attention_width=width,
        prompt_tokens=prompt,
    )
    assert found.prefill_high is not None and found.prefill_ceiling is not None
    flops = prefill_flops(model.parameters.active_count, width, prompt)
    kernel = prefill.cpu_kernel(quant)
    assert kernel is not None
    peak = threads * prefill.cpu_peak_ops(kernel)
    assert found.prefill_high * flops <= peak * (1 + 1e-9)
    assert found.prefill_high <= found.prefill_ceiling


def test_layers_in_ram_between_card_and_cpu() -> None:
    gpu = memory_json("--gpu", "rtx-4090", "--context", "4096")["speed"]
    cpu = memory_json("--vram", "0", "--ram", "32")["speed"]
    part = memory_json("--gpu", "rtx-3050-laptop", "--ram", "32")
    assert part["fit"]["verdict"] == "offload"
    found = part["speed"]
    assert "--no-op-offload" in found["basis"]["prefill"]
    seconds = found["time_to_first_token_seconds"]["expected"]
    assert gpu["time_to_first_token_seconds"]["expected"] < seconds
    assert seconds < cpu["time_to_first_token_seconds"]["expected"]


def test_no_cpu_figure_for_formats_llama_cpp_does_not_run_there() -> None:
    hardware = Hardware(label="cpu", vram_gib=0, ram_gib=64)
    for quant in ("gptq-4bit", "awq-4bit", "bnb-nf4", "i2_s"):
        assert prefill.prefill_step(1e10, hardware, 0.0, quant, "cpu").seconds is None
    for quant in ("fp16", "bf16", "q8_0", "q4_0", "q4_k_m", "iq4_xs", "iq2_xxs"):
        assert prefill.prefill_step(1e10, hardware, 0.0, quant, "cpu").seconds is not None


def test_table_says_what_the_prefill_rests_on() -> None:
    result = run("memory", "llama-3-70b", "-q", "q4_k_m", "--gpu", "rtx-3060-12gb", "--ram", "64")
    assert result.code == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "Prefill: " in text and "CPU prefill at 8 threads (assumed)" in text
    assert "--no-op-offload" in text
