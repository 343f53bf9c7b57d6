"""Shared pieces of the terminal renderables: safe text, bars, sizes, droppable columns.

Every string that comes from a catalog goes through `text()`, so rich markup such as
"[bold]" and terminal escape sequences in a model name are shown literally.
"""

from __future__ import annotations

from rich import box
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from llm_pick.catalog.types import Model
from llm_pick.render.figures import COMMERCIAL_MARK, COMMERCIAL_STYLE, bar_parts
from llm_pick.render.plain import keep_columns
from llm_pick.render.safe import shown


def billions(count: int) -> str:
    value = count / 1e9
    return f"{value:.3g}B" if value < 100 else f"{value:.0f}B"


def mmlu(model: Model) -> float | None:
    bench = model.benchmarks.get("mmlu")
    return bench.value if bench else None


def text(value: object, style: str = "") -> Text:
    return Text(shown(value), style=style)


def bar(used: float, capacity: float, width: int = 10) -> Text:
    """A small bar of used/capacity; red when over capacity."""
    if capacity <= 0:
        return text("")
    cells, style = bar_parts(used, capacity, width)
    return Text(cells, style=style)


class Columns:
    """A table whose low-priority columns are dropped when the terminal is too narrow.

    add(header, cells, priority): priority 0 is always kept; higher numbers go first.
    """

    def __init__(self, title: str | Text = "", caption: str | None = None):
        self.title, self.caption = title, caption
        self.columns: list[tuple[str, list[Text], int, str]] = []
        self.folds: list[int | None] = []

    def add(
        self,
        header: str,
        cells: list[Text],
        priority: int = 0,
        justify: str = "left",
        fold: int | None = None,
    ) -> None:
        """Priority 0 columns are kept whole and never wrap (ids); others drop when the
        terminal is narrow, and a column with `fold` may wrap to that width before it drops."""
        self.columns.append((header, cells, priority, justify))
        self.folds.append(fold)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        widths = [  # a cell shared by many rows (a repeated value) is measured once
            min(
                max([len(header), *(c.cell_len for c in {id(c): c for c in cells}.values())]),
                fold or 10**6,
            )
            + 3
            for (header, cells, _, _), fold in zip(self.columns, self.folds, strict=True)
        ]
        found = keep_columns(widths, [column[2] for column in self.columns], options.max_width)
        if found is None:  # narrower than the table can be
            from llm_pick.render.blocks import as_blocks

            yield as_blocks(self.title, self.caption, self.columns)
            return
        keep = found
        table = Table(
            title=self.title,
            caption=self.caption,
            box=box.SIMPLE_HEAD,
            title_justify="left",
            caption_justify="left",
            pad_edge=False,
        )
        for i in keep:
            header, _, _, justify = self.columns[i]
            table.add_column(
                header,
                justify=justify,  # type: ignore[arg-type]
                overflow="fold",
                no_wrap=self.columns[i][2] == 0,
            )
        from llm_pick.render.bulk import plain_rows

        fast = plain_rows(console, options, table, [self.columns[i][1] for i in keep])
        if fast is not None:
            yield from fast
            return
        rows = len(self.columns[0][1]) if self.columns else 0
        for row in range(rows):
            table.add_row(*(self.columns[i][1][row] for i in keep))
        yield table


def commercial_mark(model: Model) -> Text:
    use = model.license.commercial_use
    return text(COMMERCIAL_MARK[use], COMMERCIAL_STYLE[use])


def titled_table(title: str | Text, columns: tuple[tuple[str, str], ...]) -> Table:
    """A left-titled table with these (header, justify) columns; cells fold when narrow."""
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    for name, justify in columns:
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    return table
