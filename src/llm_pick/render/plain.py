"""A results view as plain text without importing rich: the text rich prints for it when the
output has no colour (a pipe, a file), line for line.

Importing rich's console and table costs about 110 M instructions (a fifth of a `recommend`
run; docs/performance.md). A view is described by `Grid` (a table whose low-priority columns
drop when narrow, render/cells.py `Columns`) and `Para` (a paragraph) parts; render/results.py
turns the same parts into rich renderables. `write` lays them out as rich does for what it can
prove the same: printable ASCII (and the bar cells), every column at its natural width.
Anything else returns None and rich prints it (tests/test_plain_table.py holds the two equal).
"""

from __future__ import annotations

import builtins
import os
import re
import sys
from collections.abc import Sequence

Piece = tuple[str, str]  # text and its style (the style only shows in colour, through rich)
BAR = str.maketrans("", "", "█░")  # the bar cells: one cell wide each, as rich measures them


class Para:
    """A paragraph wrapped at the width, or one line that never wraps (`no_wrap`)."""

    __slots__ = ("no_wrap", "style", "text")

    def __init__(self, text: str, style: str = "", *, no_wrap: bool = False) -> None:
        self.text, self.style, self.no_wrap = text, style, no_wrap


class Column:
    """A column of a `Grid`: each cell is one or more styled pieces."""

    __slots__ = ("cells", "fold", "header", "justify", "priority")

    def __init__(
        self,
        header: str,
        cells: Sequence[tuple[Piece, ...]],
        priority: int = 0,
        justify: str = "left",
        fold: int | None = None,
    ) -> None:
        self.header, self.cells, self.priority = header, cells, priority
        self.justify, self.fold = justify, fold


class Grid:
    """A table with a title whose low-priority columns drop when the width is short."""

    __slots__ = ("columns", "title")

    def __init__(self, title: tuple[Piece, ...]) -> None:
        self.title, self.columns = title, list[Column]()

    def add(self, column: Column) -> None:
        self.columns.append(column)


def keep_columns(widths: Sequence[int], priorities: Sequence[int], room: int) -> list[int] | None:
    """The columns kept within `room` (highest priority number dropped first, 0 never), or
    None when even the kept ones are wider (the table is shown as a list)."""
    keep = list(range(len(widths)))
    for index in sorted(keep, key=lambda i: -priorities[i]):
        if sum(widths[i] for i in keep) <= room or priorities[index] == 0:
            break
        keep.remove(index)
    return keep if sum(widths[i] for i in keep) <= room else None


_WORD = re.compile(r"\s*\S+\s*")  # a word with the spaces around it, as rich divides a line
_TRAILING = re.compile(r"\s+$")


def wrap(text: str, width: int, *, pad: bool = False) -> list[str]:
    """`text` (one line) broken into lines of at most `width` as rich wraps it: greedily at
    spaces, a word longer than a line cut into pieces; `pad` fills each line with spaces."""
    breaks, used = [], 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group()
        size = len(word.rstrip())
        if width - used >= size:
            used += len(word)
        elif size > width:
            pieces = [word[i : i + width] for i in range(0, len(word), width)]
            for piece in pieces:
                if start:
                    breaks.append(start)
                start += len(piece)
            used = len(pieces[-1])
        elif used and start:
            breaks.append(start)
            used = len(word)
    lines = []
    for begin, end in zip([0, *breaks], [*breaks, len(text)], strict=True):
        line = text[begin:end]
        if len(line) > width:  # spaces beyond the width go, then anything else
            spaces = _TRAILING.search(line)
            line = line[: len(line) - min(len(spaces.group()) if spaces else 0, len(line) - width)]
            line = line[:width]
        lines.append(line.ljust(width) if pad else line)
    return lines


def _plain(text: str) -> bool:
    return text.isascii() and text.isprintable()


def _grid(grid: Grid, width: int) -> list[str] | None:
    columns = grid.columns
    cells = [["".join(text for text, _ in cell) for cell in column.cells] for column in columns]
    for column, texts in zip(columns, cells, strict=True):
        for item in [column.header, *texts]:
            if not _plain(item.translate(BAR)):
                return None
            if column.justify == "right" and item != item.rstrip():
                return None  # rich strips a right-justified cell's trailing spaces
    natural = [max([len(c.header), *map(len, t)]) for c, t in zip(columns, cells, strict=True)]
    measured = [min(size, c.fold or 10**6) + 3 for size, c in zip(natural, columns, strict=True)]
    keep = keep_columns(measured, [c.priority for c in columns], width)
    if keep is None or not keep or not cells[0]:
        return None
    last = len(keep) - 1
    pads = [(0 if i == 0 else 1) + (0 if i == last else 1) for i in range(len(keep))]
    inner = [natural[i] for i in keep]
    table = sum(inner) + sum(pads) + 2 + last
    title = "".join(text for text, _ in grid.title)
    if table > width or not _plain(title):
        return None  # rich narrows or folds columns: it lays the table out

    def row(texts: list[str]) -> str:
        out = []
        for n, (index, text) in enumerate(zip(keep, texts, strict=True)):
            body = text.rjust(inner[n]) if columns[index].justify == "right" else text
            out.append(("" if n == 0 else " ") + body.ljust(inner[n]) + ("" if n == last else " "))
        return " " + " ".join(out) + " "

    lines = wrap(title, table, pad=True) if title else []
    lines += [" " * table, row([columns[i].header for i in keep]), " " + "─" * (table - 2) + " "]
    lines += [row([cells[i][r] for i in keep]) for r in range(len(cells[0]))]
    return [*lines, " " * table]


def write(parts: Sequence[Grid | Para], width: int) -> str | None:
    """The parts as rich prints them without colour at `width`, or None when rich must."""
    lines: list[str] = []
    for part in parts:
        if isinstance(part, Grid):
            found = _grid(part, width)
            if found is None:
                return None
            lines += found
        elif not _plain(part.text):
            return None
        else:
            lines += [part.text] if part.no_wrap else wrap(part.text, width)
    return "".join(line + "\n" for line in lines)


def plain_width(minimum: int) -> int | None:
    """The width rich's Console would print stdout at when it prints without colour (not a
    terminal, as rich decides it), at least `minimum`; None when it would use colour or its
    choice depends on more than this mirrors (Windows, Jupyter, IDLE)."""
    env = os.environ
    if sys.platform == "win32" or hasattr(builtins, "get_ipython") or "idlelib" in sys.modules:
        return None
    compatible = env.get("TTY_COMPATIBLE", "")
    if compatible == "1" or (compatible != "0" and env.get("FORCE_COLOR") is not None):
        return None
    if compatible != "0":
        try:
            if sys.stdout.isatty():
                return None
        except (ValueError, AttributeError):
            pass
    columns = env.get("COLUMNS", "")
    if columns.isdigit():
        return max(int(columns), minimum)
    found = 0
    for descriptor in (0, 1, 2):
        try:
            found = os.get_terminal_size(descriptor).columns
        except (AttributeError, ValueError, OSError):
            continue
        break
    return max(found or 80, minimum)
