"""ranking/order.py: the 2-3-bit rule, checked against its definition on generated orders
(a brute-force reference), and its cost on a long list."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any, NamedTuple

import pytest
from conftest import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llm_pick.estimate.hardware import Hardware
from llm_pick.ranking import order


class Fake(NamedTuple):
    model: Any
    assessment: Any
    choice: tuple[str, ...]
    low: bool
    quality: float
    place: int
    fast: bool


def fake(i: int, low: bool, quality: float, place: int, fast: bool) -> Fake:
    est = SimpleNamespace(quant="q3_k_m" if low else "q4_k_m")
    return Fake(
        SimpleNamespace(id=f"m{i}"),
        SimpleNamespace(estimate=est, place=place, fast=fast),
        (),
        low,
        quality,
        place,
        fast,
    )


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(order, "low_bit", lambda c: c.low)
    monkeypatch.setattr(order, "_quality", lambda c: c.quality)
    monkeypatch.setattr(order, "placement", lambda a: a.place)
    monkeypatch.setattr(order, "usable", lambda a, hw: a.fast)


def reference(ranked: list[Fake]) -> tuple[list[str], set[str]]:
    """The rule as written: each 2-3-bit candidate goes just below the last candidate ranked
    below it that dominates it; those moved below one candidate keep their score order."""

    def dominates(b: Fake, c: Fake) -> bool:
        return not b.low and b.quality >= c.quality and b.fast and b.place <= c.place

    slots: dict[int, list[Fake]] = {}
    stay = []
    for i, c in enumerate(ranked):
        below = [j for j in range(i + 1, len(ranked)) if c.low and dominates(ranked[j], c)]
        if below:
            slots.setdefault(below[-1], []).append(c)
        else:
            stay.append((i, c))
    out = []
    for i, c in stay:
        out.append(c)
        out.extend(slots.get(i, []))
    moved = {c.model.id for group in slots.values() for c in group}
    return [c.model.id for c in out], moved


rows = st.lists(
    st.tuples(
        st.booleans(), st.sampled_from([0.5, 0.6, 0.7, 0.8]), st.integers(0, 2), st.booleans()
    ),
    max_size=14,
)


@settings(
    max_examples=examples(200),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rows)
def test_reorder_follows_its_definition(
    fakes: None, rows: list[tuple[bool, float, int, bool]]
) -> None:
    ranked = [fake(i, *row) for i, row in enumerate(rows)]
    got = order.reorder(ranked, Hardware.from_gpus(["rtx-3090"]))  # type: ignore[arg-type]
    ids, moved = reference(ranked)
    assert [c.model.id for c in got] == ids
    assert {c.model.id for c in got if c.choice} == moved  # a moved one says why


def test_reorder_of_many_is_fast(fakes: None) -> None:
    """20,000 candidates, half of them 2-3-bit: one sort, not a pass per move."""
    ranked = [fake(i, i % 2 == 0, 0.5 + (i % 7) / 20, i % 3, i % 5 != 0) for i in range(20_000)]
    start = time.process_time()
    got = order.reorder(ranked, Hardware.from_gpus(["rtx-3090"]))  # type: ignore[arg-type]
    assert len(got) == len(ranked)
    assert time.process_time() - start < 5.0  # the old pass-per-move loop took minutes here
