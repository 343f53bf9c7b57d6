"""One model on one machine in every candidate format: the assessments the ranking scores.
Pure functions; shapes shared by fine-tunes of one base are assessed once per query (memo)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llm_pick.catalog.types import Model
from llm_pick.estimate.assess import Assessment, assess_model
from llm_pick.estimate.cache import encoder_bytes
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.quant import Quant, applies
from llm_pick.estimate.sizing import Sizing


def assess_formats(  # noqa: PLR0913 (memo, skip and enough: keyword-only search options)
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
        encoder_bytes(model),  # a vision twin of a text model shares its shapes, not its mmproj
        sizing,
    )
    known: dict[str, Assessment] = {} if memo is None else memo.setdefault(shape, {})
    limit = memory_limit(hardware) if skip else None
    out = []
    for quant in quants:
        if cannot_hold(model, quant, limit):
            continue
        kv = sizing.kv_dtype if quant.family == "gguf" else "fp16"
        found = known.get(f"{quant.name}/{kv}")
        if found is None:
            # a quantized K or V cache is llama.cpp's: any other runtime (bitnet.cpp's I2_S
            # included) is sized with an fp16 cache, V as well as K
            plain = quant.family == "gguf" or (kv == sizing.kv_dtype and not sizing.v_dtype)
            sized = sizing if plain else sizing.with_kv(kv)
            found = assess_model(model, quant, sized, hardware)
            known[f"{quant.name}/{kv}"] = found
        elif found.estimate.model != model.id:  # the same figures, under this model's id
            found = found._replace(estimate=found.estimate._replace(model=model.id))
        out.append(found)
        if enough is not None and enough(found):
            break
    return out


def memory_limit(hardware: Hardware | None) -> int | None:
    """Every format stores each weight in at least its nominal bits: formats over the memory
    by that bound alone are skipped without a full estimate (when offload is not allowed)."""
    if hardware is None or hardware.ram_gib:
        return None
    return hardware.vram_bytes * hardware.gpus


def cannot_hold(model: Model, quant: Quant, limit: int | None) -> bool:
    """A format that cannot hold these weights (ternary vs not), or over `limit` by its bound."""
    if not applies(quant, model.architecture.ternary):
        return True
    return limit is not None and quant.nominal_bits / 8 * model.parameters.total > limit


def runs(item: Assessment) -> bool:
    return item.fit is None or item.fit.verdict != "none"
