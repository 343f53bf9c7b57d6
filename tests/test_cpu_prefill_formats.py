"""CPU prefill by weight format (issue 19 §4, issue 20 §2; estimate/prefill.py): the formats'
kernels differ on the CPU as the published llama-bench rows do (Q4_0 faster than the k-quants,
IQ2/IQ3 slower), 16-bit weights get a time to first token too, the same in every command, and no
estimate passes the physical peak of the format."""

from __future__ import annotations

import statistics
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from conftest import run, script
from hypothesis import given, settings
from hypothesis import strategies as st

from llm_pick.estimate import prefill
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.quant import _QUANTS

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ROOT / "bench/data/speed_points_cpu_prefill_formats.yaml"
CPU_ONLY = ("--vram", "0", "--ram", "64")


def speed_of(quant: str, *args: str) -> dict[str, Any]:
    result = run("memory", "llama-3.1-8b", "-q", quant, *CPU_ONLY, *args, "--format", "json")
    assert result.code == 0, result.stderr
    found: dict[str, Any] = result.json()["speed"]
    return found


def measured(source: str, device: str, quant: str) -> float:
    data = yaml.load(FORMATS.read_text(), Loader=yaml.CSafeLoader)
    (rate,) = [
        p["tokens_per_second"]
        for p in data["points"]
        if p["source"].startswith(source) and p["device"] == device and p["quant"] == quant
    ]
    return float(rate)


@pytest.mark.parametrize("device", ["ryzen-7950x", "apple-m2-max-cpu"])
@pytest.mark.parametrize(
    "source",
    [
        "https://github.com/ikawrakow/ik_llama.cpp/discussions/164",
        "https://github.com/ikawrakow/ik_llama.cpp/blob/",
    ],
)
def test_the_data_orders_the_formats(source: str, device: str) -> None:
    """What the estimate has to follow: on each machine and build, Q4_0 prefills faster than
    Q4_K_S, and IQ2_XXS slower."""
    q4_k = measured(source, device, "q4_k_s")
    assert measured(source, device, "q4_0") > q4_k > measured(source, device, "iq2_xxs")


def test_cpu_prefill_follows_the_format() -> None:
    rates = {
        q: speed_of(q)["prefill_tokens_per_second"]["expected"]
        for q in ("q4_0", "q4_k_m", "iq2_xxs")
    }
    assert rates["q4_0"] > rates["q4_k_m"] > rates["iq2_xxs"]
    first = {q: speed_of(q)["time_to_first_token_seconds"]["expected"] for q in ("q4_0", "q4_k_m")}
    assert first["q4_0"] < first["q4_k_m"]


@pytest.mark.parametrize("quant", ["fp16", "bf16"])
def test_16_bit_weights_on_the_cpu_have_a_time_to_first_token(quant: str) -> None:
    found = speed_of(quant)
    ttft = found["time_to_first_token_seconds"]
    assert ttft is not None and ttft["low"] < ttft["expected"] < ttft["high"]
    assert "16-bit kernels" in found["basis"]["prefill"]
    ceiling = found["prefill_ceiling_tokens_per_second"]
    assert found["prefill_tokens_per_second"]["high"] <= ceiling


def test_commands_agree_on_the_cpu_time_to_first_token() -> None:
    expected = speed_of("fp16")["time_to_first_token_seconds"]["expected"]
    args = ("-q", "fp16", *CPU_ONLY, "--format", "json")
    explain = run("explain", "llama-3.1-8b", *args)
    assert explain.code == 0, explain.stderr
    shown = explain.json()["memory"]["speed"]["time_to_first_token_seconds"]
    assert shown["expected"] == expected
    compare = run("compare", "llama-3.1-8b", "llama-3.2-3b", *args)
    assert compare.code == 0, compare.stderr
    rows = {r["field"]: r["values"] for r in compare.json()["rows"]}
    assert rows["time to first token s fp16"]["llama-3.1-8b"] == expected
    recommend = run("recommend", *args, "--family", "llama", "--top", "3")
    assert recommend.code == 0, recommend.stderr
    ranking = recommend.json()["ranking"]
    assert ranking and all(r["quant"] == "fp16" for r in ranking)
    assert all(r["speed"]["time_to_first_token_seconds"]["expected"] > 0 for r in ranking)


LLAMA_CPP_FORMATS = [q.name for q in _QUANTS if prefill.cpu_kernel(q.name) is not None]


@settings(max_examples=200, deadline=None)
@given(
    quant=st.sampled_from(LLAMA_CPP_FORMATS),
    threads=st.integers(min_value=1, max_value=1024),
    flops=st.floats(min_value=1e6, max_value=1e14),
    share=st.sampled_from([0.0]),
)
def test_cpu_prefill_never_passes_the_physical_peak(
    quant: str, threads: int, flops: float, share: float
) -> None:
    hardware = Hardware(label="cpu", vram_gib=0, ram_gib=64, threads=threads)
    found = prefill.prefill_step(flops, hardware, share, quant, "cpu")
    assert found.seconds is not None and found.ceiling is not None
    kernel = prefill.cpu_kernel(quant)
    assert kernel is not None
    peak = threads * prefill.cpu_peak_ops(kernel)
    assert found.ceiling == pytest.approx(peak / flops, abs=0.1)
    assert found.ceiling <= peak / flops
    assert flops / found.seconds <= peak * (1 + 1e-9)
    assert flops / found.seconds * found.scatter[0] <= peak  # the low end too


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return script("bench/cpu_prefill.py", "cpu_prefill_formats_bench")


def test_held_out_rows_closer_than_one_rate(bench: ModuleType) -> None:
    """The per-kernel fit misses the held-out rows by less than the one-rate model it replaced."""
    rows = bench.load_rows()
    line = bench.fitted(rows)
    test = [r for r in rows if r.set == "test"]
    after = statistics.median(bench.error(line.ratio(r)) for r in test)
    one_rate = [
        r.measured * r.flops / (bench.BEFORE_RATE * r.threads**bench.BEFORE_EXPONENT) for r in test
    ]
    assert after < statistics.median(bench.error(x) for x in one_rate)
