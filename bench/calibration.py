"""Print the weight estimator's error against real GGUF file sizes.

    python bench/calibration.py [--heldout]

Points: ../shared/reference/memory-calibration.yaml (the calibration set), and with
--heldout bench/data/gguf_sizes.yaml (other families and sizes, each with its source and
the llama.cpp version that made it). The estimate is tensor data only; a GGUF file adds
its header and tokenizer (0.7 MB for a 32K vocabulary, 7.8 MB for Llama 3's 128K).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import yaml

from llm_pick.catalog import load_catalog
from llm_pick.memory import weights
from llm_pick.quant import get_quant

ROOT = Path(__file__).resolve().parents[1]
CALIBRATION = ROOT.parent / "shared" / "reference" / "memory-calibration.yaml"
HELDOUT = ROOT / "bench" / "data" / "gguf_sizes.yaml"
UNITS = {"GB": 1e9, "GiB": 2**30, "MB": 1e6, "Size/GB": 1e9, "bytes": 1}


def calibration_points() -> list[tuple[str, str, str, float, float, str]]:
    data = yaml.safe_load(CALIBRATION.read_text())
    points = []
    for model_id in ("llama-2-7b-chat", "llama-3-8b"):
        block = data[model_id]
        for quant, size in block["sizes"].items():
            points.append(("calibration", model_id, quant, size, UNITS[block["units"]], block["units"]))
    return points


def heldout_points() -> list[tuple[str, str, str, float, float, str]]:
    points = []
    for block in yaml.safe_load(HELDOUT.read_text()):
        exact = block.get("bytes") or {}
        for quant, size in (block.get("sizes") or {}).items():
            if quant in exact or block["units"] == "bytes":
                continue
            points.append((block["repo"], block["model"], quant, size, UNITS[block["units"]], block["units"]))
        for quant, nbytes in exact.items():
            if quant.split("_first")[0] in ("q2_k", "q3_k_s", "q3_k_m", "q3_k_l", "q4_0", "q4_k_s",
                                            "q4_k_m", "q5_0", "q5_k_s", "q5_k_m", "q6_k", "q8_0"):
                points.append((block["repo"], block["model"], quant.split("_first")[0], nbytes, 1, "bytes"))
    return points


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--heldout", action="store_true", help="also the held-out files")
    args = parser.parse_args()
    catalog = load_catalog()
    points = calibration_points() + (heldout_points() if args.heldout else [])
    print(f"{'set':44s} {'model':26s} {'quant':7s} {'published':>14s} {'estimate':>14s} {'error':>8s}")
    errors: dict[str, list[float]] = {}
    for origin, model_id, quant, size, unit, unit_name in points:
        if model_id not in catalog:
            continue
        try:
            q = get_quant(quant)
        except Exception:
            continue
        estimate = weights(catalog.get(model_id), q).total / unit
        error = 100 * (estimate - size) / size
        errors.setdefault(origin, []).append(abs(error))
        shown = f"{size:,.2f} {unit_name}" if unit_name != "bytes" else f"{size / 1e9:,.3f} GB"
        est = f"{estimate:,.2f} {unit_name}" if unit_name != "bytes" else f"{estimate / 1e9:,.3f} GB"
        print(f"{origin:44s} {model_id:26s} {quant:7s} {shown:>14s} {est:>14s} {error:+7.2f}%")
    print()
    for origin, values in errors.items():
        print(f"{origin:44s} n={len(values):3d}  mean |error| {statistics.mean(values):5.2f}%  "
              f"max {max(values):5.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
