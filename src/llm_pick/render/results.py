"""Rich renderables for `recommend`, `explain` and `compare`. They return; they never print."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from llm_pick.catalog.types import Model
from llm_pick.estimate.firsttoken import said, sentence
from llm_pick.estimate.hardware import GIB
from llm_pick.ranking.result import SCOPE, Recommendation
from llm_pick.render.cells import Columns, text, titled_table
from llm_pick.render.figures import context
from llm_pick.render.plain import Grid, Para, Piece
from llm_pick.render.recparts import recommendation_parts, run_parts
from llm_pick.render.safe import shown as visible
from llm_pick.render.toppick import runtime_line


def rich_parts(parts: list[Grid | Para]) -> list[RenderableType]:
    """render/plain.py parts as rich renderables (a Grid as droppable `Columns`)."""
    out: list[RenderableType] = []
    for part in parts:
        if isinstance(part, Para):
            line = Text(part.text, style=part.style)
            if part.no_wrap:
                line.no_wrap, line.overflow = True, "ignore"
            out.append(line)
            continue
        view = Columns(Text.assemble(*part.title))
        for c in part.columns:
            view.add(c.header, [_cell(cell) for cell in c.cells], c.priority, c.justify, c.fold)
        out.append(view)
    return out


def _cell(pieces: tuple[Piece, ...]) -> Text:
    (first, style), *rest = pieces
    made = Text(first, style=style)
    for more, more_style in rest:
        made.append_text(Text(more, style=more_style))
    return made


def run_lines(commands: list[dict[str, Any]]) -> list[RenderableType]:
    """The commands that run a pick as sized, one per runtime (render/recparts.py)."""
    return rich_parts(list[Grid | Para](run_parts(commands)))


def recommendation(
    rec: Recommendation,
    show_excluded: bool,
    run: list[dict[str, Any]] | None = None,
    as_of: str | None = None,
    weights: str | None = None,
) -> RenderableType:
    """`weights`: for a top pick released as a weight diff, how its weights are obtained."""
    parts = rich_parts(recommendation_parts(rec, show_excluded, run, as_of, weights))
    if show_excluded and rec.excluded:
        # Models left out by the query's own scope (--family, --exclude, --license, size) are
        # counted, not listed: the JSON output lists every one with its reasons.
        listed = [e for e in rec.excluded if not e.failed & SCOPE]
        table = Table(title="Excluded", box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
        table.add_column("model", no_wrap=True)
        table.add_column("reasons", overflow="fold")
        for exclusion in listed:
            table.add_row(text(exclusion.model.id), text("; ".join(exclusion.reasons)))
        if listed:
            parts.append(table)
        hidden = len(rec.excluded) - len(listed)
        if hidden:
            parts.append(
                text(
                    f"{hidden} more excluded by --family/--exclude/--license/--min-params/"
                    "--max-params (--format json lists every one with its reasons).",
                    "dim",
                )
            )
    return Group(*parts)


def explanation(model: Model, data: dict[str, Any]) -> RenderableType:
    head = Text.assemble((visible(model.id), "bold"), f"  {visible(model.name)}")
    checks = Table(title="Constraints", box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    checks.add_column("constraint")
    checks.add_column("result")
    checks.add_column("detail", overflow="fold")
    for check in data["constraints"]:
        mark = text("pass", "green") if check["passed"] else text("FAIL", "bold red")
        checks.add_row(text(check["constraint"]), mark, text(check["detail"]))
    if not data["constraints"]:
        checks.add_row(text("-"), text("pass", "green"), text("the query sets no constraint"))
    parts: list[RenderableType] = [head, checks]
    criteria = data.get("criteria")
    if criteria:
        table = titled_table(
            f"Score {data['score']:.3f}: rank {data['rank']} of {data['of']}",
            (
                ("criterion", "left"),
                ("value", "right"),
                ("weight", "right"),
                ("contribution", "right"),
                ("why", "left"),
            ),
        )
        for name, c in criteria.items():
            table.add_row(
                text(name),
                text(f"{c['value']:.3f}"),
                text(f"{c['weight']:.3f}"),
                text(f"{c['contribution']:.3f}"),
                text(c["note"] + (" (missing)" if c.get("missing") else "")),
            )
        parts.append(table)
        # under vLLM its figures; else a long prompt's first token, from llama.cpp's figures
        line = runtime_line(data.get("as_run")) or _first_token(data.get("memory"))
        if line:
            parts.append(text(line))
        if data.get("run"):
            parts.append(text("Run it as sized:", "bold"))
            parts.extend(run_lines(data["run"]))
        elif data.get("weights_note"):
            parts.append(text(f"Weights: {data['weights_note']}"))
        if note := (data.get("effective_context") or {}).get("note"):
            parts.append(text(f"Context: {note}"))
        if data.get("formats"):
            parts.append(formats_table(data["formats"]))
    else:
        parts.append(text("Not ranked: it fails the constraints above.", "bold red"))
        if data.get("one_change"):
            parts.append(text(f"One change admits it: {data['one_change']}"))
    return Group(*parts)


def _first_token(memory: dict[str, Any] | None) -> str | None:
    """The time to first token of a prompt longer than the default, as the reasons say it."""
    speed = (memory or {}).get("speed") or {}
    rate = (speed.get("prefill_tokens_per_second") or {}).get("expected")
    return sentence(said(speed.get("time_to_first_token_seconds"), rate))


def comparison(ids: list[str], rows: list[Any], tokens: int) -> RenderableType:
    table = Table(
        title=f"Side by side at {tokens:,} tokens (memory and speed are estimates; ★ marks the "
        "best value)",
        box=box.SIMPLE_HEAD,
        title_justify="left",
        pad_edge=False,
    )
    table.add_column("", style="cyan", no_wrap=True)
    for model_id in ids:
        table.add_column(text(model_id, "bold"), overflow="fold", min_width=len(model_id))
    for row in rows:
        cells = []
        for model_id in ids:
            cell = text(row.shown[model_id])
            if model_id in row.best:
                cell = Text.assemble(cell, (" ★", "bold green"))
                cell.stylize("green")
            cells.append(cell)
        table.add_row(text(row.field), *cells)
    return table


def formats_table(formats: list[dict[str, Any]]) -> Table:
    """Every format that runs, with what decided the choice (the model's own score)."""
    table = titled_table(
        "Formats that run (* chosen: most quality at 10+ tokens/s, placed as well as the "
        "best-placed; else best score)",
        (
            ("format", "left"),
            ("GiB", "right"),
            ("fit", "left"),
            ("max ctx", "right"),
            ("tok/s", "right"),
            ("quality", "right"),
            ("score", "right"),
        ),
    )
    for f in formats:
        style = "bold green" if f["chosen"] else ""
        label = f["quant"] + ("" if f["kv_dtype"] == "fp16" else f" +kv {f['kv_dtype']}")
        table.add_row(
            text(label + (" *" if f["chosen"] else ""), style),
            text(f"{f['total_bytes'] / GIB:.1f}"),
            text(f["fit"] or "-"),
            text(context(f["max_context"])),
            text("-" if f["tokens_per_second"] is None else f"{f['tokens_per_second']:.0f}"),
            text(f"{f['quality_value']:.3f}"),
            text(f"{f['score']:.3f}", style),
        )
    return table
