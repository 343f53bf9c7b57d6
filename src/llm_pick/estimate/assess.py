"""One model at one format on (optionally) given hardware: fit verdict and speed."""

from __future__ import annotations

from typing import NamedTuple

from llm_pick.estimate.fit import Fit, check_fit
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.memory import Estimate
from llm_pick.estimate.speed import Speed, estimate_speed


class Assessment(NamedTuple):
    """One model at one quantization on (optionally) given hardware."""

    estimate: Estimate
    fit: Fit | None
    speed: Speed | None

    def as_dict(self) -> dict[str, object]:
        data = self.estimate.as_dict()
        data["fit"] = self.fit.as_dict() if self.fit else None
        data["speed"] = self.speed.as_dict() if self.speed else None
        return data


def assess(
    estimate: Estimate,
    hardware: Hardware | None,
    active_params: int,
    *,
    attention_width: int = 0,
) -> Assessment:
    """`attention_width` = layers x attention heads x head dim (prefill's attention FLOPs)."""
    if hardware is None:
        return Assessment(estimate, None, None)
    fit = check_fit(estimate, hardware)
    if estimate.mode != "inference":  # training speed is not modelled: no inference figures
        return Assessment(estimate, fit, None)
    speed = estimate_speed(estimate, hardware, fit, active_params, attention_width=attention_width)
    return Assessment(estimate, fit, speed)
