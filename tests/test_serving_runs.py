"""A benchmark run of a fixed number of requests (num_prompts): never more in flight than the
run sends, and the last round runs only the remainder (estimate/serving.py, Load.requests)."""

from __future__ import annotations

from conftest import script

from llm_pick.catalog.gpus import load_gpus
from llm_pick.catalog.load import load_catalog
from llm_pick.catalog.types import Model
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.serving import SERVING_FORMATS, Load, serving_speed

FP8 = SERVING_FORMATS["fp8"]


def _405b_on_8_mi300x() -> tuple[Model, Hardware]:
    return load_catalog().get("llama-3.1-405b-instruct"), Hardware.from_gpu("mi300x", 8)


def test_a_run_of_100_requests_never_has_more_than_100_in_flight() -> None:
    model, hardware = _405b_on_8_mi300x()
    capped = serving_speed(model, FP8, hardware, Load(1000, 2048, 512, 100))
    hundred = serving_speed(model, FP8, hardware, Load(100, 2048, 512))
    assert capped.concurrency == 100
    assert capped.aggregate == hundred.aggregate
    unbounded = serving_speed(model, FP8, hardware, Load(1000, 2048, 512))
    assert unbounded.concurrency == 256  # vLLM's --max-num-seqs default
    assert unbounded.aggregate > capped.aggregate


def test_whole_rounds_match_the_steady_state_and_a_remainder_round_costs() -> None:
    model, hardware = _405b_on_8_mi300x()
    steady = serving_speed(model, FP8, hardware, Load(50, 2048, 512))
    whole = serving_speed(model, FP8, hardware, Load(50, 2048, 512, 100))
    assert whole.aggregate == steady.aggregate
    # 100 requests at 75: one round of 75, then one of 25 at a smaller, less efficient batch
    split = serving_speed(model, FP8, hardware, Load(75, 2048, 512, 100))
    full = serving_speed(model, FP8, hardware, Load(75, 2048, 512))
    assert split.aggregate < full.aggregate
    assert split.aggregate > steady.aggregate * 0.5
    assert split.per_stream == full.per_stream  # a stream of the full round


def test_bench_rows_carry_the_runs_stated_request_counts() -> None:
    bench = script("bench/serving.py", "bench_serving_runs")
    load_gpus()
    rows = bench.load_rows()
    counts = {r.requests for r in rows if "8xmi325x" in r.id}
    assert counts == {100}  # Vultr's multi-run analysis: 100 requests per concurrency level
    saturated = [bench.estimate(r) for r in rows if "8xmi325x" in r.id and r.batch >= 100]
    assert max(saturated) == min(saturated)  # c100-c1000 all run the same 100 requests


def test_the_mi325x_request_latency_holds_at_10_streams_not_at_100() -> None:
    """The table's p99 latency (independent of how it counts tokens): the model's request
    is within it at 10 streams (a mean request under the p99) and too slow at 100
    (methodology 7b, the figures printed by bench/serving.py)."""
    bench = script("bench/serving.py", "bench_serving_latency")
    load_gpus()
    rows = {r.batch: r for r in bench.load_rows() if "8xmi325x" in r.id}
    ten, hundred = rows[10], rows[100]
    assert -0.10 < bench.request_seconds(ten) / ten.p99_seconds - 1 < 0.02  # -8.1%
    assert 1.7 < bench.request_seconds(hundred) / hundred.p99_seconds < 1.9  # +79.1%
