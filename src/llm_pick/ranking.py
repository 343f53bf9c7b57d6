"""The recommendation pipeline, each step a pure function:

1. hard constraints (catalog facts, then memory) -> excluded models with one reason each
2. quantization choice: the highest-quality format that fits (on the GPU before offload)
3. scoring: six criteria with weights from a profile (scoring/criteria.py)
4. ranking: by score, ties broken by id (the same query gives the same output)
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple, get_args

from llm_pick.catalog.load import Catalog
from llm_pick.catalog.runtimes import runtime_support
from llm_pick.catalog.types import Family, Model
from llm_pick.estimate.fit import (
    DECODE_EFFICIENCY,
    Assessment,
    assess,
    bytes_per_token,
    decode_rate,
    gpu_share,
)
from llm_pick.estimate.hardware import GIB, Hardware
from llm_pick.estimate.memory import DEFAULT_CONTEXT, default_context, estimate_memory
from llm_pick.estimate.quant import QUANTS, Quant, get_quant, retention
from llm_pick.scoring import criteria as scoring
from llm_pick.scoring.constraints import Check, Constraints
from llm_pick.scoring.constraints import active as active_checks
from llm_pick.scoring.constraints import evaluate as evaluate_constraints
from llm_pick.scoring.profiles import Profile

REFERENCE_BANDWIDTH_GBS = 1000.0  # speed is ranked per 1 TB/s when the GPU is unknown
DEFAULT_CANDIDATES = ("fp16", *(q.name for q in QUANTS.values() if q.family == "gguf"))


class Query(NamedTuple):
    constraints: Constraints = Constraints()
    hardware: Hardware | None = None
    context: int | None = None  # tokens the memory is estimated for (--context)
    batch: int = 1
    kv_dtype: str = "fp16"
    quant: str | None = None  # force one format
    min_bits: float | None = None
    profile: Profile | None = None
    weights: dict[str, float] | None = None  # raw weights (profile + overrides)
    top: int = 10

    @property
    def required_context(self) -> int | None:
        needs = [n for n in (self.constraints.min_context, self.context) if n]
        return max(needs) if needs else None

    def candidates(self) -> list[Quant]:
        """Formats to try, best quality first (then smaller first)."""
        if self.quant:
            return [get_quant(self.quant)]
        quants = [QUANTS[name] for name in DEFAULT_CANDIDATES]
        if self.min_bits is not None:
            quants = [q for q in quants if q.nominal_bits >= self.min_bits]
        return sorted(quants, key=lambda q: (-(retention(q) or 0.0), q.nominal_bits, q.name))


class Candidate(NamedTuple):
    model: Model
    assessment: Assessment
    score: float
    values: dict[str, scoring.Value]
    weights: dict[str, float]

    @property
    def criteria(self) -> dict[str, scoring.Criterion]:
        """Each criterion's value, weight, contribution and note (built when asked for:
        only shown and explained candidates need them)."""
        return scoring.combine(self.values, self.weights)[1]

    @property
    def reasons(self) -> tuple[str, ...]:
        """The top three contributions' notes, then what a user must know about the pick."""
        ordered = sorted(self.criteria.items(), key=lambda kv: (-kv[1].contribution, kv[0]))
        reasons = tuple(c.note for _, c in ordered[:3] if c.contribution > 0)
        fit = self.assessment.fit
        if fit is not None and fit.verdict == "offload":
            reasons += (f"runs with {fit.gpu_layers}/{fit.layers} layers on the GPU",)
        if self.model.license.commercial_use == "conditional":
            reasons += (f"licence conditions: {self.model.license.name}",)
        return reasons

    @property
    def tokens_per_second(self) -> float | None:
        speed = self.assessment.speed
        return None if speed is None else speed.decode_mid


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


class Recommendation(NamedTuple):
    query: Query
    weights: dict[str, float]  # normalized
    ranking: tuple[Candidate, ...]  # all passing models, best first
    excluded: tuple[Exclusion, ...]
    hints: tuple[str, ...] = ()  # when nothing passes: what would change that, closest first

    def outcome(self, model_id: str) -> Candidate | Exclusion | None:
        """What the query decided for one model (None: not in the catalog)."""
        items: list[Candidate | Exclusion] = [*self.ranking, *self.excluded]
        return next((item for item in items if item.model.id == model_id), None)

    def rank(self, model_id: str) -> int | None:
        for index, cand in enumerate(self.ranking, 1):
            if cand.model.id == model_id:
                return index
        return None

    @property
    def shown(self) -> tuple[Candidate, ...]:
        return self.ranking[: self.query.top]

    def closest(self, limit: int = 3) -> list[Exclusion]:
        """Excluded models nearest to passing, among those inside the query's scope (family,
        size, licence allow-list, --exclude): fewest failed constraints, then least memory."""
        in_scope = [e for e in self.excluded if not e.failed & SCOPE]
        return sorted(
            in_scope,
            key=lambda e: (len(e.reasons), e.needed_bytes or math.inf, e.model.id),
        )[:limit]


class Pass(NamedTuple):
    """What one recommend pass computes once and shares across models."""

    lineage: dict[str, Model]
    ecosystem: dict[str, scoring.Value]
    candidates: list[Quant]
    memo: dict[Any, dict[str, Assessment]]
    wanted: Constraints
    checks: tuple[Check, ...]


def lineage(catalog: Catalog) -> dict[str, Model]:
    return {m.id: m for m in catalog}


def choose(
    model: Model,
    query: Query,
    candidates: list[Quant] | None = None,
    memo: dict[Any, dict[str, Assessment]] | None = None,
) -> tuple[Assessment | None, Assessment | None]:
    """The best-quality format that fits on the GPU, else (with --ram) the best that fits with
    CPU offload. Returns (choice or None, the smallest format's assessment when none fits).

    `memo` shares assessments between models of the same shape within one query (large
    catalogs are mostly fine-tunes of a few bases)."""
    context = query.context or default_context(model)
    hardware = query.hardware
    shape = (
        model.architecture,
        model.family,
        model.parameters.active_count,
        context,
        model.context_length,
    )
    known: dict[str, Assessment] = {} if memo is None else memo.setdefault(shape, {})

    def assessed(quant: Quant) -> Assessment:
        found = known.get(quant.name)
        if found is not None:
            # the same figures, under this model's id
            return found._replace(estimate=found.estimate._replace(model=model.id))
        estimate = estimate_memory(
            model, quant, context=context, batch=query.batch, kv_dtype=query.kv_dtype
        )
        known[quant.name] = result = assess(estimate, hardware, model.parameters.active_count)
        return result

    candidates = query.candidates() if candidates is None else candidates
    # Every format stores each weight in at least its nominal bits, so nominal bits x
    # parameters is a lower bound of the weights: formats over the GPU's memory by that
    # bound alone are skipped without a full estimate (only when offload is not allowed).
    limit = None if hardware is None or hardware.ram_gib else hardware.vram_bytes * hardware.gpus
    offload: Assessment | None = None
    for quant in candidates:
        if limit is not None and quant.nominal_bits / 8 * model.parameters.total > limit:
            continue
        item = assessed(quant)
        if item.fit is None or item.fit.verdict == "gpu":
            return item, None
        if item.fit.verdict == "offload" and offload is None:
            offload = item
    if offload is not None:
        return offload, None
    smallest = min(candidates, key=lambda q: (q.nominal_bits, q.name))
    return None, assessed(smallest)


def memory_reason(smallest: Assessment, hardware: Hardware) -> str:
    fit = smallest.fit
    assert fit is not None
    reason = (
        f"needs {fit.needed_bytes / GIB:.1f} GiB at {smallest.estimate.quant}, "
        f"{fit.available_bytes / GIB:.1f} GiB available"
    )
    if hardware.ram_gib:
        reason += (
            f" (with CPU offload {fit.cpu_bytes / GIB:.1f} GiB of RAM, "
            f"{hardware.ram_gib:g} GiB given)"
        )
    return reason


def evaluate(
    model: Model, query: Query, weights: dict[str, float], state: Pass
) -> Candidate | Exclusion:
    """One model through the pipeline: a ranked Candidate or an Exclusion with reasons."""
    results = evaluate_constraints(model, state.wanted, failures_only=True, checks=state.checks)
    reasons = [detail for _, _, detail in results]
    failed = {name for name, _, _ in results}
    chosen: Assessment | None = None
    smallest: Assessment | None = None
    if model.context_length >= (query.context or 0):
        chosen, smallest = choose(model, query, state.candidates, state.memo)
        if chosen is None and smallest is not None and query.hardware is not None:
            reasons.append(memory_reason(smallest, query.hardware))
            failed.add("memory")
    if reasons or chosen is None:
        memory_only = chosen is None and smallest is not None and len(reasons) == 1
        needed = smallest.fit.needed_bytes if smallest and smallest.fit else None
        quant = smallest.estimate.quant if smallest else None
        return Exclusion(
            model, tuple(reasons), frozenset(failed), needed, quant, memory_only, chosen, smallest
        )
    return score(model, chosen, query, weights, state)


def score(
    model: Model, chosen: Assessment, query: Query, weights: dict[str, float], state: Pass
) -> Candidate:
    quant = QUANTS[chosen.estimate.quant]
    required = query.required_context
    tps, relative = _tokens_per_second(chosen, query.hardware)
    values = {
        "quality": scoring.quality(model, quant, state.lineage),
        "speed": scoring.speed(tps, relative),
        "context": scoring.context(model, required or DEFAULT_CONTEXT, required is not None),
        "license": scoring.license_value(model),
        "ecosystem": state.ecosystem[model.family],
        "languages": scoring.languages(model, query.constraints.languages),
    }
    return Candidate(model, chosen, scoring.total(values, weights), values, weights)


def _tokens_per_second(chosen: Assessment, hardware: Hardware | None) -> tuple[float | None, bool]:
    speed = chosen.speed
    if speed is not None and speed.decode_mid is not None:
        return speed.decode_mid, False
    if chosen.fit is not None and chosen.fit.verdict == "none":
        return None, False
    # Unknown bandwidth: rank by tokens/s on a 1 TB/s card (relative), say so in the note.
    efficiency = sum(DECODE_EFFICIENCY) / 2
    share = 1.0 if chosen.fit is None or hardware is None else gpu_share(chosen.fit)
    ram = hardware.ram_bandwidth_gbs if hardware is not None else REFERENCE_BANDWIDTH_GBS
    per_token = bytes_per_token(chosen.estimate)
    return decode_rate(per_token, share, REFERENCE_BANDWIDTH_GBS, ram, efficiency), True


def recommend(catalog: Catalog, query: Query) -> Recommendation:
    """Rank every catalog model against the query; pure (no printing, no exiting)."""
    raw = query.weights if query.weights is not None else (query.profile or _balanced()).weights
    weights = scoring.normalize(raw)
    runtimes = runtime_support()
    wanted = query.constraints._replace(min_context=query.required_context)
    state = Pass(
        lineage=lineage(catalog),
        ecosystem={f: scoring.ecosystem(f, runtimes) for f in get_args(Family)},
        candidates=query.candidates(),
        memo={},
        wanted=wanted,
        checks=active_checks(wanted),
    )
    ranked: list[Candidate] = []
    excluded: list[Exclusion] = []
    for model in catalog:
        result = evaluate(model, query, weights, state)
        if isinstance(result, Candidate):
            ranked.append(result)
        else:
            excluded.append(result)
    ranked.sort(key=lambda c: (-round(c.score, 12), c.model.id))
    excluded.sort(key=lambda e: e.model.id)
    rec = Recommendation(query, weights, tuple(ranked), tuple(excluded))
    if ranked:
        return rec
    return rec._replace(hints=tuple(hint(e, query) for e in rec.closest()))


def _balanced() -> Profile:
    from llm_pick.scoring.profiles import get_profile

    return get_profile("balanced")


def hint(exclusion: Exclusion, query: Query) -> str:
    """What would change the verdict for a model excluded only by memory."""
    if not exclusion.memory_only or exclusion.needed_bytes is None or query.hardware is None:
        return "; ".join(exclusion.reasons)
    hardware = query.hardware
    per_card = exclusion.needed_bytes / hardware.gpus / GIB
    fixes = [f"--vram {math.ceil(per_card)}"]
    if query.quant or query.min_bits is not None:
        chosen, _ = choose(exclusion.model, query._replace(quant=None, min_bits=None))
        if chosen is not None:
            fixes.append(f"--quant {chosen.estimate.quant}")
    if not hardware.ram_gib:
        fixes.append("--ram GiB for CPU offload")
    return f"{exclusion.model.id} {exclusion.reasons[0]}: fits with {' or '.join(fixes)}"
