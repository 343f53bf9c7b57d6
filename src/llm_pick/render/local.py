"""The table of `local`: the models on this machine, then the command that runs each copy."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.text import Text

from llm_pick.render.cells import Columns, billions, text
from llm_pick.render.figures import context

_STYLE = {"gpu": "green", "offload": "yellow", "cpu": "yellow", "no": "red"}


def local_table(rows: list[list[Any]], hardware: str | None) -> Any:
    """rows as reports/local.py builds them (COLUMNS order)."""
    title = f"Models on this machine ({hardware})" if hardware else "Models on this machine"
    view = Columns(title)
    view.add("#", [text(i) for i in range(1, len(rows) + 1)], 0, "right")
    view.add("store", [text(r[0]) for r in rows], 0)
    view.add("name", [text(r[1]) for r in rows], 0, fold=48)
    view.add("quant", [text(r[3] or "") for r in rows], 1)
    view.add("params", [text(billions(r[4]) if r[4] else "") for r in rows], 3, "right")
    view.add("ctx", [text(context(r[5]) if r[5] else "") for r in rows], 2, "right")
    view.add("memory", [text(f"{r[6] / 2**30:.2f} GiB" if r[6] else "") for r in rows], 0, "right")
    view.add("fit", [text(r[7] or "", _STYLE.get(r[7] or "", "")) for r in rows], 0)
    view.add("tok/s", [text("" if r[8] is None else f"~{r[8]:g}") for r in rows], 1, "right")
    runs = [
        Text(f"{i}. ") + text(row[9] if row[9] else f"not read: {row[10]}")
        for i, row in enumerate(rows, 1)
    ]
    note = Text("Memory from each file's tensors (exact weights; cache and buffers estimated).")
    return Group(view, Text("Run the copy you have:"), *runs, note)
