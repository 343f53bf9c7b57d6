"""The user's calibration (calibration.py) applied to a speed estimate: the measured shares
replace the speed model's for the same card and format family, when the whole model is on
the card(s), as it was in the runs. A correction never beats the memory bandwidth."""

from __future__ import annotations

from typing import Any

from llm_pick.estimate.fit import Fit
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.memory import Estimate
from llm_pick.estimate.moestep import step_read_bytes
from llm_pick.estimate.speed import Speed


def calibrated_speed(
    speed: Speed,
    estimate: Estimate,
    hardware: Hardware,
    fit: Fit,
    flops_per_token: float,
) -> Speed:
    """`speed` with the user's measured shares in place of the model's, when the user has
    runs on this card in this format family and the model is wholly on the card(s)."""
    table = hardware.calibration
    card = hardware.gpu
    if table is None or card is None or fit.verdict != "gpu" or speed.decode_expected is None:
        return speed
    found = table.correction(card.id, speed.family)
    if found is None:
        return speed
    changes: dict[str, Any] = {}
    if found.decode is not None and card.memory_bandwidth_gbs:
        step_bytes = step_read_bytes(estimate)
        bound = card.memory_bandwidth_gbs * 1e9 / step_bytes  # every byte read once
        stream = found.decode * bound
        scale = stream / speed.decode_expected
        changes |= {
            "decode_expected": stream,
            "decode_low": (speed.decode_low or 0) * scale,
            "decode_high": min(bound, (speed.decode_high or 0) * scale),
            "efficiency": found.decode,
        }
    prefill = speed.prefill_expected
    if found.prefill is not None and card.fp16_tflops and prefill and flops_per_token > 0:
        measured = found.prefill * card.fp16_tflops * 1e12 / flops_per_token
        scale = measured / prefill
        prefill = measured
        changes |= {
            "prefill_expected": measured,
            "prefill_low": (speed.prefill_low or 0) * scale,
            "prefill_high": (speed.prefill_high or 0) * scale,
        }
    if not changes:
        return speed
    if speed.aggregate_expected is not None:
        aggregate = estimate.batch * changes.get("decode_expected", speed.decode_expected)
        changes["aggregate_expected"] = min(aggregate, prefill) if prefill else aggregate
    plural = "run" if found.runs == 1 else "runs"
    said = f"calibrated from {found.runs} of your {plural} ({card.id}, {speed.family})"
    changes["note"] = "; ".join(part for part in (said, speed.note) if part)
    return speed._replace(**changes)
