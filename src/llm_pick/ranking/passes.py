"""One recommend pass's state (`Pass`): the query's candidates, constraints and weights, and
the caches filled as models are met. What derives from the catalog's frozen models alone
(abilities, measured references, quality per format, loss orders, runtime support) is kept
with the catalog (Catalog.memo) and shared by every pass over it: a process that asks many
questions of one catalog (tests, a notebook) computes each once."""

from __future__ import annotations

from dataclasses import field
from typing import Any

from llm_pick.catalog.load import Catalog
from llm_pick.catalog.record import record
from llm_pick.catalog.runtimes import runtime_support
from llm_pick.catalog.types import Model
from llm_pick.estimate.assess import Assessment
from llm_pick.estimate.quant import Quant
from llm_pick.ranking.query import Query, query_weights
from llm_pick.ranking.shared import Searched, sibling
from llm_pick.scoring import criteria
from llm_pick.scoring.code import code_ability
from llm_pick.scoring.constraints import Check, Constraints, active
from llm_pick.scoring.quality import Ability, ability
from llm_pick.scoring.quant_loss import (
    TABLES,
    loss_order,
    measured_by_family,
    measured_reference,
    order_key,
)
from llm_pick.scoring.references import REFERENCES


@record(eq=False, kw_only=False)  # a dataclass without its generated code (start-up)
class Pass:
    """What one recommend pass computes once and shares across models (caches filled as
    models are met; `abilities` None: no ability cache, as for a hint's one-model pass)."""

    lineage: dict[str, Model]
    candidates: list[Quant]
    wanted: Constraints
    checks: tuple[Check, ...]
    weights: dict[str, float]
    runtimes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    ecosystem: dict[str, criteria.Value] = field(default_factory=dict)  # per listed family
    memo: dict[Any, dict[str, Assessment]] = field(default_factory=dict)
    abilities: dict[str, Ability] | None = None  # per model id
    references: dict[str, Model | None] = field(default_factory=dict)  # measured reference
    measured: dict[str, list[Model]] = field(default_factory=dict)  # measured models by family
    orders: dict[tuple[str, bool], list[Quant]] = field(default_factory=dict)  # per order_key
    qualities: dict[tuple[str, str], criteria.Value] = field(default_factory=dict)
    code: bool = False  # the profile reads the code ability (scoring/code.py)
    searched: dict[Any, Searched] = field(default_factory=dict)  # formats() per shape and order
    scored: dict[Any, Any] = field(default_factory=dict)  # scored() per figures and inputs
    siblings: dict[Any, Any] = field(default_factory=dict)  # what fine-tunes share (sibling)
    sharing: bool = True  # pipeline.SHARING: models of equal inputs share abilities, references

    def ability_of(self, model: Model) -> Ability:
        if self.code:
            return code_ability(model, self.lineage, memo=self.abilities)
        plain = self.sharing and not model.benchmarks and model.id not in REFERENCES
        key = (
            sibling("ability", model, self.lineage, self.siblings)
            if plain and self.abilities is not None
            else None
        )
        if key is not None and self.abilities is not None and model.id not in self.abilities:
            found = self.siblings.get(key)
            if found is not None:
                self.abilities[model.id] = found
        found = ability(model, self.lineage, memo=self.abilities)
        if key is not None:
            self.siblings.setdefault(key, found)
        return found

    def reference(self, model: Model) -> Model | None:
        if model.id not in self.references:
            key = (
                sibling("reference", model, self.lineage, self.siblings)
                if self.sharing and model.id not in TABLES
                else None
            )
            if key is None or key not in self.siblings:
                found = measured_reference(model, self.lineage, self.measured)
                if key is not None:
                    self.siblings[key] = found
            self.references[model.id] = self.siblings[key] if key else found
        return self.references[model.id]

    def order(self, model: Model) -> list[Quant]:
        """The candidates by the quality they keep for this model, best first."""
        ref = self.reference(model)
        key = order_key(model, self.lineage, ref)
        if key not in self.orders:
            self.orders[key] = loss_order(model, self.candidates, self.lineage, ref)
        return self.orders[key]

    def quality(self, model: Model, quant: Quant) -> criteria.Value:
        """The quality criterion, computed once per model and format in a pass (the model's
        ability once per model). An imported copy of a catalog model is scored as that model:
        the same weights, never a fine-tune bonus."""
        own = model.runtimes.file if model.runtimes else None
        model = self.lineage.get(own.matches, model) if own and own.matches else model
        if self.abilities is None:
            found = code_ability(model, self.lineage) if self.code else None
            return criteria.quality(model, quant, self.lineage, found)
        value = self.qualities.get((model.id, quant.name))
        if value is None:
            found = self.ability_of(model)
            ref = self.reference(model)
            value = criteria.quality(model, quant, self.lineage, found, ref)
            self.qualities[(model.id, quant.name)] = value
        return value


def start(query: Query, models: dict[str, Model], catalog: Catalog | None, sharing: bool) -> Pass:
    """A pass over `models` (the catalog's lineage); with `catalog` and `sharing`, its caches
    of catalog-only figures are the catalog's (per code profile and candidate formats)."""
    wanted, candidates = query.wanted(), query.candidates()
    code = query.profile is not None and query.profile.ability == "code"
    kept: dict[Any, Any] = catalog.memo("pass") if isinstance(catalog, Catalog) and sharing else {}
    measured = kept.get("measured")
    if measured is None:
        measured = kept["measured"] = measured_by_family(models)
    return Pass(
        lineage=models,
        candidates=candidates,
        wanted=wanted,
        checks=active(wanted),
        weights=query_weights(query),
        runtimes=runtime_support(),
        ecosystem=kept.setdefault("ecosystem", {}),
        abilities=kept.setdefault(("abilities", code), {}),
        references=kept.setdefault("references", {}),
        measured=measured,
        orders=kept.setdefault(("orders", *(q.name for q in candidates)), {}),
        qualities=kept.setdefault(("qualities", code), {}),
        code=code,
        siblings=kept.setdefault(("siblings", code), {}),
        sharing=sharing,
    )
