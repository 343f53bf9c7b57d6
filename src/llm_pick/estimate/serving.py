"""Serving many streams with vLLM: memory as vLLM allocates it and throughput under
concurrency (an estimate; constants fitted in bench/serving.py, sources in
docs/methodology.md "Serving with vLLM").

Memory per card: vLLM takes --gpu-memory-utilization U of the card, loads its share of the
weights (tensor parallel splits every linear layer), profiles one forward pass of
max_num_batched_tokens for the activation peak, keeps room for CUDA graphs, and gives the
rest to a paged KV pool. KV heads split across ranks; with fewer KV heads than ranks each
rank keeps a copy of one head (replicated).

A decode step reads each card's weights and the batch's cache once (bandwidth) and does two
FLOPs per active parameter per sequence (compute): the step takes the sum of the two (the
published tables' step time grows linearly from batch 2, not flat up to a knee), plus a fixed
per-step cost (launches, sampling) and, under tensor parallel, the all-reduces: a latency per
layer and a payload that grows with the batch. No efficiency exceeds 1, so no step beats the
bandwidth ceiling.

The KV pool holds K and V in the model's 16-bit type (vLLM's --kv-cache-dtype auto) or in
FP8 (--kv-cache-dtype fp8: one byte an element, twice the tokens in the same pool; the
decode step reads half the cache bytes). Chunked local attention layers (Llama 4: 36 of 48
layers attend within 8,192-token chunks) hold at most their chunk plus one batch of scheduled
tokens per sequence under vLLM's hybrid KV cache manager, the default for such models from
vLLM 0.16 (estimate/servekv.py); the other layers hold the whole context.
"""

from __future__ import annotations

import math

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.catalog.types import Model
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.quant import QUANTS
from llm_pick.estimate.servecard import fp8_card as fp8_card
from llm_pick.estimate.servecard import fp8_mode as fp8_mode
from llm_pick.estimate.servekv import BLOCK as BLOCK
from llm_pick.estimate.servekv import MAX_BATCHED_TOKENS as MAX_BATCHED_TOKENS
from llm_pick.estimate.servekv import (
    chunk_tokens,
    chunked_layers,
    kv_sequence_bytes,
    layer_token_bytes,
)
from llm_pick.estimate.servekv import kv_bytes_per_token as kv_bytes_per_token
from llm_pick.estimate.servekv import kv_heads_per_card as kv_heads_per_card
from llm_pick.estimate.weights import weights

GIB = 2**30
MAX_SEQS = 256  # vLLM --max-num-seqs default
# CUDA graph pool per card (assumed; vLLM logs 0.3-1.5 GiB). vLLM captures the graphs after
# sizing the KV pool, in the 1 - U headroom: it is reported, not taken from the pool.
GRAPH_BYTES = GIB // 2
# memory outside the torch pool that vLLM's profile charges to the budget ("non_torch_memory"):
# 0.01-0.35 GiB on one card in published startup logs (bench/data/serving_memory.yaml);
# NCCL buffers under tensor parallel (assumed 1 GiB)
RUNTIME_BYTES = GIB // 4
TP_RUNTIME_BYTES = GIB

# fitted on the fit rows of research serving tables (bench/serving.py --fit); each <= 1
BANDWIDTH_EFFICIENCY = 1.0
COMPUTE_EFFICIENCY = 0.65
PREFILL_EFFICIENCY = 0.75
STEP_SECONDS = 0.003  # fixed per decode step
TP_LAYER_SECONDS = 0.000040  # per layer per step when tensor parallel (two all-reduces)
ROCM_EFFICIENCY = 0.6  # ROCm builds: a further share of every efficiency
# bus bandwidth of a decode step's tensor-parallel all-reduces (messages of batch x hidden
# 16-bit values, a few MB: well below the links' peak); 0 leaves their payload out
ALLREDUCE_GBS = 75.0


class ServingFormat(NamedTuple):
    name: str
    label: str
    bits: float  # of the decoder blocks' linear weights; the rest stays 16-bit
    fp8_compute: bool  # W8A8: matrix multiplies at the card's FP8 rate where it has one
    quality_kept: float | None  # share of the BF16 score kept, where a source states it
    source: str


SERVING_FORMATS: dict[str, ServingFormat] = {
    f.name: f
    for f in (
        ServingFormat("bf16", "BF16", 16.0, False, 1.0, "reference precision"),
        ServingFormat(
            "fp8",
            "FP8 W8A8",
            8.0,
            True,
            0.998,
            "arXiv 2411.02355 ('FP8 (W8A8-FP) is effectively lossless across all model "
            "scales'); neuralmagic/Meta-Llama-3.1-405B-Instruct-FP8 card: 99.81% recovery "
            "on OpenLLM v1",
        ),
        ServingFormat(
            "awq-4bit",
            "AWQ INT4 (W4A16, group 128)",
            QUANTS["awq-4bit"].nominal_bits,
            False,
            None,
            "AWQ arXiv 2306.00978; loss per model from the QServe table (scoring/int4_tables.py:"
            " FP16 and AWQ W4A16 g128 WikiText-2 perplexity of the same table), same generation "
            "scaled by size elsewhere, not adjusted for a generation without a row",
        ),
        ServingFormat(
            "gptq-4bit",
            "GPTQ INT4 (W4A16, group 128)",
            QUANTS["gptq-4bit"].nominal_bits,
            False,
            None,
            "GPTQ arXiv 2210.17323; loss per model from the QServe table's GPTQ-R W4A16 g128 "
            "rows (scoring/int4_tables.py), as for AWQ",
        ),
    )
}


def rocm(hardware: Hardware) -> bool:
    if hardware.gpu is not None:
        return hardware.gpu.backend == "rocm"
    return any(mark in hardware.label.lower() for mark in ("amd", "instinct", "mi3"))


def _efficiency(hardware: Hardware) -> float:
    return ROCM_EFFICIENCY if rocm(hardware) else 1.0


def weight_bytes(model: Model, fmt: ServingFormat) -> tuple[int, int]:
    """(total, read per token) weight bytes: the decoder blocks' linear layers at the
    format's bits, embeddings, output head and norms in 16-bit."""
    w = weights(model, QUANTS["bf16"])
    scale = fmt.bits / 16
    linear = w.per_layer
    total = round(linear * scale) + (w.total - linear)
    active = round((w.active - (w.total - linear)) * scale) + (w.total - linear)
    arch = model.architecture
    head = arch.vocab_size * arch.hidden_size * 2
    return total, max(head, min(active, total))


class ServingMemory(NamedTuple):
    card_bytes: int
    utilization: float
    weights: int  # per card
    activation: int
    graphs: int
    runtime: int
    kv_pool: int
    kv_per_token: int  # per card, every attention layer
    kv_heads_per_card: int
    kv_replicated: bool
    sequences: int  # of the context that fit in the pool
    kv_dtype: str = "bf16"  # of the pool: bf16 (--kv-cache-dtype auto) or fp8
    kv_pool_tokens: int = 0  # tokens the pool holds (vLLM's "GPU KV cache size")
    kv_per_sequence: int = 0  # bytes one sequence of the context takes on a card
    chunked_layers: int = 0  # layers sized for their chunk (hybrid KV cache manager)
    chunk_tokens: int = 0  # tokens such a layer holds per sequence

    def as_dict(self) -> dict[str, object]:
        return self._asdict()


def activation_bytes(model: Model, tp: int) -> int:
    """Peak of the profile run: the widest intermediate tensors of MAX_BATCHED_TOKENS tokens
    (residual, QKV, gate+up of the MLP), plus the sampler's logits for MAX_SEQS rows."""
    arch = model.architecture
    width = 2 * arch.hidden_size + (2 * arch.intermediate_size + 3 * arch.hidden_size) // tp
    return 2 * MAX_BATCHED_TOKENS * width + 4 * MAX_SEQS * arch.vocab_size


def serving_memory(  # noqa: PLR0913 (kv_dtype: the pool's type, defaulted)
    model: Model,
    fmt: ServingFormat,
    hardware: Hardware,
    context: int,
    utilization: float = 0.9,
    kv_dtype: str = "bf16",
) -> ServingMemory:
    """How vLLM fills each of `hardware.gpus` cards at --tensor-parallel-size gpus, with the
    KV pool in `kv_dtype`."""
    tp = hardware.gpus
    card = int(hardware.vram_gib * GIB)
    total, _ = weight_bytes(model, fmt)
    per_card = math.ceil(total / tp)
    act = activation_bytes(model, tp)
    runtime = TP_RUNTIME_BYTES if tp > 1 else RUNTIME_BYTES
    budget = min(int(card * utilization), card - GRAPH_BYTES)  # the graphs still fit the card
    pool = max(0, budget - per_card - act - runtime)
    per_token = kv_bytes_per_token(model, tp, kv_dtype)
    heads, replicated = kv_heads_per_card(model, tp)
    per_sequence = kv_sequence_bytes(model, tp, context, kv_dtype)
    sequences = pool // per_sequence if per_sequence else MAX_SEQS
    local = chunked_layers(model)
    return ServingMemory(
        card,
        utilization,
        per_card,
        act,
        GRAPH_BYTES,
        runtime,
        pool,
        per_token,
        heads,
        replicated,
        int(sequences),
        kv_dtype,
        pool // per_token if per_token else 0,
        per_sequence,
        local,
        chunk_tokens(model, context) if local else 0,
    )


class ServingSpeed(NamedTuple):
    """Throughput at a concurrency (estimated)."""

    concurrency: int  # running at once (the asked batch, capped by the pool and max-num-seqs)
    step_seconds: float
    ceiling_step_seconds: float  # bytes read per step / bandwidth: no step is faster
    bound: str  # bandwidth | compute
    per_stream: float  # output tokens/s of one stream
    aggregate: float  # output tokens/s of all streams, prefill included
    prefill_tokens_per_second: float
    ttft_seconds: float  # a request of the load's prompt (assumed_prompt_tokens)
    ttft_at_context_seconds: float | None = None  # a prompt filling max_model_len (from 32K)

    def as_dict(self) -> dict[str, object]:
        return self._asdict()


def _accumulate_share(hardware: Hardware) -> float:
    """GeForce cards multiply 16-bit inputs with FP32 accumulation (what BF16 GEMMs use) at
    half their FP16-accumulate rate, the figure their presets carry (NVIDIA Ada whitepaper,
    Appendix A, RTX 4090: FP16 tensor 330.3 TFLOPS with FP16 accumulate, 165.2 with FP32
    accumulate, BF16 165.2); data-centre and workstation cards run both at the same rate."""
    gpu = hardware.gpu
    if gpu is None or gpu.kind != "consumer" or gpu.vendor != "nvidia":
        return 1.0
    return 0.5 if gpu.fp16_tflops_kind == "tensor-dense-fp16-accumulate" else 1.0


def _tflops(fmt: ServingFormat, hardware: Hardware) -> float | None:
    if hardware.fp16_tflops is None:
        return None
    boost = 2.0 if fmt.fp8_compute and fp8_card(hardware) else 1.0
    return hardware.fp16_tflops * _accumulate_share(hardware) * boost


def step_bytes(  # noqa: PLR0913 (kv_dtype: the cache's type, defaulted)
    model: Model, fmt: ServingFormat, tp: int, batch: int, tokens: int, kv_dtype: str = "bf16"
) -> float:
    """Bytes one card reads in a decode step of `batch` sequences holding `tokens` each:
    its weight share (MoE: the experts the batch routes to) and the batch's cache in
    `kv_dtype` (a chunked layer reads at most its chunk)."""
    total, active = weight_bytes(model, fmt)
    arch = model.architecture
    read = float(active)
    if arch.experts and arch.experts_per_token and total > active:
        # experts touched by `batch` tokens at random: E * (1 - (1 - k/E)^batch)
        touched = 1 - (1 - arch.experts_per_token / arch.experts) ** batch
        routed = total - active  # the experts no single token reads
        share = (touched - arch.experts_per_token / arch.experts) / (
            1 - arch.experts_per_token / arch.experts
        )
        read += routed * max(0.0, share)
    layer = layer_token_bytes(model, tp, kv_dtype)
    local = chunked_layers(model)
    full = arch.attention_count - local
    chunk = min(tokens, arch.attention_chunk or tokens)
    return read / tp + batch * layer * (full * tokens + local * chunk)


def _active_params(model: Model) -> int:
    return model.parameters.active or model.parameters.total


def allreduce_seconds(model: Model, tp: int, tokens: int) -> float:
    """Payload time of a decode step's tensor-parallel all-reduces: two per layer (after
    attention and after the MLP), each of `tokens` x hidden 16-bit values; a ring moves
    2 (tp - 1) / tp of them through each card. Their latency is TP_LAYER_SECONDS."""
    if tp <= 1 or not ALLREDUCE_GBS:
        return 0.0
    arch = model.architecture
    payload = 2 * arch.layers * tokens * arch.hidden_size * 2
    return payload * 2 * (tp - 1) / tp / (ALLREDUCE_GBS * 1e9)


def decode_step(  # noqa: PLR0913 (kv_dtype: the cache's type, defaulted)
    model: Model,
    fmt: ServingFormat,
    hardware: Hardware,
    batch: int,
    tokens: int,
    kv_dtype: str = "bf16",
) -> tuple[float, float, str]:
    """(seconds, ceiling seconds, bound) of one decode step on each card."""
    tp = hardware.gpus
    bandwidth = (hardware.bandwidth_gbs or 0.0) * 1e9
    if bandwidth <= 0:
        raise ValueError("the serving model needs the card's memory bandwidth")
    read = step_bytes(model, fmt, tp, batch, tokens, kv_dtype)
    ceiling = read / bandwidth
    share = _efficiency(hardware)
    memory = ceiling / (BANDWIDTH_EFFICIENCY * share)
    tflops = _tflops(fmt, hardware)
    compute = 0.0
    if tflops:
        flops = 2 * _active_params(model) * batch / tp
        compute = flops / (tflops * 1e12 * COMPUTE_EFFICIENCY * share)
    fixed = STEP_SECONDS
    if tp > 1:
        fixed += TP_LAYER_SECONDS * model.architecture.layers + allreduce_seconds(model, tp, batch)
    bound = "compute" if compute > memory else "bandwidth"
    return memory + compute + fixed, ceiling, bound


def prefill_seconds(
    model: Model, fmt: ServingFormat, hardware: Hardware, prompt: int, kv_dtype: str = "bf16"
) -> float:
    """Seconds to read a prompt of `prompt` tokens (compute-bound; at least the weights once)."""
    tp = hardware.gpus
    tflops = _tflops(fmt, hardware) or 0.0
    arch = model.architecture
    attention = 2 * arch.attention_count * arch.hidden_size * prompt * prompt  # causal QK^T, AV
    flops = (2 * _active_params(model) * prompt + attention) / tp
    share = PREFILL_EFFICIENCY * _efficiency(hardware)
    compute = flops / (tflops * 1e12 * share) if tflops else 0.0
    _, once, _ = decode_step(model, fmt, hardware, 1, prompt, kv_dtype)
    return max(compute, once)


class Load(NamedTuple):
    """`batch` clients, each sending a `prompt`-token request and reading `output` tokens;
    `requests`: the requests a benchmark run sends in all (its num_prompts), None for a
    server that keeps receiving them; `cached`: prompt tokens vLLM's prefix cache serves
    (a benchmark repeating its prompts after warm-up), so they are not prefilled;
    `kv_dtype`: the KV pool's type (bf16, or fp8 under --kv-cache-dtype fp8)."""

    batch: int
    prompt: int
    output: int
    requests: int | None = None
    cached: int = 0
    kv_dtype: str = "bf16"


def serving_speed(
    model: Model, fmt: ServingFormat, hardware: Hardware, load: Load, fits: int | None = None
) -> ServingSpeed:
    """Steady state under `load`: every round the engine prefills each request once and
    decodes `output` steps of the whole batch. `fits`: sequences the KV pool holds (caps
    the batch). A run of `load.requests` requests never has more than that many in flight,
    and runs in rounds: full ones of the batch, then one of the remainder."""
    batch, prompt, output, requests, cached, kv = load
    cap = min(batch, MAX_SEQS, fits if fits is not None else batch)
    running = max(1, min(cap, requests if requests is not None else cap))
    step, ceiling, bound = decode_step(model, fmt, hardware, running, prompt + output // 2, kv)
    # prompt tokens the prefix cache does not serve (their attention over the cached part
    # is left out); a fully cached prompt costs nothing beyond its first decode step
    fresh = max(0, prompt - cached)
    prefill = prefill_seconds(model, fmt, hardware, fresh, kv) if fresh else 0.0
    round_seconds = running * prefill + output * step
    aggregate = running * output / round_seconds
    if requests is not None and requests % running:
        rest = requests % running
        rest_step, _, _ = decode_step(model, fmt, hardware, rest, prompt + output // 2, kv)
        seconds = requests // running * round_seconds + rest * prefill + output * rest_step
        aggregate = requests * output / seconds
    return ServingSpeed(
        concurrency=running,
        step_seconds=step,
        ceiling_step_seconds=ceiling,
        bound=bound,
        per_stream=output / round_seconds,
        aggregate=aggregate,
        prefill_tokens_per_second=prompt / prefill_seconds(model, fmt, hardware, prompt, kv),
        ttft_seconds=prefill + step,
    )
