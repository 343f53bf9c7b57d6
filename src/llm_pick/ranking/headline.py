"""The figures a pick is headlined with, under the runtime assumed for it (issue 20 §3): a
pick vLLM serves (ranking/serve.py) is shown in its serving format, with the memory vLLM
takes on each card and the per-stream and aggregate rates of the serving estimate; any other
pick with its llama.cpp GGUF figures. The table, the top-pick summary, the JSON and explain
all read this one record, so no two of them disagree."""

from __future__ import annotations

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.ranking.result import Candidate


class Headline(NamedTuple):
    """Estimates; rates are output tokens per second."""

    runtime: str  # vllm | llama.cpp | ollama | mlx
    quant: str  # the format the runtime loads (GGUF type, or fp8/bf16/awq-4bit/gptq-4bit)
    per_stream: float | None  # one stream's decode rate
    low: float | None  # the range of per_stream, where the estimate has one
    high: float | None
    aggregate: float | None  # all streams together (batch > 1), else None
    ceiling: float | None  # one stream's bound: bandwidth / bytes read per decode step
    memory_bytes: int  # vLLM: allocated on each card; llama.cpp: needed in all
    available_bytes: int | None  # vLLM: one card; llama.cpp: what the placement has
    per_card: bool  # memory_bytes is per card (vLLM)
    context: int  # tokens sized for (vLLM: --max-model-len)
    streams: int
    max_context: int  # the longest context each stream can have (the model's cap)

    @property
    def share(self) -> float | None:
        """The share of the ceiling the per-stream rate assumes (at most 1)."""
        if self.ceiling is None or self.per_stream is None or self.ceiling <= 0:
            return None
        return self.per_stream / self.ceiling


def pick_runtime(cand: Candidate, assumed: str) -> str:
    """The runtime one pick is shown under: vLLM when it has a plan, else the assumed
    runtime, or llama.cpp when vLLM was assumed but cannot hold this model at the batch."""
    if cand.serving is not None:
        return "vllm"
    return "llama.cpp" if assumed == "vllm" else assumed


def headline(cand: Candidate, assumed: str, batch: int) -> Headline:
    """The pick's headline figures under `pick_runtime(cand, assumed)`."""
    plan = cand.serving
    if plan is not None:
        mem, speed = plan.memory, plan.speed
        used = mem.weights + mem.activation + mem.graphs + mem.runtime + mem.kv_pool
        ceiling = 1 / speed.ceiling_step_seconds if speed.ceiling_step_seconds > 0 else None
        return Headline(
            "vllm",
            plan.format,
            speed.per_stream,
            None,
            None,
            speed.aggregate if batch > 1 else None,
            ceiling,
            used,
            mem.card_bytes,
            True,
            plan.context,
            min(batch, plan.data_parallel * speed.concurrency),  # all replicas' streams
            _pool_context(cand, plan.load.batch),  # one replica's share of the streams
        )
    est, fit, rate = cand.assessment.estimate, cand.assessment.fit, cand.assessment.speed
    return Headline(
        pick_runtime(cand, assumed),
        est.quant,
        None if rate is None else rate.decode_mid,
        None if rate is None else rate.decode_low,
        None if rate is None else rate.decode_high,
        None if rate is None or batch <= 1 else rate.aggregate_expected,
        None if rate is None else rate.ceiling,
        est.total_bytes if fit is None else fit.needed_bytes,
        None if fit is None else fit.available_bytes,
        False,
        est.context,
        batch,
        cand.max_context,
    )


def _pool_context(cand: Candidate, batch: int) -> int:
    """vLLM: the tokens each of a replica's `batch` streams gets when the KV pool of a card is
    shared evenly (whole blocks), capped by the model's context."""
    from llm_pick.estimate.servekv import longest_sequence

    plan, most = cand.serving, cand.model.context_length
    if plan is None or not plan.memory.kv_per_token:
        return most
    mem = plan.memory
    share = mem.kv_pool // max(1, batch)  # chunked layers stop growing past their chunk
    return min(most, longest_sequence(cand.model, plan.tensor_parallel, share, mem.kv_dtype))
