"""Long plain tables are written without rich's layout of every cell (render/bulk.py): the
text must be what rich prints, line for line, at any width, and rich must still lay out
tables that fold, are coloured or are short."""

from __future__ import annotations

import dataclasses
import io

import pytest

from llm_pick.catalog.load import load_catalog
from llm_pick.render import bulk
from llm_pick.render.catalog import model_list
from llm_pick.reports.report import console

BUNDLED = list(load_catalog())
# 630 models: the bundled ones and tunes with longer ids (wider columns than the bundled)
MODELS = BUNDLED + [
    dataclasses.replace(m, id=f"{m.id}-{'x' * (i % 37)}-tune-{i}", base_model=m.id)
    for i, m in enumerate(BUNDLED * 4)
]


def printed(width: int, *, fast: bool, color: bool = False, count: int = len(MODELS)) -> str:
    out = io.StringIO()
    before = bulk.FAST_FROM
    bulk.FAST_FROM = 1 if fast else 10**9
    try:
        shown = console(out, width=width, color=color)
        shown.print(model_list(MODELS[:count], f"{count} models"), crop=False)
    finally:
        bulk.FAST_FROM = before
    return out.getvalue()


@pytest.mark.parametrize(  # the fast loop: the narrowest and the widest; the full run: all
    "width", [40, *(pytest.param(w, marks=pytest.mark.slow) for w in (80, 123, 200)), 400]
)
def test_plain_rows_print_as_rich_does(width: int) -> None:
    assert printed(width, fast=True) == printed(width, fast=False)


def test_plain_rows_are_used_for_long_tables_only_without_colour(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[bool] = []
    lines = bulk._lines

    def spy(*args: object) -> object:
        calls.append(True)
        return lines(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(bulk, "_lines", spy)
    printed(200, fast=True)
    assert calls  # the fast path ran at a width where nothing folds
    calls.clear()
    printed(200, fast=True, color=True)
    assert not calls  # styles: rich prints them
    calls.clear()
    printed(200, fast=False, count=50)
    assert not calls  # a short table: rich


def test_folding_cells_leave_the_table_to_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    """At 40 columns the ids no longer fit whole: rich folds them, and bulk steps aside."""
    calls: list[bool] = []
    lines = bulk._lines
    monkeypatch.setattr(bulk, "_lines", lambda *a: calls.append(True) or lines(*a))
    text = printed(40, fast=True)
    assert not calls
    assert text == printed(40, fast=False)
