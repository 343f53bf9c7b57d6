"""Fit the quality scale's calibration (alpha, beta per benchmark key, the size prior and the
median fine-tune delta) on a catalog. Run by tools/fit_quality.py, which writes quality_fit.py;
a test checks the shipped constants equal a refit of the bundled catalog.

Alternating least squares, anchored on 5-shot MMLU (alpha 0, beta 1):
1. theta of every model from its own scores (and its base's theta for a fine-tune);
2. per key, the line logit(z) = alpha + beta * theta over the models that have it, with a ridge
   RIDGE * (beta - 1)^2 that keeps keys seen on few models near a parallel shift.
The code-only keys (quality.CODE_ONLY) get their lines against the theta found from the
general keys, and never enter that theta.
The typical fine-tune delta is taken over fine-tunes of `base` variants only: it is what an
instruction tune adds to a pretrained model, not to a model already tuned.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.catalog.types import Model
from llm_pick.scoring import prior as priors
from llm_pick.scoring.quality import BASE_WEIGHT, SCALES, observations, solve

ANCHOR = "mmlu"
RIDGE = 2.0
ROUNDS = 60
BETA_RANGE = (0.3, 3.0)


class Fit(NamedTuple):
    calibration: dict[str, tuple[float, float]]
    counts: dict[str, int]
    size_prior: tuple[float, float, float, float, float]
    typical_delta: float
    theta: dict[str, float]


def _order(models: dict[str, Model]) -> list[Model]:
    """Bases before their fine-tunes."""
    done: list[Model] = []
    placed: set[str] = set()

    def place(model: Model, depth: int = 0) -> None:
        if model.id in placed or depth > len(models):
            return
        base = models.get(model.base_model or "")
        if base is not None:
            place(base, depth + 1)
        placed.add(model.id)
        done.append(model)

    for model in sorted(models.values(), key=lambda m: m.id):
        place(model)
    return done


def _line(points: list[tuple[float, float]]) -> tuple[float, float]:
    """alpha, beta minimising sum (y - alpha - beta x)^2 + RIDGE (beta - 1)^2."""
    n = len(points)
    sx = sum(x for x, _ in points)
    sy = sum(y for _, y in points)
    sxx = sum(x * x for x, _ in points)
    sxy = sum(x * y for x, y in points)
    # normal equations: [n, sx; sx, sxx + R] [a; b] = [sy; sxy + R]
    a11, a12, a22 = float(n), sx, sxx + RIDGE
    b1, b2 = sy, sxy + RIDGE
    det = a11 * a22 - a12 * a12
    beta = (a11 * b2 - a12 * b1) / det
    beta = min(BETA_RANGE[1], max(BETA_RANGE[0], beta))
    alpha = (sy - beta * sx) / n
    return alpha, beta


def fit(catalog: Iterable[Model]) -> Fit:
    models = {m.id: m for m in catalog}
    order = _order(models)
    obs = {m.id: observations(m) for m in order}
    every = {m.id: observations(m, None) for m in order}
    keys = sorted({k for found in every.values() for k, _ in found})
    calibration = {k: (0.0, 1.0) for k in keys}
    theta: dict[str, float] = {}
    for _ in range(ROUNDS):
        theta = {}
        for model in order:
            base = models.get(model.base_model or "")
            prior = theta.get(base.id) if base is not None else None
            found = obs[model.id]
            if model.id not in theta and found:
                if _ == 0:  # first round: the anchor alone where present, else a plain mean
                    anchor = [y for k, y in found if k == ANCHOR]
                    ys = anchor or [y for _k, y in found]
                    start = sum(ys) / len(ys)
                    theta[model.id] = start if prior is None else (start + BASE_WEIGHT * prior) / 2
                else:
                    value = solve(found, calibration, prior)
                    if value is not None:
                        theta[model.id] = value
        for key in keys:
            if key == ANCHOR:
                continue
            points = [
                (theta[m], y)
                for m, found in every.items()
                for k, y in found
                if k == key and m in theta
            ]
            points = [(x, y) for x, y in points if math.isfinite(x)]
            if points:
                calibration[key] = _line(points)
    counts = {k: sum(1 for found in every.values() for kk, _ in found if kk == k) for k in keys}
    bases = [m for m in order if m.base_model is None and obs[m.id] and m.variant == "base"]
    size_prior = priors.fit(
        [
            (priors.size_term(m), when, theta[m.id])
            for m in bases
            if (when := priors.years(m)) is not None
        ]
    )
    deltas = []
    for model in order:
        base = models.get(model.base_model or "")
        if base is None or base.variant != "base":
            continue
        if obs[model.id] and model.id in theta and base.id in theta:
            deltas.append(theta[model.id] - theta[base.id])
    typical = statistics.median(deltas) if deltas else 0.0
    return Fit(calibration, counts, size_prior, typical, theta)


def render(result: Fit) -> str:
    """The text of quality_fit.py."""
    lines = [
        '"""Generated by tools/fit_quality.py from the bundled catalog: do not edit by hand.',
        "",
        "CALIBRATION: benchmark key -> (alpha, beta) of logit(z) = alpha + beta * theta.",
        "COUNTS: how many catalog models carry each key (the points each line was fitted on).",
        "SIZE_PRIOR: (a, b, c, newest, median): theta = a + b * log10(effective billions)",
        "  + c * min(years since 2023, newest), over base models (scoring/prior.py).",
        "TYPICAL_DELTA: median theta(fine-tune) - theta(base) over fine-tunes with own scores.",
        '"""',
        "",
        "CALIBRATION: dict[str, tuple[float, float]] = {",
    ]
    for key in sorted(result.calibration):
        if key not in SCALES:
            continue
        alpha, beta = result.calibration[key]
        lines.append(f'    "{key}": ({alpha:.4f}, {beta:.4f}),')
    lines.append("}")
    lines.append("COUNTS: dict[str, int] = {")
    for key in sorted(result.counts):
        lines.append(f'    "{key}": {result.counts[key]},')
    lines.append("}")
    terms = ", ".join(f"{v:.4f}" for v in result.size_prior)
    lines.append(f"SIZE_PRIOR = ({terms})")
    lines.append(f"TYPICAL_DELTA = {result.typical_delta:.4f}")
    return "\n".join(lines) + "\n"
