"""`calibrate`: read the user's llama-bench outputs and load logs, store the corrections in
$XDG_CONFIG_HOME/llm-pick/calibration.json (atomically, mode 0600), show or reset them; and
the user's calibration for the other commands (a file that cannot be used is a warning)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from llm_pick.cli.options import FormatOpt, OutputFormat
from llm_pick.errors import InputError

if TYPE_CHECKING:
    from llm_pick.estimate.calibration import Calibration
    from llm_pick.reports.report import Report

MAX_INPUT_BYTES = 64 * 1024**2


def calibrate_command(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="FILE...",
            help="llama-bench output (markdown, JSON, JSONL or CSV) or llama.cpp load logs.",
        ),
    ] = None,
    gpu: Annotated[
        str | None,
        typer.Option(
            "--gpu", metavar="NAME", help="The card of runs whose output does not name it."
        ),
    ] = None,
    show: Annotated[bool, typer.Option("--show", help="Show the stored corrections.")] = False,
    reset: Annotated[bool, typer.Option("--reset", help="Delete the stored corrections.")] = False,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Calibrate speed estimates from your own llama-bench runs (and keep load logs' compute
    buffers), stored per machine in the user's config folder."""
    from llm_pick.cli.output import emit
    from llm_pick.estimate.calibration import config_path, load_calibration

    path = config_path()
    if reset:
        if files or show:
            raise InputError("--reset takes no FILE and no --show")
        path.unlink(missing_ok=True)
        sys.stderr.write(f"Removed {_shown(path)}\n")
        return
    if not files and not show:
        raise InputError("give llama-bench outputs or load logs to read, --show or --reset")
    stored = load_calibration(path) or _empty()
    notes: list[str] = []
    if files:
        stored = _read_files(files, gpu, stored, notes)
        _store(path, stored)
        notes.append(f"Stored in {_shown(path)}")
    emit(_report(stored, path, notes), fmt.value, None)


def _shown(path: Path) -> str:
    """The path, under the home folder written with ~."""
    try:
        return str(Path("~") / path.relative_to(Path.home()))
    except ValueError:
        return str(path)


def _empty() -> Calibration:
    from llm_pick.estimate.calibration import Calibration

    return Calibration()


def _read_files(
    files: list[Path], gpu: str | None, stored: Calibration, notes: list[str]
) -> Calibration:
    from llm_pick.catalog.gpus import find_gpu
    from llm_pick.catalog.load import load_catalog
    from llm_pick.catalog.read import read_input
    from llm_pick.estimate.benchfiles import parse_bench, parse_load_log
    from llm_pick.estimate.calibrate_runs import buffers_of, measure
    from llm_pick.estimate.calibration import Calibration

    card = None if gpu is None else find_gpu(gpu)
    catalog = list(load_catalog(()))
    found = Calibration()
    for file in files:
        text = read_input(str(file), MAX_INPUT_BYTES).decode("utf-8", errors="replace")
        log = parse_load_log(text)
        if log is not None:
            found = found.merged(Calibration(buffers=tuple(buffers_of(log, file.name))))
            continue
        read = measure(parse_bench(text, str(file)), file.name, catalog, card)
        notes.extend(f"Skipped {reason}" for reason in read.skipped)
        found = found.merged(Calibration(tuple(read.measurements)))
    if not found.measurements and not found.buffers:
        raise InputError("no usable run in the files given (see the reasons above)")
    new = len(set(found.measurements) - set(stored.measurements))
    notes.append(f"Read {len(found.measurements)} runs ({new} new), {len(found.buffers)} buffers")
    return stored.merged(found)


def _store(path: Path, calibration: Calibration) -> None:
    """Written atomically; a new file is created with mode 0600 first, so it never exists
    readable by others (write_atomic keeps an existing file's mode)."""
    from llm_pick.cli.output import write_atomic

    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        created = False
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            created = True
    except OSError as error:
        raise InputError(f"{path}: cannot create: {error.strerror}") from None
    try:
        write_atomic(path, calibration.to_json())
    except BaseException:
        if created:
            path.unlink(missing_ok=True)
        raise


def _report(calibration: Calibration, path: Path, notes: list[str]) -> Report:
    from llm_pick.reports.report import Report

    groups = sorted({(m.device, m.family) for m in calibration.measurements})
    rows: list[list[Any]] = []
    for device, family in groups:
        found = calibration.correction(device, family)
        if found is not None:
            rows.append([device, family, found.decode, found.prefill, found.runs])
    columns = ["card", "format_family", "decode_efficiency", "prefill_efficiency", "runs"]
    data = {"path": str(path), **calibration.as_dict()}
    data["corrections"] = [dict(zip(columns, row, strict=True)) for row in rows]
    if not calibration.measurements and not calibration.buffers:
        notes.append(f"No calibration stored ({_shown(path)})")
    return Report(
        data=data,
        columns=columns,
        rows=rows,
        table=lambda: _table(rows, calibration),
        notes=notes,
        title="llm-pick calibration",
    )


def _table(rows: list[list[Any]], calibration: Calibration) -> Any:
    from rich.console import Group

    from llm_pick.render.cells import text, titled_table

    head = (("card", "left"), ("format", "left"), ("decode", "right"), ("prefill", "right"))
    table = titled_table(
        "Calibration: measured share of the card's bandwidth (decode) and fp16 FLOPS (prefill)",
        (*head, ("runs", "right")),
    )
    for device, family, decode, prefill, runs in rows:
        table.add_row(text(device), family, _share(decode), _share(prefill), str(runs))
    buffers = titled_table(
        "Compute buffers from load logs (used for a model of the same shape on the same card; "
        "a log without its context is shown only)",
        (("card", "left"), ("model", "left"), ("ctx", "right"), ("MiB", "right"), ("log", "left")),
    )
    for item in calibration.buffers:
        mib = f"{item.compute_bytes / 1024**2:.2f}"
        model = item.model_name or " ".join(f"{k} {v}" for k, v in item.shape[:2]) or "-"
        tokens = "-" if item.context is None else str(item.context)
        buffers.add_row(text(item.device), text(model), tokens, mib, text(item.source))
    return Group(table, buffers) if calibration.buffers else table


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"
