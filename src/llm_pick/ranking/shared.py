"""What models of equal inputs share in one recommend pass (ranking/pipeline.py): large
catalogs are mostly fine-tunes of a few bases, which inherit their base's shapes. The keys
below name everything each shared result depends on; tests/test_shared_pipeline.py holds the
shared pipeline to the one that computes every model on its own."""

from __future__ import annotations

from typing import Any

from llm_pick.catalog.types import Model
from llm_pick.estimate.assess import Assessment
from llm_pick.estimate.cache import encoder_bytes
from llm_pick.scoring.quality import Ability
from llm_pick.scoring.quant_loss import int4_anchor, order_key

Searched = tuple[list[Assessment], Assessment | None]  # formats that run; else the smallest


def shape_of(model: Model) -> tuple[Any, ...]:
    """What a model's sizing and assessments depend on (estimate/formats.py keys its memo
    by the same fields, and the parameter count bounds which formats are tried)."""
    params = model.parameters
    return (
        model.architecture,
        model.family,
        params.active_count,
        params.total,
        model.context_length,
        encoder_bytes(model),
    )


def renamed(found: Searched, model_id: str) -> Searched:
    """Another model's assessments under this model's id (the same figures)."""
    running, last = found

    def named(item: Assessment) -> Assessment:
        return item._replace(estimate=item.estimate._replace(model=model_id))

    return [named(a) for a in running], None if last is None else named(last)


def criteria_inputs(
    model: Model, found: Ability, ref: Model | None, lineage: dict[str, Model]
) -> tuple[Any, ...]:
    """What the criteria read of a model besides its figures (see criteria.quality, loss,
    context, license_value, ecosystem_of and languages): its ability, measured reference and
    ancestry to it (and to an INT4 row), context, licence terms, family, named runtimes and
    languages."""
    lic, runtimes = model.license, model.runtimes
    return (
        found,
        order_key(model, lineage, ref),
        model.id if ref is model else None,  # a measured model's loss names it
        int4_anchor(model, lineage),  # AWQ/GPTQ losses: their own table's reference
        model.context_length,
        lic.id,
        lic.commercial_use,
        model.family,
        tuple(runtimes.supported or ()) if runtimes else (),
        tuple(model.languages),
        bool(runtimes and runtimes.weight_diff),  # ecosystem_of: a diff is not a model
        tuple(u.runtime for u in (runtimes.unsupported or ())) if runtimes else (),
    )


def sibling(
    what: str, model: Model, lineage: dict[str, Model], memo: dict[Any, Any]
) -> tuple[str, str, int] | None:
    """Fine-tunes of one base with the same active parameters (and no benchmarks or loss
    table of their own: the callers check) get the same ability and measured reference: the
    key they share, when the base's lineage has no loop (else None)."""
    base = model.base_model
    if base is None or base not in lineage:
        return None
    acyclic = memo.get(("acyclic", base))
    if acyclic is None:
        seen: set[str] = set()
        cursor: str | None = base
        while cursor is not None and cursor in lineage and cursor not in seen:
            seen.add(cursor)
            cursor = lineage[cursor].base_model
        acyclic = memo[("acyclic", base)] = cursor is None or cursor not in seen
    return (what, base, model.parameters.active_count) if acyclic else None
