"""Print the serving model's error against published vLLM/NIM serving tables, fit and
held-out rows apart.

    python bench/serving.py          # each row's estimate and error; median and max by split
    python bench/serving.py --fit    # grid-fit the constants on the fit rows and print them

Rows: bench/data/serving_rows.yaml (copied from research with their sources: every row of
a table whose model is in the catalog and whose card's bandwidth is known). Split by
SOURCE, not by row, so that no held-out table has sibling rows in the fit: a row's source
is the first URL of its `source` field. Sources added from serve20 on carry the pass that
added them (`added`); those of a pass named in the file's `held_out_passes` are held out
whole (serve20 named its own before printing any estimate of them). Of the earlier sources,
ordered by sha256 of the URL, the first third (rounded to nearest, at least one) are held
out, a rule fixed before the last three of them were added. The constants in
src/llm_pick/estimate/serving.py come from --fit on the fit rows only. Error = (estimated -
published) / published aggregate output tokens/s. Rows whose table prints a p99 request
latency are also compared on that, and rows that print TTFT and TPOT on those. A row whose
figure disagrees with what its own table prints besides it (its throughput and p99 allow
fewer tokens per request than its stated lengths, or its throughput x the run's duration
does not give its stated output) is set aside (consistent): kept and printed, neither
fitted nor counted.

    python bench/serving.py --growth # also each fit table's step time per added sequence
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import re
import statistics
import sys
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from llm_pick.catalog.gpus import load_gpus
from llm_pick.catalog.load import load_catalog
from llm_pick.catalog.types import Model
from llm_pick.estimate import serving
from llm_pick.estimate.hardware import Hardware

ROOT = Path(__file__).resolve().parents[1]
ROWS = ROOT / "bench" / "data" / "serving_rows.yaml"
GRID = {
    "BANDWIDTH_EFFICIENCY": (0.65, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0),
    "COMPUTE_EFFICIENCY": (0.15, 0.2, 0.25, 0.35, 0.5, 0.65, 0.8),
    "PREFILL_EFFICIENCY": (0.5, 0.75, 1.0),
    "STEP_SECONDS": (0.0, 0.0015, 0.003, 0.005),
    "TP_LAYER_SECONDS": (0.0, 0.00002, 0.00004, 0.00008),
    "ROCM_EFFICIENCY": (0.3, 0.4, 0.5, 0.6, 0.8, 1.0),
    "ALLREDUCE_GBS": (0.0, 50.0, 75.0, 100.0, 150.0, 300.0),  # 0: payload not charged
}


class Row(NamedTuple):
    id: str
    source: str  # the first URL of the row's source: the unit of the split
    held_out: bool
    published: float  # aggregate output tokens/s
    model: str
    fmt: str
    hardware: Hardware
    batch: int
    prompt: int
    output: int
    requests: int | None  # requests the run sent in all (num_prompts), where the source says
    p99_seconds: float | None  # the table's p99 request latency, where it prints one
    cached: int  # prompt tokens served from the prefix cache (prefix_cached rows)
    total: float | None  # the table's throughput counting prompt and output tokens, if printed
    kv: str = "bf16"  # the KV cache type the source served with (kv_dtype; fp8: --kv-cache-dtype)
    ttft_ms: float | None = None  # the table's time to first token (mean or median, see `timing`)
    tpot_ms: float | None = None  # the table's time per output token after the first
    duration_s: float | None = None  # the run's printed duration (benchmark duration)


_URL = re.compile(r"https?://[^\s'\")]+")


def source_key(source: str) -> str:
    """The first URL of a row's source text (its table's publication)."""
    found = _URL.search(source)
    if found is None:
        raise ValueError(f"serving row source names no URL: {source[:60]!r}")
    return found.group(0).rstrip(".,;")


def held_out_sources(sources: set[str]) -> set[str]:
    """A third of the sources (at least one), chosen by the order of their sha256."""
    ranked = sorted(sources, key=lambda s: hashlib.sha256(s.encode()).hexdigest())
    return set(ranked[: max(1, round(len(ranked) / 3))])


def _hardware(device: dict[str, Any], gpus: int) -> Hardware:
    preset = device.get("preset")
    if preset:
        return Hardware.from_gpu(preset, gpus)
    return Hardware(
        label=device["label"],
        vram_gib=device["memory_gib"],
        gpus=gpus,
        bandwidth_gbs=device["bandwidth_gbs"],
        fp16_tflops=device["fp16_tflops"],
        source="bench/data/serving_rows.yaml",
    )


def split_sources(rows: list[dict[str, Any]], passes: list[str]) -> set[str]:
    """The held-out sources: every source a pass in `passes` added (its rows' `added`), whole;
    of the sources added before passes were recorded, the sha256 third (held_out_sources)."""
    keys = {r["id"]: source_key(r["source"]) for r in rows}
    new = {keys[r["id"]] for r in rows if r.get("added") in passes}
    old = {keys[r["id"]] for r in rows if "added" not in r} - new
    return new | held_out_sources(old)


def load_rows(path: Path = ROWS) -> list[Row]:
    data = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
    devices = data["devices"]
    keys = {r["id"]: source_key(r["source"]) for r in data["rows"]}
    held = split_sources(data["rows"], data.get("held_out_passes", []))
    out = []
    for r in data["rows"]:
        out.append(
            Row(
                id=r["id"],
                source=keys[r["id"]],
                held_out=keys[r["id"]] in held,
                published=float(r["output_tokens_per_second"]),
                model=r["model"],
                fmt=r["format"],
                hardware=_hardware(devices[r["device"]], r["tensor_parallel"]),
                batch=r["concurrency"],
                prompt=r["input_len"],
                output=r["output_len"],
                requests=r.get("requests"),
                p99_seconds=r.get("latency_s_p99"),
                cached=r["input_len"] if r.get("prefix_cached") else 0,
                total=r.get("total_tokens_per_second"),
                kv=r.get("kv_dtype", "bf16"),
                ttft_ms=r.get("ttft_ms"),
                tpot_ms=r.get("tpot_ms"),
                duration_s=r.get("duration_s"),
            )
        )
    return out


@cache
def _model(model_id: str) -> Model:
    return load_catalog().get(model_id)


def _speed(row: Row) -> serving.ServingSpeed:
    model = _model(row.model)
    fmt = serving.SERVING_FORMATS[row.fmt]
    context = row.prompt + row.output
    memory = serving.serving_memory(model, fmt, row.hardware, context, kv_dtype=row.kv)
    load = serving.Load(row.batch, row.prompt, row.output, row.requests, row.cached, row.kv)
    return serving.serving_speed(model, fmt, row.hardware, load, memory.sequences)


def estimate(row: Row) -> float:
    return _speed(row).aggregate


def request_seconds(row: Row) -> float:
    """The model's time for one request of a full round: every prefill of the round plus
    `output` decode steps (what a request's end-to-end latency measures)."""
    return row.output / _speed(row).per_stream


def tokens_per_request(row: Row) -> float | None:
    """The most tokens a request of the row's run can have carried, from the table's own
    throughput (prompt and output tokens) and p99 latency: R requests with at most B in
    flight run in ceil(R / B) waves, each over by about the p99 (99 of 100 requests end
    within it), so tokens per request <= total x waves x p99 / R. None where the table does
    not print both. A bound below the stated prompt + output means the row's stated lengths
    are not what ran, so a throughput derived from them (a token ratio) is unsound."""
    if row.total is None or row.p99_seconds is None or row.requests is None:
        return None
    flight = max(1, min(row.batch, row.requests))
    waves = -(-row.requests // flight)
    return row.total * waves * row.p99_seconds / row.requests


def per_sequence(row: Row) -> tuple[float, float, float]:
    """The model's decode-step seconds each further sequence adds on the row's cards:
    (compute, all-reduce payload, cache read)."""
    model, fmt, hardware = _model(row.model), serving.SERVING_FORMATS[row.fmt], row.hardware
    tp, share = hardware.gpus, serving._efficiency(hardware)
    tflops = serving._tflops(fmt, hardware) or 0.0
    rate = tflops * 1e12 * serving.COMPUTE_EFFICIENCY * share
    compute = 2 * serving._active_params(model) / tp / rate if rate else 0.0
    tokens = row.prompt + row.output // 2
    read = (hardware.bandwidth_gbs or 0.0) * 1e9 * serving.BANDWIDTH_EFFICIENCY * share
    cache = tokens * serving.kv_bytes_per_token(model, tp, row.kv) / read
    return compute, serving.allreduce_seconds(model, tp, 1), cache


def growth(rows: list[Row]) -> list[tuple[str, int, int, float, float]]:
    """(table, batch, next batch, published, model) seconds per output step added by each
    further sequence between the two largest batches of each fit table (one source, model
    and prompt length): the slope of the step time with the batch."""
    tables: dict[tuple[str, str, int], list[Row]] = {}
    for row in rows:
        if split(row) == "fit":
            tables.setdefault((row.source, row.model, row.prompt), []).append(row)
    out = []
    for (_, model, prompt), part in tables.items():
        big = sorted({r.batch: r for r in part}.values(), key=lambda r: r.batch)[-2:]
        if len(big) < 2:
            continue
        low, high = big
        step = [(r.batch / r.published, r.batch / estimate(r)) for r in (low, high)]
        span = high.batch - low.batch
        published = (step[1][0] - step[0][0]) / span
        modelled = (step[1][1] - step[0][1]) / span
        out.append((f"{model} {prompt} in", low.batch, high.batch, published, modelled))
    return out


def errors(rows: list[Row]) -> list[float]:
    return [(estimate(r) - r.published) / r.published for r in rows]


def output_per_request(row: Row) -> float | None:
    """Output tokens per request that the row's throughput and its run's printed duration
    give (throughput x duration / requests); None where the table prints no duration."""
    if row.duration_s is None or row.requests is None:
        return None
    return row.published * row.duration_s / row.requests


def consistent(row: Row) -> bool:
    """Whether the row's figure agrees with what its own table prints besides it, checked
    the same way for every row and without the model: the tokens per request its total
    throughput and p99 allow reach the stated prompt + output (within 5%), and its output
    throughput times the printed duration gives the stated output per request (within 5%).
    A row that fails is set aside: kept in the file, printed, neither fitted nor counted in
    the split's figures."""
    bound = tokens_per_request(row)
    if bound is not None and bound < 0.95 * (row.prompt + row.output):
        return False
    carried = output_per_request(row)
    return carried is None or abs(carried / row.output - 1) <= 0.05


def split(row: Row) -> str:
    if not consistent(row):
        return "set aside"
    return "held-out" if row.held_out else "fit"


def summary(rows: list[Row]) -> dict[str, tuple[int, float, float]]:
    """{split: (rows, median |error|, max |error|)}: fit, held-out, and the rows set aside
    (inconsistent with their own table, see consistent) where there are any."""
    out = {}
    for name in ("fit", "held-out", "set aside"):
        part = [r for r in rows if split(r) == name]
        if part:
            errs = [abs(e) for e in errors(part)]
            out[name] = (len(part), statistics.median(errs), max(errs))
    return out


def by_source(rows: list[Row]) -> list[tuple[str, str, int, float, float]]:
    """(split, source, rows, median |error|, max |error|) for each source: which tables
    carry a split's figure."""
    out = []
    for source in dict.fromkeys(r.source for r in rows):
        part = [r for r in rows if r.source == source]
        errs = [abs(e) for e in errors(part)]
        out.append((split(part[0]), source, len(part), statistics.median(errs), max(errs)))
    return sorted(out, key=lambda t: (t[0], t[1]))


def fit(rows: list[Row]) -> dict[str, float]:
    """The grid point with the least mean |error| on the fit rows (max |error| breaks ties).
    The mean, not the median: the median's optimum left a fit table's rows 50% off."""
    part = [r for r in rows if split(r) == "fit"]
    best: tuple[float, float] | None = None
    chosen: dict[str, float] = {}
    for values in itertools.product(*GRID.values()):
        for name, value in zip(GRID, values, strict=True):
            setattr(serving, name, value)
        errs = [abs(e) for e in errors(part)]
        score = (statistics.fmean(errs), max(errs))
        if best is None or score < best:
            best, chosen = score, dict(zip(GRID, values, strict=True))
    for name, value in chosen.items():
        setattr(serving, name, value)
    return chosen


def _print_checks(rows: list[Row]) -> None:
    """The p99 comparison and the tokens-per-request bound, where tables print them."""
    timed = [r for r in rows if r.p99_seconds]
    if timed:
        print("request latency: published p99, the model's request (its round's prefills + decode)")
    for row in timed:
        own, p99 = request_seconds(row), row.p99_seconds or 0.0
        print(f"  {row.id:62} {p99:7.2f} s {own:7.2f} s {own / p99 - 1:+7.1%}")
    bounds = [(r, tokens_per_request(r)) for r in rows]
    if any(bound for _, bound in bounds):
        print("tokens per request the table's throughput and p99 allow (at most), stated")
    for row, bound in bounds:
        if bound is not None:
            print(f"  {row.id:62} {bound:7.0f} {row.prompt + row.output:7d}")


def timing(row: Row) -> tuple[float, float]:
    """The model's (decode step, mean time to first token) in ms for the row's run: the step
    at the running batch (prefill not included), and a round's prefills queued from its start,
    (B + 1) / 2 of them on average before a request's first token, plus one step."""
    speed = _speed(row)
    model, fmt = _model(row.model), serving.SERVING_FORMATS[row.fmt]
    fresh = max(0, row.prompt - row.cached)
    prefill = serving.prefill_seconds(model, fmt, row.hardware, fresh, row.kv) if fresh else 0.0
    first = prefill * (speed.concurrency + 1) / 2 + speed.step_seconds
    return speed.step_seconds * 1e3, first * 1e3


def _print_timing(rows: list[Row]) -> None:
    """Where the table prints them: its time per output token and to first token against the
    model's decode step and round-start first token, to tell a decode error from a prefill one."""
    timed = [r for r in rows if r.tpot_ms is not None and r.ttft_ms is not None]
    if timed:
        print("per output token and to first token, ms: published, model (step; round-start TTFT)")
    for row in timed:
        step, first = timing(row)
        tpot, ttft = row.tpot_ms or 0.0, row.ttft_ms or 0.0
        print(
            f"  {row.id:62} TPOT {tpot:7.2f} {step:7.2f} {step / tpot - 1:+6.1%}"
            f"  TTFT {ttft:8.0f} {first:8.0f} {first / ttft - 1:+6.1%}"
        )


def _print_growth(rows: list[Row]) -> None:
    print("step time added per further sequence, ms (two largest batches): published, model")
    for name, low, high, published, modelled in growth(rows):
        print(f"  {name:40} {low:4d}-{high:<4d} {published * 1e3:7.3f} {modelled * 1e3:7.3f}")
    print("the model's terms per further sequence, ms: compute, all-reduce payload, cache read")
    seen = set()
    for row in rows:
        key = (row.source, row.model, row.prompt)
        if split(row) == "fit" and key not in seen:
            seen.add(key)
            terms = " ".join(f"{t * 1e3:7.3f}" for t in per_sequence(row))
            print(f"  {row.model + ' ' + str(row.prompt) + ' in':40} {terms}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="refit the constants on the fit rows")
    parser.add_argument(
        "--growth", action="store_true", help="the step time's growth with the batch, fit tables"
    )
    args = parser.parse_args(argv)
    load_gpus()
    rows = load_rows()
    if args.fit:
        for name, value in fit(rows).items():
            print(f"{name} = {value}")
    for row in rows:
        est = estimate(row)
        err = (est - row.published) / row.published
        print(f"{split(row):9} {row.id:62} {row.published:9.0f} {est:9.0f} {err:+7.1%}")
    for name, (count, median, worst) in summary(rows).items():
        print(f"{name}: {count} rows, median |error| {median:.1%}, max {worst:.1%}")
    for name, source, count, median, worst in by_source(rows):
        print(f"  {name:9} {count:3d} rows {median:6.1%} {worst:6.1%}  {source}")
    _print_checks(rows)
    _print_timing(rows)
    if args.growth:
        _print_growth(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
