"""Print the compute-buffer estimate's error against buffer sizes printed in llama.cpp logs.

    python bench/buffers.py

Points: bench/data/compute_buffers.yaml (each with its source and the log line). The estimate
is estimate/memory.py's compute_buffer_bytes (no fitted constant: the sizes of the tensors live
at once for a 512-token micro-batch). The `fit` points are the ones the formula was checked on
while it was written; the `test` points were held aside. A second table holds the logs of
llama-server builds after PR #23861, which reserve fewer logits rows
(bench/data/compute_buffers_server.yaml), estimated both ways. A third holds buffers that
llama.cpp itself printed for shapes no published log covers, reproduced with bench/probe/
(bench/data/compute_buffers_reproduced.yaml, CPU backend of commit 0c1e570, 2026-10-01).
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path
from typing import Any

import yaml

from llm_pick.catalog.load import load_catalog
from llm_pick.catalog.shapes import Architecture
from llm_pick.estimate.memory import compute_buffer_bytes, host_buffer_bytes

DATA = Path(__file__).resolve().parent / "data" / "compute_buffers.yaml"
SERVER = Path(__file__).resolve().parent / "data" / "compute_buffers_server.yaml"
HOST = Path(__file__).resolve().parent / "data" / "host_buffers.yaml"
REPRODUCED = Path(__file__).resolve().parent / "data" / "compute_buffers_reproduced.yaml"
MIB = 2**20


class _Shape:
    """Just what compute_buffer_bytes reads from a model."""

    def __init__(self, arch: Architecture) -> None:
        self.architecture = arch


def rows() -> list[dict[str, Any]]:
    catalog = load_catalog(use_env=False)
    out = []
    for point in yaml.load(DATA.read_text(), Loader=yaml.CSafeLoader):
        if "architecture" in point:
            model: Any = _Shape(Architecture(**point["architecture"]))
        else:
            model = catalog.get(point["model"])
        estimate = compute_buffer_bytes(model, point["n_ctx"], 1, point["flash_attn"]) / MIB
        error = (estimate - point["mib"]) / point["mib"]
        out.append(point | {"estimate": estimate, "error": error})
    return out


def server_rows() -> list[dict[str, Any]]:
    """The post-PR #23861 llama-server logs: the estimate with the rows the build reserves
    (`estimate`) and with one row per micro-batch token (`ubatch_rows`)."""
    out = []
    for point in _server():
        model: Any = _Shape(Architecture(**point["architecture"]))
        ctx, fa = point["n_ctx"], point["flash_attn"]
        rows_ = compute_buffer_bytes(model, ctx, 1, fa, outputs=point["outputs"]) / MIB
        full = compute_buffer_bytes(model, ctx, 1, fa) / MIB
        error = (rows_ - point["mib"]) / point["mib"]
        out.append(point | {"estimate": rows_, "ubatch_rows": full, "error": error})
    return out


def reproduced_rows() -> list[dict[str, Any]]:
    """The buffers llama.cpp printed for the reproduced setups against compute_buffer_bytes
    of a current build with the rows each reserved (n_outputs_max 0: n_batch, so one per
    micro-batch token), plus the unused
    f32 input-embedding tensor the CPU backend holds (a GPU run keeps it in the host buffer)."""
    out = []
    for point in yaml.load(REPRODUCED.read_text(), Loader=yaml.CSafeLoader):
        model: Any = _Shape(Architecture(**point["architecture"]))
        rows_ = point["n_outputs_max"] or 2048  # 0: n_batch (2048), so one per token
        fa, streams = point["flash_attn"], point["n_seq_max"]
        if point.get("kv_unified", True):  # one stream of n_ctx cells
            ctx, streams = point["n_ctx"], 1
        else:  # llm-pick's --batch N: N streams of the per-sequence context
            ctx = point["n_ctx"] // streams
        device = compute_buffer_bytes(model, ctx, streams, fa, 512, outputs=rows_)
        estimate = (device + 4 * 512 * model.architecture.hidden_size) / MIB
        error = (estimate - point["mib"]) / point["mib"]
        out.append(point | {"estimate": estimate, "error": error})
    return out


def host_rows() -> list[dict[str, Any]]:
    """The logged host compute buffers against host_buffer_bytes (the micro-batch's input
    embeddings and the f32 mask)."""
    catalog = load_catalog(use_env=False)
    shapes = {
        p["model"]: p for p in yaml.load(DATA.read_text(), Loader=yaml.CSafeLoader) + _server()
    }
    out = []
    for point in yaml.load(HOST.read_text(), Loader=yaml.CSafeLoader):
        shape = shapes.get(point["model"], {})
        model: Any = (
            _Shape(Architecture(**shape["architecture"]))
            if "architecture" in shape
            else catalog.get(point["model"])
        )
        estimate = host_buffer_bytes(model, 1, 512, point["n_ctx"])[0] / MIB
        out.append(
            point | {"estimate": estimate, "error": (estimate - point["mib"]) / point["mib"]}
        )
    return out


def _server() -> list[dict[str, Any]]:
    points: list[dict[str, Any]] = yaml.load(SERVER.read_text(), Loader=yaml.CSafeLoader)
    return points


def main() -> int:
    table = rows()
    print(f"{'model':38} {'n_ctx':>6} {'FA':>3} {'log MiB':>8} {'est MiB':>8} {'error':>7}  set")
    for r in table:
        fa = "on" if r["flash_attn"] else "off"
        print(
            f"{r['model'][:38]:38} {r['n_ctx']:>6} {fa:>3} {r['mib']:>8.1f} "
            f"{r['estimate']:>8.1f} {100 * r['error']:>+6.1f}%  {r['set']}"
        )
    for name in ("fit", "test"):
        errors = [abs(r["error"]) for r in table if r["set"] == name]
        print(
            f"{name}: {len(errors)} points, median |error| {100 * statistics.median(errors):.1f}%,"
            f" max {100 * max(errors):.1f}%"
        )
    print("\nllama-server after PR #23861 (logits rows = slots):")
    print(
        f"{'model':38} {'n_ctx':>6} {'FA':>3} {'log MiB':>8} {'est MiB':>8} {'error':>7}  ub rows"
    )
    for r in server_rows():
        fa = "on" if r["flash_attn"] else "off"
        print(
            f"{r['model'][:38]:38} {r['n_ctx']:>6} {fa:>3} {r['mib']:>8.1f} "
            f"{r['estimate']:>8.1f} {100 * r['error']:>+6.1f}%  {r['ubatch_rows']:.1f}"
        )
    print("\nreproduced with llama.cpp 0c1e570, CPU backend (bench/probe):")
    head = f"{'model':22} {'n_ctx':>6} {'slots':>5} {'rows':>4} {'log MiB':>8} {'est MiB':>8}"
    print(f"{head} {'error':>7}")
    table = reproduced_rows()
    for r in table:
        rows_ = r["n_outputs_max"] or 512
        print(
            f"{r['model'][:22]:22} {r['n_ctx']:>6} {r['n_seq_max']:>5} {rows_:>4} {r['mib']:>8.2f} "
            f"{r['estimate']:>8.2f} {100 * r['error']:>+6.1f}%  {r['set']}"
        )
    for name in ("fit", "test"):
        errors = [abs(r["error"]) for r in table if r["set"] == name]
        print(f"{name}: {len(errors)} points, max |error| {100 * max(errors):.2f}%")
    print("\nhost compute buffers (input embeddings + f32 mask):")
    print(f"{'model':38} {'n_ctx':>6} {'log MiB':>8} {'est MiB':>8} {'error':>7}  build")
    for r in host_rows():
        print(
            f"{r['model'][:38]:38} {r['n_ctx']:>6} {r['mib']:>8.2f} {r['estimate']:>8.2f} "
            f"{100 * r['error']:>+6.1f}%  {r['era']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
