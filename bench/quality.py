"""Check the quality scale against data it does not use.

    python bench/quality.py

1. Chat: Spearman correlation between the fp16 quality value of the catalog's chat/instruct
   models and their AlpacaEval 2.0 length-controlled win rate (bench/data/alpacaeval2.yaml;
   no catalog entry carries AlpacaEval, so it is never an input).
2. Base: leave-one-out on 5-shot MMLU. For each base model with MMLU and at least two other
   benchmarks, its MMLU is removed, the scale is refitted on the rest of the catalog, and the
   model's MMLU-equivalent is predicted from its other benchmarks only. Printed: Spearman
   between predicted and published MMLU, and the median absolute error in MMLU points.
3. Prior: leave-one-out on the base models the prior is fitted on (scoring/prior.py). Each
   base's theta (from its own benchmarks) is predicted by the prior refitted without it, once
   with size and date (the shipped form) and once with active parameters alone (the form before):
   the median and worst theta error of each.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
import sys
from pathlib import Path
from typing import Any

import yaml

from llm_pick.catalog.load import load_catalog
from llm_pick.catalog.types import Model
from llm_pick.scoring import prior
from llm_pick.scoring.quality import ability, mmlu_equivalent, observations, value
from llm_pick.scoring.quality_calibrate import fit

ALPACAEVAL = Path(__file__).resolve().parent / "data" / "alpacaeval2.yaml"
CHAT_BAR = 0.90  # tests/test_bench_quality.py asserts the figures meet these bars
BASE_BAR = 0.90


def ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2
        i = j + 1
    return out


def spearman(a: list[float], b: list[float]) -> float:
    return statistics.correlation(ranks(a), ranks(b))


def chat_check() -> tuple[float, list[tuple[str, float, float]]]:
    catalog = load_catalog()
    lineage = {m.id: m for m in catalog}
    rows: list[dict[str, Any]] = yaml.load(ALPACAEVAL.read_text(), Loader=yaml.CSafeLoader)[
        "alpacaeval2_lc"
    ]
    points = []
    for row in rows:
        model = lineage.get(row["model"])
        if model is None:
            continue
        points.append((model.id, value(ability(model, lineage).theta), float(row["lc_win_rate"])))
    rho = spearman([p[1] for p in points], [p[2] for p in points])
    return rho, points


def _without(model: Model, key: str) -> Model:
    benchmarks = {k: v for k, v in model.benchmarks.items() if k != key}
    return dataclasses.replace(model, benchmarks=benchmarks)


def base_check() -> tuple[float, float, list[tuple[str, float, float]]]:
    catalog = list(load_catalog())
    points = []
    for model in catalog:
        others = [k for k in model.benchmarks if k != "mmlu"]
        if model.variant != "base" or "mmlu" not in model.benchmarks or len(others) < 2:
            continue
        held = _without(model, "mmlu")
        rest = [held if m.id == model.id else m for m in catalog]
        calibration = fit(rest).calibration
        lineage = {m.id: m for m in rest}
        found = ability(held, lineage, calibration)
        if found.estimated:
            continue
        points.append((model.id, mmlu_equivalent(found.theta), model.benchmarks["mmlu"].value))
    rho = spearman([p[1] for p in points], [p[2] for p in points])
    error = statistics.median(abs(p[1] - p[2]) for p in points)
    return rho, error, points


PRIOR_FORMS = ("size and date", "active parameters only")


def prior_check() -> dict[str, tuple[float, float, int]]:
    """Leave-one-out theta errors of the prior, per form: (median, worst, models)."""
    catalog = list(load_catalog())
    theta = fit(catalog).theta
    bases = [
        m
        for m in catalog
        if m.base_model is None and m.variant == "base" and observations(m) and m.id in theta
    ]
    bases = [m for m in bases if prior.years(m) is not None]
    out = {}
    for form in PRIOR_FORMS:
        errors = []
        for held in bases:
            rest = [m for m in bases if m is not held]
            if form == PRIOR_FORMS[0]:
                terms = prior.fit(
                    [(prior.size_term(m), prior.years(m) or 0.0, theta[m.id]) for m in rest]
                )
                guess, _ = prior.predict(held, terms)
            else:
                x = [math.log10(m.parameters.active_count / 1e9) for m in rest]
                terms = prior.fit([(v, 0.0, theta[m.id]) for v, m in zip(x, rest, strict=True)])
                a, b = terms[0], terms[1]
                guess = a + b * math.log10(held.parameters.active_count / 1e9)
            errors.append(abs(guess - theta[held.id]))
        out[form] = (statistics.median(errors), max(errors), len(errors))
    return out


def main() -> int:
    rho, points = chat_check()
    print(f"Chat: fp16 quality vs AlpacaEval 2.0 LC win rate (held aside), {len(points)} models")
    for model, quality, rate in sorted(points, key=lambda p: -p[1]):
        print(f"  {model:28s} quality {quality:.3f}   LC win rate {rate:5.1f}")
    print(f"  Spearman {rho:.3f} (bar {CHAT_BAR})")
    base_rho, error, base_points = base_check()
    print(f"Base: MMLU left out and predicted from the other benchmarks, {len(base_points)} models")
    for model, predicted, published in sorted(base_points, key=lambda p: -p[2]):
        print(f"  {model:28s} predicted {predicted:5.1f}   published {published:5.1f}")
    print(f"  Spearman {base_rho:.3f} (bar {BASE_BAR}), median |error| {error:.1f} MMLU points")
    print("Prior: each base model's theta predicted by the prior fitted without it")
    for form, (median, worst, count) in prior_check().items():
        print(
            f"  {form:24s} {count} models, median |error| {median:.2f}, worst {worst:.2f} (theta)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
