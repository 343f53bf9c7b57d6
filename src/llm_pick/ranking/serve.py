"""Which runtime a recommendation assumes, and, for vLLM, each ranked model served as vLLM
would serve it: the format, the smallest tensor-parallel group that holds it (the other
cards as data-parallel replicas), the KV pool and the throughput at the asked concurrency
(estimate/serving.py). A datacenter card serving more than one
stream, or one stream over several of them, gets vLLM; anything else llama.cpp, unless the
query fixes the runtime."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.catalog.types import Model
from llm_pick.errors import InputError
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.quant import QUANTS
from llm_pick.ranking.query import Query
from llm_pick.ranking.result import Candidate, Recommendation, ServingPlan
from llm_pick.scoring import criteria

if TYPE_CHECKING:
    from llm_pick.estimate.serving import ServingFormat, ServingMemory

UTILIZATION = 0.90  # vLLM's --gpu-memory-utilization default
TYPICAL_TURN = 1024  # prompt and output tokens per request assumed for throughput
LONG_CONTEXT = 32768  # from here the first token is also timed for a prompt filling the context
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
    cards, whole = hardware.gpus, whole_group(model, hardware.gpus)
    if batch < 2 or model.architecture.experts:
        return [whole]
    heads = model.architecture.attention_heads or 1
    sizes = [2**i for i in range(cards.bit_length()) if cards % 2**i == 0]
    return [tp for tp in sizes if heads % tp == 0 and tp < whole and cards // tp <= batch] + [whole]


def whole_group(model: Model, cards: int) -> int:
    """The most of `cards` one tensor-parallel group can use: vLLM refuses a size that does not
    divide the attention heads (vllm/config.py verify_with_parallel_config: 'Total number of
    attention heads (N) must be divisible by tensor parallel size (T)'): 64 heads, 3 cards: 2."""
    heads = model.architecture.attention_heads or 1
    return max(tp for tp in range(1, cards + 1) if heads % tp == 0)


def idle_note(model: Model, found: ServingPlan, cards: int) -> str:
    """What a plan that leaves cards idle says: why, and what would use them (not modelled)."""
    used = found.tensor_parallel * found.data_parallel
    if used >= cards:
        return ""
    heads = model.architecture.attention_heads or 1
    return (
        f"vLLM splits the {heads} attention heads evenly over a tensor-parallel group and "
        f"refuses a group of {cards} ('Total number of attention heads ({heads}) must be "
        f"divisible by tensor parallel size ({cards})'): the plan uses {used} of the {cards} "
        f"cards (--tensor-parallel-size {found.tensor_parallel}); --pipeline-parallel-size "
        f"{cards} would use them all (not modelled)"
    )


def kv_choices(hardware: Hardware, fixed: str | None) -> tuple[str, ...]:
    """The KV cache types a plan tries, in order: the one --kv-dtype fixes, else the 16-bit
    cache and then FP8 where vLLM stores FP8 caches on the card (estimate/serving.py)."""
    from llm_pick.estimate.servekv import fp8_kv_card

    fp8 = ("fp8",) if fp8_kv_card(hardware) else ()
    if fixed is not None:
        return fp8 if fixed == "fp8" else (fixed,)
    return ("bf16", *fp8)


def loadable(model: Model, hardware: Hardware) -> list[tuple[str, ServingFormat]]:
    """The serving formats vLLM can load for the model on the card: FP8 where the card has an
    FP8 kernel, AWQ/GPTQ INT4 only where a pre-quantized repository is recorded (vLLM does not
    make INT4 weights on load), BF16 always."""
    from llm_pick.catalog.quantrepos import int4_repo
    from llm_pick.estimate.serving import SERVING_FORMATS, fp8_mode

    return [
        (name, fmt)
        for name, fmt in SERVING_FORMATS.items()
        if not (name == "fp8" and fp8_mode(hardware) is None)
        and not (fmt.quality_kept is None and int4_repo(model.id, name) is None)
    ]


def whole_pools(
    model: Model, hardware: Hardware, context: int, kv: str | None
) -> list[tuple[str, ServingFormat, str, ServingMemory]]:
    """Each loadable format with each KV type tried, sized on the largest tensor-parallel group
    vLLM takes of the cards (whole_group): the largest KV pools it can have."""
    from llm_pick.estimate.serving import serving_memory

    group = hardware._replace(gpus=whole_group(model, hardware.gpus))
    return [
        (name, fmt, kv_dtype, serving_memory(model, fmt, group, context, UTILIZATION, kv_dtype))
        for name, fmt in loadable(model, hardware)
        for kv_dtype in kv_choices(hardware, kv)
    ]


def plan(  # noqa: PLR0913 (prompt: the asked --prompt-tokens, defaulted)
    model: Model,
    hardware: Hardware,
    context: int,
    batch: int,
    kv: str | None = None,
    prompt: int | None = None,
) -> ServingPlan | None:
    """The best format that holds `batch` sequences of `context` tokens: FP8 (where the card
    runs it) or BF16 (the lossless ones) at the highest throughput, else INT4 (AWQ, then
    GPTQ) where a pre-quantized repository of it is recorded (vLLM does not make INT4
    weights on load: a plan without one would headline figures no command runs); None when
    none does, the card's bandwidth is unknown, or `context` is longer than vLLM accepts for
    the model (servekv.longest_model_len). Each format tries a 16-bit KV cache on
    every group size first and an FP8 cache only where none holds the batch (`kv` None), or
    the type `kv` fixes; among lossless weights, plans with a 16-bit cache come first.
    `prompt`: the prompt each request sends (--prompt-tokens), else a typical turn."""
    from llm_pick.estimate.servekv import longest_model_len
    from llm_pick.estimate.serving import SERVING_FORMATS

    if not hardware.bandwidth_gbs or context > longest_model_len(model):
        return None  # vLLM refuses a longer --max-model-len than its config derives
    plans: list[ServingPlan] = []
    for name, _ in loadable(model, hardware):
        for kv_dtype in kv_choices(hardware, kv):
            found = _smallest_group(model, name, hardware, (context, prompt), batch, kv_dtype)
            if found is not None:
                reason = _kv_reason(found, model, hardware, kv, batch)
                plans.append(found._replace(kv_reason=reason))
                break  # a 16-bit cache where one holds the batch
    lossless = [p for p in plans if SERVING_FORMATS[p.format].quality_kept is not None]
    wide = [p for p in lossless if p.memory.kv_dtype == "bf16"] or lossless
    best = (
        max(wide, key=lambda p: (p.speed.aggregate, p.format))
        if wide
        else (plans[0] if plans else _most_held(model, hardware, (context, prompt), batch, kv))
    )
    if best is None:
        return None
    return best._replace(cards_note=idle_note(model, best, hardware.gpus))


def _most_held(
    model: Model, hardware: Hardware, window: tuple[int, int | None], batch: int, kv: str | None
) -> ServingPlan | None:
    """Where no group holds the whole batch at full length: the format (and KV type) whose pool
    over all the cards in one tensor-parallel group holds the most of its sequences, when that
    is at least half of them (else None: llama.cpp's answer, with shortfall()'s words). vLLM
    admits requests while its pool has free blocks and preempts (recomputes) one when it runs
    out (docs.vllm.ai configuration/optimization, "Preemption"): the figures assume that many
    sequences running at once and the rest waiting, the worst case where every request fills
    the context."""
    context, _ = window
    best = None
    for name, fmt, kv_dtype, memory in whole_pools(model, hardware, context, kv):
        key = (memory.sequences, fmt.quality_kept is not None, kv_dtype != "fp8")
        if best is None or key > best[0]:
            best = (key, name, kv_dtype)
    if best is None or 2 * best[0][0] < batch or best[0][0] < 1:
        return None
    (held, _, _), name, kv_dtype = best
    found = _smallest_group(model, name, hardware, window, held, kv_dtype)
    if found is None:
        return None
    said = "an FP8" if kv_dtype == "fp8" else "a 16-bit"
    cards = whole_group(model, hardware.gpus)
    note = (
        f"{held} of the {batch} sequences of {context:,} tokens fit the KV pool at once "
        f"({name}, {said} KV cache over {cards} card(s)): vLLM runs that many "
        f"(--max-num-seqs {held}) and queues the rest; admitting more, it preempts "
        "(recomputes) requests when the pool runs out (docs.vllm.ai configuration/"
        f"optimization, 'Preemption'); the figures are for {held} running at once, the worst "
        "case of every request filling the context"
    )
    reason = _kv_reason(found, model, hardware, kv, held)
    return found._replace(kv_reason=reason, held_note=note)


def _smallest_group(  # noqa: PLR0913 (one plan's inputs)
    model: Model,
    name: str,
    hardware: Hardware,
    window: tuple[int, int | None],
    batch: int,
    kv_dtype: str,
) -> ServingPlan | None:
    """The plan on the smallest tensor-parallel group that holds its share of the batch with
    the KV pool in `kv_dtype`, the other cards as replicas; None when no group does.
    `window`: the context, and the prompt asked (--prompt-tokens; None: a typical turn). The
    first token is also timed for a prompt filling the context from 32K up (issue 19 §4)."""
    from llm_pick.estimate.serving import (
        SERVING_FORMATS,
        Load,
        prefill_seconds,
        serving_memory,
        serving_speed,
    )

    context, asked = window
    fmt = SERVING_FORMATS[name]
    turn = max(1, min(TYPICAL_TURN, context // 2))
    prompt = min(asked, context - 1) if asked else turn
    for tp in tp_sizes(model, hardware, batch):
        group = hardware._replace(gpus=tp)
        replicas = hardware.gpus // tp
        load = Load(-(-batch // replicas), prompt, turn, kv_dtype=kv_dtype)  # a replica's share
        memory = serving_memory(model, fmt, group, context, UTILIZATION, kv_dtype)
        if memory.sequences < load.batch:
            continue
        speed = serving_speed(model, fmt, group, load, memory.sequences)
        if context >= LONG_CONTEXT and context > prompt:  # a prompt filling the window
            full = prefill_seconds(model, fmt, group, context, kv_dtype) + speed.step_seconds
            speed = speed._replace(ttft_at_context_seconds=full)
        streams = min(batch, replicas * speed.concurrency)  # all replicas together
        speed = speed._replace(aggregate=speed.aggregate * streams / speed.concurrency)
        return ServingPlan(name, tp, context, UTILIZATION, load, memory, speed, replicas)
    return None


def _kv_reason(
    found: ServingPlan, model: Model, hardware: Hardware, fixed: str | None, batch: int
) -> str:
    """Why the plan's KV pool has its type, in words (the JSON's kv_cache.reason)."""
    from llm_pick.estimate.serving import SERVING_FORMATS, serving_memory

    if fixed is not None:
        spelled = "fp16" if fixed == "bf16" else fixed
        return f"--kv-dtype {spelled}: {found.memory.kv_dtype} KV cache as asked"
    if found.memory.kv_dtype == "bf16":
        return "16-bit KV cache (vLLM's default, --kv-cache-dtype auto): it holds the batch"
    group = hardware._replace(gpus=found.tensor_parallel)
    fmt = SERVING_FORMATS[found.format]
    wide = serving_memory(model, fmt, group, found.context, found.utilization, "bf16")
    return (
        f"FP8 KV cache (--kv-cache-dtype fp8): in {found.format} a 16-bit cache holds "
        f"{wide.sequences} of the {found.load.batch} sequences of {found.context:,} tokens on "
        f"{found.tensor_parallel} card(s), and no other group of these cards holds them; FP8 "
        f"holds {found.memory.sequences}. --kv-dtype fp16 keeps a 16-bit cache (fewer than "
        f"{batch} streams, or a shorter --context)"
    )


def served_quality(model: Model, fmt: str, lineage: dict[str, Model]) -> criteria.Value:
    """The quality of `model` as vLLM serves it in `fmt`, scored as its QUALITY_AS format;
    where that is another format (FP8 as BF16), the note and basis say so and why, so the
    served format's quality never rests on an unnamed figure."""
    from llm_pick.estimate.serving import SERVING_FORMATS

    scored = QUANTS[QUALITY_AS[fmt]]
    value = criteria.quality(model, scored, lineage)
    if scored.name == fmt and fmt != "bf16":
        return value
    said = (
        "bf16: the 16-bit weights as released, no quantization loss"
        if fmt == "bf16"
        else f"{fmt} scored as {scored.name}: {SERVING_FORMATS[fmt].source}"
    )
    note = value.describe
    return value._replace(
        describe=lambda: f"{note()}; {said}", basis=f"{value.basis or ''}; {said}".lstrip("; ")
    )


def serve(rec: Recommendation, lineage: dict[str, Model]) -> Recommendation:
    """The recommendation re-scored as vLLM serves each ranked model (quality of the serving
    format, per-stream speed); models vLLM cannot hold at the batch keep their llama.cpp
    answer and no plan. Where the user fixed the runtime (--runtime vllm), the models vLLM
    serves rank before those it cannot: a llama.cpp answer stays as the alternative it is,
    not a vLLM pick."""
    query = rec.query
    if choose_runtime(query).name != "vllm" or query.hardware is None:
        return rec
    out = [served(cand, query, lineage) for cand in rec.ranking]
    asked = query.runtime == "vllm"
    out.sort(key=lambda c: (asked and c.serving is None, *served_key(c)))
    return rec._replace(ranking=tuple(out))


def served_key(cand: Candidate) -> tuple[float, str]:
    """The order of vLLM's re-scored ranking (after the served-first rule of --runtime vllm)."""
    return -round(cand.score, 12), cand.model.id


def served(cand: Candidate, query: Query, lineage: dict[str, Model]) -> Candidate:
    """One ranked model as vLLM serves it (the query's runtime is vLLM, on known hardware):
    its plan, the quality of the served format and the per-stream speed; unchanged when vLLM
    cannot hold it at the batch."""
    assert query.hardware is not None
    batch, context = query.sizing.batch, cand.assessment.estimate.context
    prompt = query.sizing.prompt_tokens
    found = plan(cand.model, query.hardware, context, batch, query.serve_kv, prompt)
    if found is None:
        return cand
    values = dict(cand.values)
    values["quality"] = served_quality(cand.model, found.format, lineage)
    kv = "" if found.memory.kv_dtype == "bf16" else f", --kv-cache-dtype {found.memory.kv_dtype}"
    streams = f"{found.load.batch} of {batch}" if found.held_note else str(batch)
    plural = "" if streams == "1" else "s"  # "1 stream at once", not "1 streams"
    per = f"per stream under vLLM ({found.format}{kv}, {streams} stream{plural} at once; estimate)"
    values["speed"] = criteria.speed(found.speed.per_stream, per)
    score, _ = criteria.combine(values, cand.weights)
    return cand._replace(values=values, score=score, serving=found)


def check_fp8_kv(query: Query) -> None:
    """--kv-dtype fp8 is vLLM's cache type: refused where vLLM is not assumed, or where vLLM
    stores no FP8 cache on the card (CUDA and ROCm builds do; estimate/serving.py)."""
    from llm_pick.estimate.servekv import fp8_kv_card

    runtime = choose_runtime(query)
    if runtime.name != "vllm":
        raise InputError(
            f"--kv-dtype fp8 is vLLM's FP8 KV cache (--kv-cache-dtype fp8), and {runtime.name} "
            f"is assumed here ({runtime.reason}): use q8_0 for llama.cpp's 8-bit cache, or "
            "--runtime vllm"
        )
    if query.hardware is None or not fp8_kv_card(query.hardware):
        raise InputError(
            "--kv-dtype fp8: vLLM stores an FP8 KV cache on CUDA and ROCm cards (vLLM's "
            "quantized KV cache docs); this card is not known to be one"
        )
