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
vLLM 0.16 (see KV_HYBRID_SOURCE); the other layers hold the whole context.
"""

from __future__ import annotations

import math

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.catalog.types import Model
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.quant import QUANTS
from llm_pick.estimate.weights import weights

GIB = 2**30
BLOCK = 16  # vLLM's KV block size (tokens per page)
MAX_BATCHED_TOKENS = 8192  # the profile run's token budget (vLLM engine default, assumed)
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


def fp8_kv_card(hardware: Hardware) -> bool:
    """Whether vLLM stores an FP8 KV cache on this card: CUDA and ROCm builds (KV_FP8_SOURCE);
    a storage type, so no FP8 tensor cores are needed."""
    return hardware.gpu is not None and hardware.gpu.backend in ("cuda", "rocm")


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
            "AWQ arXiv 2306.00978; arXiv 2411.02355: INT4 weight-only 'rivaling 8-bit' "
            "(no single figure stated for all sizes)",
        ),
        ServingFormat(
            "gptq-4bit",
            "GPTQ INT4 (W4A16, group 128)",
            QUANTS["gptq-4bit"].nominal_bits,
            False,
            None,
            "GPTQ arXiv 2210.17323; arXiv 2411.02355 as for AWQ",
        ),
    )
}

# FP8 tensor cores: compute capability >= 8.9 (Ada, Hopper, Blackwell) and AMD CDNA 3/4
# (vLLM quantization docs, supported hardware); elsewhere vLLM runs FP8 weight-only.
_FP8_MARKS = (
    "h100",
    "h200",
    "h20",
    "gh200",
    "b100",
    "b200",
    "gb200",
    "b300",
    "l40",
    "l4",
    "rtx-40",
    "rtx-50",
    "4060",
    "4070",
    "4080",
    "4090",
    "5060",
    "5070",
    "5080",
    "5090",
    "ada",
    "mi300",
    "mi325",
    "mi350",
    "mi355",
)


def fp8_card(hardware: Hardware) -> bool:
    """Whether the card multiplies FP8 natively (W8A8 at twice the FP16 rate)."""
    key = (hardware.gpu.id if hardware.gpu else hardware.label).lower()
    return any(mark in key for mark in _FP8_MARKS)


# NVIDIA cards before Turing (compute capability < 7.5): no FP8 Marlin kernel either
_PRE_TURING_MARKS = ("p40", "p100", "v100", "titan-v", "gtx-10", "tesla-p", "tesla-v")


def fp8_mode(hardware: Hardware) -> str | None:
    """How vLLM runs FP8 weights on this card: "native" (W8A8 on FP8 tensor cores),
    "weight-only" (W8A16 through FP8 Marlin on NVIDIA compute capability 7.5 and up: vLLM's
    FP8 docs, 'FP8 models will run on compute capability >= 7.5 (Turing) as weight-only
    W8A16, utilizing FP8 Marlin'; vLLM PR #5975), or None (no FP8 kernel: older NVIDIA
    cards, AMD before CDNA 3, unknown cards)."""
    if fp8_card(hardware):
        return "native"
    gpu = hardware.gpu
    if gpu is None or gpu.vendor != "nvidia" or gpu.backend != "cuda":
        return None
    return None if any(mark in gpu.id.lower() for mark in _PRE_TURING_MARKS) else "weight-only"


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


def kv_heads_per_card(model: Model, tp: int) -> tuple[int, bool]:
    """KV heads each rank keeps, and whether they are replicated (fewer heads than ranks)."""
    heads = model.architecture.kv_heads or model.architecture.attention_heads or 1
    if heads >= tp:
        return math.ceil(heads / tp), False
    return 1, True


def _layer_token_bytes(model: Model, tp: int, kv_dtype: str) -> int:
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
    return model.architecture.attention_count * _layer_token_bytes(model, tp, kv_dtype)


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
    layer = _layer_token_bytes(model, tp, kv_dtype)
    local = chunked_layers(model)
    full = model.architecture.attention_count - local
    blocks = math.ceil(context / BLOCK)
    held = math.ceil(chunk_tokens(model, context) / BLOCK)
    return BLOCK * layer * (full * blocks + local * held)


def longest_sequence(model: Model, tp: int, pool: int, kv_dtype: str = "bf16") -> int:
    """The most tokens one sequence can hold in `pool` bytes of one card (whole blocks)."""
    layer = _layer_token_bytes(model, tp, kv_dtype)
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
    ttft_seconds: float

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
    layer = _layer_token_bytes(model, tp, kv_dtype)
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
