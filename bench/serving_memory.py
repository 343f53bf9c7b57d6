"""Compare the serving memory model (estimate/serving.py) with published vLLM start-up logs.

    python bench/serving_memory.py

Rows: bench/data/serving_memory.yaml, each with its source. For each log the card is given
the total memory vLLM printed, and the model's weights, activation peak and KV pool per card
are printed beside the logged figures (GiB) with the pool's error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

from llm_pick.catalog.load import load_catalog
from llm_pick.estimate import serving
from llm_pick.estimate.hardware import Hardware

ROOT = Path(__file__).resolve().parents[1]
LOGS = ROOT / "bench" / "data" / "serving_memory.yaml"
GIB = 2**30


def compare(log: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """{part: (estimated GiB, logged GiB)} for weights, activation and the KV pool."""
    model = load_catalog().get(log["model"])
    hardware = Hardware(
        label=log["id"],
        vram_gib=log["total_gib"],
        gpus=log["tensor_parallel"],
        bandwidth_gbs=None,
        fp16_tflops=None,
        source=log["source"],
    )
    fmt = serving.SERVING_FORMATS[log["format"]]
    mem = serving.serving_memory(model, fmt, hardware, 4096, log["utilization"])
    return {
        "weights": (mem.weights / GIB, log["weights_gib"]),
        "activation": (mem.activation / GIB, log["activation_gib"]),
        "kv_pool": (mem.kv_pool / GIB, log["kv_pool_gib"]),
    }


def load_logs(path: Path = LOGS) -> list[dict[str, Any]]:
    logs: list[dict[str, Any]] = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)["logs"]
    return logs


def main() -> int:
    for log in load_logs():
        print(log["id"])
        for part, (est, logged) in compare(log).items():
            print(
                f"  {part:10} estimated {est:7.2f} GiB  logged {logged:7.2f} GiB  "
                f"{(est - logged) / logged:+7.1%}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
