"""Long plain tables (`list` of a large catalog, piped or NO_COLOR) without rich's layout of
every cell: rich lays out each cell of each row (about 0.2 ms a row), so 100,000 rows took
tens of seconds. When no cell needs folding, a row is its cells padded to the column widths
rich computes for the whole table (found from the widest cells alone), joined by the box's
characters: the same text, line for line (tests/test_bulk_table.py compares them).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

FAST_FROM = 200  # rows: shorter tables are left to rich (as fast, and nothing to gain)


def plain_rows(
    console: Console,
    options: ConsoleOptions,
    table: Table,
    columns: Sequence[Sequence[Text]],
) -> Iterator[Segment] | None:
    """The table (columns added, no rows yet) with `columns`' cells as rows, rendered as rich
    renders it; None when rich must do it (colour, folding, few rows, another layout)."""
    rows = len(columns[0]) if columns else 0
    box = table.box
    if (
        rows < FAST_FROM
        or console.color_system is not None
        or box is None
        or not table.show_edge
        or table.pad_edge
        or table.padding != (0, 1, 0, 1)
        or table.caption is not None
        or table.collapse_padding
        or table.show_lines
        or table.leading
        or table.show_footer
        or table.row_styles
    ):
        return None
    plains, lengths, probe_rows = [], [], set()
    for cells in columns:  # a cell shared by many rows (a repeated value) is measured once
        first: dict[int, int] = {}
        for row, cell in enumerate(cells):
            first.setdefault(id(cell), row)
        plain = {key: cells[row].plain for key, row in first.items()}
        if any("\n" in text for text in plain.values()):
            return None
        size = {key: cell_len(text) for key, text in plain.items()}
        plains.append([plain[id(cell)] for cell in cells])
        lengths.append([size[id(cell)] for cell in cells])
        # rich measures a column by its widest cell and its longest word
        probe_rows.add(first[max(size, key=size.__getitem__)])
        probe_rows.add(first[max(plain, key=lambda key: _longest_word(plain[key]))])
    probe = _copy(table)
    for row in sorted(probe_rows):
        probe.add_row(*(cells[row] for cells in columns))
    # a private rich method: tests/test_bulk_table.py holds the result to rich's own output
    widths = probe._calculate_column_widths(console, options)
    last = len(columns) - 1
    spaces = [(0 if i == 0 else 1) + (0 if i == last else 1) for i in range(len(columns))]
    inner = [width - pad for width, pad in zip(widths, spaces, strict=True)]
    if any(max(sizes) > width for sizes, width in zip(lengths, inner, strict=True)):
        return None  # some cell would fold: rich lays it out
    return _lines(console, options, table, (plains, lengths), inner)


def _lines(
    console: Console,
    options: ConsoleOptions,
    table: Table,
    cells: tuple[list[list[str]], list[list[int]]],
    inner: list[int],
) -> Iterator[Segment]:
    plains, lengths = cells
    head = _copy(table, inner)
    lines = list(Segment.split_lines(console.render(head, options)))
    for line in lines[:-1]:  # title, top edge, header and its rule (the bottom edge last)
        yield from line
        yield Segment.line()
    box = table.box
    assert box is not None
    justify = [column.justify for column in table.columns]
    last = len(plains) - 1
    for row in range(len(plains[0])):
        out = []
        for index, texts in enumerate(plains):
            gap = " " * (inner[index] - lengths[index][row])
            body = gap + texts[row] if justify[index] == "right" else texts[row] + gap
            out.append(("" if index == 0 else " ") + body + ("" if index == last else " "))
        yield Segment(box.mid_left + box.mid_vertical.join(out) + box.mid_right)
        yield Segment.line()
    yield from lines[-1]
    yield Segment.line()


def _copy(table: Table, widths: list[int] | None = None) -> Table:
    """An empty table laid out as `table` (its columns at fixed `widths`, when given)."""
    made = Table(
        title=table.title, box=table.box, title_justify=table.title_justify, pad_edge=False
    )
    for index, column in enumerate(table.columns):
        made.add_column(
            column.header,
            justify=column.justify,
            overflow=column.overflow,
            no_wrap=column.no_wrap,
            width=None if widths is None else widths[index],
        )
    return made


def _longest_word(plain: str) -> int:
    return max((cell_len(word) for word in plain.split()), default=0)
