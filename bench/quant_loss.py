"""Check the INT4 (AWQ, GPTQ W4A16 g128) quantization loss against rows it does not use.

    python bench/quant_loss.py

Rows: scoring/int4_tables.py (the QServe table: FP16 and INT4 WikiText-2 perplexity of the same
table, per model). A row's loss is r = ppl(INT4) / ppl(FP16) - 1, the quality kept 1 / (1 + r).

Split, by model, fixed before any result was printed: within each generation
(scoring/quant_tables.py GENERATIONS) and format, the row of the smallest model (by active
parameters; ties by id) is fit, every other row is held out. A held-out model is predicted as
scoring/quant_loss.py predicts a model without a row of its own: the fit row of its generation
nearest in size, its loss scaled by (N_fit / N)^GAMMA. A generation with one row has nothing
held out.

Bar, also fixed before: over the held-out rows, the median |error| of the kept quality must be
below that of scoring INT4 as lossless (kept 1.0: the behaviour before these tables), per
format. Printed: every fit row, every held-out row (measured, predicted, lossless), and the
median and worst |error| in percentage points of kept quality.

Then, apart: benchmark accuracy recovery at W4G128 (bench/data/int4_accuracy.yaml, Intel's
11-task zero-shot average), a different measure, printed beside the perplexity ratio of the same
model and never mixed into it or read by the score.
"""

from __future__ import annotations

import math
import statistics
import sys
from pathlib import Path
from typing import Any

import yaml

from llm_pick.catalog.load import load_catalog
from llm_pick.catalog.types import Model
from llm_pick.scoring.int4_tables import INT4
from llm_pick.scoring.quant_loss import GAMMA, generation


def kept(f16: float, ppl: float) -> float:
    return f16 / ppl


def split(fmt: str, lineage: dict[str, Model]) -> tuple[list[str], list[str]]:
    """(fit, held out) model ids of one format, by the rule above."""
    groups: dict[str, list[Model]] = {}
    for model_id in INT4[fmt]:
        model = lineage[model_id]
        groups.setdefault(generation(model, lineage) or model_id, []).append(model)
    fit: list[str] = []
    held: list[str] = []
    for members in groups.values():
        members.sort(key=lambda m: (m.parameters.active_count, m.id))
        fit.append(members[0].id)
        held += [m.id for m in members[1:]]
    return fit, held


def predict(model: Model, fit: list[str], fmt: str, lineage: dict[str, Model]) -> float:
    """Kept quality of `model` from the fit rows of its generation (the nearest in size)."""
    gen = generation(model, lineage)
    same = [lineage[m] for m in fit if generation(lineage[m], lineage) == gen]
    size = math.log(model.parameters.active_count)
    ref = min(same, key=lambda m: (abs(math.log(m.parameters.active_count) - size), m.id))
    row = INT4[fmt][ref.id]
    r = (row.ppl / row.f16 - 1) * (
        ref.parameters.active_count / model.parameters.active_count
    ) ** GAMMA
    return 1 / (1 + r)


class Result:
    def __init__(self, fmt: str, rows: list[tuple[str, float, float]], fit: list[str]) -> None:
        self.fmt, self.rows, self.fit = fmt, rows, fit  # rows: (model, measured, predicted)

    def errors(self) -> tuple[list[float], list[float]]:
        """|error| in percentage points of kept quality: the size rule, and lossless."""
        rule = [abs(p - m) * 100 for _, m, p in self.rows]
        lossless = [abs(1.0 - m) * 100 for _, m, _ in self.rows]
        return rule, lossless


def check(fmt: str) -> Result:
    lineage = {m.id: m for m in load_catalog()}
    fit, held = split(fmt, lineage)
    rows = []
    for model_id in held:
        row = INT4[fmt][model_id]
        rows.append(
            (model_id, kept(row.f16, row.ppl), predict(lineage[model_id], fit, fmt, lineage))
        )
    return Result(fmt, rows, fit)


ACCURACY = Path(__file__).resolve().parent / "data" / "int4_accuracy.yaml"


def accuracy_rows() -> list[tuple[str, str, float, float | None]]:
    """(model, format, accuracy recovery, perplexity kept of the same model and format)."""
    data: dict[str, Any] = yaml.load(ACCURACY.read_text(), Loader=yaml.CSafeLoader)
    out = []
    for model_id, row in data["rows"].items():
        for fmt, key in (("awq-4bit", "awq"), ("gptq-4bit", "gptq")):
            found = INT4[fmt].get(model_id)
            ppl = None if found is None else kept(found.f16, found.ppl)
            out.append((model_id, fmt, row[key] / row["fp16"], ppl))
    return out


def main() -> int:
    for fmt in INT4:
        result = check(fmt)
        print(f"{fmt}: fit rows (each the reference of its generation)")
        for model_id in result.fit:
            row = INT4[fmt][model_id]
            print(
                f"  {model_id:16s} FP16 {row.f16:5.2f}  INT4 {row.ppl:5.2f}  "
                f"kept {kept(row.f16, row.ppl):.4f}"
            )
        print(f"{fmt}: held out ({len(result.rows)} models)")
        for model_id, measured, predicted in result.rows:
            print(
                f"  {model_id:16s} measured {measured:.4f}  size rule {predicted:.4f} "
                f"({(predicted - measured) * 100:+.2f} pts)  lossless 1.0000 "
                f"({(1 - measured) * 100:+.2f} pts)"
            )
        rule, lossless = result.errors()
        print(
            f"  |error| size rule: median {statistics.median(rule):.2f} pts, "
            f"worst {max(rule):.2f}; "
            f"lossless: median {statistics.median(lossless):.2f}, worst {max(lossless):.2f}"
        )
    print("Benchmark accuracy recovery at W4G128 (another measure; not used by the score)")
    for model_id, fmt, recovery, ppl in accuracy_rows():
        beside = "no perplexity row" if ppl is None else f"perplexity kept {ppl:.4f}"
        print(f"  {model_id:16s} {fmt:9s} accuracy recovery {recovery:.4f}   {beside}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
