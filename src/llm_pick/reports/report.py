"""One output switch for every command: a Report is written as table, JSON, CSV or Markdown.

Commands build a Report (JSON data, flat rows, and a lazily built rich renderable) without
knowing the format. `--output` files are written atomically: a temporary file in the same
folder, then a rename, so a failed run never leaves a partial file or damages an old one.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from llm_pick.errors import OutputError

Format = Literal["table", "json", "csv", "markdown"]
FORMATS: tuple[Format, ...] = ("table", "json", "csv", "markdown")

Cell = str | int | float | bool | None


@dataclass
class Report:
    data: Any
    """JSON-able object printed by --format json, or a function building it (built only when
    JSON is asked for)."""
    columns: Sequence[str] = ()
    """Header of the flat table used by CSV and Markdown."""
    rows: Sequence[Sequence[Cell]] = ()
    """Rows of the flat table."""
    table: Callable[[], Any] | None = None
    """Builds the rich renderable for --format table."""
    notes: list[str] = field(default_factory=list)
    """Messages for stderr (never mixed into the data)."""
    markdown_rows: Sequence[Sequence[Cell]] | None = None
    """Rows for Markdown when they differ from the CSV rows (e.g. best values in bold)."""


def to_json(data: Any, *, pretty: bool = True) -> str:
    """Indented for people; compact (C encoder, several times faster) for pipes and files."""
    import json

    if pretty:
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False) + "\n"


def to_csv(columns: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_plain(cell) for cell in row])
    return buffer.getvalue()


def to_markdown(columns: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    def cell(value: Cell) -> str:
        return _plain(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(c) for c in columns) + " |"]
    lines.append("|" + "|".join(" --- " for _ in columns) + "|")
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def render_text(
    report: Report,
    fmt: str,
    *,
    width: int | None = None,
    color: bool = False,
    pretty: bool = True,
) -> str:
    """The report as text in the given format (table rendered without a terminal)."""
    if fmt == "json":
        data = report.data() if callable(report.data) else report.data
        return to_json(data, pretty=pretty)
    if fmt == "csv":
        return to_csv(report.columns, report.rows)
    if fmt == "markdown":
        return to_markdown(report.columns, report.markdown_rows or report.rows)
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width or 120,
        force_terminal=color,
        no_color=not color,
        markup=False,
        emoji=False,
        highlight=False,
    )
    if report.table is not None:
        console.print(report.table())
    return buffer.getvalue()


def write_atomic(path: str | Path, text: str) -> None:
    """Write text to path via a temporary file in the same folder and a rename: readers see
    the old file or the new one, never a partial one, and a failure leaves the old intact."""
    target = Path(path)
    folder = target.parent
    if target.is_dir():
        raise OutputError(f"{path}: is a directory")
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{path}: {folder} is not a folder")
    if not folder.is_dir():
        raise OutputError(f"{path}: folder {folder} does not exist")
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        raise OutputError(f"{path}: cannot write in {folder}: {error.strerror or error}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except OSError as error:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write: {error.strerror or error}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _plain(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return sanitize(str(value))


_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0, 32), *range(127, 160)] if chr(c) not in "\n\t"}


def sanitize(text: str) -> str:
    """Make control characters (terminal escapes) visible instead of interpreted."""
    return text.translate(_CONTROL)
