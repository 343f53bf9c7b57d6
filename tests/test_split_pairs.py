"""The paired layer vs row/tensor decode rows behind the --split-mode refusal (issue 20 §2):
every row follows the URL split rule and the physical bound, and the refusal stands only while
the simplest estimate fails its held-out targets (bench/splitmode.py)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from conftest import ROOT, script

from llm_pick.errors import InputError
from llm_pick.estimate.splitmode import check_split_mode

RAW = yaml.safe_load((ROOT / "bench" / "data" / "split_mode_pairs.yaml").read_text())["pairs"]


@pytest.fixture(scope="module")
def bench() -> Any:
    return script("bench/splitmode.py", "splitmode_bench")


@pytest.mark.parametrize("raw", RAW, ids=[r["id"] for r in RAW])
def test_each_pair_is_sourced_and_set_by_its_url(raw: dict[str, Any]) -> None:
    rules = script("bench/prefill_rows.py", "prefill_rows_split_pairs")
    assert raw["url"].startswith("https://github.com/") and raw["quote"]
    assert raw["interconnect"] and raw["build"] and raw["mode"] in ("row", "tensor")
    assert raw["set"] == rules.split_of(raw["url"])  # never placed by hand


def test_no_pair_beats_the_cards_it_splits_over(bench: Any) -> None:
    # Decode reads the weights once a token; N cards read at most N times one card's share.
    pairs = bench.load_pairs()
    assert pairs and all(p.ratio <= p.cards for p in pairs if p.cards is not None)
    assert {p.mode for p in pairs} == {"row", "tensor"}


def test_constant_ratio_misses_the_targets_so_the_refusal_stands(bench: Any) -> None:
    pairs = bench.load_pairs()
    held = bench.verdict(pairs)
    assert held["tensor"] is not None and held["tensor"][0] >= 3
    assert held["tensor"][2] > bench.WORST_TARGET  # worst held-out error above 35%
    assert not bench.supported(pairs)
    for mode in ("row", "tensor"):  # if the data ever support a mode, this must be revisited
        with pytest.raises(InputError, match="not modelled"):
            check_split_mode(mode)


def test_the_verdict_can_pass() -> None:
    # The check is not vacuous: pairs a constant ratio predicts within the targets pass it.
    bench = script("bench/splitmode.py", "splitmode_bench_pass")
    pair = bench.Pair
    pairs = [
        pair("a", "fit", "tensor", 2, None, 10.0, 15.0),
        pair("b", "test", "tensor", 2, None, 20.0, 29.0),
        pair("c", "test", "tensor", 4, None, 40.0, 62.0),
    ]
    assert bench.supported(pairs)
