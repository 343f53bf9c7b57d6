"""Chart geometry, shared by the terminal chart and the SVG: scales, ticks, the Pareto frontier
and label placement. Pure arithmetic: no rich, no pipeline objects, no printing.

A point is better when it needs less memory (x) and gives more of y (quality or tok/s).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from llm_pick.catalog.tuples import NamedTuple


class Point(NamedTuple):
    key: str  # the model id
    x: float  # memory needed, GiB
    y: float  # quality (0..1) or tokens/s
    ranked: bool = True  # False: excluded (drawn dimmed, never on the frontier)


def finite(points: Sequence[Point]) -> list[Point]:
    """Only points whose coordinates are real numbers (no NaN or infinity is ever drawn)."""
    return [p for p in points if math.isfinite(p.x) and math.isfinite(p.y)]


def frontier(points: Sequence[Point]) -> list[int]:
    """Indices of the ranked points no other ranked point dominates (one needing no more
    memory and giving no less y, better in one of the two). Identical points are all kept.
    O(n log n): sweep by memory, keep the best y seen at strictly smaller memory."""
    order = sorted(
        (i for i, p in enumerate(points) if p.ranked), key=lambda i: (points[i].x, -points[i].y)
    )
    best = -math.inf
    keep: list[int] = []
    start = 0
    while start < len(order):
        end = start
        x = points[order[start]].x
        while end < len(order) and points[order[end]].x == x:
            end += 1
        top = points[order[start]].y  # sorted by -y within the same x
        if top > best:
            keep += [i for i in order[start:end] if points[i].y == top]
            best = top
        start = end
    return sorted(keep)


def nice_step(span: float, count: int) -> float:
    """A round tick step (1, 2 or 5 x 10^k) giving about `count` intervals over `span`."""
    raw = span / max(1, count)
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return float(factor * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


class Scale(NamedTuple):
    """A linear (or logarithmic) map of [low, high] onto [0, 1] with round ends."""

    low: float
    high: float
    step: float  # tick step (linear scales)
    log: bool = False

    def fraction(self, value: float) -> float:
        """0 at low, 1 at high; values outside are clamped (drawn at the edge)."""
        if self.log:
            value = max(value, self.low)
            share = math.log10(value / self.low) / math.log10(self.high / self.low)
        else:
            share = (value - self.low) / (self.high - self.low)
        return min(1.0, max(0.0, share))

    def cell(self, value: float, cells: int) -> int:
        """The cell (0 .. cells-1) of a value; monotone non-decreasing in the value."""
        return min(cells - 1, int(self.fraction(value) * cells))

    def ticks(self) -> list[float]:
        if self.log:
            return [t for t in _round_numbers(self.low, self.high) if self.low <= t <= self.high]
        count = round((self.high - self.low) / self.step)
        return [round(self.low + i * self.step, 10) for i in range(count + 1)]

    def label(self, value: float) -> str:
        if self.log:
            return f"{value:g}"
        return tick_label(value, self.step)


def _round_numbers(low: float, high: float) -> list[float]:
    """1, 2 and 5 x 10^k from below low to above high."""
    out = []
    for power in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
        out += [round(f * 10.0**power, 10) for f in (1, 2, 5)]
    return out


def scale(
    values: Sequence[float], count: int = 4, *, zero: bool = False, log: bool = False
) -> Scale:
    """A scale with round ends covering the values (and 0 when `zero`); never empty.
    `log`: logarithmic with ends at 1, 2 or 5 x 10^k (only when every value is > 0)."""
    real = [v for v in values if math.isfinite(v)]
    low = min(real, default=0.0)
    high = max(real, default=1.0)
    if log and low > 0:
        rounds = _round_numbers(low, high)
        bottom = max(r for r in rounds if r <= low)
        top = min(r for r in rounds if r >= high)
        if top <= bottom:
            top = min(r for r in rounds if r > bottom)
        return Scale(bottom, top, 0.0, True)
    if zero:
        low = min(low, 0.0)
    if high - low < 1e-9:  # one value (or all equal): give it room on both sides
        pad = abs(high) * 0.1 if abs(high) > 1e-6 else 1.0
        low, high = low - pad, high + pad
        if zero and low < 0 <= low + pad:
            low = 0.0
    step = nice_step(high - low, count)
    first, last = low, high
    low = math.floor(low / step + 1e-9) * step
    high = math.ceil(high / step - 1e-9) * step
    if low > first:  # a product of floats can land just inside the data: widen by a step
        low -= step
    if high < last:
        high += step
    if high <= low:
        high = low + step
    return Scale(low, high, step)


def tick_label(value: float, step: float) -> str:
    digits = max(0, -math.floor(math.log10(step))) if 0 < step < 1 else 0
    return f"{value:.{digits}f}"


class Label(NamedTuple):
    point: int  # the point's index
    row: int
    column: int  # first column of the text
    text: str


def place_labels(
    marks: Sequence[tuple[int, int]],
    texts: Sequence[tuple[int, str]],
    width: int,
    height: int,
    reach: int = 0,
) -> list[Label]:
    """Put each text (point index, text) beside its mark (row, column), right if it fits,
    else left, on cells no mark or earlier label uses; texts are tried in the given order
    (most important first). A text that finds no room is left out (the caller lists it).
    `reach`: cells each side a mark covers (a drawn mark wider than one cell)."""
    taken = [[False] * width for _ in range(height)]
    for row, column in marks:
        if 0 <= row < height:
            for c in range(max(0, column - reach), min(width, column + reach + 1)):
                taken[row][c] = True
    placed: list[Label] = []
    for index, label in texts:
        row, column = marks[index]
        size = len(label)
        for start in (column + reach + 2, column - reach - 1 - size):
            # a blank cell on each side keeps neighbouring labels apart
            span = range(max(0, start - 1), min(width, start + size + 1))
            if start < 0 or start + size > width:
                continue
            if any(taken[row][c] for c in span):
                continue
            for c in range(start, start + size):
                taken[row][c] = True
            placed.append(Label(index, row, start, label))
            break
    return placed


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, an ellipsis marking a cut."""
    return text if len(text) <= limit else text[: max(1, limit - 1)] + "…"
