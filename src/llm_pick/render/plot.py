"""What the frontier chart shows, taken from the pipeline's outcome: one point per model
(memory needed against quality or tok/s), the frontier, the usable memory and the scales.
Drawn by render/chart.py (terminal) and render/svg.py (HTML). Pure: no rich, no printing."""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Literal

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.catalog.types import Model
from llm_pick.estimate.assess import Assessment
from llm_pick.estimate.hardware import GIB
from llm_pick.estimate.quant import QUANTS
from llm_pick.ranking.result import SCOPE, Recommendation
from llm_pick.render.geometry import Point, Scale, finite, frontier, scale
from llm_pick.scoring.criteria import quality

Axis = Literal["quality", "speed"]
AXES: tuple[Axis, ...] = ("quality", "speed")
Y_LABEL = {"quality": "quality (MMLU x format retention)", "speed": "decode tok/s"}
LOG_SPREAD = 10.0  # tok/s spanning more than 10x is drawn on a log scale
NEAR = 1.5  # excluded models up to 1.5x the ranked range are drawn; further ones are counted


class Plot(NamedTuple):
    axis: Axis
    points: list[Point]  # ranked first (best first), then excluded
    ranks: dict[str, int]  # model id -> rank, for the ranked points
    labelled: list[int]  # indices of points to name, most important first
    frontier: list[int]
    usable_gib: float | None  # the card(s)' usable memory
    x: Scale
    y: Scale
    off_chart: int  # excluded models needing more memory than the chart shows
    unplotted: int  # ranked models without a value on this axis (e.g. tok/s without --gpu)
    highlight: str | None = None  # one model drawn apart (explain)
    shown: frozenset[str] = frozenset()  # the ranked models the table shows (named first)

    @property
    def title(self) -> str:
        what = "Quality" if self.axis == "quality" else "Decode speed"
        return f"{what} against memory needed (estimates)"

    @property
    def y_label(self) -> str:
        return Y_LABEL[self.axis] + (" (log scale)" if self.y.log else "")

    @property
    def on_frontier(self) -> list[Point]:
        return [self.points[i] for i in self.frontier]


def kind(plot: Plot, index: int) -> str:
    """How a point is drawn: the explained model, on the frontier, ranked or excluded."""
    point = plot.points[index]
    if plot.highlight is not None and point.key == plot.highlight:
        return "highlight"
    if index in plot.frontier:
        return "frontier"
    return "ranked" if point.ranked else "excluded"


def _y(axis: Axis, model: Model, item: Assessment, lineage: dict[str, Model]) -> float | None:
    if axis == "speed":
        speed = item.speed
        return None if speed is None else speed.decode_mid
    quant = QUANTS.get(item.estimate.quant)
    return None if quant is None else quality(model, quant, lineage).value


def plot(
    rec: Recommendation,
    axis: Axis,
    lineage: dict[str, Model],
    *,
    only: Collection[str] | None = None,
    highlight: str | None = None,
) -> Plot:
    """The chart of a recommendation: ranked models (the shown ones named), and the excluded
    models inside the query's scope, dimmed. `only` keeps those ids (compare)."""

    def keep(model_id: str) -> bool:
        return only is None or model_id in only

    points: list[Point] = []
    ranks: dict[str, int] = {}
    shown = {c.model.id for c in rec.shown}
    unplotted = 0
    for rank, cand in enumerate(rec.ranking, 1):
        if not keep(cand.model.id):
            continue
        y = cand.tokens_per_second if axis == "speed" else cand.values["quality"].value
        if y is None:
            unplotted += 1
            continue
        points.append(Point(cand.model.id, cand.assessment.estimate.total_bytes / GIB, y))
        ranks[cand.model.id] = rank
    points = finite(points)
    dimmed: list[Point] = []
    for exclusion in rec.excluded:
        item = exclusion.chosen or exclusion.smallest
        if item is None or not keep(exclusion.model.id):
            continue
        if only is None and exclusion.failed & SCOPE:
            continue  # left out by the query's own scope (--family, --exclude, ...)
        y = _y(axis, exclusion.model, item, lineage)
        if y is not None:
            dimmed.append(Point(exclusion.model.id, item.estimate.total_bytes / GIB, y, False))
    dimmed = finite(dimmed)
    usable = _usable_gib(rec)
    base = [p.x for p in points] + ([usable] if usable else [])
    # compare draws every model it names; recommend leaves out the far ones (counted)
    # (when nothing is ranked, every excluded model is drawn against the usable memory)
    reach = max(base) * NEAR if points and only is None else math.inf
    near = [p for p in dimmed if p.x <= reach]
    everything = points + near
    x_scale = scale([p.x for p in everything] + ([usable] if usable else []), 5, zero=True)
    ys = [p.y for p in everything]
    spread = axis == "speed" and min(ys, default=0) > 0 and max(ys) / min(ys) > LOG_SPREAD
    y_scale = scale(ys, 4, zero=axis == "speed", log=spread)
    front = frontier(everything)
    on_front = set(front)

    def priority(index: int) -> tuple[bool, bool, bool, int]:
        key = everything[index].key
        return (key != highlight, key not in shown, index not in on_front, ranks.get(key, 0))

    named = [i for i, p in enumerate(points) if p.key in shown or i in on_front]
    named += [i for i, p in enumerate(everything) if p.key == highlight and i not in named]
    return Plot(
        axis=axis,
        points=everything,
        ranks=ranks,
        labelled=sorted(named, key=priority),
        frontier=front,
        usable_gib=usable,
        x=x_scale,
        y=y_scale,
        off_chart=len(dimmed) - len(near),
        unplotted=unplotted,
        highlight=highlight,
        shown=frozenset(shown),
    )


def _usable_gib(rec: Recommendation) -> float | None:
    """The usable GPU memory the fit verdicts were made against (all cards)."""
    for item in [c.assessment for c in rec.ranking] + [
        e.chosen or e.smallest for e in rec.excluded
    ]:
        if item is not None and item.fit is not None:
            return item.fit.available_bytes / GIB
    hardware = rec.query.hardware
    return None if hardware is None else hardware.vram_bytes * hardware.gpus / GIB
