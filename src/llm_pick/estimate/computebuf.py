"""llama.cpp's compute buffer: the largest set of f32 tensors live at once while one
micro-batch of up to `ubatch` tokens (-ub, default 512) is processed (docs/methodology.md,
"Runtime overhead"). Checked against llama.cpp load logs in bench/buffers.py.

    compute_buffer_bytes(model, context, batch, flash_attn, ubatch, outputs) -> int

Three phases can set the size: the logits at the end of the graph, one layer's attention,
and one layer's MLP (or routed experts). Which tensors are live in each, and where llama.cpp's
allocator (ggml-alloc, best fit) places them, was read from allocation traces of llama.cpp
itself (commit 0c1e570, 2026-10-01: bench/data/compute_buffers_reproduced.yaml)."""

from __future__ import annotations

from llm_pick.catalog.types import Model
from llm_pick.estimate.cache import UBATCH


def server_outputs(slots: int, draft: int = 0) -> int:
    """The logits rows llama-server reserves since llama.cpp PR #23861 (merged 2026-05-29):
    one per slot and drafted token, n_parallel x (1 + draft) (tools/server/server-context.cpp
    server_output_limits; common_speculative_get_output_limits)."""
    return max(1, slots * (1 + draft))


def compute_buffer_bytes(  # noqa: PLR0913 -- llama.cpp's context parameters
    model: Model,
    context: int,
    batch: int = 1,
    flash_attn: bool = True,
    ubatch: int = UBATCH,
    outputs: int | None = None,
) -> int:
    """The largest of the logits rows (f32 logits and the normed hidden state) and one
    layer's attention or MLP set with the attention mask (_layer_widths).

    `outputs`: the logits rows the build reserves. None: one per micro-batch token, as every
    build before llama.cpp PR #23861 (and llama-cli, llama-bench and llama-perplexity) does
    (n_outputs_max defaults to n_batch), with the layer sets the published logs of those
    builds match. A number: a current llama-server (since PR #23861, June 2026), which
    reserves server_outputs(slots) rows (llama_context::sched_reserve takes min(n_tokens,
    n_outputs_max), flash attention or not), with the current allocator's MLP set."""
    arch = model.architecture
    tokens = min(ubatch, context * batch)
    rows = tokens if outputs is None else max(1, min(tokens, outputs))
    logits = 4 * rows * (arch.vocab_size + arch.hidden_size)
    layer = _layer_widths(model, context, flash_attn, current=outputs is not None)
    return max(logits, 4 * tokens * layer)


def layer_compute_bytes(  # noqa: PLR0913 -- llama.cpp's context parameters
    model: Model,
    context: int,
    batch: int = 1,
    flash_attn: bool = True,
    ubatch: int = UBATCH,
    current: bool = False,
) -> int:
    """The compute buffer of a card that holds decoder layers but not the output head: the
    largest attention or MLP set, no logits rows. llama.cpp's scheduler gives each backend a
    buffer for its own part of the graph only; published multi-GPU logs show the last card's
    buffer (the one with the head) larger than the others (bench/data/compute_buffers.yaml).
    `current`: a build since June 2026 (see compute_buffer_bytes)."""
    tokens = min(ubatch, context * batch)
    return 4 * tokens * _layer_widths(model, context, flash_attn, current)


def _layer_widths(model: Model, context: int, flash_attn: bool, current: bool) -> int:
    """f32 values per micro-batch token of one layer's widest set, with the attention mask
    every layer reads (llama-graph.cpp build_attn_inp_kq_mask: [n_kv, n_tokens], f16 with
    flash attention, f32 without).

    Attention: q, k, v and the residual stream; without flash attention the scores of every
    head against the whole context and four hidden-wide rows (read off the fit points of
    bench/buffers.py). MLP: its own tensors (expert_widths for routed experts). In current
    builds (allocation traces of llama.cpp 0c1e570) the allocator also puts them above the
    attention set's high-water mark (the normed input and the query, hidden + q, with the
    residual stream inside it), and the micro-batch's input embeddings are still live in the
    first layer: 2 x hidden + q below the MLP's tensors. Published logs of 2024-2025 builds
    rule that out for them (Llama 2 7B, 512 tokens: 70.5 MiB), so it is not added there."""
    arch = model.architecture
    mask = (context // 2 if flash_attn else context) if arch.attention_heads else 0
    attention = arch.q_width + 2 * arch.kv_width + 2 * arch.hidden_size
    if not flash_attn:
        attention = (arch.attention_heads or 0) * context + 4 * arch.hidden_size
    mlp = expert_widths(model) if arch.experts else 3 * arch.intermediate_size
    if arch.shared_experts:
        mlp += 3 * (arch.shared_expert_intermediate_size or arch.intermediate_size)
    if arch.dense_intermediate_size:
        mlp = max(mlp, 3 * arch.dense_intermediate_size)
    if arch.ssm is not None:  # the in-projection and the scan's output
        mlp = max(mlp, 3 * arch.ssm.inner_size + 2 * arch.hidden_size)
    below = 2 * arch.hidden_size + arch.q_width if current and arch.attention_heads else 0
    return max(attention, below + mlp) + mask


def expert_widths(model: Model) -> int:
    """f32 values per token of the routed experts' set, as llama.cpp's build_moe_ffn
    (llama-graph.cpp) shapes it and its allocator places it: mul_mat_id gives the gate and up
    rows of each of the k selected experts ([n_ff, k, n_tokens] each) and their SwiGLU
    product (3 x n_ff x k). Gate and up are then freed; the down projection's [n_embd, k,
    n_tokens] output goes into the hole they leave when it fits (n_embd <= 2 x n_ff), else
    above the product (Qwen3-30B-A3B: 2048 > 2 x 768); the routing weights scale it in place
    before the k views are summed."""
    arch = model.architecture
    k = arch.experts_per_token or 1
    ff, hidden = arch.intermediate_size, arch.hidden_size
    down = hidden * k if hidden > 2 * ff else 0
    return 3 * ff * k + down
