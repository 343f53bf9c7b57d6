"""`compare` under vLLM: when the question (datacenter card, batch above one) makes
`recommend` assume vLLM, the rows recommend headlines for each model, from the same serving
plan (ranking/serve.py plan): format, memory per card, per-stream tok/s with its bandwidth
ceiling, and aggregate tok/s.
The GGUF rows that follow stay llama.cpp's."""

from __future__ import annotations

from typing import Any

from llm_pick.catalog.types import Model
from llm_pick.estimate.hardware import GIB, Hardware
from llm_pick.estimate.sizing import Sizing
from llm_pick.ranking.result import ServingPlan, ceiling_terms


def served_rows(
    models: list[Model], sizing: Sizing, hardware: Hardware | None, context: int
) -> list[tuple[str, dict[str, Any], str, dict[str, str]]]:
    """(field, values, better, shown) rows; none unless vLLM is the assumed runtime."""
    from llm_pick.ranking.query import Query
    from llm_pick.ranking.serve import choose_runtime, plan

    if hardware is None or choose_runtime(Query(hardware=hardware, sizing=sizing)).name != "vllm":
        return []
    plans = {  # KV: auto
        m.id: plan(m, hardware, context, sizing.batch, prompt=sizing.prompt_tokens) for m in models
    }

    def each(get: Any) -> dict[str, Any]:
        return {i: None if p is None else get(p) for i, p in plans.items()}

    def shown(values: dict[str, Any], fmt: str) -> dict[str, str]:
        return {i: "-" if v is None else fmt.format(v) for i, v in values.items()}

    def used(p: ServingPlan) -> float:
        m = p.memory
        return round((m.weights + m.activation + m.graphs + m.runtime + m.kv_pool) / GIB, 1)

    runtime = {i: "llama.cpp" if p is None else "vllm" for i, p in plans.items()}
    fmt = each(lambda p: p.format)
    kv = each(lambda p: p.memory.kv_dtype)
    memory = each(used)
    per = each(lambda p: round(p.speed.per_stream, 1))
    total = each(lambda p: round(p.speed.aggregate, 1))
    # running at once: the batch, or the part of it the KV pool holds at full length (the
    # rest queue: ranking/serve.py _most_held)
    held = each(lambda p: min(sizing.batch, p.data_parallel * p.speed.concurrency))
    ceiling = each(lambda p: ceiling_terms(p.speed)["ceiling_per_stream"])
    share = each(lambda p: ceiling_terms(p.speed)["share_of_ceiling"])
    # the first token of one request of the plan's prompt (--prompt-tokens, else a typical
    # turn) and, from a 32K window, of a prompt filling it (estimate/serving.py prefill)
    first = each(lambda p: round(p.speed.ttft_seconds, 2))
    full = each(lambda p: _rounded(p.speed.ttft_at_context_seconds))
    prompt = next((p.load.prompt for p in plans.values() if p is not None), None)
    return [
        ("runtime (assumed)", runtime, "", shown(runtime, "{}")),
        ("vLLM format", fmt, "", shown(fmt, "{}")),
        ("vLLM KV cache", kv, "", shown(kv, "{}")),
        ("vLLM memory per card (GiB)", memory, "", shown(memory, "{:.1f}")),
        ("vLLM tok/s per stream", per, "max", shown(per, "~{:.0f}")),
        # the bound beside the estimate: one step reads its bytes at the cards' bandwidth
        ("vLLM ceiling tok/s per stream", ceiling, "", shown(ceiling, "{:.0f}")),
        ("vLLM share of ceiling", share, "", shown(share, "{:.0%}")),
        ("vLLM streams at once", held, "", shown(held, "{}")),
        (f"vLLM tok/s, {sizing.batch} streams", total, "max", shown(total, "~{:,.0f}")),
        (f"vLLM time to first token s, {prompt}-token prompt", first, "min", shown(first, "{}")),
    ] + (
        [(f"vLLM time to first token s, {context}-token prompt", full, "min", shown(full, "{}"))]
        if any(v is not None for v in full.values())
        else []
    )


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 2)
