"""What estimate_memory (estimate/memory.py) computes from a model and a sizing alone, whatever
the format: the notes, the encoder, the KV cache, the compute and host buffers. Kept per model
(by identity: records are frozen) and sizing, so the formats of one model share them."""

from __future__ import annotations

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.catalog.types import Model
from llm_pick.estimate.cache import (
    UBATCH,
    cache_notes,
    encoder_bytes,
    kv_cache_bytes,
    training_notes,
)
from llm_pick.estimate.computebuf import compute_buffer_bytes, layer_compute_bytes, server_outputs


class Sized(NamedTuple):
    notes: tuple[str, ...]  # the context and the caches (or, in training, what is left out)
    buffer_note: tuple[str, ...]  # what the compute buffer assumes (GGUF formats)
    encoder_bytes: int
    kv_cache_bytes: int
    compute_buffer_bytes: int
    host_compute_bytes: int
    output_bytes: int
    layer_compute_bytes: int


_KEPT: dict[tuple[object, ...], tuple[Model, Sized]] = {}


def kept(model: Model, *sizing: object) -> Sized:
    """`sized(model, *sizing)`, once per model and sizing (a few thousand kept)."""
    key = (id(model), *sizing)
    found = _KEPT.get(key)
    if found is None or found[0] is not model:
        if len(_KEPT) > 4096:
            _KEPT.clear()
        found = _KEPT[key] = (model, sized(model, *sizing))  # type: ignore[arg-type]
    return found[1]


def sized(  # noqa: PLR0913 (estimate_memory's sizing)
    model: Model,
    tokens: int,
    defaulted: bool,
    batch: int,
    kv_dtype: str,
    v_dtype: str | None,
    flash_attn: bool,
    ubatch: int,
    text_only: bool,
    mode: str,
) -> Sized:
    """What estimate_memory computes from the model and the sizing alone, whatever the format:
    notes, encoder, KV cache, compute and host buffers (kept per model and sizing, the model
    by identity: records are frozen)."""
    first = [context_note(model, tokens, defaulted)]
    if mode == "inference":
        first += cache_notes(model, tokens, text_only, ubatch)
        first += ubatch_note(ubatch, tokens * batch)
    else:  # no KV cache and no mmproj file in a fine-tune: say what is left out instead
        first += training_notes(model)
    encoder = 0 if text_only or mode != "inference" else encoder_bytes(model)
    kv = kv_cache_bytes(model, tokens, batch, kv_dtype, v_dtype, ubatch=ubatch)
    buffer = compute_buffer_bytes(model, tokens, batch, flash_attn, ubatch, server_outputs(batch))
    note = tuple(buffer_note(model, tokens, batch, flash_attn, ubatch, buffer))
    host_compute, output = host_buffer_bytes(model, batch, ubatch, tokens)
    layer = layer_compute_bytes(model, tokens, batch, flash_attn, ubatch, True)
    return Sized(tuple(first), note, encoder, kv, buffer, host_compute, output, layer)


def buffer_note(  # noqa: PLR0913 (estimate_memory's sizing)
    model: Model, tokens: int, batch: int, flash_attn: bool, ubatch: int, buffer: int
) -> list[str]:
    """What the compute buffer assumes: llama-server's logits rows for its slots (llama.cpp PR
    #23861, builds since June 2026), and what llama-cli or an older build adds."""
    full = compute_buffer_bytes(model, tokens, batch, flash_attn, ubatch)
    if full <= buffer:
        return []
    return [
        f"compute buffer as llama-server reserves it since llama.cpp PR #23861 (June 2026): "
        f"logits for {batch} slot(s); llama-cli, llama-bench and older builds reserve them for "
        f"every micro-batch token: {(full - buffer) / 2**20:.0f} MiB more"
    ]


def ubatch_note(ubatch: int, cells: int) -> list[str]:
    """What -ub runs as when it asks for more tokens than the context holds: llama.cpp caps the
    batch at the context and the micro-batch at the batch (src/llama-context.cpp,
    llama_context::llama_context: n_batch = min(n_ctx, n_batch), n_ubatch = min(n_batch,
    n_ubatch)); the compute buffers are sized for what runs (estimate/computebuf.py)."""
    if ubatch <= cells:
        return []
    return [
        f"-ub {ubatch} runs as {cells} tokens per micro-batch: llama.cpp caps -ub at -b and -b "
        f"at the {cells}-token context (n_ubatch = min(n_batch, n_ubatch), n_batch = "
        "min(n_ctx, n_batch)); the buffers are sized for that"
    ]


def context_note(model: Model, tokens: int, defaulted: bool) -> str:
    if defaulted and tokens < model.context_length:
        return (
            f"context {tokens} tokens (default: min(4096, model's {model.context_length}); "
            "pass --context to change)"
        )
    return f"context {tokens} tokens"


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
