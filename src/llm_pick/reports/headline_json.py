"""The JSON fields of one pick that follow the runtime assumed for it (ranking/headline.py):
`runtime`, `quant`, `memory`, `tokens_per_second` (one stream), `aggregate_tokens_per_second`
and `max_context`. A pick vLLM serves keeps its llama.cpp GGUF figures in a `llama_cpp`
block; every other pick has `llama_cpp: null` (its headline fields are the GGUF ones)."""

from __future__ import annotations

from typing import Any

from llm_pick.estimate.assess import Assessment
from llm_pick.estimate.hardware import Hardware
from llm_pick.ranking.headline import Headline, headline
from llm_pick.ranking.result import Candidate, Recommendation
from llm_pick.ranking.serve import choose_runtime


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def pick_headline(cand: Candidate, rec: Recommendation) -> Headline:
    return headline(cand, choose_runtime(rec.query).name, rec.query.sizing.batch)


def with_assumed(
    speed: dict[str, Any], chosen: Assessment, hardware: Hardware | None
) -> dict[str, Any]:
    """The speed block, with the assumed reference figure the reasons quote when the card is
    unknown (estimate/advice.assumed_speed)."""
    from llm_pick.estimate.advice import assumed_speed

    found = assumed_speed(chosen, hardware)
    return speed if found is None else speed | {"assumed": found}


def gguf_fields(cand: Candidate, hardware: Hardware | None = None) -> dict[str, Any]:
    """The pick as llama.cpp runs it (the GGUF estimate)."""
    est, fit, speed = cand.assessment.estimate, cand.assessment.fit, cand.assessment.speed
    return {
        "quant": est.quant,
        "memory": {
            "weights_bytes": est.weights_bytes,
            "kv_cache_bytes": est.kv_cache_bytes,
            "overhead_bytes": cand.assessment.overhead_bytes,  # every card's
            # the multimodal projector (mmproj) the command loads, in the total (0: none)
            "encoder_bytes": est.encoder_bytes,
            "total_bytes": cand.assessment.total_bytes,
            # part of weights_bytes that llama.cpp keeps in RAM (the token embeddings)
            "weights_in_ram_bytes": est.input_bytes,
            "per_card": False,
            "estimated": True,
        },
        "fit": fit.verdict if fit else None,
        "gpu_layers": fit.gpu_layers if fit else None,
        "tokens_per_second": _round(cand.tokens_per_second),
        "tokens_per_second_range": (
            None
            if speed is None or speed.decode_low is None
            else {"low": _round(speed.decode_low), "high": _round(speed.decode_high)}
        ),
        "aggregate_tokens_per_second": _round(speed.aggregate_expected if speed else None),
        "speed": with_assumed(speed.as_dict(), cand.assessment, hardware) if speed else None,
        "max_context": cand.max_context,
        "placement": fit.as_dict() if fit else None,
    }


def headline_fields(cand: Candidate, rec: Recommendation) -> dict[str, Any]:
    """The pick's headline fields under its runtime, and the `llama_cpp` block."""
    head = pick_headline(cand, rec)
    gguf = gguf_fields(cand, rec.query.hardware)
    if rec.query.sizing.batch <= 1:
        gguf["aggregate_tokens_per_second"] = None
    if head.runtime != "vllm" or cand.serving is None:
        return {"runtime": head.runtime, **gguf, "llama_cpp": None}
    mem = cand.serving.memory
    overhead = mem.activation + mem.graphs + mem.runtime
    return {
        "runtime": "vllm",
        "quant": head.quant,
        "memory": {  # what vLLM allocates on each card (estimate/serving.py)
            "weights_bytes": mem.weights,
            "kv_cache_bytes": mem.kv_pool,
            "overhead_bytes": overhead,
            "encoder_bytes": 0,  # the vLLM plan sizes the checkpoint as its weights
            "total_bytes": mem.weights + mem.kv_pool + overhead,
            "weights_in_ram_bytes": 0,
            "per_card": True,
            "estimated": True,
        },
        "fit": "gpu",
        "gpu_layers": None,
        "tokens_per_second": _round(head.per_stream),
        "tokens_per_second_range": None,
        "aggregate_tokens_per_second": _round(head.aggregate),
        "speed": None,
        "max_context": head.max_context,
        "placement": None,
        "llama_cpp": gguf,
    }
