"""Print the weight estimator's error against real GGUF file sizes.

    python bench/calibration.py [--heldout]

Points: ../shared/reference/memory-calibration.yaml (the calibration set) and, with
--heldout, bench/data/gguf_sizes.yaml (other families and sizes, each with its source and the
llama.cpp version that made it). The estimate is tensor data only; a GGUF file adds its header
and tokenizer (0.7 MB for a 32K vocabulary, 7.8 MB for Llama 3's 128K).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import yaml

from llm_pick.catalog.load import load_catalog
from llm_pick.errors import LlmPickError
from llm_pick.estimate.quant import get_quant
from llm_pick.estimate.weights import weights

ROOT = Path(__file__).resolve().parents[1]
CALIBRATION = ROOT.parent / "shared" / "reference" / "memory-calibration.yaml"
if not CALIBRATION.exists():  # a checkout without ../shared: the vendored copy
    CALIBRATION = ROOT / "tests" / "data" / "memory-calibration.yaml"
HELDOUT = ROOT / "bench" / "data" / "gguf_sizes.yaml"
UNITS = {"GB": 1e9, "GiB": 2**30, "MB": 1e6, "Size/GB": 1e9, "bytes": 1.0}

Point = tuple[str, str, str, float, float, str]  # source, model, quant, size, unit, unit name


def calibration_points() -> list[Point]:
    data = yaml.load(CALIBRATION.read_text(), Loader=yaml.CSafeLoader)
    points = []
    for model_id in ("llama-2-7b-chat", "llama-3-8b"):
        block = data[model_id]
        for quant, size in block["sizes"].items():
            points.append(
                ("calibration set", model_id, quant, size, UNITS[block["units"]], block["units"])
            )
    return points


def heldout_points() -> list[Point]:
    points: list[Point] = []
    for block in yaml.load(HELDOUT.read_text(), Loader=yaml.CSafeLoader):
        exact = {k.split("_first")[0]: v for k, v in (block.get("bytes") or {}).items()}
        if block["units"] != "bytes":
            for quant, size in (block.get("sizes") or {}).items():
                if quant not in exact:
                    points.append(
                        (
                            block["repo"],
                            block["model"],
                            quant,
                            size,
                            UNITS[block["units"]],
                            block["units"],
                        )
                    )
        for quant, nbytes in exact.items():
            points.append((block["repo"], block["model"], quant, float(nbytes), 1.0, "bytes"))
    return points


def evaluate(heldout: bool) -> list[tuple[Point, float, float]]:
    """(point, estimate in the point's unit, error %) for every point we can estimate."""
    catalog = load_catalog()
    out = []
    for point in calibration_points() + (heldout_points() if heldout else []):
        _, model_id, quant, size, unit, _ = point
        try:
            estimate = weights(catalog.get(model_id), get_quant(quant)).total / unit
        except LlmPickError:
            continue  # a model or format the catalog does not have
        out.append((point, estimate, 100 * (estimate - size) / size))
    return out


def errors_by_source(heldout: bool) -> list[tuple[str, str, list[float]]]:
    groups: dict[tuple[str, str], list[float]] = {}
    for point, _, error in evaluate(heldout):
        groups.setdefault((point[0], point[1]), []).append(abs(error))
    return [(source, model, values) for (source, model), values in groups.items()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--heldout", action="store_true", help="also the held-out files")
    args = parser.parse_args()
    print(
        f"{'published':44s} {'model':24s} {'quant':7s} {'size':>14s} {'estimate':>14s} "
        f"{'error':>8s}"
    )
    for (source, model_id, quant, size, _, unit), estimate, error in evaluate(args.heldout):
        scale = 1e9 if unit == "bytes" else 1.0
        shown_unit = "GB" if unit == "bytes" else unit
        print(
            f"{source[:44]:44s} {model_id:24s} {quant:7s} {size / scale:>9,.2f} {shown_unit:4s} "
            f"{estimate / scale:>9,.2f} {shown_unit:4s} {error:+7.2f}%"
        )
    print()
    for source, model_id, values in errors_by_source(args.heldout):
        print(
            f"{source[:44]:44s} {model_id:24s} n={len(values):3d}  mean |error| "
            f"{statistics.mean(values):5.2f}%  max {max(values):5.2f}%"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
