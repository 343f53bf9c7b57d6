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


def test_a_tables_throughput_and_p99_bound_the_tokens_each_request_carried() -> None:
    """R requests with at most B in flight run in ceil(R / B) waves of about the p99 each,
    so tokens per request <= total x waves x p99 / R (bench/serving.py tokens_per_request)."""
    bench = script("bench/serving.py", "bench_serving_tokens")
    load_gpus()
    rows = bench.load_rows()
    ten = next(r for r in rows if "8xmi325x" in r.id and r.batch == 10)
    made_up = ten._replace(total=1000.0, p99_seconds=10.0, requests=100, batch=10)
    assert bench.tokens_per_request(made_up) == 1000.0  # 10 waves of 10 s, 100 requests
    assert bench.tokens_per_request(made_up._replace(batch=1000)) == 100.0  # one wave
    assert bench.tokens_per_request(made_up._replace(total=None)) is None
    # a row is set aside when the bound falls short of its stated prompt + output (2,560)
    assert not bench.consistent(made_up) and bench.split(made_up) == "set aside"
    assert bench.consistent(made_up._replace(total=2560.0))  # exactly the stated lengths
    assert bench.consistent(made_up._replace(total=None))  # nothing to check it against
    # Vultr's MI325X table: about 1,760 tokens per request at every level, not 2,048 + 512
    bounds = [bench.tokens_per_request(r) for r in rows if "8xmi325x" in r.id]
    assert all(1740 < b < 1780 for b in bounds)
    assert all(bench.tokens_per_request(r) is None for r in rows if "8xmi325x" not in r.id)


def test_the_fit_tables_growth_with_the_batch_is_printed_per_table() -> None:
    """The step time added per further sequence between each fit table's two largest
    batches, published and modelled (methodology 7b: the 405B tables disagree on it)."""
    bench = script("bench/serving.py", "bench_serving_growth")
    load_gpus()
    slopes = {(name, low): (pub, mod) for name, low, _, pub, mod in bench.growth(bench.load_rows())}
    assert len(slopes) == 6
    oci = slopes[("llama-3.1-405b-instruct 128 in", 128)]
    readme = slopes[("llama-3.1-405b-instruct 128 in", 64)]
    assert oci[0] > 2 * readme[0]  # the same model and cards: 0.45 vs 0.22 ms per sequence
    assert readme[1] > readme[0] * 1.3 and oci[1] < oci[0]  # the model sits between them
