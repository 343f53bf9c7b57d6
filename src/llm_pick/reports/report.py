"""One output switch for every command: a Report is rendered as table, JSON, CSV, Markdown
or HTML.

Commands build a Report (JSON data, flat rows, and a lazily built rich renderable) without
knowing the format; cli/output.py writes the text to stdout or, atomically, to a file.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import field
from typing import IO, Any

from llm_pick.catalog.record import record
from llm_pick.render.safe import json_safe, sanitize

Cell = str | int | float | bool | None


@record(eq=False, kw_only=False)  # a dataclass without its generated code (start-up)
class Report:
    """What a command shows, in every format (a record needs its docstring: without one,
    dataclasses builds it from inspect.signature, about 10 M instructions)."""

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
    html: Callable[[], str] | None = None
    """Builds the self-contained HTML page; without it --format html shows the flat rows."""
    title: str = "llm-pick"
    """The HTML page's title when it is built from the flat rows."""
    plain: Callable[[int], str | None] | None = None
    """The table as rich prints it without colour at a width, written without rich
    (render/plain.py); None when rich must print it."""


def to_json(data: Any, *, pretty: bool = True) -> str:
    """Indented for people; compact (C encoder, several times faster) for pipes and files.
    Non-ASCII text stays readable, but control, bidi and invisible characters are escaped."""
    import json

    if pretty:
        text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)
    else:
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return json_safe(text) + "\n"


def to_csv(columns: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_no_formula(cell) for cell in row])
    return buffer.getvalue()


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _no_formula(value: Cell) -> str:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe
    (OWASP, "CSV Injection"); numbers stay numbers."""
    text = _plain(value).replace("\n", "\\n")  # one line per row: no forged lines either
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


# Backslash-escaped in Markdown cells: the table's own |, and link and image syntax (a name
# cannot become a javascript: link or a remote image); the backslash itself first.
_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\|[]()!"})


def to_markdown(columns: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    def cell(value: Cell) -> str:
        text = _plain(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return text.translate(_MARKDOWN).replace("\n", " ")  # a cell is one line

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
    if fmt == "html":
        if report.html is not None:
            return report.html()
        from llm_pick.reports.html import flat_page

        return flat_page(report.title, report.columns, report.rows)
    buffer = io.StringIO()
    if report.table is not None:
        console(buffer, width=width or 120, color=color).print(report.table(), crop=False)
    return buffer.getvalue()


def console(file: IO[str] | None = None, *, width: int | None = None, color: bool = True) -> Any:
    """The one console every table is printed with: no markup, emoji or highlighting (catalog
    text is shown as it is); `color=False` prints no styles at all (NO_COLOR, files)."""
    from rich.console import Console

    plain: dict[str, Any] = {} if color else {"color_system": None, "no_color": True}
    if file is not None:
        plain["file"], plain["force_terminal"] = file, color
    made = Console(
        width=width, soft_wrap=False, markup=False, emoji=False, highlight=False, **plain
    )
    if made.width < MIN_WIDTH:  # COLUMNS=0 or a tiny terminal would print nothing at all
        made.width = MIN_WIDTH
    return made


MIN_WIDTH = 40  # below it nothing reads; narrow tables become lists (render/blocks.py)


def _plain(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return sanitize(str(value))
