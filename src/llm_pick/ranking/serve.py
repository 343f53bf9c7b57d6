"""Which runtime a recommendation assumes, and, for vLLM, each ranked model served as vLLM
would serve it: the format, the smallest tensor-parallel group that holds it (the other
cards as data-parallel replicas), the KV pool and the throughput at the asked concurrency
(estimate/serving.py). A datacenter card serving more than one
stream, or one stream over several of them, gets vLLM; anything else llama.cpp, unless the
query fixes the runtime."""

from __future__ import annotations

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.catalog.types import Model
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.quant import QUANTS
from llm_pick.ranking.query import Query
from llm_pick.ranking.result import Candidate, Recommendation, ServingPlan
from llm_pick.scoring import criteria

UTILIZATION = 0.90  # vLLM's --gpu-memory-utilization default
TYPICAL_TURN = 1024  # prompt and output tokens per request assumed for throughput
# the quality scale's format for each serving format: FP8 W8A8 is lossless in the sources
# cited in estimate/serving.py, so it is scored as 16-bit
QUALITY_AS = {"bf16": "bf16", "fp8": "bf16", "awq-4bit": "awq-4bit", "gptq-4bit": "gptq-4bit"}


class RuntimeChoice(NamedTuple):
    name: str  # llama.cpp | vllm | ollama | mlx
    reason: str


def choose_runtime(query: Query) -> RuntimeChoice:
    """The runtime the query fixes, else vLLM for datacenter cards serving a batch above one
    or one stream over several cards (tensor parallel reads every card at once; llama.cpp's
    layer split reads one card at a time)."""
    if query.runtime is not None:
        return RuntimeChoice(query.runtime, f"--runtime {query.runtime}")
    hardware, batch = query.hardware, query.sizing.batch
    gpu = hardware.gpu if hardware else None
    if gpu is not None and gpu.kind == "datacenter" and gpu.backend in ("cuda", "rocm"):
        if batch > 1:
            return RuntimeChoice(
                "vllm", f"{batch} streams on {gpu.name}: a serving engine batches them"
            )
        if hardware is not None and hardware.gpus > 1:
            return RuntimeChoice(
                "vllm",
                f"one stream on {hardware.gpus} x {gpu.name}: vLLM tensor parallel reads every "
                "card at once for each token, where llama.cpp's layer split reads one card at "
                "a time (--runtime llama.cpp for layer split)",
            )
        return RuntimeChoice("llama.cpp", "one stream: llama.cpp (GGUF) serves it directly")
    if batch > 1:
        return RuntimeChoice("llama.cpp", f"not a datacenter card: llama-server -np {batch}")
    return RuntimeChoice("llama.cpp", "one stream on a workstation or laptop")


def tp_sizes(model: Model, hardware: Hardware, batch: int) -> list[int]:
    """Tensor parallel sizes to try, smallest first. Several streams of a dense model: each
    power of two that divides the cards and the attention heads (vLLM shards heads), the
    other cards serving as data-parallel replicas (no more replicas than streams); one
    stream, or a MoE model (vLLM's DP then runs its experts over all DP x TP cards;
    docs.vllm.ai serving/data_parallel_deployment), every card in one TP group."""
    cards = hardware.gpus
    if batch < 2 or model.architecture.experts:
        return [cards]
    heads = model.architecture.attention_heads or 1
    sizes = [2**i for i in range(cards.bit_length()) if cards % 2**i == 0]
    # every replica gets a stream: no more replicas than streams
    return [tp for tp in sizes if heads % tp == 0 and tp < cards and cards // tp <= batch] + [cards]


def plan(model: Model, hardware: Hardware, context: int, batch: int) -> ServingPlan | None:
    """The best format that holds `batch` sequences of `context` tokens: FP8 (where the card
    runs it) or BF16 (the lossless ones) at the highest throughput, else INT4 (AWQ, then
    GPTQ) where a pre-quantized repository of it is recorded (vLLM does not make INT4
    weights on load: a plan without one would headline figures no command runs); None when
    none does, or the card's bandwidth is unknown."""
    from llm_pick.catalog.quantrepos import int4_repo
    from llm_pick.estimate.serving import (
        SERVING_FORMATS,
        Load,
        fp8_mode,
        serving_memory,
        serving_speed,
    )

    if not hardware.bandwidth_gbs:
        return None
    turn = max(1, min(TYPICAL_TURN, context // 2))
    plans: list[ServingPlan] = []
    for name, fmt in SERVING_FORMATS.items():
        if name == "fp8" and fp8_mode(hardware) is None:  # no FP8 kernel on this card
            continue
        if fmt.quality_kept is None and int4_repo(model.id, name) is None:  # no INT4 weights
            continue
        for tp in tp_sizes(model, hardware, batch):
            group = hardware._replace(gpus=tp)
            replicas = hardware.gpus // tp
            load = Load(-(-batch // replicas), turn, turn)  # each replica's share
            memory = serving_memory(model, fmt, group, context, UTILIZATION)
            if memory.sequences < load.batch:
                continue
            speed = serving_speed(model, fmt, group, load, memory.sequences)
            streams = min(batch, replicas * speed.concurrency)  # all replicas together
            speed = speed._replace(aggregate=speed.aggregate * streams / speed.concurrency)
            plans.append(ServingPlan(name, tp, context, UTILIZATION, load, memory, speed, replicas))
            break  # the smallest group that holds its share of the batch
    lossless = [p for p in plans if SERVING_FORMATS[p.format].quality_kept is not None]
    if lossless:
        return max(lossless, key=lambda p: (p.speed.aggregate, p.format))
    return plans[0] if plans else None


def served_quality(model: Model, fmt: str, lineage: dict[str, Model]) -> criteria.Value:
    """The quality of `model` as vLLM serves it in `fmt`, scored as its QUALITY_AS format;
    where that is another format (FP8 as BF16), the note and basis say so and why, so the
    served format's quality never rests on an unnamed figure."""
    from llm_pick.estimate.serving import SERVING_FORMATS

    scored = QUANTS[QUALITY_AS[fmt]]
    value = criteria.quality(model, scored, lineage)
    if scored.name == fmt:
        return value
    said = f"{fmt} scored as {scored.name}: {SERVING_FORMATS[fmt].source}"
    note = value.describe
    return value._replace(
        describe=lambda: f"{note()}; {said}", basis=f"{value.basis or ''}; {said}".lstrip("; ")
    )


def serve(rec: Recommendation, lineage: dict[str, Model]) -> Recommendation:
    """The recommendation re-scored as vLLM serves each ranked model (quality of the serving
    format, per-stream speed); models vLLM cannot hold at the batch keep their llama.cpp
    answer and no plan."""
    query = rec.query
    if choose_runtime(query).name != "vllm" or query.hardware is None:
        return rec
    hardware, batch = query.hardware, query.sizing.batch
    out: list[Candidate] = []
    for cand in rec.ranking:
        found = plan(cand.model, hardware, cand.assessment.estimate.context, batch)
        if found is None:
            out.append(cand)
            continue
        values = dict(cand.values)
        values["quality"] = served_quality(cand.model, found.format, lineage)
        per = f"per stream under vLLM ({found.format}, {batch} streams; estimate)"
        values["speed"] = criteria.speed(found.speed.per_stream, per)
        score, _ = criteria.combine(values, cand.weights)
        out.append(cand._replace(values=values, score=score, serving=found))
    out.sort(key=lambda c: (-round(c.score, 12), c.model.id))
    return rec._replace(ranking=tuple(out))
