"""The vLLM KV pool's shape (estimate/serving.py sizes the pool): KV heads per tensor-parallel
rank, the cache's type (16-bit, or FP8 under --kv-cache-dtype fp8) and the bytes a token and a
sequence take on a card, with chunked local attention layers (Llama 4) holding their chunk
under vLLM's hybrid KV cache manager, and the longest sequence vLLM accepts for a model. Sources
beside each constant; docs/methodology.md 7b."""

from __future__ import annotations

import math

from llm_pick.catalog.types import Model
from llm_pick.estimate.hardware import Hardware

BLOCK = 16  # vLLM's KV block size (tokens per page)
MAX_BATCHED_TOKENS = 8192  # the profile run's token budget (vLLM engine default, assumed)

# KV cache types of the pool: bytes an element. "bf16": vLLM's --kv-cache-dtype auto (the
# model's 16-bit type); "fp8": --kv-cache-dtype fp8 (e4m3 on CUDA and ROCm), one byte
KV_DTYPE_BYTES = {"bf16": 2, "fp8": 1}
KV_FP8_SOURCE = (
    "vLLM docs, features/quantization/quantized_kvcache: 'fp8_e4m3: supported on CUDA 11.8+ "
    "and ROCm (AMD GPUs)', FP8 'halves the KV cache's per-token footprint ... the engine can "
    "hold twice as many tokens'"
)
# quality of an FP8 cache: no per-model figure is published; the vLLM blog 'The State of FP8
# KV-Cache and Attention Quantization in vLLM' (vllm.ai/blog/fp8-kvcache, 2026-04-22) reports
# near-baseline accuracy on the paths it validated (Hopper, Blackwell). Not applied to scores.
KV_FP8_QUALITY = (
    "not measured per model: the vLLM blog (vllm.ai/blog/fp8-kvcache, April 2026) reports "
    "near-baseline accuracy on Hopper and Blackwell; vLLM's docs warn that uncalibrated scales "
    "(1.0) 'can degrade output quality'; the score is not adjusted"
)
# vLLM's hybrid KV cache manager sizes a chunked local attention layer for
# min(chunk + max_num_batched_tokens, max_model_len) tokens per request
# (vllm/v1/kv_cache_interface.py, ChunkedLocalAttentionSpec.max_memory_usage_bytes; chunked
# attention in the hybrid manager: vllm-project/vllm PR #19351). PR #21761 turned it off for
# chunked attention by default (env VLLM_ALLOW_CHUNKED_LOCAL_ATTN_WITH_HYBRID_KV_CACHE, False
# in the 0.10-0.12 docs); PR #29627 turned it back on: True in the 0.16.0 docs
# (docs.vllm.ai/en/v0.16.0/api/vllm/envs). Older builds size every layer for the context.
KV_HYBRID_VLLM = "0.16"
KV_HYBRID_SOURCE = (
    "vLLM hybrid KV cache manager: vllm/v1/kv_cache_interface.py ChunkedLocalAttentionSpec "
    "(min(chunk + max_num_batched_tokens, max_model_len) tokens per request; PR #19351); on "
    "by default for chunked attention from vLLM 0.16 (VLLM_ALLOW_CHUNKED_LOCAL_ATTN_WITH_"
    "HYBRID_KV_CACHE: False in the 0.12.0 docs after PR #21761, True in 0.16.0 after PR #29627)"
)


# vLLM refuses a --max-model-len above the length it derives from config.json (the
# max_position_embeddings, times the factor of a linear or dynamic RoPE scaling) unless
# VLLM_ALLOW_LONG_MAX_MODEL_LEN=1, which its own error text warns leads to NaN or out-of-bounds
# positions (the error as printed: EvolvingLMMs-Lab/LongVT issue #9; vllm-project/vllm PR #20904,
# issue #17924).


def longest_model_len(model: Model) -> int:
    """The longest --max-model-len vLLM starts with for `model`: what its config.json derives
    (max_position_embeddings, times a linear or dynamic RoPE factor), at most the model's
    context; the context where no position count is recorded (sources above)."""
    arch = model.architecture
    if arch.max_position_embeddings is None:
        return model.context_length
    derived = int(arch.max_position_embeddings * (arch.rope_scaling_factor or 1))
    return min(model.context_length, derived)


def fp8_kv_card(hardware: Hardware) -> bool:
    """Whether vLLM stores an FP8 KV cache on this card: CUDA and ROCm builds (KV_FP8_SOURCE);
    a storage type, so no FP8 tensor cores are needed."""
    return hardware.gpu is not None and hardware.gpu.backend in ("cuda", "rocm")


def kv_heads_per_card(model: Model, tp: int) -> tuple[int, bool]:
    """KV heads each rank keeps, and whether they are replicated (fewer heads than ranks)."""
    heads = model.architecture.kv_heads or model.architecture.attention_heads or 1
    if heads >= tp:
        return math.ceil(heads / tp), False
    return 1, True


def layer_token_bytes(model: Model, tp: int, kv_dtype: str) -> int:
    """Cache bytes per token of one attention layer on one card."""
    arch = model.architecture
    size = KV_DTYPE_BYTES[kv_dtype]
    if arch.mla is not None:  # one latent per token, replicated on every rank
        return size * (arch.mla.kv_lora_rank + arch.mla.qk_rope_head_dim)
    heads, _ = kv_heads_per_card(model, tp)
    head_dim = arch.head_dim or arch.hidden_size // (arch.attention_heads or 1)
    return 2 * size * heads * head_dim


def kv_bytes_per_token(model: Model, tp: int, kv_dtype: str = "bf16") -> int:
    """Cache bytes per token on one card, every attention layer (K and V in `kv_dtype`)."""
    return model.architecture.attention_count * layer_token_bytes(model, tp, kv_dtype)


def chunked_layers(model: Model) -> int:
    """Attention layers vLLM's hybrid KV cache manager sizes for their chunk, not the context:
    chunked local attention (Llama 4). Sliding-window layers are left at the full context
    (not checked against vLLM's implementation of the catalog's sliding-window models)."""
    arch = model.architecture
    return arch.local_count if arch.attention_chunk and arch.window else 0


def chunk_tokens(model: Model, context: int) -> int:
    """Tokens a chunked layer holds per sequence: the chunk plus one step's scheduled tokens,
    at most the context (ChunkedLocalAttentionSpec; KV_HYBRID_SOURCE)."""
    chunk = model.architecture.attention_chunk or context
    return min(chunk + MAX_BATCHED_TOKENS, context)


def kv_sequence_bytes(model: Model, tp: int, context: int, kv_dtype: str = "bf16") -> int:
    """Cache bytes one sequence of `context` tokens takes on one card, in whole blocks: the
    full-attention layers for the context, the chunked layers for their chunk."""
    layer = layer_token_bytes(model, tp, kv_dtype)
    local = chunked_layers(model)
    full = model.architecture.attention_count - local
    blocks = math.ceil(context / BLOCK)
    held = math.ceil(chunk_tokens(model, context) / BLOCK)
    return BLOCK * layer * (full * blocks + local * held)


def longest_sequence(model: Model, tp: int, pool: int, kv_dtype: str = "bf16") -> int:
    """The most tokens one sequence can hold in `pool` bytes of one card (whole blocks)."""
    layer = layer_token_bytes(model, tp, kv_dtype)
    if layer <= 0:
        return 0
    local = chunked_layers(model)
    per_token = model.architecture.attention_count * layer
    tokens = pool // per_token  # every layer holds every token
    cap = MAX_BATCHED_TOKENS + (model.architecture.attention_chunk or 0)
    if local and tokens > cap:  # past the cap the chunked layers stop growing
        full = model.architecture.attention_count - local
        tokens = (pool - local * layer * cap) // (full * layer) if full else 2**62
    return int(tokens) // BLOCK * BLOCK
