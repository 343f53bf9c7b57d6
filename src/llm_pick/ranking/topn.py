"""The shown top of a recommendation without sizing and scoring every model (issue 23): a
model whose score cannot reach the N-th exact score is only checked to pass, not searched in
every format and scored. Its score is at most its quality at the best format it could hold
(its ability, measured in any case) with full speed and its exact format-free criteria.

The answer is the exhaustive one (pipeline.recommend) wherever it is read: the ranking's
first candidates are computed exactly and the rest, when a reader asks for them, are taken
from the exhaustive ranking (`Ranking`); a model a constraint excludes while a format runs is
known by its reasons until its exclusion is read (`Excluded`). Where the order rules could
bring a model from below into the top (a 2-3-bit pick that an unsized model might dominate, a
base model whose chat model was not sized), every model is ranked. tests/test_topn.py holds
this to pipeline.recommend over random queries and catalogs. Under vLLM each decided model is
re-scored as vLLM serves it; `explain` computes the top down to the model it explains."""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from llm_pick.catalog.load import Catalog
from llm_pick.catalog.types import Model
from llm_pick.estimate.formats import cannot_hold, memory_limit, runs
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.quant import QUANTS, Quant, applies
from llm_pick.ranking import pipeline
from llm_pick.ranking.lazy import Excluded, Ranking, Reasons
from llm_pick.ranking.lazy import excluded_reasons as excluded_reasons  # reports/recommend.py
from llm_pick.ranking.order import dominates, low_bit, reorder
from llm_pick.ranking.passes import Pass
from llm_pick.ranking.query import Query
from llm_pick.ranking.result import Candidate, Exclusion, Recommendation
from llm_pick.ranking.serve import QUALITY_AS, choose_runtime, served, served_key, served_quality
from llm_pick.ranking.shared import shape_of
from llm_pick.ranking.variants import TUNED, tuned_first
from llm_pick.scoring.constraints import evaluate
from llm_pick.scoring.int4_tables import INT4
from llm_pick.scoring.quality import value as scale_value
from llm_pick.scoring.quant_loss import TABLES

MARGIN = 1e-9  # a bound this close to the N-th score is sized anyway (float sums)


def bounded(query: Query) -> bool:
    """Whether the top can be found without ranking every model (else: pipeline.recommend)."""
    return (
        pipeline.SHARING
        and not query.files
        and not query.installed
        # vLLM re-scores each model it serves (decided exactly, one by one); where the user
        # fixed it (--runtime vllm) the models it serves rank first, whatever their score
        and query.runtime != "vllm"
    )


def recommend(catalog: Catalog, query: Query) -> Recommendation:
    """pipeline.recommend(catalog, query), the models below the shown top left unsized."""
    if not bounded(query):
        return pipeline.recommend(catalog, query)
    state = pipeline._pass(query, pipeline.lineage(catalog), catalog)
    if not state.weights:
        return pipeline.recommend(catalog, query)
    found = _Found(query, state)
    waiting = sorted(found.sort_out(catalog), key=lambda item: -item[0])
    reach = _explained_first(found, waiting)  # explain: the top down to the model explained
    floor, unsized = -math.inf, list[Model]()
    for index, (top, model) in enumerate(waiting):
        if len(found.best) == query.top and top < min(found.best[0], reach) - MARGIN:
            floor, unsized = min(found.best[0], reach) - MARGIN, [m for _, m in waiting[index:]]
            break
        found.decide(model)
    # the models below the top that the order rules could still bring into it: decided too
    could = _could_move([c for c in found.exact if c.score >= floor], unsized, state, query)
    for model in could.values():
        found.decide(model)
    unsized = [m for m in unsized if m.id not in could]
    passing = 0
    for model in unsized:
        if found.passes(model):
            passing += 1
        else:
            found.decide(model)  # exactly: an exclusion for memory, with its reasons
    head = sorted((c for c in found.exact if c.score >= floor), key=found.key)
    below = [c for c in found.exact if c.score < floor]
    variants = query.wanted().variants
    if head and _closed(head, below, unsized, state, query):
        head = tuned_first(reorder(head, query.hardware), variants)
    else:  # explain needs the order down to its model only; else every model, exactly
        ahead = _ahead(query.explained, [*head, *below], found.key, query.hardware, variants)
        if ahead is None:
            return pipeline.recommend(catalog, query, state, found.known())
        head = ahead
    length = len(found.exact) + passing
    rest = lambda: pipeline.recommend(catalog, query, state, found.known()).ranking  # noqa: E731
    ranking = Ranking(tuple(head), length, rest)
    excluded = Excluded(found.excluded, found.exclusion)
    return Recommendation(query, state.weights, ranking, excluded)


def _explained_first(found: _Found, waiting: list[tuple[float, Model]]) -> float:
    """Decide the model `explain` asks about first (taken out of `waiting`); the top is then
    computed down to its score, so its rank is exact (math.inf: no model, or not ranked)."""
    name = found.query.explained
    at = next((i for i, (_, m) in enumerate(waiting) if m.id == name), None)
    if at is None:
        return math.inf
    _, model = waiting.pop(at)
    found.decide(model)
    ranked = [c.score for c in found.exact if c.model.id == name]
    return ranked[0] if ranked else math.inf


class _Found:
    """The models decided exactly so far, and the `top` best exact scores (a heap)."""

    def __init__(self, query: Query, state: Pass) -> None:
        self.query, self.state = query, state
        self.exact: list[Candidate] = []
        self.excluded: list[Exclusion | Reasons] = []
        self.best: list[float] = []
        self.shapes: dict[tuple[object, ...], bool] = {}  # _passes per shape and sizing
        self.vllm = _vllm(query)
        self.key = served_key if self.vllm else pipeline.rank_key  # the order of the ranking
        self.raw: dict[str, Candidate] = {}  # before vLLM re-scores them

    def known(self) -> dict[str, Candidate | Exclusion]:
        """The outcomes decided exactly so far, by model id."""
        found: list[Candidate | Exclusion] = [*self.raw.values()]
        found += [e for e in self.excluded if isinstance(e, Exclusion)]
        return {item.model.id: item for item in found}

    def passes(self, model: Model) -> bool:
        """`_passes`, once per shape and sizing (what the assessment of a format depends on,
        ranking/shared.py shape_of; an installed or imported file is not shared)."""
        query = self.query
        if query.formats_of(model) is not None:
            return False
        key = (*shape_of(model), query.sizing_for(model))
        known = self.shapes.get(key)
        if known is None:
            known = self.shapes[key] = _passes(model, query, self.state)
        return known

    def exclusion(self, model: Model) -> Exclusion:
        found = pipeline.outcome(model, self.query, self.state)
        assert isinstance(found, Exclusion), model.id  # a constraint excludes it
        return found

    def decide(self, model: Model) -> None:
        found = pipeline.outcome(model, self.query, self.state)
        if isinstance(found, Exclusion):
            self.excluded.append(found)
            return
        self.raw[model.id] = found
        if self.vllm:
            found = served(found, self.query, self.state.lineage)
        self.exact.append(found)
        heapq.heappush(self.best, found.score)
        if len(self.best) > self.query.top:
            heapq.heappop(self.best)

    def sort_out(self, catalog: Catalog) -> list[tuple[float, Model]]:
        """Models a constraint or the context excludes, or that hold no format, are decided
        now; the others are returned with the most they can score."""
        waiting = []
        required, state = self.query.required_context or 0, self.state
        fewest = {
            t: _fewest_bits(pipeline.TERNARY if t else state.candidates, t) for t in (False, True)
        }
        for model in catalog:
            top = None
            failed = evaluate(model, state.wanted, failures_only=True, checks=state.checks)
            if model.context_length < required:
                pass  # no format is sized (pipeline.outcome): decided now
            elif not failed:
                top = _bound(model, self.query, state, fewest, self.vllm)
            elif self.passes(model):  # excluded by its constraints alone
                self.excluded.append((model, tuple(detail for _, _, detail in failed)))
                continue
            if top is None:
                self.decide(model)
            else:
                waiting.append((top, model))
        return waiting


def _vllm(query: Query) -> bool:
    """Whether vLLM serves (and re-scores) the ranked models (ranking/serve.py)."""
    return query.hardware is not None and choose_runtime(query).name == "vllm"


def _bound(
    model: Model, query: Query, state: Pass, fewest: dict[bool, Quant | None], vllm: bool
) -> float | None:
    """The most this model can score: the most quality it keeps in a format it could hold (a
    quantized KV cache keeps less; under `vllm`, any format vLLM serves), full speed, and its
    other criteria exactly; None when it holds no format (sized exactly, as an exclusion)."""
    if _copy(model):
        return None
    smallest = fewest[model.architecture.ternary]
    if smallest is None or cannot_hold(model, smallest, memory_limit(query.hardware)):
        return None  # no format holds it: the one with the fewest bits is the first that would
    weights = state.weights
    fixed = pipeline.model_values(model, query, state)
    if {*fixed, "quality", "speed"} != set(weights):  # a criterion this bound does not know
        return None
    rest = sum(weights[name] * value.value for name, value in fixed.items())
    return weights["quality"] * _top_quality(model, state, vllm) + weights["speed"] + rest


def _passes(model: Model, query: Query, state: Pass) -> bool:
    """True when the smallest format runs with the query's sizing: the exhaustive search then
    finds a running format too (False: not known, the model is sized exactly, as is an
    installed or imported file, which runs in its own format only)."""
    if query.formats_of(model) is not None:
        return False
    candidates = pipeline.TERNARY if model.architecture.ternary else state.candidates
    smallest = min(candidates, key=lambda q: (q.nominal_bits, q.name))
    plain = query.sizing_for(model)
    return any(runs(a) for a in pipeline._assessed(model, smallest, plain, query, state))


def _ahead(
    name: str | None,
    exact: list[Candidate],
    key: Callable[[Candidate], Any],
    hardware: Hardware | None,
    variants: Sequence[str],
) -> list[Candidate] | None:
    """The final order down to model `name` (explain), from the models decided exactly: every
    model the order rules could move is among them (_could_move), and the rules only move a
    model down: a 2-3-bit pick below its last dominator (reorder), a base model below its
    lowest chat or instruct model (tuned_first). So the models ranked above `name` are those
    of higher score that no rule moves to or past it; none when `name` is not ranked. None
    when it moves down itself: then only the full ranking tells how far."""
    if name is None:
        return None
    order = sorted(exact, key=key)
    at = next((i for i, c in enumerate(order) if c.model.id == name), None)
    if at is None:  # not ranked: explain reads no rank (the rest is computed if read)
        return []
    me, above, below = order[at], order[:at], order[at + 1 :]
    lows: list[Candidate] = []  # those above it that a model at or below it dominates
    if hardware is not None:  # reorder moves nothing without hardware
        if low_bit(me) and any(dominates(d, me, hardware) for d in below):
            return None
        lows = [
            c for c in above if low_bit(c) and any(dominates(d, c, hardware) for d in [me, *below])
        ]
    moved = {id(c) for c in lows}
    if "base" not in variants:
        if me.model.variant == "base" and _tuned_of(me, [*below, *lows]):
            return None
        moved |= {
            id(c) for c in above if c.model.variant == "base" and _tuned_of(c, [me, *below, *lows])
        }
    kept = [c for c in above if id(c) not in moved]
    ranked = tuned_first(reorder([*kept, me], hardware), variants)
    assert ranked[-1] is me  # no rule moves it
    return ranked


def _tuned_of(base: Candidate, among: list[Candidate]) -> bool:
    return any(c.model.base_model == base.model.id and c.model.variant in TUNED for c in among)


def _could_move(
    head: list[Candidate], unsized: list[Model], state: Pass, query: Query
) -> dict[str, Model]:
    """The unsized models the order rules might bring into `head`: any that could keep as
    much quality as one of its 2-3-bit candidates, and the chat or instruct models of its
    base models (by id)."""
    lows = [c.values["quality"].value for c in head if low_bit(c)]
    vllm, found = _vllm(query), {}
    if lows:
        least = min(lows) - 1e-9
        found = {m.id: m for m in unsized if _top_quality(m, state, vllm) >= least}
    if "base" not in query.wanted().variants:
        bases = {c.model.id for c in head if c.model.variant == "base"}
        found |= {m.id: m for m in unsized if m.base_model in bases and m.variant in TUNED}
    return found


def _closed(
    head: list[Candidate],
    below: list[Candidate],
    unsized: list[Model],
    state: Pass,
    query: Query,
) -> bool:
    """Whether the order rules move no model from below `head` into it: no 2-3-bit candidate
    of the head may be dominated by a model below (ranking/order.py dominates; an unsized one
    by its most quality), and every chat or instruct model made from a base model in the head
    is in the head or excluded."""
    lows = [c for c in head if low_bit(c)]
    if lows:
        if any(dominates(c, low, query.hardware) for c in below for low in lows):
            return False
        vllm = _vllm(query)
        under = [_top_quality(m, state, vllm) for m in unsized]
        if under and max(under) >= min(c.values["quality"].value for c in lows) - 1e-9:
            return False
    if "base" in query.wanted().variants:
        return True
    bases = {c.model.id for c in head if c.model.variant == "base"}
    outside = [*(c.model for c in below), *unsized]
    return not any(m.base_model in bases and m.variant in TUNED for m in outside)


def _top_quality(model: Model, state: Pass, vllm: bool) -> float:
    """The most quality a model keeps in any format: its ability's value where no format
    keeps more than 16-bit weights (the usual case, checked), else its best format's; under
    vLLM also the quality of each format it may serve (ranking/serve.py served_quality)."""
    if _copy(model):
        return math.inf
    top = scale_value(state.ability_of(model).theta)
    if vllm:  # INT4 keeps less than BF16 where no table shows a gain (_losses_only)
        formats = ("bf16",) if _losses_only() else tuple(QUALITY_AS)
        top = max(top, *(served_quality(model, f, state.lineage).value for f in formats))
    if _losses_only():
        return top
    ordered = pipeline.TERNARY if model.architecture.ternary else state.order(model)
    return max(top, state.quality(model, ordered[0]).value)  # order: most kept first


def _fewest_bits(formats: list[Quant], ternary: bool) -> Quant | None:
    """The format with the fewest bits that can hold a model (ternary or not)."""
    held = [q for q in formats if applies(q, ternary)]
    return min(held, key=lambda q: q.nominal_bits) if held else None


@cache
def _losses_only() -> bool:
    """Whether every format keeps at most the 16-bit quality for every model: no published
    table (GGUF or INT4) has a quantized perplexity under its 16-bit one, and no format's loss
    is a gain (scoring/quant_loss.py loss: each kept fraction is then at most 1)."""
    tables = all(p >= t.f16 for t in TABLES.values() for p in t.ppl.values())
    tables = tables and all(r.ppl >= r.f16 for rows in INT4.values() for r in rows.values())
    return tables and all(q.ppl_delta is None or q.ppl_delta >= 0 for q in QUANTS.values())


def _copy(model: Model) -> bool:
    """An imported file is scored as the catalog model it copies (Pass.quality): sized exactly."""
    return model.runtimes is not None and model.runtimes.file is not None
