"""Print the speed model's error against published measurements, fit and test points apart.

    python bench/speed.py          # median and max |error| by kind, set and hardware class
    python bench/speed.py --fit    # refit the constants on the fit points and print them
    python bench/speed.py --worst  # also the ten largest errors

Points: bench/data/speed_points.yaml (each with its source and quoted row). The constants of
src/llm_pick/estimate/speed.py are fitted here on the `fit` points only: a linear least-squares
fit of seconds per token (relative residuals, Huber weights so a few failed runs do not steer
it). Error = (estimated - measured) / measured tokens/s, at the expected (central) value.
Prefill rows that bench/prefill_rows.py's rules set apart (a superseded build, a sweep whose rate
rises with the prompt) are neither fitted nor in the fit/test lines: they get an `apart` line.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import prefill_rows

from llm_pick.catalog.gpus import load_gpus
from llm_pick.catalog.load import load_catalog
from llm_pick.catalog.types import Model
from llm_pick.estimate import memkind, speed, speedkinds
from llm_pick.estimate.memory import estimate_memory

ROOT = Path(__file__).resolve().parents[1]
POINTS = ROOT / "bench" / "data" / "speed_points.yaml"
MORE = ROOT / "bench" / "data" / "speed_points_more.yaml"  # issue 20 (bench/merge_speed_points.py)
CPU_AMD = ROOT / "bench" / "data" / "speed_points_cpu_amd.yaml"  # x86 CPUs, AMD by runtime
CONTEXT = ROOT / "bench" / "data" / "speed_points_context.yaml"  # prefill at longer prompts
DATA20G = ROOT / "bench" / "data" / "speed_points_data20g.yaml"  # Intel GPUs, laptop, server CPU
CPU20I = ROOT / "bench" / "data" / "speed_points_cpu20i.yaml"  # Arm and x86 servers, CPU only
CPU20 = ROOT / "bench" / "data" / "speed_points_cpu20.yaml"  # M2 Max CPU by format and threads
# Collected after the last fit (the 2025-26 presets): scored, never fitted; each row's `set` is the
# split rule's, for the next refit (which must move them into DATA).
PRESETS26 = ROOT / "bench" / "data" / "speed_points_presets26.yaml"
UNSEEN = (PRESETS26,)
# CUDA depth sweeps with flash attention: read by bench/flash_slopes.py, not fitted here (their
# absolute level carries the build's matmul kernels; docs/methodology.md, "Prefill")
FLASH19J = ROOT / "bench" / "data" / "speed_points_flash19j.yaml"
# Flash attention apart: the groups with fit rows at depth; Apple's comes out at 0 s/FLOP (free
# attention beats any bound), so Apple keeps the weights' rate (docs/methodology.md, "Prefill").
FLASH_GROUPS = tuple(speedkinds.FLASH_INVERSE_EFFICIENCY)
FIT_APPLE_FLASH = speedkinds.APPLE_FLASH_ATTENTION is not None
HUBER = 0.1  # relative residual beyond which a point's weight falls as 1/residual


class Point(NamedTuple):
    id: str
    set: str
    kind: str  # decode | prefill
    hardware: str  # class for the report
    backend: str
    cards: int
    bandwidth_gbs: float
    tflops: float | None
    family: str
    layers: int
    read_bytes: float  # decode: weights + KV at the test's average context
    flops: float  # prefill: per prompt token
    measured: float  # tokens/s
    threads: int = speed.DEFAULT_CPU_THREADS  # CPU runs: llama-bench -t
    hbm: bool = False  # the card's memory is HBM (estimate/memkind.py)
    apple: tuple[str, int] | None = None  # Apple GPU: (generation, GPU cores)
    kernel: str = "generic"  # CPU kernel path (speed.PER_BYTE_THREAD): the point's `kernel`
    attention: float = 0.0  # prefill: FLOPs of attention run without flash attention (in flops)
    apart: str = ""  # the rule that sets the row apart (bench/prefill_rows.py), set "apart"
    intel: bool = False  # an Intel GPU (speed.INTEL_PER_BYTE), under SYCL or Vulkan
    flash: float = 0.0  # prefill: FLOPs of attention run with flash attention (in flops)


@cache
def _models() -> dict[str, Model]:
    return {m.id: m for m in load_catalog()}


DATA = (POINTS, MORE, CPU_AMD, CONTEXT, DATA20G, CPU20I, CPU20)


def load_points(paths: tuple[Path, ...] = DATA) -> list[Point]:
    devices: dict[str, dict[str, Any]] = {}
    raws: list[dict[str, Any]] = []
    for path in paths:
        data = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)  # libyaml: the same data
        devices |= data["devices"]
        raws += data["points"]
    presets = load_gpus()
    rising = prefill_rows.rising_sweeps(raws)
    points = []
    for raw in raws:
        model = _models()[raw["model"]]
        if raw["device"] in presets:
            gpu = presets[raw["device"]]
            bandwidth, tflops = gpu.memory_bandwidth_gbs, gpu.fp16_tflops
            kind = f"{gpu.vendor}-{gpu.kind}"
            hbm = memkind.is_hbm(gpu)
            intel = speedkinds.is_intel(gpu)
            apple = speedkinds.apple_chip(gpu.name, gpu.gpu_cores)
            if gpu.fp16_tflops_kind not in ("tensor-dense-fp16-accumulate", "matrix-dense"):
                tflops = None  # prefill is fitted on one FLOPS kind only
        else:
            device = devices[raw["device"]]
            bandwidth, tflops = device["bandwidth_gbs"], None
            kind = f"{_vendor(device['name'])}-{device['kind']}"
            hbm = "HBM" in str(device.get("memory", ""))
            intel = _vendor(device["name"]) == "intel"
            apple = speedkinds.apple_chip(device["name"], _cores(device["name"]))
        arch = model.architecture
        kv = 0
        if raw["kind"] == "decode":
            estimate = estimate_memory(model, raw["quant"], context=max(1, raw["context"]))
            weights, kv = estimate.active_weight_bytes, estimate.kv_cache_bytes
        else:
            weights = 0
        width = arch.layers * arch.attention_heads * arch.head_dim
        prompt, depth = raw.get("prompt", 0), raw.get("depth", 0)
        flops = speed.prefill_flops(model.parameters.active_count, width, prompt, depth)
        work = speedkinds.prompt_work(0, width, prompt, bool(raw.get("flash_attn")), depth)
        apart = prefill_rows.superseded(
            raw, speed.backend_group(raw["backend"]), bool(arch.experts)
        )
        apart = apart or ("rising_sweep" if raw["id"] in rising else "")
        cls = device_class(raw["device"], kind, raw["backend"])
        if raw["gpus"] > 1:
            cls = "multi-gpu"
        points.append(
            Point(
                raw["id"],
                "apart" if apart else raw["set"],
                raw["kind"],
                cls,
                raw["backend"],
                raw["gpus"],
                bandwidth,
                tflops,
                speed.format_family(raw["quant"]),
                arch.layers,
                weights + kv,
                flops,
                raw["tokens_per_second"],
                raw.get("threads") or speed.DEFAULT_CPU_THREADS,
                hbm and raw["backend"] != "cpu",
                apple if raw["backend"] == "metal" else None,
                raw.get("kernel", "generic"),
                work.attention if raw["kind"] == "prefill" else 0.0,
                apart,
                intel and raw["backend"] != "cpu",
                work.flash if raw["kind"] == "prefill" else 0.0,
            )
        )
    return points


def _cores(name: str) -> int | None:
    """GPU cores from a device name such as "Apple M2 Max (38-core GPU)"."""
    found = re.search(r"(\d+)-core GPU", name)
    return int(found.group(1)) if found else None


def _vendor(name: str) -> str:
    if "AMD" in name or "Radeon" in name:
        return "amd"
    return "intel" if "Intel" in name or "Arc" in name else "other"


def device_class(device: str, kind: str, backend: str) -> str:
    """The report's hardware class: apple, cpu, amd, intel, laptop, consumer, datacenter."""
    vendor, _, form = kind.partition("-")
    if backend == "cpu" or form == "apple":
        return "cpu" if backend == "cpu" else "apple"
    if vendor in ("amd", "intel"):
        return vendor
    return {"workstation": "consumer"}.get(form, form)


# ---- the model, as features linear in the constants ---------------------------------------


def decode_features(p: Point) -> dict[str, float]:
    """step seconds = sum(constant x feature): mirrors speed.step_seconds."""
    group = speed.backend_group(p.backend)
    runtime = p.family if p.family in ("gptq", "awq") else group
    where = group if group in ("metal", "cpu") else "gpu"
    features = {
        f"PER_LAYER[{runtime}]": float(p.layers),
        f"PER_BYTE[{group}]": p.read_bytes,
        f"INVERSE_EFFICIENCY[{p.family},{where}]": p.read_bytes / (p.bandwidth_gbs * 1e9),
    }
    if group == "cpu":  # the cores' side of a CPU step is shared by its threads
        path = speed.thread_path(p.family, p.kernel)
        features[f"PER_BYTE_THREAD[{path}]"] = features.pop(f"PER_BYTE[{group}]") / p.threads
        features["CPU_SYNC"] = float(p.layers * p.threads)  # a barrier per op, all threads meet
    if p.hbm:  # HBM: a batch-1 step keeps too few reads in flight to reach its peak
        features["HBM_INVERSE_EFFICIENCY"] = p.read_bytes / (p.bandwidth_gbs * 1e9)
    if p.backend == "rocm":  # ROCm's HIP kernels read less of the bandwidth than Vulkan's
        features["ROCM_INVERSE_EFFICIENCY"] = p.read_bytes / (p.bandwidth_gbs * 1e9)
    if p.intel:  # Intel GPUs: a kernel cost per byte that does not scale with the bandwidth
        features["INTEL_PER_BYTE"] = p.read_bytes
    if p.cards > 1:
        features["SPLIT_SECONDS"] = float(p.cards - 1)
    return features


def prefill_features(p: Point) -> dict[str, float]:
    """Attention without flash attention apart (its own constant) where sweeps were collected."""
    family = "16-bit" if p.family == "16-bit" else "quantized"
    if p.apple:  # no published FLOPS: a rate per GPU core, by generation
        chip, cores = p.apple
        flash = p.flash if FIT_APPLE_FLASH else 0.0
        found = {f"APPLE_PREFILL[{chip},{family}]": (p.flops - p.attention - flash) / cores}
        found |= {"APPLE_FLASH_ATTENTION": flash / cores} if flash else {}
        return found | ({"APPLE_ATTENTION": p.attention / cores} if p.attention else {})
    assert p.tflops
    group = speed.backend_group(p.backend)
    apart = p.attention if group in speedkinds.ATTENTION_INVERSE_EFFICIENCY else 0.0
    flash = p.flash if group in FLASH_GROUPS else 0.0
    found = {
        f"INVERSE_PREFILL_EFFICIENCY[{family}]": (p.flops - apart - flash) / (p.tflops * 1e12),
        f"PREFILL_PER_FLOP[{group}]": p.flops - apart - flash,
    }
    if apart:
        found[f"ATTENTION_INVERSE_EFFICIENCY[{group}]"] = apart / (p.tflops * 1e12)
    if flash:
        found[f"FLASH_INVERSE_EFFICIENCY[{group}]"] = flash / (p.tflops * 1e12)
    return found


def usable(p: Point) -> bool:
    if p.kind == "prefill":
        return (p.tflops is not None or p.apple is not None) and p.cards == 1
    return True


def lower_bound(name: str) -> float:
    """Physics: an inverse efficiency, attention's too, is at least 1 (no step beats the bandwidth
    or FLOPS it divides by); every other constant (HBM, ROCm addends too) is a cost, at least 0."""
    whole = ("INVERSE_", "ATTENTION_INVERSE_", "FLASH_INVERSE_")
    return 1.0 if name.startswith(whole) else 0.0


def fit(points: list[Point], features: Callable[[Point], dict[str, float]]) -> dict[str, float]:
    """Least squares on relative residuals of seconds per token, with Huber weights; a
    constant that comes out below its physical bound is fixed at the bound and the rest
    refitted."""
    rows = [(features(p), 1 / p.measured) for p in points]
    names = sorted({name for row, _ in rows for name in row})
    fixed: dict[str, float] = {}
    while True:
        free = [n for n in names if n not in fixed]
        beta = _huber(rows, free, fixed)
        worst = min(free, key=lambda n: beta[n] - lower_bound(n))
        if beta[worst] >= lower_bound(worst):
            return {n: beta.get(n, fixed.get(n, 0.0)) for n in names}
        fixed[worst] = lower_bound(worst)


def _huber(
    rows: list[tuple[dict[str, float], float]], names: list[str], fixed: dict[str, float]
) -> dict[str, float]:
    weights = [1.0] * len(rows)
    beta = [0.0] * len(names)
    for _ in range(30):
        matrix = [[0.0] * len(names) for _ in names]
        vector = [0.0] * len(names)
        for (row, y), w in zip(rows, weights, strict=True):
            x = [row.get(n, 0.0) / y for n in names]  # relative: divide by the measurement
            target = 1 - sum(v * row.get(n, 0.0) for n, v in fixed.items()) / y
            for i, xi in enumerate(x):
                if xi:
                    vector[i] += w * xi * target
                    for j, xj in enumerate(x):
                        matrix[i][j] += w * xi * xj
        beta = _solve(matrix, vector)
        residuals = [
            (
                sum(b * row.get(n, 0.0) for b, n in zip(beta, names, strict=True))
                + sum(v * row.get(n, 0.0) for n, v in fixed.items())
            )
            / y
            - 1
            for row, y in rows
        ]
        weights = [1.0 if abs(r) <= HUBER else HUBER / abs(r) for r in residuals]
    return dict(zip(names, beta, strict=True))


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (a few unknowns; no numpy needed)."""
    n = len(vector)
    rows = [[*matrix[i], vector[i]] for i in range(n)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(n):
            if r != col and rows[col][col]:
                factor = rows[r][col] / rows[col][col]
                for k in range(col, n + 1):
                    rows[r][k] -= factor * rows[col][k]
    return [rows[i][n] / rows[i][i] for i in range(n)]


def constants(points: list[Point]) -> dict[str, float]:
    chosen = [p for p in points if p.set == "fit" and usable(p)]
    decode = fit([p for p in chosen if p.kind == "decode"], decode_features)
    prefill = fit([p for p in chosen if p.kind == "prefill"], prefill_features)
    return decode | prefill


# ---- the package's estimate for a point -----------------------------------------------------


def decode_step(p: Point) -> float | None:
    """Seconds of one decode step the package's speed model gives for the point."""
    return speed.step_seconds(
        p.read_bytes,
        p.layers,
        family=p.family,
        backend=p.backend,
        bandwidth_gbs=p.bandwidth_gbs,
        cards=p.cards,
        threads=p.threads,
        hbm=p.hbm,
        kernel=p.kernel,
        intel=p.intel,
    )


def estimated(p: Point) -> float | None:
    """Tokens/s the package's speed model gives for the point (expected value)."""
    if p.kind == "decode":
        seconds = decode_step(p)
    else:
        work = speedkinds.Work(p.flops, p.attention, p.flash)
        if p.apple:
            seconds = speedkinds.apple_prefill_seconds(work, *p.apple, p.family)
        else:
            seconds = speed.prefill_seconds(work, p.tflops, p.family, p.backend)
    return None if seconds is None else 1 / seconds


def errors(points: Iterable[Point]) -> list[tuple[Point, float]]:
    """(point, relative error of the estimate) for every usable point."""
    found = []
    for p in points:
        value = estimated(p) if usable(p) else None
        if value is not None:
            found.append((p, value / p.measured - 1))
    return found


class Row(NamedTuple):
    kind: str
    set: str
    hardware: str
    points: int
    median: float  # |error|, share
    maximum: float


def summary(points: list[Point] | None = None) -> list[Row]:
    """Median and max |error| by kind and set, overall ('all') and per hardware class."""
    found = errors(points if points is not None else load_points())
    rows = []
    for kind in ("decode", "prefill"):
        for which in ("fit", "test", "apart"):
            chosen = [(p, e) for p, e in found if p.kind == kind and p.set == which]
            classes = ["all", *sorted({p.hardware for p, _ in chosen})]
            for cls in classes:
                values = [abs(e) for p, e in chosen if cls in ("all", p.hardware)]
                if values:
                    rows.append(
                        Row(kind, which, cls, len(values), statistics.median(values), max(values))
                    )
    return rows


def unseen_errors() -> list[tuple[Point, float]]:
    """(point, relative error) of the rows in UNSEEN files, at the current constants."""
    ids = {raw["id"] for path in UNSEEN for raw in yaml.safe_load(path.read_text())["points"]}
    return [(p, e) for p, e in errors(load_points(DATA + UNSEEN)) if p.id in ids]


def scatter(points: list[Point], kind: str) -> tuple[float, float]:
    """10th and 90th percentiles of measured / expected on the fit points (the range); kind
    "cpu" is the CPU-only decode rows, which "decode" leaves out (CPU cores differ more)."""

    def chosen(p: Point) -> bool:
        cpu = p.kind == "decode" and p.backend == "cpu"
        return p.set == "fit" and (cpu if kind == "cpu" else p.kind == kind and not cpu)

    ratios = sorted(1 / (1 + e) for p, e in errors(points) if chosen(p))
    cuts = statistics.quantiles(ratios, n=10)
    return cuts[0], cuts[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="refit and print the constants")
    parser.add_argument("--worst", action="store_true", help="list the ten largest errors")
    args = parser.parse_args()
    points = load_points()
    if args.fit:
        for name, value in constants(points).items():
            print(f"{name} = {value:.3g}")
        for kind in ("decode", "prefill", "cpu"):
            low, high = scatter(points, kind)
            name = "CPU_DECODE" if kind == "cpu" else kind.upper()
            print(f"{name}_SCATTER = ({low:.2f}, {high:.2f})")
        return 0
    print(f"{'kind':8} {'set':5} {'hardware':12} {'points':>6} {'median':>8} {'max':>8}")
    for row in summary(points):
        print(
            f"{row.kind:8} {row.set:5} {row.hardware:12} {row.points:6d} "
            f"{row.median:8.1%} {row.maximum:8.1%}"
        )
    print("\nnot fitted (" + ", ".join(path.name for path in UNSEEN) + "):")
    for p, e in unseen_errors():
        print(f"  {e:+7.1%}  {p.set:4}  {p.hardware:9} {p.id} ({p.measured:g} tok/s)")
    if args.worst:
        print("\nlargest errors (estimated / measured - 1):")
        for p, e in sorted(errors(points), key=lambda pe: -abs(pe[1]))[:10]:
            print(f"  {e:+7.1%}  {p.set:4}  {p.id} ({p.measured:g} tok/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
