"""The recommendation pipeline, each step a pure function:

1. hard constraints (catalog facts) -> excluded models with one reason each
2. memory: every candidate format sized at the context the user needs, with flash attention
   and each card's headroom; a model that fits in no format is excluded with what it needs
3. format choice: the format (and, when nothing fits otherwise, the KV type) with the best
   score for this model; 16-bit weights only when asked for (--quant, --min-bits 16)
4. scoring: six criteria with weights from a profile (scoring/criteria.py)
5. ranking: by score, ties broken by id (the same query gives the same output)
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from llm_pick.catalog.load import Catalog
from llm_pick.catalog.runtimes import runtime_support
from llm_pick.catalog.types import Model
from llm_pick.estimate.advice import memory_fixes, memory_reason, tokens_per_second
from llm_pick.estimate.assess import Assessment
from llm_pick.estimate.formats import Sizing, assess_formats, longest_context, runs
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.memory import DEFAULT_CONTEXT
from llm_pick.estimate.quant import QUANTS, Quant, get_quant
from llm_pick.scoring import criteria as scoring
from llm_pick.scoring.constraints import Check, Constraints
from llm_pick.scoring.constraints import active as active_checks
from llm_pick.scoring.constraints import evaluate as evaluate_constraints
from llm_pick.scoring.profiles import Profile
from llm_pick.scoring.quality import Ability, ability
from llm_pick.scoring.quant_loss import (
    loss_order,
    measured_by_family,
    measured_reference,
    order_key,
)

GGUF = tuple(q.name for q in QUANTS.values() if q.family == "gguf")
FLOATS = ("fp16",)  # 16-bit weights: only with --min-bits 16 or --quant


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
    flash_attn: bool = True
    kv_fixed: bool = False  # the user chose --kv-dtype; else a quantized KV is a fallback
    all_formats: bool = False  # assess every format (explain), not only those that may win

    @property
    def required_context(self) -> int | None:
        needs = [n for n in (self.constraints.min_context, self.context) if n]
        return max(needs) if needs else None

    def wanted(self) -> Constraints:
        """The constraints every model is checked against (built here only): the asked ones,
        the required context (the larger of --min-context and --context), and the profile's
        variants when the query names none."""
        wanted = self.constraints._replace(min_context=self.required_context)
        profile = self.profile
        if profile is not None and profile.variants and not wanted.variants:
            wanted = wanted._replace(variants=tuple(profile.variants))
        return wanted

    def context_for(self, model: Model) -> int:
        """Tokens to size for: the larger of --min-context and --context, else
        min(4096, the model's context)."""
        return self.required_context or min(DEFAULT_CONTEXT, model.context_length)

    def candidates(self) -> list[Quant]:
        """Formats to try: every GGUF type, plus 16-bit weights with --min-bits above 8.5."""
        if self.quant:
            return [get_quant(self.quant)]
        names = GGUF + (FLOATS if (self.min_bits or 0) > 8.5 else ())
        quants = [QUANTS[name] for name in names]
        if self.min_bits is not None:
            quants = [q for q in quants if q.nominal_bits >= self.min_bits]
        return sorted(quants, key=lambda q: (-q.nominal_bits, q.name))


class Option(NamedTuple):
    """One format of one model, scored."""

    assessment: Assessment
    score: float
    values: dict[str, scoring.Value]


class Candidate(NamedTuple):
    model: Model
    assessment: Assessment
    score: float
    values: dict[str, scoring.Value]
    weights: dict[str, float]
    options: tuple[Option, ...] = ()  # every format that runs, best first
    hardware: Hardware | None = None

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
        if fit is not None and fit.verdict == "cpu":
            reasons += ("runs on the CPU alone",)
        if self.model.license.commercial_use == "conditional":
            reasons += (f"licence conditions: {self.model.license.name}",)
        return reasons

    @property
    def tokens_per_second(self) -> float | None:
        speed = self.assessment.speed
        return None if speed is None else speed.decode_mid

    @property
    def max_context(self) -> int:
        """The most tokens the chosen format fits on the hardware (the model's context cap)."""
        return longest_context(self.model, self.assessment, self.hardware)


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
    ecosystem: dict[str, scoring.Value]  # per listed family, filled as families are met
    candidates: list[Quant]
    memo: dict[Any, dict[str, Assessment]]
    wanted: Constraints
    checks: tuple[Check, ...]
    weights: dict[str, float]
    runtimes: dict[str, tuple[str, ...]] = {}  # noqa: RUF012 (read only)
    # per model id, filled as models are met: its ability and measured quantization reference
    abilities: dict[str, Ability] | None = None
    references: dict[str, Model | None] = {}  # noqa: RUF012 (a fresh dict per pass)
    measured: dict[str, list[Model]] = {}  # noqa: RUF012 (measured models by family)
    orders: dict[tuple[str, bool], list[Quant]] = {}  # noqa: RUF012 (per order_key)
    qualities: dict[tuple[str, str], scoring.Value] | None = None  # per (model id, format)

    def reference(self, model: Model) -> Model | None:
        if model.id not in self.references:
            self.references[model.id] = measured_reference(model, self.lineage, self.measured)
        return self.references[model.id]

    def order(self, model: Model) -> list[Quant]:
        """The candidates by the quality they keep for this model, best first."""
        ref = self.reference(model)
        key = order_key(model, self.lineage, ref)
        if key not in self.orders:
            self.orders[key] = loss_order(model, self.candidates, self.lineage, ref)
        return self.orders[key]

    def quality(self, model: Model, quant: Quant) -> scoring.Value:
        """The quality criterion, computed once per model and format in a pass (the model's
        ability once per model)."""
        if self.abilities is None or self.qualities is None:
            return scoring.quality(model, quant, self.lineage)
        value = self.qualities.get((model.id, quant.name))
        if value is None:
            found = ability(model, self.lineage, memo=self.abilities)
            ref = self.reference(model)
            value = scoring.quality(model, quant, self.lineage, found, ref)
            self.qualities[(model.id, quant.name)] = value
        return value


def lineage(catalog: Catalog) -> dict[str, Model]:
    return {m.id: m for m in catalog}


def sizing(model: Model, query: Query, kv_dtype: str | None = None) -> Sizing:
    return Sizing(
        query.context_for(model), query.batch, kv_dtype or query.kv_dtype, query.flash_attn
    )


def formats(
    model: Model, query: Query, state: Pass, scored: dict[int, Option] | None = None
) -> tuple[list[Assessment], Assessment | None]:
    """The formats that run (any placement), and the smallest format when none does. When
    none runs with a 16-bit KV cache and the user left the KV type open, a q8_0 cache (half
    the size; llama.cpp needs flash attention for it) is tried for the GGUF formats."""
    # Best quality first, and bounded: a later format keeps no more quality and can at most
    # reach full speed, so once the best score so far beats that bound, the rest cannot win
    # and are not assessed (unless all are wanted: explain).
    ordered = state.order(model)
    weights = state.weights
    bounded = bool(weights) and not query.all_formats  # a pass with weights (not a hint's)
    fixed = model_values(model, query, state) if bounded else {}
    rest = sum(weights[name] * value.value for name, value in fixed.items())
    best = [-1.0]

    def enough(item: Assessment) -> bool:
        if not runs(item):
            return False
        option = score(model, item, query, state, fixed)
        if scored is not None:
            scored[id(item)] = option
        best[0] = max(best[0], option.score)
        quality = option.values["quality"].value
        return rest + weights["quality"] * quality + weights["speed"] < best[0]

    found = assess_formats(
        model,
        ordered,
        sizing(model, query),
        query.hardware,
        state.memo,
        enough=enough if bounded else None,
    )
    running = [a for a in found if runs(a)]
    if not running and not query.kv_fixed and query.flash_attn and query.kv_dtype == "fp16":
        half = sizing(model, query, "q8_0")
        found_q8 = assess_formats(model, state.candidates, half, query.hardware, state.memo)
        running = [a for a in found_q8 if runs(a) and a.estimate.kv_dtype == "q8_0"]
    if running:
        return running, None
    smallest = min(state.candidates, key=lambda q: (q.nominal_bits, q.name))
    (last,) = assess_formats(model, [smallest], sizing(model, query), query.hardware, skip=False)
    return [], last


def evaluate(model: Model, query: Query, state: Pass) -> Candidate | Exclusion:
    """One model through the pipeline: a ranked Candidate or an Exclusion with reasons."""
    results = evaluate_constraints(model, state.wanted, failures_only=True, checks=state.checks)
    reasons = [detail for _, _, detail in results]
    failed = {name for name, _, _ in results}
    options: list[Option] = []
    smallest: Assessment | None = None
    if model.context_length >= (query.required_context or 0):
        scored: dict[int, Option] = {}  # the options the bounded search scored already
        running, smallest = formats(model, query, state, scored)
        fixed = model_values(model, query, state) if running else {}
        options = sorted(
            (scored.get(id(item)) or score(model, item, query, state, fixed) for item in running),
            key=lambda o: (-round(o.score, 12), o.assessment.estimate.total_bytes),
        )
        if not options and smallest is not None and query.hardware is not None:
            reasons.append(memory_reason(smallest, query.hardware))
            failed.add("memory")
    chosen = options[0] if options else None
    if reasons or chosen is None:
        memory_only = chosen is None and smallest is not None and len(reasons) == 1
        needed = smallest.fit.needed_bytes if smallest and smallest.fit else None
        quant = smallest.estimate.quant if smallest else None
        best = chosen.assessment if chosen else None
        return Exclusion(
            model, tuple(reasons), frozenset(failed), needed, quant, memory_only, best, smallest
        )
    return Candidate(
        model,
        chosen.assessment,
        chosen.score,
        chosen.values,
        state.weights,
        tuple(options),
        query.hardware,
    )


def model_values(model: Model, query: Query, state: Pass) -> dict[str, scoring.Value]:
    """The criteria that do not depend on the format (computed once per model)."""
    required = query.required_context
    asked = query.constraints
    return {
        "context": scoring.context(model, required or DEFAULT_CONTEXT, required is not None),
        "license": scoring.license_value(model, asked.commercial or asked.unconditional),
        "ecosystem": ecosystem_of(model, state),
        "languages": scoring.languages(model, asked.languages),
    }


def score(
    model: Model,
    item: Assessment,
    query: Query,
    state: Pass,
    fixed: dict[str, scoring.Value] | None = None,
) -> Option:
    quant = QUANTS[item.estimate.quant]
    tps, assumed = tokens_per_second(item, query.hardware)
    values = {
        "quality": state.quality(model, quant),
        "speed": scoring.speed(tps, assumed),
        **(fixed or model_values(model, query, state)),
    }
    return Option(item, scoring.total(values, state.weights), values)


def ecosystem_of(model: Model, state: Pass) -> scoring.Value:
    """Runtime support: data/runtimes.yaml for its families; for another family, the entry's
    runtimes.supported, or none (the documented default)."""
    listed = any(model.family in families for families in state.runtimes.values())
    if listed:
        found = state.ecosystem.get(model.family)
        if found is None:
            found = state.ecosystem[model.family] = scoring.ecosystem(model.family, state.runtimes)
        return found
    return scoring.unlisted_ecosystem(model, state.runtimes)


def query_weights(query: Query) -> dict[str, float]:
    """The profile's weights (with overrides); licence terms count only when the query asks
    about commercial use (docs/scoring.md)."""
    profile = query.profile or _balanced()
    raw = dict(query.weights if query.weights is not None else profile.weights)
    asked = query.constraints
    others = sum(value for name, value in raw.items() if name != "license")
    if not (asked.commercial or asked.unconditional or asked.licenses) and others > 0:
        raw["license"] = 0.0
    return scoring.normalize(raw)


def recommend(catalog: Catalog, query: Query) -> Recommendation:
    """Rank every catalog model against the query; pure (no printing, no exiting)."""
    weights = query_weights(query)
    runtimes = runtime_support()
    wanted = query.wanted()
    models = lineage(catalog)
    state = Pass(
        lineage=models,
        ecosystem={},
        runtimes=runtimes,
        candidates=query.candidates(),
        memo={},
        wanted=wanted,
        checks=active_checks(wanted),
        abilities={},
        qualities={},
        references={},
        orders={},
        measured=measured_by_family(models),
        weights=weights,
    )
    ranked: list[Candidate] = []
    excluded: list[Exclusion] = []
    for model in catalog:
        result = evaluate(model, query, state)
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
    """What would change the verdict for a model excluded only by memory: the memory per card
    (headroom included), or the RAM that CPU offload would need, or a smaller format."""
    smallest, hardware = exclusion.smallest, query.hardware
    if not exclusion.memory_only or smallest is None or hardware is None:
        return "; ".join(exclusion.reasons)
    fixes = memory_fixes(smallest, hardware)
    if query.quant or query.min_bits is not None:
        relaxed = query._replace(quant=None, min_bits=None)
        state = _state_for(relaxed)
        running, _ = formats(exclusion.model, relaxed, state)
        if running:
            best = min(running, key=lambda a: a.estimate.total_bytes)
            fixes.insert(1, f"--quant {best.estimate.quant}")
    head = f"{exclusion.model.id} {exclusion.reasons[0]}"
    return f"{head}: fits with {' or '.join(fixes)}" if fixes else head


def _state_for(query: Query) -> Pass:
    """A pass with no catalog, to size one model's formats (fresh caches: never shared)."""
    wanted = query.wanted()
    return Pass(
        {}, {}, query.candidates(), {}, wanted, active_checks(wanted), {}, references={}, orders={}
    )
