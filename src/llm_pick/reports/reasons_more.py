"""The reasons a pick's JSON carries beyond its own (ranking/result.py Candidate.reasons): for
a 2-3-bit pick, the context a 4-bit format fits (ranking/lowbits.py); under vLLM, why the
figures and commands are llama.cpp's when vLLM holds no format of the model or no repository
of its format is recorded (issue 20: the assumed runtime is said, and honoured or not); for a
model left out for memory, how near vLLM comes."""

from __future__ import annotations

from llm_pick.ranking.lowbits import low_bit_advice
from llm_pick.ranking.result import Candidate, Exclusion, Recommendation
from llm_pick.ranking.serve import choose_runtime


def reasons_of(cand: Candidate, rec: Recommendation) -> list[str]:
    """The candidate's reasons, and for a 2-3-bit pick the context a 4-bit format fits."""
    from llm_pick.reports.run import not_loaded

    advice = low_bit_advice(cand, rec.query)
    extra = [advice] if advice else []
    cannot = not_loaded(cand.model, "llama.cpp")
    if cannot:
        extra.append(
            f"llama.cpp cannot load its architecture: {cannot}; no llama.cpp command is "
            "printed, and the memory and speed figures are estimates for the same weights"
        )
    runtime = choose_runtime(rec.query).name
    hardware = rec.query.hardware
    if runtime == "vllm" and (hardware is None or not hardware.bandwidth_gbs):
        extra.append(
            "vLLM (assumed) is sized only on a known card (--gpu NAME, or --bandwidth): the "
            "figures and commands are llama.cpp's"
        )
    elif runtime == "vllm" and cand.serving is None:  # why the assumed runtime is not used
        extra.append(_not_served(cand, rec))
    elif runtime == "vllm" and cand.serving is not None:
        from llm_pick.estimate.serving import fp8_mode
        from llm_pick.reports.run import serving_command

        hardware = rec.query.hardware
        fp8 = None if hardware is None else fp8_mode(hardware)
        if serving_command(cand.model, cand.serving, fp8) is None:  # as the run commands
            extra.append(
                f"vLLM serves it as {cand.serving.format}, but no such repository of it is "
                "recorded: no vllm command is printed (llama.cpp's is)"
            )
        else:  # the GGUF format and cache choice concern the GGUF alternative only
            from llm_pick.estimate.firsttoken import served_said

            speed, load = cand.serving.speed, cand.serving.load
            first = served_said(
                rec.query.sizing.prompt_tokens and load.prompt,
                speed.ttft_seconds,
                speed.prefill_tokens_per_second,
            )
            extra += [first] if first else []
            extra += [cand.serving.held_note] if cand.serving.held_note else []
            extra += [cand.serving.cards_note] if cand.serving.cards_note else []
            own = set(cand.choice)
            # the alternative's runtime: Ollama where llama.cpp cannot load the model
            # (Llama 3.2 Vision), as its run commands say
            other = (
                "Ollama"
                if cannot and cand.model.runtimes and cand.model.runtimes.ollama
                else "llama.cpp"
            )
            return [
                f"for the {other} alternative: {r}" if r in own else r for r in cand.reasons
            ] + extra
    return [*cand.reasons, *extra]


def _not_served(cand: Candidate, rec: Recommendation) -> str:
    """Why vLLM (assumed) serves no format of the candidate: a context longer than vLLM
    accepts for it, or no format it can load holds the batch."""
    from llm_pick.ranking.unserved import refused, shortfall

    sized, context = rec.query.sizing, cand.assessment.estimate.context
    hardware = rec.query.hardware
    near = refused(cand.model, context) or (
        hardware and shortfall(cand.model, hardware, context, sized.batch, rec.query.serve_kv)
    )
    if near:
        return f"{near}: the figures and commands are llama.cpp's"
    return (
        "vLLM (assumed) holds no format of it that it can load (BF16 or FP8 from its own "
        "repository, AWQ or GPTQ only from a recorded pre-quantized one) at "
        f"{sized.batch} sequence{'s' if sized.batch > 1 else ''} of {context:,} "
        "tokens on these cards: the figures and commands are llama.cpp's"
    )


def vllm_short(outcome: object, rec: Recommendation) -> list[str]:
    """For a model left out for memory where vLLM is assumed: how near vLLM comes (the
    memory verdict above is llama.cpp's, as the rest of the exclusion)."""
    from llm_pick.ranking.serve import choose_runtime, plan
    from llm_pick.ranking.unserved import refused, shortfall

    query, hardware = rec.query, rec.query.hardware
    if not isinstance(outcome, Exclusion) or outcome.smallest is None or hardware is None:
        return []
    if choose_runtime(query).name != "vllm":
        return []
    context, batch = outcome.smallest.estimate.context, query.sizing.batch
    served = plan(outcome.model, hardware, context, batch, query.serve_kv)
    if served is not None:  # vLLM would serve it: the exclusion is llama.cpp's sizing
        held = served.load.batch * served.data_parallel
        return [
            f"vLLM (assumed for {batch} streams) would run {min(held, batch)} of them at once "
            f"in {served.format} and queue the rest, but the ranking leaves the model out: "
            "it sizes the batch by llama.cpp's memory, where no format of it holds the "
            f"{batch} streams (a known gap; a smaller --batch or --context admits it)"
        ]
    said = refused(outcome.model, context) or shortfall(
        outcome.model, hardware, context, batch, query.serve_kv
    )
    return [said] if said else []
