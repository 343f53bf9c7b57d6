"""The top pick in plain sentences for a newcomer: the format, the memory it takes, the speed to
expect, the context, how good it is and what its licence allows. Benchmark names, multipliers
and bandwidth figures are left to `llm-pick explain`, which shows every term."""

from __future__ import annotations

from typing import Any

from llm_pick.estimate.advice import tokens_per_second
from llm_pick.estimate.firsttoken import first_token_said, sentence
from llm_pick.estimate.hardware import GIB
from llm_pick.estimate.quant import QUANTS

PLACES = {"gpu": "on the GPU", "offload": "with some layers in RAM", "cpu": "on the CPU alone"}
LICENCE = {
    "allowed": "Its licence allows commercial use.",
    "conditional": "Its licence allows commercial use under conditions (explain lists them).",
    "prohibited": "Its licence does not allow commercial use.",
    "unknown": "Its licence is not known: check it before any commercial use.",
}


def top_pick(cand: Any, hardware: Any, head: Any = None) -> str:
    """Sentences about the first-ranked candidate (a `Candidate`); `head` (a
    ranking/headline.py Headline) says the runtime its figures are for."""
    if head is not None and head.runtime == "vllm":
        return " ".join(_served(cand, head))
    model, est, fit = cand.model, cand.assessment.estimate, cand.assessment.fit
    quant = QUANTS.get(est.quant)
    bits = f"{quant.nominal_bits:.3g}-bit weights ({est.quant})" if quant else est.quant
    cache = "" if est.kv_dtype == "fp16" else f" and a {est.kv_dtype} KV cache"
    out = [f"Top pick: {model.id}, with {bits}{cache}."]
    own = model.runtimes.file if model.runtimes else None
    if own is not None and own.matches:
        out.append(f"It is your copy of catalog model {own.matches}.")
    if fit is not None:
        place = PLACES.get(fit.verdict, "")
        out.append(
            f"It needs {fit.needed_bytes / GIB:.1f} of {fit.available_bytes / GIB:.0f} GiB, "
            f"{place}."
        )
    else:
        out.append(f"It needs about {est.total_bytes / GIB:.1f} GiB.")
    rate, assumed = tokens_per_second(cand.assessment, hardware)
    if rate is not None:
        guess = " (a typical card with this memory: --gpu NAME gives yours)" if assumed else ""
        streams = ""
        if head is not None and head.aggregate is not None:  # batch > 1 (llama-server -np)
            streams = f" per stream, {head.aggregate:,.0f} for all {head.streams} together"
        out.append(f"Expect about {rate:.0f} tokens per second{streams}{guess}.")
    if first := sentence(first_token_said(cand.assessment.speed)):  # a long prompt asked
        out.append(first)
    most, here = model.context_length, cand.max_context
    fits = "all of them fit" if here >= most else f"{here:,} fit here"
    out.append(f"It reads up to {most:,} tokens of context; {fits}.")
    return " ".join(out + _closing(cand))


def _served(cand: Any, head: Any) -> list[str]:
    """The top pick as vLLM serves it (ranking/serve.py): format, memory per card, rates."""
    plan = cand.serving
    tp = plan.tensor_parallel
    cards = f", tensor parallel over {tp} cards" if tp > 1 else ""
    if plan.data_parallel > 1:  # --data-parallel-size
        cards += f", {plan.data_parallel} replicas"
    out = [f"Top pick: {cand.model.id}, served by vLLM as {head.quant}{cards}."]
    out.append(
        f"vLLM takes {head.memory_bytes / GIB:.1f} of {head.available_bytes / GIB:.0f} GiB "
        f"on each card (--gpu-memory-utilization {plan.utilization:.2f}: "
        f"{plan.memory.weights / GIB:.1f} GiB weights, {plan.memory.kv_pool / GIB:.1f} GiB KV "
        f"pool for {plan.memory.sequences} sequences of {head.context:,} tokens"
        + (", in FP8: --kv-cache-dtype fp8" if plan.memory.kv_dtype == "fp8" else "")
        + ")."
    )
    rate = f"Expect about {head.per_stream:.0f} tokens per second per stream"
    if head.aggregate is not None:
        rate += f", {head.aggregate:,.0f} for all {head.streams} streams together"
    if head.ceiling is not None and head.share is not None:
        rate += f" ({head.share:.0%} of the {head.ceiling:.0f} per stream that bandwidth allows)"
    out.append(rate + ".")
    most = cand.model.context_length
    out.append(
        f"Max model len {head.context:,} tokens; streams of up to {head.max_context:,} fit "
        f"its KV pool (the model reads up to {most:,})."
    )
    return out + _closing(cand)


def _closing(cand: Any) -> list[str]:
    """How good it is, what its licence allows, where the numbers come from."""
    model, out = cand.model, []
    quality = cand.values["quality"]
    how = "from its published scores"
    if quality.estimated:
        alone = "prior from size" in (quality.basis or quality.note)
        how = "estimated from its size alone" if alone else "estimated from related models"
    out.append(f"Its quality is about {25 + 75 * quality.value:.0f} out of 100 ({how}).")
    lic = model.license
    terms = lic.key_conditions or ()
    if lic.commercial_use == "conditional" and terms:  # the conditions that matter, in full
        out.append(f"Its licence allows commercial use under conditions: {'; '.join(terms)}.")
    else:
        out.append(LICENCE[lic.commercial_use])
    out.append(f"`llm-pick explain {model.id}` shows where each number comes from.")
    return out


def runtime_line(as_run: dict[str, Any] | None) -> str | None:
    """explain: the figures of the pick under vLLM, as `recommend` headlines them (JSON
    fields of reports/headline_json.py); None under llama.cpp (the formats table has them)."""
    if not as_run or as_run.get("runtime") != "vllm":
        return None
    mem, tps = as_run["memory"], as_run["tokens_per_second"]
    total = as_run["aggregate_tokens_per_second"]
    line = f"Served by vLLM as {as_run['quant']}: {mem['total_bytes'] / GIB:.1f} GiB on each card"
    if tps is not None:
        line += f", about {tps:.0f} tokens per second per stream"
    if total is not None:
        line += f", {total:,.0f} for all streams together"
    return line + " (estimates; the formats below are llama.cpp's GGUF files)."
