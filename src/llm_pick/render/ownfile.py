"""Below the breakdown of `memory FILE.gguf`: the catalog model the file copies and the
commands that run the file as it is."""

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
