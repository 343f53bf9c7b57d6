"""The vLLM serving model (estimate/serving.py): physics bounds, memory as vLLM allocates it,
the runtime choice, and the held-out error against published serving tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import examples, script
from hypothesis import given, settings
from hypothesis import strategies as st

from llm_pick.catalog.load import load_catalog
from llm_pick.estimate import serving
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.servekv import KV_DTYPE_BYTES
from llm_pick.estimate.serving import SERVING_FORMATS, Load, serving_memory, serving_speed

ROOT = Path(__file__).resolve().parents[1]
MODELS = (
    "llama-3.1-8b",
    "llama-3.1-70b",
    "llama-3.1-405b",
    "mixtral-8x7b",
    "llama-3.3-70b-instruct",
    "llama-4-scout-17b-16e",  # chunked local attention: 36 of 48 layers hold their chunk
    "llama-4-maverick-17b-128e",
)
KV_DTYPES = tuple(KV_DTYPE_BYTES)  # bf16, fp8 (--kv-cache-dtype fp8)
CARDS = ("h100-sxm", "h200", "a100-80gb", "mi300x", "l40s", "rtx-4090")


def _bench() -> object:
    return script("bench/serving.py", "bench_serving")


@settings(max_examples=examples(60), deadline=None)
@given(
    model_id=st.sampled_from(MODELS),
    card=st.sampled_from(CARDS),
    gpus=st.sampled_from((1, 2, 4, 8)),
    fmt=st.sampled_from(tuple(SERVING_FORMATS)),
    batch=st.integers(1, 512),
    prompt=st.integers(1, 32768),
    output=st.integers(1, 4096),
    requests=st.one_of(st.none(), st.integers(1, 2048)),
    kv=st.sampled_from(KV_DTYPES),
)
def test_no_step_beats_the_bandwidth_ceiling(
    model_id: str,
    card: str,
    gpus: int,
    fmt: str,
    batch: int,
    prompt: int,
    output: int,
    requests: int | None,
    kv: str,
) -> None:
    model = load_catalog().get(model_id)
    hardware = Hardware.from_gpu(card, gpus)
    load = Load(batch, prompt, output, requests, kv_dtype=kv)
    speed = serving_speed(model, SERVING_FORMATS[fmt], hardware, load)
    # the ceiling is the step's own bytes (weights and the cache in its type) at the bandwidth
    tokens = prompt + output // 2
    read = serving.step_bytes(model, SERVING_FORMATS[fmt], gpus, speed.concurrency, tokens, kv)
    assert speed.ceiling_step_seconds == pytest.approx(read / (hardware.bandwidth_gbs * 1e9))
    assert speed.step_seconds >= speed.ceiling_step_seconds > 0
    # per stream, no faster than one step per ceiling; all streams, no more than batch of them
    assert speed.per_stream <= 1 / speed.ceiling_step_seconds
    assert speed.aggregate <= speed.concurrency / speed.ceiling_step_seconds
    assert speed.ttft_seconds > 0


@settings(max_examples=examples(60), deadline=None)
@given(
    model_id=st.sampled_from(MODELS),
    card=st.sampled_from(CARDS),
    gpus=st.sampled_from((1, 2, 4, 8)),
    fmt=st.sampled_from(tuple(SERVING_FORMATS)),
    context=st.integers(1, 131072),
    utilization=st.floats(0.5, 0.98),
    kv=st.sampled_from(KV_DTYPES),
)
def test_memory_never_above_the_cards(
    model_id: str, card: str, gpus: int, fmt: str, context: int, utilization: float, kv: str
) -> None:
    model = load_catalog().get(model_id)
    hardware = Hardware.from_gpu(card, gpus)
    mem = serving_memory(model, SERVING_FORMATS[fmt], hardware, context, utilization, kv)
    budget = mem.weights + mem.activation + mem.runtime + mem.kv_pool
    if mem.kv_pool > 0:  # the profile's budget; the CUDA graphs go in the headroom
        assert budget <= mem.card_bytes * utilization
        assert budget + mem.graphs <= mem.card_bytes
    # what the fitting sequences hold fits in the pool; no sequence takes more than every
    # layer at the context (chunked layers hold less), and the pool's tokens are its bytes
    assert mem.sequences * mem.kv_per_sequence <= mem.kv_pool
    assert mem.kv_per_sequence <= -(-context // 16) * 16 * mem.kv_per_token
    assert mem.kv_pool_tokens * mem.kv_per_token <= mem.kv_pool
    assert mem.kv_dtype == kv


def test_kv_heads_split_across_ranks_and_replicate_past_them() -> None:
    model = load_catalog().get("llama-3.1-70b")  # 8 KV heads
    assert serving.kv_heads_per_card(model, 2) == (4, False)
    assert serving.kv_heads_per_card(model, 8) == (1, False)
    assert serving.kv_heads_per_card(model, 16) == (1, True)
    assert serving.kv_bytes_per_token(model, 8) * 8 == serving.kv_bytes_per_token(model, 1)
    assert serving.kv_bytes_per_token(model, 16) == serving.kv_bytes_per_token(model, 8)


def test_tensor_parallel_splits_weights_and_grows_the_pool() -> None:
    model = load_catalog().get("llama-3.1-70b")
    fp8 = SERVING_FORMATS["fp8"]
    two = serving_memory(model, fp8, Hardware.from_gpu("h100-sxm", 2), 8192)
    four = serving_memory(model, fp8, Hardware.from_gpu("h100-sxm", 4), 8192)
    assert four.weights * 2 == pytest.approx(two.weights, rel=1e-6)
    assert four.kv_pool > two.kv_pool
    assert four.sequences > two.sequences


def test_formats_order_by_size() -> None:
    model = load_catalog().get("llama-3.1-405b")
    sizes = {n: serving.weight_bytes(model, f)[0] for n, f in SERVING_FORMATS.items()}
    assert sizes["awq-4bit"] < sizes["fp8"] < sizes["bf16"]
    # 405B in BF16 is about 810 GB; FP8 about half (embeddings and head stay 16-bit)
    assert 790e9 < sizes["bf16"] < 830e9
    assert 0.49 < sizes["fp8"] / sizes["bf16"] < 0.52


def test_fp8_405b_on_8xh100_serves_32_streams_several_times_150() -> None:
    """Issue 20: llama.cpp's 3-bit GGUF answer was 150 tok/s aggregate for 32 streams."""
    model = load_catalog().get("llama-3.1-405b-instruct")
    hardware = Hardware.from_gpu("h100-sxm", 8)
    fp8 = SERVING_FORMATS["fp8"]
    mem = serving_memory(model, fp8, hardware, 8192)
    assert mem.sequences >= 32
    speed = serving_speed(model, fp8, hardware, Load(32, 1024, 1024), mem.sequences)
    assert speed.concurrency == 32
    assert speed.aggregate > 3 * 150
    assert serving_memory(model, SERVING_FORMATS["bf16"], hardware, 8192).kv_pool == 0


def test_compute_bound_at_high_batch_bandwidth_bound_at_one() -> None:
    model = load_catalog().get("llama-3.1-8b")
    hardware = Hardware.from_gpu("h100-sxm", 1)
    bf16 = SERVING_FORMATS["bf16"]
    assert serving.decode_step(model, bf16, hardware, 1, 1024)[2] == "bandwidth"
    assert serving.decode_step(model, bf16, hardware, 512, 128)[2] == "compute"


def test_serving_error_figures_as_measured() -> None:
    """bench/serving.py's figures (methodology 7b): the fit as before serve20; held out, 21
    rows from five sources, within the issue's 25% at every row but Mistral Medium 3.5 on 2-8
    MI300X (the recipes' ROCm nightly image: its decode step and prefill do not speed up with
    the cards as the model's do, a miss the fit rows cannot pin)."""
    bench = _bench()
    rows = bench.load_rows()  # type: ignore[attr-defined]
    summary = bench.summary(rows)  # type: ignore[attr-defined]
    count, median, worst = summary["held-out"]
    assert count == 21
    assert median <= 0.125 and 0.70 < worst < 0.72  # 12.3% / 71.0% measured
    _, fit_median, fit_worst = summary["fit"]
    assert fit_median <= 0.04 and fit_worst <= 0.15  # 3.9% / 14.6%
    held = [r for r in rows if bench.split(r) == "held-out"]  # type: ignore[attr-defined]
    errors = bench.errors(held)  # type: ignore[attr-defined]
    over = sorted(r.id for r, e in zip(held, errors, strict=True) if abs(e) > 0.25)
    assert over == [
        f"recipes-vllm-rocm-mistral-medium-3.5-128b-fp8-tp{n}-{n}xmi300x-1024in-1024out-c32"
        for n in (2, 4, 8)
    ]
    # the MI325X table is set aside (its throughput and p99 allow ~1,760 tokens a request,
    # not its stated 2,560), and its error still printed: 16.8% / 59.2% (methodology 7b)
    aside, aside_median, aside_worst = summary["set aside"]
    assert aside == 7 and aside_median > 0.15 and aside_worst > 0.5


def test_decode_step_adds_compute_to_the_weight_read() -> None:
    """Below the knee a step still grows with the batch by its compute (the published
    tables' step time rises linearly from batch 2): memory + compute, not their max."""
    model = load_catalog().get("llama-3.1-405b-instruct")
    hardware = Hardware.from_gpu("mi300x", 8)
    fp8 = SERVING_FORMATS["fp8"]
    one, ceiling_one, bound_one = serving.decode_step(model, fp8, hardware, 1, 256)
    many, ceiling_many, bound_many = serving.decode_step(model, fp8, hardware, 16, 256)
    assert bound_one == bound_many == "bandwidth"
    share = serving.BANDWIDTH_EFFICIENCY * serving.ROCM_EFFICIENCY
    grown_read = (ceiling_many - ceiling_one) / share
    assert many - one > 2 * grown_read  # more than the extra cache read alone


def test_recommend_on_8xh100_batch_32_serves_with_vllm() -> None:
    """Issue 20: 8 x H100 and 32 streams picked a 3-bit GGUF via llama.cpp at ~150 tok/s
    aggregate; served by vLLM every top pick runs several times that."""
    from llm_pick.estimate.sizing import Sizing
    from llm_pick.ranking.pipeline import recommend
    from llm_pick.ranking.query import Query
    from llm_pick.ranking.result import Candidate
    from llm_pick.ranking.serve import choose_runtime

    query = Query(hardware=Hardware.from_gpu("h100-sxm", 8), sizing=Sizing(batch=32))
    assert choose_runtime(query).name == "vllm"
    rec = recommend(load_catalog(), query)
    for cand in rec.shown[:3]:
        assert cand.serving is not None
        # each data-parallel replica runs its share of the 32 streams (decide19g)
        assert cand.serving.speed.concurrency * cand.serving.data_parallel >= 32
        assert cand.serving.speed.aggregate > 3 * 150
    big = rec.outcome("llama-3.1-405b-instruct")
    assert isinstance(big, Candidate) and big.serving is not None
    assert big.serving.format == "fp8"
    assert big.serving.speed.aggregate > 3 * 150


def test_runtime_choice_per_hardware_and_batch() -> None:
    from llm_pick.estimate.sizing import Sizing
    from llm_pick.ranking.query import Query
    from llm_pick.ranking.serve import choose_runtime

    h100 = Hardware.from_gpu("h100-sxm", 1)
    assert choose_runtime(Query(hardware=h100)).name == "llama.cpp"
    assert choose_runtime(Query(hardware=h100, sizing=Sizing(batch=4))).name == "vllm"
    consumer = Hardware.from_gpu("rtx-4090", 1)
    assert choose_runtime(Query(hardware=consumer, sizing=Sizing(batch=4))).name == "llama.cpp"
    fixed = Query(hardware=consumer, runtime="vllm")
    assert choose_runtime(fixed) == ("vllm", "--runtime vllm")


def test_cli_runtime_and_commands(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from llm_pick.cli.app import app

    runner = CliRunner()
    args = ["recommend", "--gpu", "h100-sxm", "--gpus", "8", "--batch", "32", "--format", "json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["query"]["runtime"]["name"] == "vllm"
    top = data["ranking"][0]
    tp, dp = top["serving"]["tensor_parallel"], top["serving"]["data_parallel"]
    assert tp * dp == 8  # the smallest TP group that holds it, replicated (decide19g)
    command = top["run"][0]["command"]
    assert command.startswith("vllm serve ") and f"--tensor-parallel-size {tp}" in command
    assert (f"--data-parallel-size {dp}" in command) == (dp > 1)
    assert "--gpu-memory-utilization 0.90" in command
    fixed = runner.invoke(app, [*args, "--runtime", "llama.cpp"])
    data = json.loads(fixed.stdout)
    assert data["ranking"][0]["serving"] is None
    assert "-np 32" in data["ranking"][0]["run"][0]["command"]
    bad = runner.invoke(app, ["recommend", "--runtime", "nope"])
    assert bad.exit_code == 1
    assert "Error: --runtime" in bad.stderr and "Traceback" not in bad.stderr


def test_methodology_states_the_current_held_out_figures() -> None:
    bench = _bench()
    summary = bench.summary(bench.load_rows())  # type: ignore[attr-defined]
    text = (ROOT / "docs" / "methodology.md").read_text()
    for name, (count, median, worst) in summary.items():
        row = f"| {name} | {count} | {median:.1%} | {worst:.1%} |"
        assert row in text, row


def test_the_low_bit_rule_holds_after_vllm_rescores() -> None:
    """vLLM re-scores what it serves; the 2-3-bit rule (ranking/order.py) is applied to the
    final order: on 2x H100 PCIe at 32K, Maverick at IQ3_XS (llama.cpp) ranked above Llama 3.3
    70B served in FP8, which keeps more quality at a usable speed."""
    from test_agreement import DEFAULTS

    from llm_pick.cli.parse import build_query
    from llm_pick.ranking.order import dominates, low_bit
    from llm_pick.ranking.pipeline import recommend

    query = build_query(**(DEFAULTS | {"gpu": "h100-pcie", "gpus": 2, "context": "32k"}))
    ranking = recommend(load_catalog(), query).ranking
    assert any(c.serving is not None for c in ranking) and any(map(low_bit, ranking))
    for i, low in enumerate(ranking):
        if low_bit(low):
            below = ranking[i + 1 :]
            assert not any(dominates(c, low, query.hardware) for c in below), low.model.id
