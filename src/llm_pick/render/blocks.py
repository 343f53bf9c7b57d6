"""A table too wide for the terminal even with its droppable columns gone, shown as a list:
one block per row, its first two cells (rank, id) on one line that never wraps, then every
other column but the prose ones as "header value", separated by " · " and wrapped."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text

PROSE = 5  # columns dropped first in a table (long reasons) are left out of the list too


def as_blocks(
    title: str | Text, caption: str | None, columns: list[tuple[str, list[Text], int, str]]
) -> RenderableType:
    rows = len(columns[0][1]) if columns else 0
    head = min(2, len(columns))
    parts: list[RenderableType] = (
        [Text(title) if isinstance(title, str) else title] if title else []
    )
    for row in range(rows):
        first = Text("  ").join(columns[i][1][row] for i in range(head))
        first.no_wrap, first.overflow = True, "ignore"
        fields = [
            Text.assemble((f"{header} ", "dim"), cells[row])
            for header, cells, priority, _ in columns[head:]
            if cells[row].plain not in ("", "-") and priority < PROSE
        ]
        parts += [first, Padding(Text(" · ").join(fields), (0, 0, 0, 3))]
    if caption:
        parts.append(Text(caption))
    return Group(*parts)
