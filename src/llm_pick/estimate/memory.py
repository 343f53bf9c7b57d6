"""Memory estimates from a model's real architecture. Pure functions; nothing printed.

    estimate_memory(model, "q4_k_m", context=4096) -> Estimate (integer bytes)

Weights are summed tensor by tensor with each format's real block storage and the types
llama.cpp's mixes really use; the KV cache uses the real KV-head count; runtime overhead and
training memory follow the formulas in docs/methodology.md. Everything here is an estimate.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from llm_pick.catalog.types import Model
from llm_pick.errors import InputError
from llm_pick.estimate.cache import KV_DTYPES as KV_DTYPES
from llm_pick.estimate.cache import UBATCH as UBATCH
from llm_pick.estimate.cache import cache_notes, encoder_bytes, recurrent_state_bytes
from llm_pick.estimate.cache import kv_cache_bytes as kv_cache_bytes
from llm_pick.estimate.quant import (
    QUANTS,
    Quant,
    applies,
    get_quant,
)
from llm_pick.estimate.tensors import inventory
from llm_pick.estimate.weights import weights

Mode = Literal["inference", "lora", "qlora", "full"]
MODES: tuple[Mode, ...] = ("inference", "lora", "qlora", "full")
DEFAULT_CONTEXT = 4096

# Runtime overhead (docs/methodology.md, "Runtime overhead"). The CUDA context measured
# 107-555 MiB depending on the GPU's SM count (llama.cpp PR #23604); a known card gets its
# own (estimate/cudactx.py), an unknown one 512 MiB: near the top of that range.
CUDA_CONTEXT_BYTES = 512 * 1024**2
CONTEXT_BASIS = "512 MiB: no card given, SM count unknown"
LORA_RANK = 16


class Estimate(NamedTuple):
    model: str
    quant: str
    context: int
    batch: int
    kv_dtype: str
    mode: Mode
    weights_bytes: int
    kv_cache_bytes: int
    overhead_bytes: int
    adapter_bytes: int = 0
    gradient_bytes: int = 0
    optimizer_bytes: int = 0
    activation_bytes: int = 0
    # for speed and offload: bytes read per generated token, and the weights in blocks
    active_weight_bytes: int = 0
    layer_weight_bytes: int = 0
    layers: int = 1
    assumptions: tuple[str, ...] = ()
    flash_attn: bool = True
    compute_buffer_bytes: int = 0  # part of overhead_bytes: one card's compute buffer
    recurrent_state_bytes: int = 0  # part of kv_cache_bytes: SSM conv + state, per sequence
    encoder_bytes: int = 0  # the multimodal projector (mmproj) file, when it is loaded
    expert_bytes: int = 0  # part of weights_bytes: routed experts (ffn_*_exps), all MoE layers
    active_expert_bytes: int = 0  # part of active_weight_bytes: routed experts read per token
    moe_layers: int = 0  # layers holding routed experts
    text_only: bool = False  # a vision/audio encoder left out (llama.cpp --no-mmproj)
    ubatch: int = UBATCH  # llama.cpp -ub: tokens per micro-batch (sizes the compute buffer)
    v_dtype: str | None = None  # the V cache type when not kv_dtype (llama.cpp -ctv)
    host_compute_bytes: int = 0  # in RAM, not in the total: the host (CUDA_Host) compute buffer
    output_bytes: int = 0  # in RAM, not in the total: the logits output buffer
    # part of weights_bytes: the token-embedding table llama.cpp keeps in host RAM when the
    # layers are on the GPUs (weights.Weights.input_on_host); in RAM, not on any card
    input_bytes: int = 0
    # part of compute_buffer_bytes' card: the buffer of a card that holds layers but not the
    # output head (no logits rows; each backend's buffer holds only its own part of the graph)
    layer_compute_bytes: int = 0
    # part of overhead_bytes: one card's CUDA context, and how it was sized (estimate/cudactx)
    cuda_context_bytes: int = CUDA_CONTEXT_BYTES
    cuda_context_basis: str = CONTEXT_BASIS

    @property
    def total_bytes(self) -> int:
        return (
            self.weights_bytes
            + self.encoder_bytes
            + self.kv_cache_bytes
            + self.overhead_bytes
            + self.adapter_bytes
            + self.gradient_bytes
            + self.optimizer_bytes
            + self.activation_bytes
        )

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "model": self.model,
            "quant": self.quant,
            "context": self.context,
            "batch": self.batch,
            "kv_dtype": self.kv_dtype,
            "mode": self.mode,
            "weights_bytes": self.weights_bytes,
            "kv_cache_bytes": self.kv_cache_bytes,
            "overhead_bytes": self.overhead_bytes,
            "flash_attn": self.flash_attn,
        }
        if self.mode == "inference":
            data |= {
                "compute_buffer_bytes": self.compute_buffer_bytes,
                "cuda_context_bytes": self.cuda_context_bytes,
                "cuda_context_basis": self.cuda_context_basis,
                "host_buffers": {
                    "compute_bytes": self.host_compute_bytes,
                    "output_bytes": self.output_bytes,
                    "in_total": False,
                },
                # part of weights_bytes: the token-embedding table, in RAM with llama.cpp
                "weights_in_ram_bytes": self.input_bytes,
                "layer_compute_buffer_bytes": self.layer_compute_bytes,
                "ubatch": self.ubatch,
            }
            if self.v_dtype and self.v_dtype != self.kv_dtype:
                data["v_dtype"] = self.v_dtype
        if self.recurrent_state_bytes:
            data["recurrent_state_bytes"] = self.recurrent_state_bytes
        if self.encoder_bytes:
            data["encoder_bytes"] = self.encoder_bytes
        if self.mode != "inference":
            data |= {
                "adapter_bytes": self.adapter_bytes,
                "gradient_bytes": self.gradient_bytes,
                "optimizer_bytes": self.optimizer_bytes,
                "activation_bytes": self.activation_bytes,
            }
        data["total_bytes"] = self.total_bytes
        data["estimated"] = True
        data["assumptions"] = list(self.assumptions)
        return data


_TRAINING_QUANTS = {
    "lora": ("bf16", "fp16", "bnb-int8"),
    "qlora": ("bnb-nf4-dq", "bnb-nf4", "gptq-4bit"),
    "full": ("bf16", "fp16"),
}


def quants_for(mode: Mode, model: Model | None = None) -> list[Quant]:
    """The formats a mode can use: every format for inference; float or 8-bit bases for LoRA;
    4-bit GPU formats for QLoRA; 16-bit weights for full fine-tuning (mixed precision). With
    a model: only the formats that can hold it (ternary weights: I2_S or float)."""
    if mode == "inference":
        quants = list(QUANTS.values())
    else:
        quants = [QUANTS[name] for name in _TRAINING_QUANTS[mode]]
    if model is None:
        return [q for q in quants if q.family != "ternary"]
    return [q for q in quants if applies(q, model.architecture.ternary)]


def default_context(model: Model) -> int:
    """min(4096, the model's context): never silently estimate at a full 128K context."""
    return min(DEFAULT_CONTEXT, model.context_length)


def compute_buffer_bytes(
    model: Model,
    context: int,
    batch: int = 1,
    flash_attn: bool = True,
    ubatch: int = UBATCH,
    outputs: int | None = None,
) -> int:
    """llama.cpp's compute buffer holds the largest set of f32 tensors live at once while a
    micro-batch of up to `ubatch` tokens (-ub, default 512) is processed: the logits, the
    attention (q, k, v and the residual stream; without flash attention the scores of every
    head against the whole context and four hidden-wide rows, read off the fit points) or the
    MLP, with the attention mask (_layer_widths). Flash attention never materialises the
    scores. Checked against published logs: bench/buffers.py.

    `outputs`: the logits rows the build reserves. None: one per micro-batch token, as every
    build before llama.cpp PR #23861 and llama-cli, llama-bench and llama-perplexity do
    (n_outputs_max defaults to n_batch). llama-server since PR #23861 (merged 2026-05-29)
    reserves min(ubatch, n_parallel x (1 + draft tokens)) rows (server_n_outputs_max;
    llama_context::sched_reserve takes min(n_tokens, n_outputs_max)), flash attention or not."""
    arch = model.architecture
    tokens = min(ubatch, context * batch)
    rows = tokens if outputs is None else max(1, min(tokens, outputs))
    logits = 4 * rows * (arch.vocab_size + arch.hidden_size)  # logits and the normed hidden
    return max(logits, 4 * tokens * _layer_widths(model, context, flash_attn))


def layer_compute_bytes(
    model: Model, context: int, batch: int = 1, flash_attn: bool = True, ubatch: int = UBATCH
) -> int:
    """The compute buffer of a card that holds decoder layers but not the output head: the
    largest attention or MLP set, no logits rows. llama.cpp's scheduler gives each backend a
    buffer for its own part of the graph only; published multi-GPU logs show the last card's
    buffer (the one with the head) larger than the others (bench/data/compute_buffers.yaml)."""
    tokens = min(ubatch, context * batch)
    return 4 * tokens * _layer_widths(model, context, flash_attn)


def _layer_widths(model: Model, context: int, flash_attn: bool) -> int:
    """f32 values per micro-batch token of the widest attention or MLP set of one layer, with
    the attention mask every layer reads (llama-graph.cpp build_attn_inp_kv: an f32 [n_kv,
    n_tokens] mask, cast to f16 for flash attention), so live through the MLP as well."""
    arch = model.architecture
    mask = (context // 2 if flash_attn else context) if arch.attention_heads else 0
    attention = arch.q_width + 2 * arch.kv_width + 2 * arch.hidden_size
    if not flash_attn:  # scores of every head, four hidden-wide rows (see above)
        attention = (arch.attention_heads or 0) * context + 4 * arch.hidden_size
    mlp = _expert_widths(model) if arch.experts else 3 * arch.intermediate_size
    if arch.shared_experts:
        mlp += 3 * (arch.shared_expert_intermediate_size or arch.intermediate_size)
    if arch.dense_intermediate_size:
        mlp = max(mlp, 3 * arch.dense_intermediate_size)
    if arch.ssm is not None:  # the in-projection and the scan's output
        mlp = max(mlp, 3 * arch.ssm.inner_size + 2 * arch.hidden_size)
    return max(attention, mlp) + mask


def _expert_widths(model: Model) -> int:
    """f32 values per token of the routed experts' largest live set, following llama.cpp's
    build_moe_ffn (llama-graph.cpp): mul_mat_id gives the gate and up rows of each of the k
    selected experts ([n_ff, k, n_tokens] each) and their SwiGLU product (3 x n_ff x k); the
    down projection then writes [n_embd, k, n_tokens] from that product (n_ff x k + n_embd x k
    live), and the routing weights scale it into a second [n_embd, k, n_tokens] tensor before
    the k views are summed (2 x n_embd x k). The last set is the largest when the expert is
    narrower than the model (Qwen3-30B-A3B: 768 < 2048). No MoE-bound load log was found to
    check it against (docs/methodology.md)."""
    arch = model.architecture
    k = arch.experts_per_token or 1
    ff, hidden = arch.intermediate_size, arch.hidden_size
    return max(3 * ff * k, (ff + hidden) * k, 2 * hidden * k)


def overhead_bytes(model: Model, context: int, batch: int, flash_attn: bool = True) -> int:
    """CUDA context + compute buffer (docs/methodology.md, "Runtime overhead")."""
    return CUDA_CONTEXT_BYTES + compute_buffer_bytes(model, context, batch, flash_attn)


def host_buffer_bytes(
    model: Model, batch: int = 1, ubatch: int = UBATCH, context: int | None = None
) -> tuple[int, int]:
    """What llama.cpp keeps in host memory beside a model on the GPUs (not in the GPU total):
    the host compute buffer and the output buffer of one f32 logits row per sequence
    ("CUDA_Host output buffer size = 0.58 MiB" for a 151,936-token vocabulary,
    research/local/load_logs/01). The host compute buffer holds the micro-batch's input
    embeddings gathered from the token table (f32, hidden x tokens) and, with a KV cache, the
    f32 attention mask of the micro-batch against the context (tokens x context): current
    builds write the mask on the host (llama-kv-cache.cpp set_input_kq_mask asserts a host
    buffer) and copy it to the cards. Checked against six logged host buffers
    (bench/buffers.py). An estimate for a model all on the GPUs; with layers or experts in RAM
    the host compute buffer also holds their activations."""
    arch = model.architecture
    tokens = ubatch if context is None else min(ubatch, context * batch)
    mask = context if context is not None and arch.attention_heads else 0
    return 4 * tokens * (arch.hidden_size + mask), 4 * arch.vocab_size * batch


# ---- the estimate ----------------------------------------------------------------------


def estimate_memory(
    model: Model,
    quant: str | Quant = "q4_k_m",
    *,
    context: int | None = None,
    batch: int = 1,
    kv_dtype: str = "fp16",
    mode: Mode = "inference",
    lora_rank: int = LORA_RANK,
    flash_attn: bool = True,
    text_only: bool = False,
    ubatch: int = UBATCH,
    v_dtype: str | None = None,
) -> Estimate:
    """Memory needed to run (or fine-tune) `model`; integer bytes; an estimate.

    `flash_attn` (llama.cpp's default since it became `-fa auto`, and Ollama's) keeps the
    compute buffer independent of the context; a quantized KV cache requires it.
    `text_only` leaves out a vision/audio encoder (llama.cpp: its mmproj file is not loaded).
    `ubatch` is llama.cpp's -ub (tokens per micro-batch); `v_dtype` the V cache type (-ctv)
    when it differs from `kv_dtype` (-ctk)."""
    chosen = quant if isinstance(quant, Quant) else get_quant(quant)
    tokens = default_context(model) if context is None else context
    _check(model, chosen, tokens, batch, kv_dtype, mode, lora_rank)
    if v_dtype is not None and v_dtype not in KV_DTYPES:
        raise InputError(f"unknown V cache type {v_dtype!r}; valid: {', '.join(KV_DTYPES)}")
    if (v_dtype or "fp16") != "fp16" and chosen.family != "gguf":
        raise InputError(f"--v-dtype {v_dtype} is a llama.cpp option: use it with a GGUF quant")
    if not isinstance(ubatch, int) or ubatch < 1:
        raise InputError(f"ubatch must be a positive number of tokens, got {ubatch}")
    if (kv_dtype != "fp16" or (v_dtype or "fp16") != "fp16") and not flash_attn:
        raise InputError(
            f"--kv-dtype {kv_dtype} needs flash attention (llama.cpp refuses a quantized V "
            "cache without it): drop --flash-attn off"
        )
    assumptions = [_context_note(model, tokens, context is None)]
    arch = model.architecture
    assumptions += cache_notes(model, tokens, text_only and mode == "inference")
    encoder = 0 if text_only or mode != "inference" else encoder_bytes(model)
    w = weights(model, chosen)
    kv = kv_cache_bytes(model, tokens, batch, kv_dtype, v_dtype)
    buffer = compute_buffer_bytes(model, tokens, batch, flash_attn, ubatch)
    host_compute, output = host_buffer_bytes(model, batch, ubatch, tokens)
    estimate = Estimate(
        model=model.id,
        quant=chosen.name,
        context=tokens,
        batch=batch,
        kv_dtype=kv_dtype,
        mode=mode,
        weights_bytes=w.total,
        kv_cache_bytes=kv,
        overhead_bytes=CUDA_CONTEXT_BYTES + buffer,
        active_weight_bytes=w.active,
        layer_weight_bytes=w.per_layer,
        layers=arch.layers,
        assumptions=tuple(assumptions),
        flash_attn=flash_attn,
        compute_buffer_bytes=buffer,
        recurrent_state_bytes=recurrent_state_bytes(arch, batch),
        encoder_bytes=encoder,
        expert_bytes=w.experts,
        active_expert_bytes=w.experts_active,
        moe_layers=arch.moe_count if w.experts else 0,
        text_only=text_only and model.encoder is not None,
        ubatch=ubatch,
        v_dtype=v_dtype,
        host_compute_bytes=host_compute,
        output_bytes=output,
        input_bytes=w.input_on_host,
        layer_compute_bytes=layer_compute_bytes(model, tokens, batch, flash_attn, ubatch),
    )
    if mode == "inference":
        return estimate
    from llm_pick.estimate.training import training_parts

    parts = training_parts(model, inventory(model), mode, tokens, batch, lora_rank)
    # Training keeps no generation KV cache: keys and values are part of the activations.
    return estimate._replace(
        kv_cache_bytes=0,
        recurrent_state_bytes=0,
        overhead_bytes=CUDA_CONTEXT_BYTES,
        compute_buffer_bytes=0,
        layer_compute_bytes=0,
        input_bytes=0,
        adapter_bytes=parts.adapter_bytes,
        gradient_bytes=parts.gradient_bytes,
        optimizer_bytes=parts.optimizer_bytes,
        activation_bytes=parts.activation_bytes,
        assumptions=estimate.assumptions + parts.assumptions,
    )


def _context_note(model: Model, tokens: int, defaulted: bool) -> str:
    if defaulted and tokens < model.context_length:
        return (
            f"context {tokens} tokens (default: min(4096, model's {model.context_length}); "
            "pass --context to change)"
        )
    return f"context {tokens} tokens"


def _check(
    model: Model, quant: Quant, context: int, batch: int, kv_dtype: str, mode: str, rank: int
) -> None:
    if not isinstance(context, int) or context < 1:
        raise InputError(f"context must be a positive number of tokens, got {context}")
    if context > model.context_length:
        raise InputError(
            f"context {context} exceeds {model.id}'s documented {model.context_length} tokens"
        )
    if not isinstance(batch, int) or batch < 1:
        raise InputError(f"batch must be a positive integer, got {batch}")
    if not applies(quant, model.architecture.ternary):
        if quant.family == "ternary":
            raise InputError(f"{quant.name} holds ternary weights only; {model.id} is not ternary")
        raise InputError(
            f"{model.id} has ternary weights: use i2_s (bitnet.cpp) or a float format, "
            f"not {quant.name}"
        )
    if kv_dtype not in KV_DTYPES:
        raise InputError(f"unknown KV cache type {kv_dtype!r}; valid: {', '.join(KV_DTYPES)}")
    if kv_dtype != "fp16" and quant.family != "gguf":
        raise InputError(f"--kv-dtype {kv_dtype} is a llama.cpp option: use it with a GGUF quant")
    if mode not in MODES:
        raise InputError(f"unknown mode {mode!r}; valid: {', '.join(MODES)}")
    if mode != "inference" and quant.name not in _TRAINING_QUANTS[mode]:
        valid = ", ".join(_TRAINING_QUANTS[mode])
        raise InputError(f"{mode} needs one of {valid}, not {quant.name}")
    if rank < 1:
        raise InputError(f"LoRA rank must be positive, got {rank}")
