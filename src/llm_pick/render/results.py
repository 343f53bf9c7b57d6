"""Rich renderables for `recommend`, `explain` and `compare`. They return; they never print."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from llm_pick.catalog.types import Model
from llm_pick.estimate.hardware import GIB
from llm_pick.estimate.memory import DEFAULT_CONTEXT
from llm_pick.ranking.headline import Headline
from llm_pick.ranking.result import SCOPE, Recommendation
from llm_pick.render.cells import (
    Columns,
    bar,
    commercial_mark,
    context,
    headlines,
    languages,
    rate,
    text,
    titled_table,
    total,
)
from llm_pick.render.memory import placement
from llm_pick.render.safe import shown as visible
from llm_pick.render.toppick import runtime_line, top_pick


def _query_line(rec: Recommendation) -> str:
    q = rec.query
    parts = [visible(q.hardware.label) if q.hardware else "no memory limit"]
    c = q.constraints
    if c.unconditional:
        parts.append("commercial use without conditions")
    elif c.commercial:
        parts.append("commercial use")
    if q.required_context:
        parts.append(f"sized for {q.required_context:,} tokens")
    else:
        parts.append(f"sized for min({DEFAULT_CONTEXT}, model's) tokens")
    if c.languages:
        parts.append("languages " + ", ".join(c.languages))
    parts.append(f"profile {visible(q.profile.name) if q.profile else 'balanced'}")
    return "; ".join(parts)


def run_lines(commands: list[dict[str, Any]]) -> list[RenderableType]:
    """The commands that run a pick as sized, one per runtime (notes dimmed). A command is one
    line whatever the width (never hard-wrapped: the terminal wraps it, a paste keeps it)."""
    lines: list[RenderableType] = []
    for item in commands:
        line = text(f"  {item['runtime']}: {item['command']}")
        line.no_wrap, line.overflow = True, "ignore"
        lines.append(line)
        if item.get("note"):
            lines.append(text(f"    ({item['note']})", "dim"))
    return lines


def recommendation(
    rec: Recommendation,
    show_excluded: bool,
    run: list[dict[str, Any]] | None = None,
    as_of: str | None = None,
    weights: str | None = None,
) -> RenderableType:
    """`weights`: for a top pick released as a weight diff, how its weights are obtained."""
    shown = rec.shown
    title = Text.assemble(("Recommendations", "bold"), f"  ({_query_line(rec)})")
    parts: list[RenderableType] = []
    if shown:
        view = Columns(title)
        view.add("#", [text(i) for i in range(1, len(shown) + 1)], 0, "right")
        view.add("model", [text(c.model.id, "bold") for c in shown])
        heads = headlines(rec)  # each pick under its runtime (ranking/headline.py)
        view.add("quant", [text(_format(c, h)) for c, h in zip(shown, heads, strict=True)], 1)
        memory = [_memory(c, h) for c, h in zip(shown, heads, strict=True)]
        view.add("memory GiB", memory, 1, fold=27)
        if any(h.per_stream for h in heads):
            rates = [text(rate(c, h)) for c, h in zip(shown, heads, strict=True)]
            view.add("tok/s", rates, 1, "right")
        if any(h.aggregate for h in heads):  # batch > 1: all streams together
            view.add("all tok/s", [text(total(h)) for h in heads], 2, "right")
        asked = _asked(rec)  # the columns of what the query asks about are never dropped
        view.add(
            "max ctx", [text(context(h.max_context)) for h in heads], asked("context", 2), "right"
        )
        view.add("comm.", [commercial_mark(c.model) for c in shown], asked("licence", 3))
        view.add("licence", [text(c.model.license.id) for c in shown], asked("licence", 4))
        if rec.query.constraints.languages:
            view.add("langs", [text(languages(c.model.languages)) for c in shown], 0)
        view.add("score", [text(f"{c.score:.3f}", "bold") for c in shown], 0, "right")
        view.add("why", [text("; ".join(c.reasons[:2])) for c in shown], 5)
        parts.append(view)
        best = shown[0]
        parts.append(text(top_pick(best, rec.query.hardware, heads[0])))
        if run:
            parts.append(text("Run it as sized:"))
            parts.extend(run_lines(run))
        elif weights:
            parts.append(text(f"Weights: {weights}"))
        parts.append(text(_footer(rec, show_excluded, as_of), "dim"))
    else:
        parts.append(text("No model satisfies every constraint. Closest:", "bold red"))
        for line in rec.hints:
            parts.append(text(f"  - {line}"))
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


def _asked(rec: Recommendation) -> Any:
    """priority(kind, default): 0 (kept) for what the query constrains, else the default."""
    c = rec.query.constraints
    kinds = {
        "licence": c.commercial or c.unconditional or bool(c.licenses),
        "context": c.min_context is not None,
    }
    return lambda kind, default: 0 if kinds[kind] else default


def _footer(rec: Recommendation, show_excluded: bool, as_of: str | None) -> str:
    """The notes under the ranking: counts, what is estimated, what the figures assume."""
    shown = rec.shown
    notes = (
        f"{len(rec.ranking)} of {len(rec.ranking) + len(rec.excluded)} models pass the "
        f"constraints; {len(rec.excluded)} excluded"
        + ("" if show_excluded else " (--show-excluded lists them with reasons)")
        + ". Memory and tok/s are estimates; `llm-pick explain ID` shows every term."
    )
    hardware = rec.query.hardware
    if hardware and hardware.bandwidth_gbs is None and hardware.vram_bytes > 0:
        notes += (
            " tok/s needs --gpu NAME (the card's bandwidth); until then speed is ranked at"
            " the median bandwidth of the preset cards with this memory."
        )
    if any(c.assessment.estimate.kv_dtype != "fp16" for c in shown):
        notes += (
            " A quantized KV cache (marked +kv) applies to GGUF formats and needs flash "
            "attention (llama.cpp -fa on)."
        )
    if hardware and hardware.vram_bytes > 0:
        notes += (
            f" Each card keeps {hardware.headroom_bytes / GIB:.1f} GiB free (--headroom);"
            " 'max ctx' is the longest context that fits."
        )
    if as_of:
        notes += f" Catalog as of {as_of}."
    return notes


def _format(cand: Any, head: Headline) -> str:
    if head.runtime == "vllm":
        return f"{head.quant} vLLM"
    est = cand.assessment.estimate
    return f"{est.quant}" + ("" if est.kv_dtype == "fp16" else f" +kv {est.kv_dtype}")


def _memory(cand: Any, head: Headline) -> Text:
    if head.per_card and head.available_bytes:  # vLLM: what it allocates on each card
        label = Text(f"{head.memory_bytes / GIB:.1f}/{head.available_bytes / GIB:.0f} /card ")
        label.append_text(bar(head.memory_bytes, head.available_bytes, 6))
        return label
    est, fit = cand.assessment.estimate, cand.assessment.fit
    if fit is None:
        return text(f"{est.total_bytes / GIB:.1f}")
    if fit.verdict in ("offload", "cpu"):
        return text(placement(fit), "yellow")
    label = Text(f"{fit.needed_bytes / GIB:.1f}/{fit.available_bytes / GIB:.0f} ")
    label.append_text(bar(fit.needed_bytes, fit.available_bytes, 6))
    return label


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
        if line := runtime_line(data.get("as_run")):
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
        "Formats that run (* chosen: most quality at 10+ tokens/s, else best score)",
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
