"""One model on one machine in every candidate format: the assessments the ranking scores,
and the largest context each format fits. Pure functions; shapes shared by fine-tunes of one
base are assessed once per query (memo)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from llm_pick.catalog.types import Model
from llm_pick.estimate.assess import Assessment, assess
from llm_pick.estimate.fit import check_fit, max_context
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.memory import estimate_memory
from llm_pick.estimate.quant import Quant, applies
from llm_pick.estimate.speed import attention_width_of


class Sizing(NamedTuple):
    """How every format of a query is sized."""

    context: int
    batch: int = 1
    kv_dtype: str = "fp16"
    flash_attn: bool = True


def assess_formats(
    model: Model,
    quants: list[Quant],
    sizing: Sizing,
    hardware: Hardware | None,
    memo: dict[Any, dict[str, Assessment]] | None = None,
    *,
    skip: bool = True,
    enough: Callable[[Assessment], bool] | None = None,
) -> list[Assessment]:
    """Every format's assessment, in the given order (with `skip`, those over the memory by a
    lower bound are left out; after one that is `enough`, the rest are not assessed)."""
    shape = (
        model.architecture,
        model.family,
        model.parameters.active_count,
        model.context_length,
        sizing,
    )
    known: dict[str, Assessment] = {} if memo is None else memo.setdefault(shape, {})
    # Every format stores each weight in at least its nominal bits: formats over the memory by
    # that bound alone are skipped without a full estimate (when offload is not allowed).
    limit = None
    if skip and hardware is not None and not hardware.ram_gib:
        limit = hardware.vram_bytes * hardware.gpus
    out = []
    for quant in quants:
        if not applies(quant, model.architecture.ternary):
            continue  # a format that cannot hold these weights (ternary vs not)
        if limit is not None and quant.nominal_bits / 8 * model.parameters.total > limit:
            continue
        kv = sizing.kv_dtype if quant.family == "gguf" else "fp16"
        found = known.get(f"{quant.name}/{kv}")
        if found is None:
            estimate = estimate_memory(
                model,
                quant,
                context=sizing.context,
                batch=sizing.batch,
                kv_dtype=kv,
                flash_attn=sizing.flash_attn,
            )
            found = assess(
                estimate,
                hardware,
                model.parameters.active_count,
                attention_width=attention_width_of(model),
            )
            known[f"{quant.name}/{kv}"] = found
        elif found.estimate.model != model.id:  # the same figures, under this model's id
            found = found._replace(estimate=found.estimate._replace(model=model.id))
        out.append(found)
        if enough is not None and enough(found):
            break
    return out


def runs(item: Assessment) -> bool:
    return item.fit is None or item.fit.verdict != "none"


def longest_context(model: Model, item: Assessment, hardware: Hardware | None) -> int:
    """The most tokens this format fits with the same placement (all on the GPUs stays on the
    GPUs; a format that does not fit at the asked context: any placement), capped at the
    model's context."""
    if hardware is None or item.fit is None:
        return model.context_length
    est = item.estimate
    placement = {"gpu": ("gpu",), "offload": ("gpu", "offload"), "cpu": ("cpu",)}
    allowed = placement.get(item.fit.verdict, ("gpu", "offload", "cpu"))

    def fits(tokens: int) -> bool:
        sized = estimate_memory(
            model,
            est.quant,
            context=tokens,
            batch=est.batch,
            kv_dtype=est.kv_dtype,
            flash_attn=est.flash_attn,
        )
        return check_fit(sized, hardware).verdict in allowed

    return max_context(fits, model.context_length)
