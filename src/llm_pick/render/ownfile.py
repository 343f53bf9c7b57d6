"""Lines below a `memory` table: the catalog model a file copies, the commands that run the
file as it is, and the one change that makes a verdict fit."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType

from llm_pick.render.cells import text
from llm_pick.render.results import run_lines


def file_lines(table: RenderableType, extra: dict[str, Any]) -> RenderableType:
    parts: list[RenderableType] = [table]
    if extra.get("matches"):
        found = extra["matches"]
        parts.append(
            text(f"Matches catalog model {found} (licence, quality: llm-pick show {found})")
        )
    if extra.get("run"):
        parts.append(text("Run this file as it is:", "bold"))
        parts.extend(run_lines(extra["run"]))
    return Group(*parts)


def change_line(table: RenderableType, change: str) -> RenderableType:
    """Below a verdict that does not fit: the one option that makes it fit."""
    return Group(table, text(f"One change makes it fit: {change}"))
