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

from typing import Any

from llm_pick.catalog.load import Catalog
from llm_pick.catalog.types import Model
from llm_pick.estimate.advice import memory_fixes, memory_reason, tokens_per_second
from llm_pick.estimate.assess import Assessment, assess_model
from llm_pick.estimate.formats import assess_formats, cannot_hold, memory_limit, runs
from llm_pick.estimate.memory import DEFAULT_CONTEXT
from llm_pick.estimate.quant import QUANTS, Quant
from llm_pick.estimate.sizing import Sizing
from llm_pick.ranking import choice
from llm_pick.ranking.order import reorder
from llm_pick.ranking.passes import Pass, start
from llm_pick.ranking.query import Query
from llm_pick.ranking.result import Candidate, Exclusion, Option, Recommendation
from llm_pick.ranking.serve import serve
from llm_pick.ranking.shared import Searched, criteria_inputs, renamed, shape_of
from llm_pick.ranking.variants import tuned_first
from llm_pick.scoring import criteria
from llm_pick.scoring.constraints import active, evaluate

Known = dict[str, Candidate | Exclusion]  # outcomes decided, by model id
SHARING = True  # models of equal inputs share searches, scores, abilities (off: each alone)
TERNARY = [QUANTS["i2_s"]]  # ternary weights run from I2_S (bitnet.cpp) only


def lineage(catalog: Catalog) -> dict[str, Model]:
    return {m.id: m for m in catalog}


def _pass(query: Query, models: dict[str, Model], catalog: Catalog | None = None) -> Pass:
    return start(query, models, catalog, SHARING)


def formats(model: Model, query: Query, state: Pass) -> Searched:
    return keyed_formats(model, query, state)[1]  # the formats search, not shared


def keyed_formats(model: Model, query: Query, state: Pass) -> tuple[Any, Searched]:
    """`formats`, with the key its result is shared under (None: not shared).

    The formats that run (any placement), and the smallest format when none does. When the
    user left the KV type open (flash attention on), a GGUF format whose fp16-cache run does
    not fit or runs under the usable speed is tried with a q8_0 cache too (ranking/choice.py)."""
    # Best quality first: the first format that runs on the GPUs at a usable speed is the choice
    # (ranking/choice.py), so the rest are not assessed (except for the model explained).
    ordered = state.order(model)
    candidates = state.candidates
    if model.architecture.ternary:  # ternary weights run from I2_S (bitnet.cpp) only
        ordered = candidates = TERNARY
    if (own := query.formats_of(model)) is not None:  # an installed copy's, Ollama's only
        ordered = candidates = own
    if own is not None or not SHARING or model.id == query.explained:
        return None, _search(model, query, state, ordered, candidates)
    # Models of one shape (fine-tunes of a base) in one loss order get the same figures: the
    # search runs once per shape and order, and the others take its result under their own id.
    key = (*shape_of(model), id(ordered))  # an order kept in state.orders, or TERNARY
    known = state.searched.get(key)
    if known is None:
        known = state.searched[key] = _search(model, query, state, ordered, candidates)
        return key, known
    return key, renamed(known, model.id)


def _search(
    model: Model, query: Query, state: Pass, ordered: list[Quant], candidates: list[Quant]
) -> Searched:
    """The formats search of `formats` for one model (see there)."""
    bounded = bool(state.weights) and model.id != query.explained
    plain = query.sizing_for(model)
    both = [plain, plain.with_kv(choice.AUTO_KV)] if auto_kv(query) else [plain]
    # formats the memory rules out by their bound alone are not looked at (assess_formats
    # would skip them for each sizing); an installed file is sized from the file
    own, limit = model.id in query.files, memory_limit(query.hardware)
    running: list[Assessment] = []
    for quant in ordered:
        if not own and cannot_hold(model, quant, limit):
            continue
        done = False
        for sized in both if quant.family == "gguf" else both[:1]:
            found = _assessed(model, quant, sized, query, state)
            item = next((a for a in found if runs(a)), None)
            if item is None:
                continue
            running.append(item)
            if choice.usable(item, query.hardware) and choice.placement(item) == 0:
                # a quantized KV cache loses a little too: a later format with the plain
                # cache may keep more, so the search goes on until one runs with it
                done = sized is plain
                break
        if done and bounded:
            break
    if running:
        return running, None
    smallest = min(candidates, key=lambda q: (q.nominal_bits, q.name))
    (last,) = _assessed(model, smallest, plain, query, state, skip=False)
    return [], last


def _assessed(  # noqa: PLR0913 (skip: keyword-only)
    model: Model, quant: Quant, sized: Sizing, query: Query, state: Pass, *, skip: bool = True
) -> list[Assessment]:
    """One format's assessment; an installed file (recommend --installed) is sized from the
    file itself: the exact bytes of its tensors (estimate/modelfile.py)."""
    own = query.files.get(model.id)
    if own is None:
        return assess_formats(model, [quant], sized, query.hardware, state.memo, skip=skip)
    item = assess_model(own, quant, sized, query.hardware)
    return [item._replace(estimate=item.estimate._replace(model=model.id))]


def auto_kv(query: Query) -> bool:
    """The KV cache type is chosen with the weights: the user left it open, flash attention on."""
    sizing = query.sizing
    return not query.kv_fixed and sizing.flash_attn and sizing.kv_dtype == "fp16"


def outcome(model: Model, query: Query, state: Pass) -> Candidate | Exclusion:
    """One model through the pipeline: a ranked Candidate or an Exclusion with reasons."""
    results = evaluate(model, state.wanted, failures_only=True, checks=state.checks)
    reasons = [detail for _, _, detail in results]
    failed = {name for name, _, _ in results}
    options: list[Option] = []
    why: tuple[str, ...] = ()
    smallest: Assessment | None = None
    if model.context_length >= (query.required_context or 0):
        key, (running, smallest) = keyed_formats(model, query, state)
        options, why = scored(model, running, query, state, key)
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
        )._replace(choice=why if chosen else ())  # why `best`: its KV type, a smaller format
    return Candidate(
        model,
        chosen.assessment,
        chosen.score,
        chosen.values,
        state.weights,
        tuple(options),
        query.hardware,
        choice=why,
    )


def scored(
    model: Model, running: list[Assessment], query: Query, state: Pass, key: Any
) -> tuple[list[Option], tuple[str, ...]]:
    """The formats that run, scored, the chosen one first; and the reasons for the choice.
    Models with the same figures (`key`, from keyed_formats) and the same inputs to every
    criterion get the same options: they are scored once and replayed for the others."""
    if not running:
        return [], ()
    share = SHARING and key is not None and state.abilities is not None
    if share:
        ref = state.reference(model)
        key = (key, *criteria_inputs(model, state.ability_of(model), ref, state.lineage))
        known = state.scored.get(key)
        if known is not None:
            order, scores, values, reasons = known
            return [Option(running[i], scores[i], values[i]) for i in order], reasons
    fixed = model_values(model, query, state)
    options = [score(model, item, query, state, fixed) for item in running]
    picked = choice.pick(options, query.hardware)
    reasons = choice.why(picked[0], picked, query.hardware, auto_kv(query))
    if share:
        order = tuple(next(i for i, o in enumerate(options) if o is p) for p in picked)
        scores = tuple(o.score for o in options)
        state.scored[key] = (order, scores, tuple(o.values for o in options), reasons)
    return picked, reasons


def model_values(model: Model, query: Query, state: Pass) -> dict[str, criteria.Value]:
    """The criteria that do not depend on the format (computed once per model)."""
    required = query.required_context
    asked = query.constraints
    return {
        "context": criteria.context(model, required or DEFAULT_CONTEXT, required is not None),
        "license": criteria.license_value(model, asked.commercial or asked.unconditional),
        "ecosystem": ecosystem_of(model, state),
        "languages": criteria.languages(model, asked.languages),
    }


def score(
    model: Model,
    item: Assessment,
    query: Query,
    state: Pass,
    fixed: dict[str, criteria.Value] | None = None,
) -> Option:
    quant = QUANTS[item.estimate.quant]
    tps, assumed = tokens_per_second(item, query.hardware)
    values = {
        "quality": choice.with_kv(state.quality(model, quant), item.estimate.kv_dtype),
        "speed": criteria.speed(tps, assumed),
        **(fixed or model_values(model, query, state)),
    }
    return Option(item, criteria.total(values, state.weights), values)


def ecosystem_of(model: Model, state: Pass) -> criteria.Value:
    """Runtime support: data/runtimes.yaml for its families, less the runtimes that cannot
    load its architecture (runtimes.unsupported); for another family, the entry's
    runtimes.supported, or none (the documented default)."""
    listed = any(model.family in families for families in state.runtimes.values())
    if not listed:
        return criteria.unlisted_ecosystem(model, state.runtimes)
    found = state.ecosystem.get(model.family)
    if found is None:
        found = state.ecosystem[model.family] = criteria.ecosystem(model.family, state.runtimes)
    if model.runtimes is not None and model.runtimes.unsupported:
        found = criteria.not_loaded(found, model, state.runtimes)
    if model.runtimes is not None and model.runtimes.weight_diff is not None:
        return criteria.recovered_first(found)
    return found


def recommend(
    catalog: Catalog, query: Query, state: Pass | None = None, known: Known | None = None
) -> Recommendation:
    """Rank every catalog model against the query; pure. `state` and `known` (model id ->
    outcome) carry work done (ranking/topn.py, a top it cannot close)."""
    state = state or _pass(query, lineage(catalog), catalog)
    models, weights, known = state.lineage, state.weights, known or {}
    ranked, excluded = list[Candidate](), list[Exclusion]()
    for model in catalog:
        result = known.get(model.id) or outcome(model, query, state)
        if isinstance(result, Candidate):
            ranked.append(result)
        else:
            excluded.append(result)
    excluded.sort(key=lambda e: e.model.id)
    rec = Recommendation(query, weights, tuple(sorted(ranked, key=rank_key)), tuple(excluded))
    ranked = reorder(serve(rec, models).ranking, query.hardware)  # vLLM re-scores what it serves
    rec = rec._replace(ranking=tuple(tuned_first(ranked, query.wanted().variants)))
    if ranked:
        return rec
    from llm_pick.ranking.deadend import one_change

    fixes = one_change(rec.excluded, query, lambda m, q: admits(m, q, models))
    hints = [fix.line() for fix in fixes] or [hint(e, query) for e in rec.closest()]
    return rec._replace(hints=tuple(hints), fixes=tuple(fixes))


def admits(model: Model, query: Query, models: dict[str, Model]) -> bool:
    """Whether this query ranks the model (the check behind every suggested change)."""
    return isinstance(outcome(model, query, _pass(query, models)), Candidate)


def rank_key(cand: Candidate) -> tuple[float, bool, str]:
    """The score order; on a tie an imported file ranks after the catalog model it may copy."""
    own = cand.model.runtimes is not None and cand.model.runtimes.file is not None
    return (-round(cand.score, 12), own, cand.model.id)


def hint(exclusion: Exclusion, query: Query) -> str:
    """What would change the verdict for a model excluded only by memory: the memory per card
    (headroom included), or the RAM that CPU offload would need, or a smaller format."""
    smallest, hardware = exclusion.smallest, query.hardware
    if not exclusion.memory_only or smallest is None or hardware is None:
        return "; ".join(exclusion.reasons)
    fixes = memory_fixes(smallest, hardware)
    if query.quant or query.min_bits is not None:
        relaxed = query.replace(quant=None, min_bits=None)
        state = _state_for(relaxed)
        running, _ = formats(exclusion.model, relaxed, state)
        if running:
            best = min(running, key=lambda a: a.estimate.total_bytes)
            fixes.insert(1, f"--quant {best.estimate.quant}")
    head = f"{exclusion.model.id} {exclusion.reasons[0]}"
    return f"{head}: fits with {' or '.join(fixes)}" if fixes else head


def _state_for(query: Query) -> Pass:
    """A pass with no catalog, to size one model's formats (fresh caches: never shared)."""
    return Pass({}, query.candidates(), (wanted := query.wanted()), active(wanted), {})
