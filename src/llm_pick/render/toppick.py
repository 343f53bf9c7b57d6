"""The top pick in plain sentences for a newcomer: the format, the memory it takes, the speed to
expect, the context, how good it is and what its licence allows. Benchmark names, multipliers
and bandwidth figures are left to `llm-pick explain`, which shows every term."""

from __future__ import annotations

from typing import Any

from llm_pick.estimate.advice import tokens_per_second
from llm_pick.estimate.hardware import GIB
from llm_pick.estimate.quant import QUANTS

PLACES = {"gpu": "on the GPU", "offload": "with some layers in RAM", "cpu": "on the CPU alone"}
LICENCE = {
    "allowed": "Its licence allows commercial use.",
    "conditional": "Its licence allows commercial use under conditions (explain lists them).",
    "prohibited": "Its licence does not allow commercial use.",
    "unknown": "Its licence is not known: check it before any commercial use.",
}


def top_pick(cand: Any, hardware: Any) -> str:
    """Sentences about the first-ranked candidate (a `Candidate`)."""
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
        out.append(f"Expect about {rate:.0f} tokens per second{guess}.")
    most, here = model.context_length, cand.max_context
    fits = "all of them fit" if here >= most else f"{here:,} fit here"
    out.append(f"It reads up to {most:,} tokens of context; {fits}.")
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
    return " ".join(out)
