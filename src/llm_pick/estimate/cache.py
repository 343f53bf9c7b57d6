"""What a model keeps besides its weights while it runs: the attention cache (full, windowed
or chunked layers; latent attention), the recurrent state of SSM layers, and the multimodal
projector file of a vision/audio encoder. Pure functions; integer bytes; estimates."""

from __future__ import annotations

import math

from llm_pick.catalog.shapes import Architecture
from llm_pick.catalog.types import Model

KV_DTYPES = {"fp16": 2.0, "q8_0": 34 / 32, "q4_0": 18 / 32}  # bytes per element (ggml blocks)
UBATCH = 512  # llama.cpp's default physical batch (n_ubatch) for prompt processing
MMPROJ_BYTES_PER_PARAMETER = 2  # an F16 mmproj file, when only the encoder's size is known


SWA_PAD = 256  # llama.cpp pads the cache size to 256 cells


def kv_width(arch: Architecture) -> int:
    """Cache elements per token and attention layer. Multi-head latent attention keeps one
    latent of kv_lora_rank + qk_rope_head_dim per token and no separate V (llama.cpp's
    V-less cache, PR #19067: the V cache is a view of K); other layers keep K and V of
    kv_heads x head_dim each."""
    if arch.mla is not None:
        return arch.mla.kv_lora_rank + arch.mla.qk_rope_head_dim
    return 2 * arch.kv_width


def windowed(arch: Architecture) -> bool:
    """Whether the local layers' cache is capped at the window: chunked attention (Llama 4)
    and interleaved local/global layers (llama.cpp's iSWA cache, PR #13194). A window on
    every layer with no local_layers given (Mistral 7B v0.1) is sized for the whole context,
    as llama.cpp and transformers allocate it."""
    if not arch.window:
        return False
    return arch.attention_chunk is not None or arch.local_layers is not None


def local_tokens(arch: Architecture, context: int, ubatch: int = UBATCH) -> int:
    """Cells a local layer keeps per sequence: the window plus one micro-batch of `ubatch`
    tokens (-ub), padded (llama.cpp: size_swa = min(size, PAD(n_swa + n_ubatch, 256)) per
    stream)."""
    window = arch.window or context
    return min(context, math.ceil((window + ubatch) / SWA_PAD) * SWA_PAD)


def recurrent_state_bytes(arch: Architecture, batch: int = 1) -> int:
    """The SSM state of `batch` sequences: per Mamba layer, the convolution's last
    d_conv - 1 inputs ((d_inner + 2 x groups x d_state) channels; Mamba-1 has no groups) and
    the d_state x d_inner state, in f32 as llama.cpp stores them (llama-memory-recurrent:
    "R (f32)" and "S (f32)"). It does not grow with the context."""
    ssm = arch.ssm
    if ssm is None:
        return 0
    groups = ssm.groups or 0
    conv = (ssm.conv_kernel - 1) * (ssm.inner_size + 2 * groups * ssm.state_size)
    state = ssm.state_size * ssm.inner_size
    return 4 * batch * ssm.layers * (conv + state)


def kv_cache_bytes(  # noqa: PLR0913 (ubatch: keyword-only, defaulted)
    model: Model,
    context: int,
    batch: int = 1,
    kv_dtype: str = "fp16",
    v_dtype: str | None = None,
    *,
    ubatch: int = UBATCH,
) -> int:
    """The attention cache of `batch` sequences plus their recurrent state (SSM layers):
    per attention layer kv_width elements per token (half keys, half values: `kv_dtype` for
    the keys, `v_dtype` for the values, llama.cpp -ctk/-ctv; None: the same); local (windowed
    or chunked) layers hold at most their window plus one `ubatch`, in the same cache types
    (llama.cpp quantizes the SWA cache too: PR #21277 kept it in F16 and was reverted the next
    day by PR #21332); the SSM state is fixed per sequence."""
    arch = model.architecture
    local = arch.local_count if windowed(arch) else 0
    width = kv_width(arch) * batch
    values = kv_dtype if arch.mla is not None else v_dtype or kv_dtype  # MLA: no V cache
    per = (KV_DTYPES[kv_dtype] + KV_DTYPES[values]) / 2
    full = math.ceil(width * (arch.attention_count - local) * context * per)
    swa = math.ceil(width * local * local_tokens(arch, context, ubatch) * per)
    return full + swa + recurrent_state_bytes(arch, batch)


def encoder_bytes(model: Model) -> int:
    """The multimodal projector file llama.cpp loads beside the model: its listed size, else
    the encoder's parameters in F16 (the usual mmproj-F16.gguf), else 0 (unknown)."""
    if model.encoder is None:
        return 0
    gguf = model.runtimes.gguf if model.runtimes else None
    if gguf is not None and gguf.mmproj_bytes:
        return gguf.mmproj_bytes
    return MMPROJ_BYTES_PER_PARAMETER * (model.encoder.parameters or 0)


def cache_notes(model: Model, context: int, text_only: bool, ubatch: int = UBATCH) -> list[str]:
    """The assumptions behind the cache and encoder figures, in words."""
    arch, notes = model.architecture, []
    if arch.window and arch.window < context:
        kind = "chunks" if arch.attention_chunk else "a sliding window"
        if windowed(arch):
            local = arch.local_count
            notes.append(
                f"{local} of {arch.attention_count} attention layers attend within {kind} of "
                f"{arch.window} tokens: their cache holds {local_tokens(arch, context, ubatch)} "
                f"tokens per sequence (llama.cpp's SWA cache, window + one {ubatch}-token "
                "micro-batch, in the cache types asked); "
                "only the other layers grow with the context (a runtime that ignores the "
                "window allocates the whole context)"
            )
        else:
            notes.append(
                f"the model attends within a {arch.window}-token sliding window; the cache "
                f"is sized for all {context} tokens as llama.cpp and transformers allocate it "
                "(a rolling-buffer runtime needs less)"
            )
    if arch.ssm is not None:
        notes.append(
            f"{arch.ssm.layers} {arch.ssm.kind} layers keep a fixed recurrent state per sequence "
            f"({recurrent_state_bytes(arch) / 2**20:.1f} MiB, f32 as llama.cpp stores it) that "
            "does not grow with the context"
            + ("" if arch.attention_count else "; no attention layer, so no KV cache")
        )
    if arch.mla is not None:
        notes.append(
            f"latent attention: {kv_width(arch)} cached elements per token and layer "
            "(kv_lora_rank + qk_rope_head_dim, llama.cpp's V-less MLA cache)"
        )
    if model.encoder is not None:
        if text_only:
            notes.append(f"text only: the {model.encoder.kind} encoder (mmproj) is not loaded")
        elif encoder_bytes(model):
            gguf = model.runtimes.gguf if model.runtimes else None
            how = "its file size" if gguf and gguf.mmproj_bytes else "its parameters in F16"
            notes.append(
                f"the {model.encoder.kind} encoder's mmproj file is loaded ({how}); "
                "text-only use can skip it"
            )
        else:
            notes.append(
                f"the {model.encoder.kind} encoder's size is unknown: its mmproj file is not "
                "counted"
            )
    return notes


def training_notes(model: Model) -> list[str]:
    """A fine-tune's figures hold no KV cache (no generation) and no mmproj file: they are the
    language model's. The vision or audio encoder a multimodal checkpoint loads beside it is
    not counted; its 16-bit weights are said where their size is sourced."""
    if model.encoder is None:
        return []
    params = model.encoder.parameters
    size = f" (~{params * 2 / 2**30:.1f} GiB of 16-bit weights)" if params else ""
    return [
        f"the {model.encoder.kind} encoder is not counted{size}: these fine-tuning figures are "
        "the language model's"
    ]
