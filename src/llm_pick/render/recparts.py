"""What `recommend` shows in a terminal, as rich-free parts (render/plain.py): the ranking
table, the top pick in sentences, the commands that run it and the notes under it. The rich
renderables (render/results.py) and the plain text (render/plain.py) are both made from these."""

from __future__ import annotations

from typing import Any

from llm_pick.estimate.hardware import GIB
from llm_pick.estimate.memory import DEFAULT_CONTEXT
from llm_pick.ranking.headline import Headline
from llm_pick.ranking.result import Candidate, Recommendation
from llm_pick.render.figures import (
    COMMERCIAL_MARK,
    COMMERCIAL_STYLE,
    bar_parts,
    context,
    headlines,
    languages,
    placement,
    rate,
    total,
)
from llm_pick.render.plain import Column, Grid, Para, Piece
from llm_pick.render.safe import shown as visible
from llm_pick.render.toppick import top_pick


def _cell(value: object, style: str = "") -> tuple[Piece, ...]:
    return ((visible(value), style),)


def run_parts(commands: list[dict[str, Any]]) -> list[Para]:
    """The commands that run a pick as sized, one per runtime (notes dimmed). A command is one
    line whatever the width (never hard-wrapped: the terminal wraps it, a paste keeps it)."""
    lines: list[Para] = []
    for item in commands:
        lines.append(Para(visible(f"  {item['runtime']}: {item['command']}"), no_wrap=True))
        if item.get("note"):
            lines.append(Para(visible(f"    ({item['note']})"), "dim"))
    return lines


def recommendation_parts(
    rec: Recommendation,
    show_excluded: bool,
    run: list[dict[str, Any]] | None = None,
    as_of: str | None = None,
    weights: str | None = None,
) -> list[Grid | Para]:
    """The ranking and what follows it (the excluded models' table is render/results.py's)."""
    shown = rec.shown
    if not shown:
        hints = [Para(visible(f"  - {line}")) for line in rec.hints]
        return [Para("No model satisfies every constraint. Closest:", "bold red"), *hints]
    view = Grid((("Recommendations", "bold"), (f"  ({_query_line(rec)})", "")))
    view.add(Column("#", [_cell(i) for i in range(1, len(shown) + 1)], 0, "right"))
    view.add(Column("model", [_cell(c.model.id, "bold") for c in shown]))
    heads = headlines(rec)  # each pick under its runtime (ranking/headline.py)
    pairs = list(zip(shown, heads, strict=True))
    view.add(Column("quant", [_cell(_format(c, h)) for c, h in pairs], 1))
    view.add(Column("memory GiB", [_memory(c, h) for c, h in pairs], 1, fold=27))
    if any(h.per_stream for h in heads):
        view.add(Column("tok/s", [_cell(rate(c, h)) for c, h in pairs], 1, "right"))
    if any(h.aggregate for h in heads):  # batch > 1: all streams together
        view.add(Column("all tok/s", [_cell(total(h)) for h in heads], 2, "right"))
    asked = _asked(rec)  # the columns of what the query asks about are never dropped
    ctx = [_cell(context(h.max_context)) for h in heads]
    view.add(Column("max ctx", ctx, asked("context", 2), "right"))
    uses = [c.model.license.commercial_use for c in shown]
    marks = [_cell(COMMERCIAL_MARK[use], COMMERCIAL_STYLE[use]) for use in uses]
    view.add(Column("comm.", marks, asked("licence", 3)))
    ids = [_cell(c.model.license.id) for c in shown]
    view.add(Column("licence", ids, asked("licence", 4)))
    if rec.query.constraints.languages:
        view.add(Column("langs", [_cell(languages(c.model.languages)) for c in shown], 0))
    view.add(Column("score", [_cell(f"{c.score:.3f}", "bold") for c in shown], 0, "right"))
    view.add(Column("why", [_cell("; ".join(c.reasons[:2])) for c in shown], 5))
    parts: list[Grid | Para] = [
        view,
        Para(visible(top_pick(shown[0], rec.query.hardware, heads[0]))),
    ]
    if run:
        parts.append(Para("Run it as sized:"))
        parts.extend(run_parts(run))
    elif weights:
        parts.append(Para(visible(f"Weights: {weights}")))
    parts.append(Para(visible(_footer(rec, show_excluded, as_of)), "dim"))
    return parts


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


def _format(cand: Candidate, head: Headline) -> str:
    if head.runtime == "vllm":
        return f"{head.quant} vLLM"
    est = cand.assessment.estimate
    return f"{est.quant}" + ("" if est.kv_dtype == "fp16" else f" +kv {est.kv_dtype}")


def _memory(cand: Candidate, head: Headline) -> tuple[Piece, ...]:
    if head.per_card and head.available_bytes:  # vLLM: what it allocates on each card
        label = f"{head.memory_bytes / GIB:.1f}/{head.available_bytes / GIB:.0f} /card "
        return _with_bar(label, head.memory_bytes, head.available_bytes)
    est, fit = cand.assessment.estimate, cand.assessment.fit
    if fit is None:
        return _cell(f"{est.total_bytes / GIB:.1f}")
    if fit.verdict in ("offload", "cpu"):
        return _cell(placement(fit), "yellow")
    label = f"{fit.needed_bytes / GIB:.1f}/{fit.available_bytes / GIB:.0f} "
    return _with_bar(label, fit.needed_bytes, fit.available_bytes)


def _with_bar(label: str, used: float, capacity: float) -> tuple[Piece, ...]:
    """The label and a six-cell bar (an empty piece when the capacity is unknown)."""
    return ((label, ""), bar_parts(used, capacity, 6) if capacity > 0 else ("", ""))
