"""The Ollama server settings a sizing needs beyond num_ctx (reports/run.py and
reports/filerun.py print them beside their Ollama commands)."""

from __future__ import annotations

from typing import Any

_SPELLING = {"fp16": "f16", "fp32": "f32", "bf16": "bf16"}  # ggml type names, as llama.cpp

OLLAMA_CACHE_TYPES = ("f16", "q8_0", "q4_0")  # OLLAMA_KV_CACHE_TYPE's values (docs/faq.md)


def ollama_settings(sized: Any) -> str:
    """The Ollama server settings the sizing needs beyond num_ctx: OLLAMA_NUM_PARALLEL for
    several streams, and a quantized KV cache's type, which Ollama takes from the server's
    environment with flash attention on (ollama docs/faq.md, 'How can I set the
    quantization type for the K/V cache?': OLLAMA_KV_CACHE_TYPE f16, q8_0 or q4_0, "a
    global option", quantized "when Flash Attention is enabled": OLLAMA_FLASH_ATTENTION=1).
    One type serves K and V, so a split K/V sizing runs in llama-server only."""
    return server_settings(sized.batch, sized.kv_dtype, sized.v_dtype or sized.kv_dtype)


def server_settings(batch: int, k_type: str, v_type: str) -> str:
    """ollama_settings for `batch` streams and a K and V cache type (llm-pick's or ggml's
    spelling: fp16 or f16)."""
    said = f", and OLLAMA_NUM_PARALLEL={batch} for {batch} streams" if batch > 1 else ""
    keys = _SPELLING.get(k_type, k_type)
    values = _SPELLING.get(v_type, v_type)
    if keys in ("f16", "bf16") and values in ("f16", "bf16"):
        return said
    if keys != values or keys not in OLLAMA_CACHE_TYPES:
        return said + (
            f"; the sized K {keys} / V {values} cache does not run under Ollama, which sets "
            f"one type for K and V (OLLAMA_KV_CACHE_TYPE: {', '.join(OLLAMA_CACHE_TYPES)}): "
            "llama-server runs it"
        )
    return said + (
        f", and start the server with OLLAMA_FLASH_ATTENTION=1 OLLAMA_KV_CACHE_TYPE={keys} "
        f"for the sized {keys} KV cache (one type for every model the server runs)"
    )
