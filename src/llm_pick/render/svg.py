"""The frontier chart as inline SVG for the HTML report: every mark a shape with a <title>
(hovering names the model), the frontier joined by a line, the usable memory dashed, and a
text alternative. Shapes and line styles carry the meaning, colour only repeats it.
Returns a string; every catalog string is escaped."""

from __future__ import annotations

import math
from html import escape

from llm_pick.render.geometry import place_labels, shorten
from llm_pick.render.plot import Plot, kind
from llm_pick.render.safe import sanitize

WIDTH, HEIGHT = 760, 420
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 16, 56
CHAR_W, CHAR_H = 6.6, 14.0  # label placement grid (11px sans-serif)
SIZE = 5.0


def esc(value: object) -> str:
    return escape(sanitize(str(value)), quote=True)


def _shape(kind: str, x: float, y: float) -> str:
    s = SIZE
    if kind == "frontier":
        d = s * 1.4
        return (
            f'<path d="M{x:.1f} {y - d:.1f}l{d:.1f} {d:.1f}l{-d:.1f} {d:.1f}l{-d:.1f} {-d:.1f}z"/>'
        )
    if kind == "highlight":
        points = []
        for i in range(10):
            radius = s * 2 if i % 2 == 0 else s * 0.9
            angle = math.pi / 2 + i * math.pi / 5
            points.append(f"{x + radius * math.cos(angle):.1f},{y - radius * math.sin(angle):.1f}")
        return f'<polygon points="{" ".join(points)}"/>'
    radius = s if kind == "ranked" else s * 0.7
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}"/>'


def describe(plot: Plot) -> str:
    """The chart in words (its text alternative)."""
    unit = "quality" if plot.axis == "quality" else "tok/s"
    front = sorted(plot.on_frontier, key=lambda p: p.x)
    if not plot.points:
        return "Nothing to chart: no model has a value on this axis."
    parts = [
        f"{len(plot.ranks)} ranked and {len(plot.points) - len(plot.ranks)} excluded models. "
        "On the Pareto frontier (no ranked model needs less memory and scores higher): "
        + "; ".join(f"{p.key} needs {p.x:.1f} GiB, {unit} {_value(plot, p.y)}" for p in front)
        + "."
    ]
    if plot.usable_gib is not None:
        parts.append(f"Usable GPU memory: {plot.usable_gib:.1f} GiB.")
    if plot.off_chart:
        parts.append(f"{plot.off_chart} excluded models need more memory than shown.")
    return " ".join(parts)


def _value(plot: Plot, y: float) -> str:
    return f"{y:.3f}" if plot.axis == "quality" else f"{y:.0f}"


def svg(plot: Plot, ident: str) -> str:
    """An <svg> element; `ident` makes its ids unique in the page."""
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def at(x: float, y: float) -> tuple[float, float]:
        return LEFT + plot.x.fraction(x) * inner_w, TOP + (1 - plot.y.fraction(y)) * inner_h

    out = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{ident}-t {ident}-d" class="chart" id="{ident}">',
        f'<title id="{ident}-t">{esc(plot.title)}</title>',
        f'<desc id="{ident}-d">{esc(describe(plot))}</desc>',
        f'<g class="axes"><rect x="{LEFT}" y="{TOP}" width="{inner_w}" height="{inner_h}"/>',
    ]
    for tick in plot.y.ticks():
        _, y = at(plot.x.low, tick)
        out.append(
            f'<line class="grid" x1="{LEFT}" x2="{LEFT + inner_w}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{esc(plot.y.label(tick))}</text>"
        )
    for tick in plot.x.ticks():
        x, _ = at(tick, plot.y.low)
        out.append(
            f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{TOP + inner_h}"/>'
            f'<text x="{x:.1f}" y="{TOP + inner_h + 16}" text-anchor="middle">'
            f"{esc(plot.x.label(tick))}</text>"
        )
    out.append(
        f'<text x="{LEFT + inner_w / 2:.0f}" y="{HEIGHT - 12}" text-anchor="middle" '
        f'class="axis-name">memory needed (GiB, estimate)</text>'
        f'<text transform="translate(14 {TOP + inner_h / 2:.0f}) rotate(-90)" '
        f'text-anchor="middle" class="axis-name">{esc(plot.y_label)}</text></g>'
    )
    if plot.usable_gib is not None:
        x, _ = at(plot.usable_gib, plot.y.low)
        out.append(
            f'<g class="usable"><line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" '
            f'y2="{TOP + inner_h}"/><text x="{x - 4:.1f}" y="{TOP + 12}" text-anchor="end">'
            f"{plot.usable_gib:.1f} GiB usable</text></g>"
        )
    front = sorted(plot.frontier, key=lambda i: (plot.points[i].x, -plot.points[i].y))
    if len(front) > 1:
        line = " ".join(
            "{:.1f},{:.1f}".format(*at(plot.points[i].x, plot.points[i].y)) for i in front
        )
        out.append(f'<polyline class="frontier-line" points="{line}"/>')
    order = {"excluded": 0, "ranked": 1, "frontier": 2, "highlight": 3}
    spots = [at(p.x, p.y) for p in plot.points]
    for index in sorted(range(len(plot.points)), key=lambda i: order[kind(plot, i)]):
        point, shape = plot.points[index], kind(plot, index)
        rank = plot.ranks.get(point.key)
        status = f"rank {rank}" if rank else "excluded"
        if shape == "frontier":
            status += ", on the frontier"
        tip = f"{point.key}: {point.x:.1f} GiB, {plot.y_label} {_value(plot, point.y)} ({status})"
        out.append(
            f'<g class="mark {shape}" data-model="{esc(point.key)}"><title>{esc(tip)}</title>'
            f"{_shape(shape, *spots[index])}</g>"
        )
    out.append(_labels(plot, spots))
    out.append("</svg>")
    return "\n".join(out)


def _labels(plot: Plot, spots: list[tuple[float, float]]) -> str:
    columns, rows = int((WIDTH - LEFT - RIGHT) / CHAR_W), int((HEIGHT - TOP - BOTTOM) / CHAR_H)
    marks = [
        (
            min(rows - 1, int((y - TOP) / CHAR_H)),
            min(columns - 1, int((x - LEFT) / CHAR_W)),
        )
        for x, y in spots
    ]
    texts = [(i, shorten(sanitize(plot.points[i].key), 28)) for i in plot.labelled]
    placed = place_labels(marks, texts, columns, rows, reach=1)
    if texts and all(label.point != texts[0][0] for label in placed):
        # the most important name (the top pick) is drawn even over other marks
        top = texts[0][0]
        alone = [mark if i == top else (-1, -1) for i, mark in enumerate(marks)]
        first = place_labels(alone, texts[:1], columns, rows, reach=1)
        cover = [(f.row, c) for f in first for c in range(f.column, f.column + len(f.text))]
        placed = first + place_labels(marks + cover, texts[1:], columns, rows, reach=1)
    out = ['<g class="labels" aria-hidden="true">']
    for label in placed:
        x = LEFT + label.column * CHAR_W
        y = spots[label.point][1] + 4
        out.append(f'<text x="{x:.1f}" y="{y:.1f}">{esc(label.text)}</text>')
    out.append("</g>")
    return "".join(out)
