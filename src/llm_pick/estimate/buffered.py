"""Compute buffers measured on the user's machine (`llm-pick calibrate` on llama.cpp load
logs, calibration.py) used in place of the formula's (memory.compute_buffer_bytes).

A logged buffer applies to a model of the same shape (every n_layer, n_embd, n_vocab,
n_head, n_head_kv, n_ff the log printed equals the model's; a log that printed none applies
to a model of the same general.name) on the same card, with the same micro-batch and flash
attention setting. At the log's context the measured bytes replace the formula's; at
another context the formula's bytes are scaled by measured / formula at the log's context.
A log more than MAX_RATIO off the formula is taken for another setup and not used."""

from __future__ import annotations

import re
from collections.abc import Callable

from llm_pick.catalog.types import Model
from llm_pick.errors import LlmPickError
from llm_pick.estimate.calibration import Buffers
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.memory import MEASURED as MEASURED
from llm_pick.estimate.memory import UBATCH, Estimate

MAX_RATIO = 4.0
_FIELDS = {
    "n_layer": "layers",
    "n_embd": "hidden_size",
    "n_vocab": "vocab_size",
    "n_head": "attention_heads",
    "n_head_kv": "kv_heads",
    "n_ff": "intermediate_size",
}


def _plain(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def same_model(found: Buffers, model: Model) -> bool:
    """The logged model has this model's shape (or, with no shape printed, its name)."""
    if found.shape:
        arch = model.architecture
        return all(getattr(arch, _FIELDS[key]) == value for key, value in found.shape)
    return bool(found.model_name) and _plain(found.model_name or "") == _plain(model.name)


def matching(estimate: Estimate, model: Model, hardware: Hardware) -> list[Buffers]:
    """The stored buffers that speak for this estimate on this hardware: the latest log's
    (its largest card's buffer first)."""
    table = hardware.calibration
    if table is None or estimate.mode != "inference":
        return []
    cards = {card.id for card in hardware.mixed} or ({hardware.gpu.id} if hardware.gpu else set())
    found = [
        b
        for b in table.buffers
        if b.device in cards
        and b.context is not None
        and b.flash_attn == estimate.flash_attn
        and (b.ubatch or UBATCH) == estimate.ubatch
        and same_model(b, model)
    ]
    if not found:
        return []
    latest = found[-1].source
    return sorted((b for b in found if b.source == latest), key=lambda b: -b.compute_bytes)


def measured_buffer(
    estimate: Estimate, model: Model, hardware: Hardware, at: Callable[[int], Estimate]
) -> Estimate:
    """`estimate` with the compute buffer of the user's load log, when one matches; `at(n)`
    is the same estimate at n tokens."""
    found = matching(estimate, model, hardware)
    if not found:
        return estimate
    log = found[0]
    tokens = log.context or estimate.context
    try:
        formula = estimate if tokens == estimate.context else at(tokens)
    except LlmPickError:  # the log's context is beyond the model's: not the same setup
        return estimate
    if formula.compute_buffer_bytes <= 0:
        return estimate
    ratio = log.compute_bytes / formula.compute_buffer_bytes
    if not 1 / MAX_RATIO <= ratio <= MAX_RATIO:
        return estimate
    new = round(estimate.compute_buffer_bytes * ratio)
    said = (
        f"{MEASURED} {log.source}: {log.compute_bytes / 2**20:.2f} MiB "
        f"at {tokens} tokens on {log.device}"
    )
    if tokens != estimate.context:
        said += f", scaled to {estimate.context} tokens ({ratio:.2f} x the formula)"
    return estimate._replace(
        compute_buffer_bytes=new,
        overhead_bytes=estimate.overhead_bytes - estimate.compute_buffer_bytes + new,
        assumptions=(said, *estimate.assumptions),
    )
