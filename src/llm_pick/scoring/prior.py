"""The quality prior of a model that publishes no benchmark on the scale and has no measured
lineage: its ability from its size and its release date, fitted on the catalog's base models.

    theta = a + b * log10(effective billions) + c * years since 2023-01-01

Effective billions: active^0.75 x total^0.25 parameters, so a mixture of experts counts for
more than its active parameters and less than its total. Newer releases are abler at one size
(over the base models: Llama 1 7B -1.36, Llama 3.1 8B +0.12, Ministral 3 8B +0.77). Both terms
were chosen by leave-one-out over the base models (`python bench/quality.py` prints it): the
median theta error of the active-parameters prior is 0.77, of this one 0.17. Weights of total
parameters from 0.25 to 0.75 fit alike (median 0.171-0.173; 0 gave 0.217): the smallest is taken,
so an estimate claims no more for a sparse model than the four MoE bases support. The date term is
not extended past the newest fitted base; an unknown date takes the fitted bases' median date.
"""

from __future__ import annotations

import math
from datetime import date

from llm_pick.catalog.types import Model

EPOCH = date(2023, 1, 1)
MOE_WEIGHT = 0.25  # log-weight of total parameters in the effective size


def size_term(model: Model) -> float:
    """log10 of the effective size in billions of parameters."""
    active = model.parameters.active_count / 1e9
    total = (model.parameters.total or model.parameters.active_count) / 1e9
    return (1 - MOE_WEIGHT) * math.log10(active) + MOE_WEIGHT * math.log10(max(total, active))


def years(model: Model) -> float | None:
    """Years from EPOCH to the release, None when the date is unknown."""
    if model.release_date is None:
        return None
    return (model.release_date - EPOCH).days / 365.25


def effective_billions(model: Model) -> float:
    return float(10 ** size_term(model))


def fit(points: list[tuple[float, float, float]]) -> tuple[float, float, float, float, float]:
    """(a, b, c, newest, median years) by least squares over (size term, years, theta)."""
    if len(points) < 3:
        return (0.0, 0.0, 0.0, 0.0, 0.0)
    rows = [(1.0, x, t) for x, t, _ in points]
    gram = [[sum(r[i] * r[j] for r in rows) for j in range(3)] for i in range(3)]
    rhs = [sum(r[i] * y for r, (_, _, y) in zip(rows, points, strict=True)) for i in range(3)]
    a, b, c = _solve(gram, rhs)
    spans = sorted(t for _, t, _ in points)
    return (a, b, c, spans[-1], spans[len(spans) // 2])


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (3 x 3)."""
    n = len(vector)
    m = [[*row, v] for row, v in zip(matrix, vector, strict=True)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        if m[col][col] == 0:
            return [0.0] * n
        for r in range(n):
            if r != col:
                factor = m[r][col] / m[col][col]
                m[r] = [x - factor * y for x, y in zip(m[r], m[col], strict=True)]
    return [m[i][n] / m[i][i] for i in range(n)]


def predict(model: Model, prior: tuple[float, float, float, float, float]) -> tuple[float, str]:
    """The prior's theta for `model`, and what it rests on, in words."""
    a, b, c, newest, median = prior
    when = years(model)
    used = median if when is None else min(when, newest)
    theta = a + b * size_term(model) + c * used
    active = model.parameters.active_count / 1e9
    total = (model.parameters.total or model.parameters.active_count) / 1e9
    if total > active * 1.01:
        w = MOE_WEIGHT
        size = f"{effective_billions(model):.1f}B effective parameters (active^{1 - w:g} x "
        size += f"total^{w:g} of {active:.1f}B active x {total:.1f}B total)"
    else:
        size = f"{active:.1f}B parameters"
    if when is None:
        dated = "release date unknown: the fitted bases' median date assumed"
    elif when > newest:
        dated = f"released {model.release_date}, dated as the newest fitted base"
    else:
        dated = f"released {model.release_date}"
    return theta, f"estimated: prior from size and date ({size}; {dated}; fitted on base models)"
