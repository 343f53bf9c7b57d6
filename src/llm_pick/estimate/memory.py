"""Memory estimates from a model's real architecture. Pure functions; nothing printed.

    estimate_memory(model, "q4_k_m", context=4096) -> Estimate (integer bytes)

Weights are summed tensor by tensor with each format's real block storage and the types
llama.cpp's mixes really use; the KV cache uses the real KV-head count; runtime overhead and
training memory follow the formulas in docs/methodology.md. Everything here is an estimate.
"""

from __future__ import annotations

from typing import Literal

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.catalog.types import Model
from llm_pick.errors import InputError
from llm_pick.estimate.cache import KV_DTYPES as KV_DTYPES
from llm_pick.estimate.cache import UBATCH as UBATCH
from llm_pick.estimate.cache import kv_cache_bytes as kv_cache_bytes
from llm_pick.estimate.cache import (
    recurrent_state_bytes,
)
from llm_pick.estimate.computebuf import compute_buffer_bytes as compute_buffer_bytes
from llm_pick.estimate.computebuf import layer_compute_bytes as layer_compute_bytes
from llm_pick.estimate.memparts import host_buffer_bytes as host_buffer_bytes
from llm_pick.estimate.memparts import kept
from llm_pick.estimate.quant import (
    QUANTS,
    Quant,
    applies,
    get_quant,
)
from llm_pick.estimate.tensors import inventory
from llm_pick.estimate.weights import weights

# how an assumption from the user's load log starts (estimate/buffered.py writes it)
MEASURED = "compute buffer from your load log"

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
    routed_bytes: int = 0  # all routed experts, however named (expert_bytes: the _exps ones)
    active_routed_bytes: int = 0  # the part of them one token reads
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
    # part of activation_bytes in training: the f32 logits a fused cross-entropy never holds
    fused_loss_saving_bytes: int = 0

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


def quantized_v_refused(kv_dtype: str, v_dtype: str | None) -> None:
    """Raise, with flash attention off, where the V cache is quantized: llama.cpp refuses
    that context (src/llama-context.cpp, llama_init_from_model: a quantized `type_v` with
    flash attention disabled, "V cache quantization requires flash_attn"); a quantized K
    cache with a 16-bit V cache (-ctk q8_0 -ctv f16) runs without it. `v_dtype` None: the V
    cache is `kv_dtype` too."""
    if v_dtype is not None:
        if v_dtype != "fp16":
            raise InputError(
                f"--v-dtype {v_dtype} needs flash attention (llama.cpp refuses a quantized V "
                "cache without it): drop --flash-attn off"
            )
    elif kv_dtype != "fp16":
        raise InputError(
            f"--kv-dtype {kv_dtype} needs flash attention for its V cache (llama.cpp refuses a "
            "quantized V cache without it): drop --flash-attn off, or add --v-dtype fp16 (a "
            "quantized K cache alone runs without it)"
        )


def overhead_bytes(model: Model, context: int, batch: int, flash_attn: bool = True) -> int:
    """CUDA context + compute buffer (docs/methodology.md, "Runtime overhead")."""
    return CUDA_CONTEXT_BYTES + compute_buffer_bytes(model, context, batch, flash_attn)


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
    if not flash_attn:
        quantized_v_refused(kv_dtype, v_dtype)
    alike = kept(
        model,
        tokens,
        context is None,
        batch,
        kv_dtype,
        v_dtype,
        flash_attn,
        ubatch,
        text_only,
        mode,
    )
    assumptions = [*alike.notes, *(alike.buffer_note if chosen.family == "gguf" else ())]
    encoder, kv, buffer = alike.encoder_bytes, alike.kv_cache_bytes, alike.compute_buffer_bytes
    host_compute, output = alike.host_compute_bytes, alike.output_bytes
    arch = model.architecture
    w = weights(model, chosen)
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
        routed_bytes=w.routed,
        active_routed_bytes=w.routed_active,
        moe_layers=arch.moe_count if w.experts else 0,
        text_only=text_only and model.encoder is not None,
        ubatch=ubatch,
        v_dtype=v_dtype,
        host_compute_bytes=host_compute,
        output_bytes=output,
        input_bytes=w.input_on_host,
        layer_compute_bytes=alike.layer_compute_bytes,
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
        fused_loss_saving_bytes=parts.fused_loss_saving_bytes,
        assumptions=estimate.assumptions + parts.assumptions,
    )


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
