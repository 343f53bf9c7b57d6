"""The frontier chart in the terminal, drawn with rich Text on a character grid.

Marks differ in shape, not only colour (NO_COLOR keeps them apart): ◆ on the Pareto frontier,
● ranked, · excluded, ┆ the usable memory, ★ the explained model. Returns; never prints.
"""

from __future__ import annotations

from collections.abc import Collection

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.text import Text

from llm_pick.catalog.types import Model
from llm_pick.ranking.result import Recommendation
from llm_pick.render.geometry import place_labels, shorten
from llm_pick.render.plot import Plot, kind, plot
from llm_pick.render.safe import sanitize

MAX_WIDTH = 100
HEIGHT = 14
LABEL_LIMIT = 24
MARKS = {
    "frontier": ("◆", "bold green"),
    "ranked": ("●", "cyan"),
    "excluded": ("·", "dim"),
    "highlight": ("★", "bold magenta"),
    "usable": ("┆", "yellow"),
}


DRAW_ORDER = {"excluded": 0, "ranked": 1, "frontier": 2, "highlight": 3}


class Chart:
    """A scatter of memory needed (x) against quality or tok/s (y), fitted to the width."""

    def __init__(self, plot: Plot, height: int = HEIGHT):
        self.plot, self.height = plot, height

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        plot = self.plot
        yield Text(plot.title, style="bold")
        if not plot.points:
            why = "no model has a value to chart"
            if plot.axis == "speed" and plot.unplotted:
                why = "tok/s needs the card's bandwidth: pass --gpu NAME"
            yield Text(f"  Nothing to chart: {why}.", style="dim")
            return
        lines, unlabelled = self.grid(min(options.max_width, MAX_WIDTH))
        yield from lines
        yield self.legend(unlabelled)

    def grid(self, width: int) -> tuple[list[Text], list[int]]:
        plot, height = self.plot, self.height
        ticks = plot.y.ticks()
        names = [plot.y.label(t) for t in ticks]
        gutter = max(len(n) for n in names) + 1
        cells = max(10, width - gutter - 1)
        rows: list[list[tuple[str, str]]] = [[(" ", "")] * cells for _ in range(height)]

        def spot(x: float, y: float) -> tuple[int, int]:
            return height - 1 - plot.y.cell(y, height), plot.x.cell(x, cells)

        if plot.usable_gib is not None:
            column = plot.x.cell(plot.usable_gib, cells)
            for cells_of_row in rows:
                cells_of_row[column] = MARKS["usable"]
        marks = [spot(p.x, p.y) for p in plot.points]
        for index in sorted(range(len(marks)), key=lambda i: DRAW_ORDER[kind(plot, i)]):
            at_row, at_column = marks[index]
            rows[at_row][at_column] = MARKS[kind(plot, index)]
        texts = [(i, shorten(sanitize(plot.points[i].key), LABEL_LIMIT)) for i in plot.labelled]
        labels = place_labels(marks, texts, cells, height)
        for label in labels:
            style = "bold" if kind(plot, label.point) == "highlight" else ""
            for offset, char in enumerate(label.text):
                rows[label.row][label.column + offset] = (char, style)
        # a shortened label does not name its model: it is listed under the chart as well
        named = {
            label.point for label in labels if label.text == sanitize(plot.points[label.point].key)
        }
        tick_rows = {
            height - 1 - plot.y.cell(t, height): n for t, n in zip(ticks, names, strict=True)
        }
        lines: list[Text] = []
        for number, row in enumerate(rows):
            line = Text(tick_rows.get(number, "").rjust(gutter - 1) + " ", style="dim")
            line.append("┤" if number in tick_rows else "│", style="dim")
            for char, style in row:
                line.append(char, style=style)
            lines.append(line)
        lines.append(Text(" " * gutter + "└" + "─" * cells, style="dim"))
        lines.append(self.x_axis(gutter, cells))
        wanted = plot.shown | {plot.highlight}
        return lines, [i for i in plot.labelled if i not in named and plot.points[i].key in wanted]

    def x_axis(self, gutter: int, cells: int) -> Text:
        scale = self.plot.x
        axis = [" "] * (gutter + cells + 1)
        end = 0
        for tick in scale.ticks():
            name = scale.label(tick)
            start = gutter + 1 + scale.cell(tick, cells) - len(name) // 2
            start = min(max(start, end), len(axis) - len(name))
            if start < end:
                continue
            axis[start : start + len(name)] = name
            end = start + len(name) + 1
        unit = "GiB needed"
        text = "".join(axis).rstrip()
        if len(text) + len(unit) + 2 <= len(axis):
            text = text.ljust(len(axis) - len(unit)) + unit
        return Text(text, style="dim")

    def legend(self, unlabelled: list[int]) -> Text:
        plot = self.plot
        out = Text("  ")
        parts = [("frontier", "Pareto frontier"), ("ranked", "ranked"), ("excluded", "excluded")]
        if plot.highlight is not None:
            parts.insert(0, ("highlight", sanitize(shorten(plot.highlight, LABEL_LIMIT))))
        if plot.usable_gib is not None:
            parts.append(("usable", f"{plot.usable_gib:.1f} GiB usable"))
        for name, words in parts:
            mark, style = MARKS[name]
            out.append(mark, style=style)
            out.append(f" {words}   ")
        out.rstrip()
        lines = [
            f"y: {plot.y_label}; x: memory needed, GiB.",
            "Frontier: no other ranked model needs less memory and scores higher.",
        ]
        if unlabelled:
            lines.append("Not named (no room): " + ", ".join(_named(plot, i) for i in unlabelled))
        if plot.off_chart:
            lines.append(f"{plot.off_chart} excluded need more memory than shown.")
        if plot.unplotted:
            lines.append(f"{plot.unplotted} ranked have no value on this axis.")
        for line in lines:
            out.append("\n  " + sanitize(line), style="dim")
        return out


def _named(plot: Plot, index: int) -> str:
    key = plot.points[index].key
    rank = plot.ranks.get(key)
    return key if rank is None else f"#{rank} {key}"


def below(
    view: RenderableType,
    rec: Recommendation,
    lineage: dict[str, Model],
    axis: str,
    *,
    only: Collection[str] | None = None,
) -> RenderableType:
    """A table followed by its frontier chart (--chart)."""
    chosen = plot(rec, "speed" if axis == "speed" else "quality", lineage, only=only)
    return Group(view, Text(""), Chart(chosen))
