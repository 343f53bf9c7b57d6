"""What a recommendation answers: the ranked candidates, the excluded models with their
reasons, and hints when nothing passes. Records only; the pipeline builds them."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.catalog.types import Model
from llm_pick.estimate.assess import Assessment, longest_context
from llm_pick.estimate.firsttoken import first_token_said
from llm_pick.estimate.hardware import Hardware
from llm_pick.ranking.query import Query
from llm_pick.scoring.criteria import Criterion, Value, combine

if TYPE_CHECKING:  # vLLM serving: imported when a model is served (ranking/serve.py)
    from collections.abc import Sequence

    from llm_pick.estimate.serving import Load, ServingMemory, ServingSpeed


class ServingPlan(NamedTuple):
    """One model under vLLM on the query's cards (estimated)."""

    format: str
    tensor_parallel: int
    context: int
    utilization: float
    load: Load
    memory: ServingMemory
    speed: ServingSpeed  # one replica's (aggregate: all replicas together)
    data_parallel: int = 1  # replicas of `tensor_parallel` cards each (--data-parallel-size)
    kv_reason: str = ""  # why the KV pool has its type (ranking/serve.py)
    # where the pool holds only part of the asked batch at full length: how much, and that the
    # rest queue (ranking/serve.py _most_held); "" when it holds the whole batch
    held_note: str = ""
    # where vLLM cannot split the heads over every card: how many the plan uses and why
    # (ranking/serve.py idle_note); "" when it uses them all
    cards_note: str = ""

    def as_dict(self) -> dict[str, object]:
        from llm_pick.estimate.serving import SERVING_FORMATS

        return {
            "format": self.format,
            "format_source": SERVING_FORMATS[self.format].source,
            "tensor_parallel": self.tensor_parallel,
            "data_parallel": self.data_parallel,
            "max_model_len": self.context,
            "gpu_memory_utilization": self.utilization,
            "assumed_prompt_tokens": self.load.prompt,
            "assumed_output_tokens": self.load.output,
            "memory_per_card": self.memory.as_dict(),
            "kv_cache": self.kv_cache(),
            "batch_held": self.held_note or None,
            "cards_note": self.cards_note or None,
            "throughput": self.speed.as_dict() | ceiling_terms(self.speed),
            "estimate": True,
        }

    def kv_cache(self) -> dict[str, object]:
        """The KV pool's type, the tokens it holds, why that type, its quality cost and its
        source; for chunked layers, what vLLM's hybrid KV cache manager holds of them and the
        vLLM version that assumes."""
        from llm_pick.estimate import servekv as serving

        mem = self.memory
        fp8 = mem.kv_dtype == "fp8"
        out: dict[str, object] = {
            "dtype": mem.kv_dtype,
            "vllm_flag": "--kv-cache-dtype fp8" if fp8 else None,
            "pool_tokens": mem.kv_pool_tokens,
            "bytes_per_token": mem.kv_per_token,
            "bytes_per_sequence": mem.kv_per_sequence,
            "reason": self.kv_reason or None,
            "quality": serving.KV_FP8_QUALITY if fp8 else "16-bit: no loss",
            "source": serving.KV_FP8_SOURCE if fp8 else None,
            "chunked_layers": mem.chunked_layers,
            "chunk_tokens_per_sequence": mem.chunk_tokens or None,
            "assumed_vllm": None,
        }
        if mem.chunked_layers:
            out["assumed_vllm"] = f"{serving.KV_HYBRID_VLLM} or later"
            out["hybrid_source"] = serving.KV_HYBRID_SOURCE
        return out

    def kv_note(self) -> str:
        """The KV pool in one line for the run command's note ("" for a plain 16-bit pool)."""
        from llm_pick.estimate import servekv as serving

        mem, parts = self.memory, []
        if mem.kv_dtype == "fp8":
            parts.append(self.kv_reason or "FP8 KV cache (--kv-cache-dtype fp8)")
        if mem.chunked_layers:
            parts.append(
                f"{mem.chunked_layers} chunked-attention layers hold {mem.chunk_tokens:,} tokens "
                f"per sequence under vLLM's hybrid KV cache manager (vLLM "
                f"{serving.KV_HYBRID_VLLM} or later; older builds, or "
                "VLLM_ALLOW_CHUNKED_LOCAL_ATTN_WITH_HYBRID_KV_CACHE=0, size every layer for "
                "the context and hold fewer sequences)"
            )
        return "; ".join(parts)


class Option(NamedTuple):
    """One format of one model, scored."""

    assessment: Assessment
    score: float
    values: dict[str, Value]


class Candidate(NamedTuple):
    model: Model
    assessment: Assessment
    score: float
    values: dict[str, Value]
    weights: dict[str, float]
    options: tuple[Option, ...] = ()  # every format that runs, the chosen one first
    hardware: Hardware | None = None
    serving: ServingPlan | None = None  # served by vLLM (ranking/serve.py)
    choice: tuple[str, ...] = ()  # why this format and KV type (ranking/choice.py)

    def __repr__(self) -> str:
        return f"Candidate({self.model.id} at {self.assessment.estimate.quant}, {self.score:.3f})"

    @property
    def criteria(self) -> dict[str, Criterion]:
        """Each criterion's value, weight, contribution and note (built when asked for:
        only shown and explained candidates need them)."""
        return combine(self.values, self.weights)[1]

    @property
    def reasons(self) -> tuple[str, ...]:
        """The top three contributions' notes, then what a user must know about the pick."""
        ordered = sorted(self.criteria.items(), key=lambda kv: (-kv[1].contribution, kv[0]))
        reasons = tuple(c.note for _, c in ordered[:3] if c.contribution > 0) + self.choice
        fit = self.assessment.fit
        if fit is not None and fit.verdict == "offload" and fit.cpu_moe_layers:
            reasons += (  # every layer's attention on the GPU, experts in RAM: not "N/N"
                f"runs with all {fit.layers} layers on the GPU but the routed experts of "
                f"{fit.cpu_moe_layers} of them in RAM (--n-cpu-moe {fit.cpu_moe_layers})",
            )
        elif fit is not None and fit.verdict == "offload":
            reasons += (f"runs with {fit.gpu_layers}/{fit.layers} layers on the GPU",)
        if fit is not None and fit.verdict == "cpu":
            reasons += ("runs on the CPU alone",)
        first = None if self.serving is not None else first_token_said(self.assessment.speed)
        if first is not None:  # a prompt longer than the default was asked for
            reasons += (first,)
        return reasons + licence_said(self.model)

    @property
    def tokens_per_second(self) -> float | None:
        speed = self.assessment.speed
        return None if speed is None else speed.decode_mid

    @property
    def max_context(self) -> int:
        """The most tokens the chosen format fits on the hardware (the model's context cap).
        A search of the sizing, so it is kept per (assessment, hardware) once found: the
        table, the summary and the JSON each ask for it."""
        key = (id(self.assessment), id(self.hardware))
        known = _LONGEST.get(key)
        if known is not None and known[0] is self.assessment and known[1] is self.hardware:
            return known[2]
        found = longest_context(self.model, self.assessment, self.hardware)
        if len(_LONGEST) >= 512:  # a long-lived process keeps only recent answers
            _LONGEST.clear()
        _LONGEST[key] = (self.assessment, self.hardware, found)
        return found


# Candidate.max_context's answers: the objects are kept with them, so an id is never reused
_LONGEST: dict[tuple[int, int], tuple[Assessment, Hardware | None, int]] = {}


SCOPE = frozenset({"exclude", "family", "variant", "license", "min_params", "max_params"})


class Exclusion(NamedTuple):
    model: Model
    reasons: tuple[str, ...]
    failed: frozenset[str] = frozenset()  # names of the failed constraints
    needed_bytes: int | None = None  # at the smallest allowed format, when memory failed
    smallest_quant: str | None = None
    memory_only: bool = False
    chosen: Assessment | None = None  # the format that fits, when other constraints failed
    smallest: Assessment | None = None  # the smallest format, when none fits
    choice: tuple[str, ...] = ()  # why `chosen` (its KV cache type, a smaller format)

    def __repr__(self) -> str:
        return f"Exclusion({self.model.id}: {'; '.join(self.reasons)})"


class Recommendation(NamedTuple):
    query: Query
    weights: dict[str, float]  # normalized
    ranking: Sequence[Candidate]  # all passing models, best first
    excluded: Sequence[Exclusion]  # by model id
    hints: tuple[str, ...] = ()  # when nothing passes: what would change that, closest first
    fixes: tuple[Any, ...] = ()  # ranking/deadend.py Fix: the one change admitting each model

    def __repr__(self) -> str:
        top = ", ".join(c.model.id for c in self.ranking[:3])
        more = ", ..." if len(self.ranking) > 3 else ""
        return (
            f"<Recommendation: {len(self.ranking)} ranked [{top}{more}], "
            f"{len(self.excluded)} excluded; {self.query!r}>"
        )

    def outcome(self, model_id: str) -> Candidate | Exclusion | None:
        """What the query decided for one model (None: not in the catalog)."""
        # an exclusion known by its reasons is decided only when it is the one asked about, and
        # a ranking computed down to its shown top (ranking/topn.py) is read only as far as
        # the model (explain computes it down to the model explained)
        find = getattr(self.excluded, "find", None)
        if find is not None and (found := find(model_id)) is not None:
            return found  # type: ignore[no-any-return]
        items = (*self.excluded,) if find is None else ()
        ranked = (c for c in self.ranking if c.model.id == model_id)
        return next(ranked, None) or next((e for e in items if e.model.id == model_id), None)

    def rank(self, model_id: str) -> int | None:
        for index, cand in enumerate(self.ranking, 1):
            if cand.model.id == model_id:
                return index
        return None

    @property
    def shown(self) -> tuple[Candidate, ...]:
        return tuple(self.ranking[: self.query.top])

    def closest(self, limit: int = 3) -> list[Exclusion]:
        """Excluded models nearest to passing, among those inside the query's scope (family,
        size, licence allow-list, --exclude): fewest failed constraints, then least memory."""
        in_scope = [e for e in self.excluded if not e.failed & SCOPE]
        return sorted(
            in_scope,
            key=lambda e: (len(e.reasons), e.needed_bytes or math.inf, e.model.id),
        )[:limit]


def ceiling_terms(speed: ServingSpeed) -> dict[str, float | None]:
    """One stream's bound in tokens/s (a decode step no shorter than its bytes over the
    bandwidth) and the share of it the per-stream rate assumes (issue 20 §1)."""
    step = speed.ceiling_step_seconds
    if step <= 0:
        return {"ceiling_per_stream": None, "share_of_ceiling": None}
    return {
        "ceiling_per_stream": round(1 / step, 1),
        "share_of_ceiling": round(speed.per_stream * step, 3),
    }


def licence_said(model: Model) -> tuple[str, ...]:
    """A conditional licence's key conditions, or a prohibition (a pick ranked without
    --commercial still says it), as one reason; none for a licence that allows commercial use.
    Ranked or left out (explain), the same words."""
    lic = model.license
    terms = "; ".join(lic.key_conditions or ())
    tail = f" ({lic.name}){': ' + terms if terms else ''}"
    if lic.commercial_use == "conditional":
        return (f"licence conditions{tail}",)
    if lic.commercial_use == "prohibited":
        return (f"licence prohibits commercial use{tail}",)
    return ()
