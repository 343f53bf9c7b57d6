"""The vLLM KV pool (estimate/serving.py, ranking/serve.py): an FP8 cache (--kv-cache-dtype
fp8) holds twice the tokens and halves the cache a decode step reads, taken only where a
16-bit cache cannot hold the batch or when --kv-dtype asks; Llama 4's chunked local layers
hold their chunk, not the context, under vLLM's hybrid KV cache manager."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from llm_pick.catalog.load import load_catalog
from llm_pick.cli.app import app
from llm_pick.estimate import servekv, serving
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.serving import SERVING_FORMATS, Load, serving_memory, serving_speed
from llm_pick.ranking.serve import plan

CATALOG = load_catalog()
FP8 = SERVING_FORMATS["fp8"]


def test_fp8_kv_pool_holds_twice_the_tokens() -> None:
    model, two = CATALOG.get("llama-3.1-70b-instruct"), Hardware.from_gpu("h100-sxm", 2)
    wide = serving_memory(model, FP8, two, 32768, 0.9, "bf16")
    narrow = serving_memory(model, FP8, two, 32768, 0.9, "fp8")
    assert narrow.kv_pool == wide.kv_pool  # the same budget, half the bytes a token
    assert 2 * narrow.kv_per_token == wide.kv_per_token
    assert narrow.kv_pool_tokens in (2 * wide.kv_pool_tokens, 2 * wide.kv_pool_tokens + 1)
    assert narrow.sequences >= 2 * wide.sequences
    assert (wide.kv_dtype, narrow.kv_dtype) == ("bf16", "fp8")


def test_fp8_kv_halves_the_cache_a_step_reads_and_stays_under_its_ceiling() -> None:
    model, two = CATALOG.get("llama-3.1-70b-instruct"), Hardware.from_gpu("h100-sxm", 2)
    weights = serving.step_bytes(model, FP8, 2, 32, 0)
    wide = serving.step_bytes(model, FP8, 2, 32, 16384, "bf16") - weights
    narrow = serving.step_bytes(model, FP8, 2, 32, 16384, "fp8") - weights
    assert narrow == pytest.approx(wide / 2)
    slow = serving_speed(model, FP8, two, Load(32, 16384, 1024))
    fast = serving_speed(model, FP8, two, Load(32, 16384, 1024, kv_dtype="fp8"))
    assert fast.ceiling_step_seconds < slow.ceiling_step_seconds
    assert fast.per_stream > slow.per_stream
    for speed in (slow, fast):
        assert speed.per_stream <= 1 / speed.ceiling_step_seconds


def test_llama4_chunked_layers_hold_their_chunk_not_the_context() -> None:
    """vLLM's ChunkedLocalAttentionSpec: min(chunk + max_num_batched_tokens, max_model_len)
    tokens per request in each chunked layer; the 12 global layers hold the context."""
    scout, four = CATALOG.get("llama-4-scout-17b-16e"), Hardware.from_gpu("h100-sxm", 4)
    mem = serving_memory(scout, FP8, four, 131072)
    layer = serving.kv_bytes_per_token(scout, 4) // scout.architecture.attention_count
    assert (mem.chunked_layers, mem.chunk_tokens) == (36, 8192 + servekv.MAX_BATCHED_TOKENS)
    assert mem.kv_per_sequence == layer * (12 * 131072 + 36 * 16384)
    everything = 131072 * mem.kv_per_token
    assert mem.sequences >= 2 * (mem.kv_pool // everything)  # was sized as every layer
    # within chunk + batched tokens every layer holds the whole context
    short = serving_memory(scout, FP8, four, 8192)
    assert short.kv_per_sequence == 8192 * short.kv_per_token
    # a decode step reads each chunked layer's chunk at most
    full = serving.step_bytes(scout, FP8, 4, 1, 131072) - serving.step_bytes(scout, FP8, 4, 1, 0)
    assert full == pytest.approx(layer * (12 * 131072 + 36 * 8192))


def test_llama3_has_no_chunked_layers() -> None:
    model, one = CATALOG.get("llama-3.1-8b-instruct"), Hardware.from_gpu("h100-sxm", 1)
    mem = serving_memory(model, FP8, one, 32768)
    assert mem.chunked_layers == 0 and mem.chunk_tokens == 0
    assert mem.kv_per_sequence == 32768 * mem.kv_per_token


def test_longest_sequence_inverts_the_sequence_bytes() -> None:
    for model_id in ("llama-4-scout-17b-16e", "llama-3.1-8b-instruct"):
        model = CATALOG.get(model_id)
        for pool in (2**30, 5 * 2**30, 40 * 2**30):
            tokens = servekv.longest_sequence(model, 4, pool, "fp8")
            assert servekv.kv_sequence_bytes(model, 4, tokens, "fp8") <= pool
            assert servekv.kv_sequence_bytes(model, 4, tokens + 16, "fp8") > pool


def test_plan_takes_fp8_kv_only_where_16_bit_cannot_hold_the_batch() -> None:
    model, two = CATALOG.get("llama-3.1-8b-instruct"), Hardware.from_gpu("h100-sxm", 2)
    roomy = plan(model, two, 8192, 64)
    assert roomy is not None and roomy.memory.kv_dtype == "bf16"
    assert roomy.kv_cache()["vllm_flag"] is None
    tight = plan(model, two, 32768, 64)
    assert tight is not None and tight.memory.kv_dtype == "fp8"
    kv = tight.kv_cache()
    assert kv["vllm_flag"] == "--kv-cache-dtype fp8"
    assert "16-bit cache holds" in str(kv["reason"]) and "not measured" in str(kv["quality"])
    assert kv["pool_tokens"] == tight.memory.kv_pool_tokens > 0
    # --kv-dtype fp16 keeps a 16-bit cache: no FP8 plan; --kv-dtype fp8 takes it anyway
    fixed = plan(model, two, 32768, 64, "bf16")
    assert fixed is None or fixed.memory.kv_dtype == "bf16"
    asked = plan(model, two, 8192, 64, "fp8")
    assert asked is not None and asked.memory.kv_dtype == "fp8"
    assert "--kv-dtype fp8" in asked.kv_reason


def test_plan_states_the_hybrid_kv_assumption_for_llama4() -> None:
    found = plan(
        CATALOG.get("llama-4-scout-17b-16e-instruct"), Hardware.from_gpu("h100-sxm", 4), 131072, 8
    )
    assert found is not None
    kv = found.kv_cache()
    assert kv["chunked_layers"] == 36 and kv["assumed_vllm"] == "0.16 or later"
    assert "ChunkedLocalAttentionSpec" in str(kv["hybrid_source"])
    assert "hybrid KV cache manager" in found.kv_note()


def _recommend(*extra: str) -> tuple[int, str, str]:
    runner = CliRunner()
    args = ["recommend", "--gpu", "h100-sxm", "--gpus", "2", "--batch", "64", *extra]
    result = runner.invoke(app, [*args, "--format", "json", "--family", "llama"])
    return result.exit_code, result.stdout, result.stderr


def test_cli_kv_dtype_fp8_serves_an_fp8_cache_and_says_so() -> None:
    code, out, err = _recommend("--context", "8k", "--kv-dtype", "fp8")
    assert code == 0, err
    top = json.loads(out)["ranking"][0]
    assert top["serving"]["kv_cache"]["dtype"] == "fp8"
    assert "--kv-cache-dtype fp8" in top["run"][0]["command"]
    code, out, err = _recommend("--context", "32k")  # 16-bit cannot hold 64 x 32k on 2 cards
    assert code == 0, err
    top = next(e for e in json.loads(out)["ranking"] if e.get("serving"))
    assert top["serving"]["kv_cache"]["dtype"] == "fp8"
    assert "--kv-cache-dtype fp8" in top["run"][0]["command"]
    assert "FP8 KV cache" in top["run"][0]["note"]


def test_cli_kv_dtype_fp8_refused_where_vllm_is_not_assumed() -> None:
    runner = CliRunner()
    out = runner.invoke(app, ["recommend", "--gpu", "rtx-4090", "--kv-dtype", "fp8"])
    assert out.exit_code == 1
    assert "Error: --kv-dtype fp8 is vLLM's FP8 KV cache" in out.stderr
    assert "Traceback" not in out.stderr
    mem = runner.invoke(app, ["memory", "llama-3.1-8b", "--kv-dtype", "fp8"])
    assert mem.exit_code == 1 and "q8_0" in mem.stderr
