"""Chart geometry on its own: the frontier is exactly the undominated points, positions are
monotone in the values, scales cover their values, labels never overlap."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from llm_pick.render.geometry import (
    Point,
    finite,
    frontier,
    place_labels,
    scale,
    shorten,
)

values = st.floats(min_value=0, max_value=2000, allow_nan=False, allow_infinity=False)
points = st.lists(
    st.builds(Point, st.text(min_size=1, max_size=5), values, values, st.booleans()), max_size=40
)


def dominates(a: Point, b: Point) -> bool:
    return a.x <= b.x and a.y >= b.y and (a.x < b.x or a.y > b.y)


@given(points)
def test_frontier_is_exactly_the_undominated_ranked_points(items: list[Point]) -> None:
    front = set(frontier(items))
    ranked = [p for p in items if p.ranked]
    for index, point in enumerate(items):
        if not point.ranked:
            assert index not in front  # an excluded model is never on the frontier
        elif index in front:
            assert not any(dominates(other, point) for other in ranked)
        else:
            assert any(dominates(other, point) for other in ranked)


def test_frontier_by_hand() -> None:
    items = [
        Point("small", 2, 0.3),
        Point("big", 20, 0.7),
        Point("worse", 20, 0.5),  # same memory as big, less quality
        Point("mid", 8, 0.6),
        Point("twin", 8, 0.6),  # identical to mid: both kept
        Point("bloated", 30, 0.7),  # more memory for the same quality
        Point("excluded", 1, 0.9, ranked=False),
    ]
    assert [items[i].key for i in frontier(items)] == ["small", "big", "mid", "twin"]
    assert frontier([]) == []


@given(st.lists(values, min_size=1, max_size=30), st.integers(2, 200), st.booleans())
def test_positions_are_monotone_and_inside(data: list[float], cells: int, zero: bool) -> None:
    axis = scale(data, 4, zero=zero)
    assert axis.low <= min(data) and axis.high >= max(data) and axis.high > axis.low
    ordered = sorted(data)
    spots = [axis.cell(v, cells) for v in ordered]
    assert spots == sorted(spots)
    assert all(0 <= s < cells for s in spots)
    fractions = [axis.fraction(v) for v in ordered]
    assert fractions == sorted(fractions) and fractions[0] >= 0 and fractions[-1] <= 1
    ticks = axis.ticks()
    assert ticks == sorted(ticks) and math.isclose(ticks[0], axis.low, abs_tol=1e-9)
    assert math.isclose(ticks[-1], axis.high, abs_tol=1e-9)


@given(st.lists(st.floats(min_value=0.5, max_value=5000), min_size=1, max_size=30))
def test_log_scale_is_monotone_and_covers(data: list[float]) -> None:
    axis = scale(data, log=True)
    assert axis.log and axis.low <= min(data) and axis.high >= max(data)
    ordered = sorted(data)
    spots = [axis.cell(v, 50) for v in ordered]
    assert spots == sorted(spots)
    assert all(axis.low <= t <= axis.high for t in axis.ticks())


def test_one_value_and_no_value_still_give_a_scale() -> None:
    for data in ([], [7.0], [0.0], [3.0, 3.0]):
        axis = scale(data, zero=True)
        assert axis.high > axis.low
        assert all(axis.low <= v <= axis.high for v in data)
    assert scale([0.5, 0.5]).low < 0.5 < scale([0.5, 0.5]).high


def test_nan_and_infinity_are_never_drawn() -> None:
    items = [Point("a", math.nan, 1), Point("b", 1, math.inf), Point("c", 1, 2)]
    assert [p.key for p in finite(items)] == ["c"]
    axis = scale([math.nan, 1.0, 4.0])
    assert math.isfinite(axis.low) and math.isfinite(axis.high)


@given(
    st.lists(st.tuples(st.integers(0, 9), st.integers(0, 39)), min_size=1, max_size=25),
    st.integers(1, 30),
    st.integers(0, 2),
)
def test_labels_stay_inside_and_never_overlap(
    marks: list[tuple[int, int]], size: int, reach: int
) -> None:
    texts = [(i, "x" * size) for i in range(len(marks))]
    placed = place_labels(marks, texts, 40, 10, reach)
    covered = {(r, c + d) for r, c in marks for d in range(-reach, reach + 1)}
    used: set[tuple[int, int]] = set()
    for label in placed:
        cells = {(label.row, label.column + k) for k in range(len(label.text))}
        assert label.row == marks[label.point][0]
        assert label.column >= 0 and label.column + len(label.text) <= 40
        assert not cells & used and not cells & covered
        used |= cells


def test_shorten_marks_the_cut() -> None:
    assert shorten("abc", 5) == "abc"
    assert shorten("a" * 100, 10) == "a" * 9 + "…" and len(shorten("a" * 100, 10)) == 10
