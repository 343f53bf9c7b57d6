"""Memory to the last buffer (issue 19 §8): --ubatch, separate K and V cache types, the
host-side buffers and the CUDA context as separate JSON fields."""

from __future__ import annotations

import shlex

import pytest

from llm_pick.catalog.load import load_catalog
from llm_pick.errors import InputError
from llm_pick.estimate.memory import compute_buffer_bytes, estimate_memory, kv_cache_bytes
from llm_pick.estimate.sizing import Sizing

MIB = 2**20
LLAMA = load_catalog().get("llama-3.1-8b-instruct")


def test_ubatch_scales_the_compute_buffer() -> None:
    small = compute_buffer_bytes(LLAMA, 8192, 1, True, 256)
    default = compute_buffer_bytes(LLAMA, 8192, 1, True)
    large = compute_buffer_bytes(LLAMA, 8192, 1, True, 2048)
    assert small * 2 == default and default * 4 == large
    # the logits row: (vocab + hidden) f32 per token, 258.5 MiB at 512 tokens as logged
    assert default == 512 * 4 * (128256 + 4096)


def test_mask_term_without_flash_attention() -> None:
    """Llama 3.1 8B logs 296 MiB at 4096 and 560 MiB at 8192 tokens with flash attention off:
    the 264 MiB between them are the scores (32 heads) and the f32 mask, 33 rows x 4096."""
    at_4k = compute_buffer_bytes(LLAMA, 4096, 1, False)
    at_8k = compute_buffer_bytes(LLAMA, 8192, 1, False)
    assert at_8k - at_4k == 512 * 4 * 33 * 4096
    assert (at_4k, at_8k) == (296 * MIB, 560 * MIB)


def test_separate_k_and_v_types() -> None:
    both8 = kv_cache_bytes(LLAMA, 32768, 1, "q8_0")
    both4 = kv_cache_bytes(LLAMA, 32768, 1, "q4_0")
    mixed = kv_cache_bytes(LLAMA, 32768, 1, "q8_0", "q4_0")
    assert mixed * 2 == both8 + both4
    est = estimate_memory(LLAMA, "q4_k_m", context=32768, kv_dtype="q8_0", v_dtype="q4_0")
    assert est.kv_cache_bytes == mixed
    with pytest.raises(InputError, match=r"llama\.cpp option"):
        estimate_memory(LLAMA, "bf16", context=4096, v_dtype="q8_0")
    with pytest.raises(InputError, match="flash attention"):
        Sizing(v_dtype="q4_0", flash_attn=False)


def test_json_separates_compute_host_and_cuda_context(cli) -> None:
    out = cli("memory", "llama-3.1-8b-instruct", "-q", "q4_k_m", "--ubatch", "1024", "-f", "json")
    data = out.json()
    assert data["compute_buffer_bytes"] + data["cuda_context_bytes"] == data["overhead_bytes"]
    assert data["cuda_context_bytes"] == 512 * MIB
    assert data["ubatch"] == 1024
    host = data["host_buffers"]
    # the micro-batch's f32 input embeddings and its f32 mask against the 4096-token context
    assert host["compute_bytes"] == 4 * 1024 * (4096 + 4096)
    assert host["output_bytes"] == 4 * 128256  # one f32 logits row per sequence (0.49 MiB)
    assert host["in_total"] is False


def test_run_command_carries_ubatch_and_both_cache_types(cli) -> None:
    out = cli(
        "explain",
        "llama-3.1-8b-instruct",
        "--gpu",
        "4090",
        "--kv-dtype",
        "q8_0",
        "--v-dtype",
        "q4_0",
        "--ubatch",
        "4096",
        "-f",
        "json",
    )
    words = shlex.split(out.json()["run"][0]["command"])
    assert words[words.index("--cache-type-k") + 1] == "q8_0"
    assert words[words.index("--cache-type-v") + 1] == "q4_0"
    assert words[words.index("-ub") + 1] == "4096"
    assert words[words.index("-b") + 1] == "4096"  # llama.cpp needs -b >= -ub


def test_bad_v_dtype_is_one_error_line(cli) -> None:
    out = cli("memory", "llama-3.1-8b-instruct", "--v-dtype", "q5")
    assert out.code != 0 and out.stderr.startswith("Error: --v-dtype")
