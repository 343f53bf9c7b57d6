"""Effective context from published long-context evaluations (issue 19 §4): sourced catalog
rows, shown beside max_context where shorter than advertised."""

from __future__ import annotations

import re

from llm_pick.catalog.load import load_catalog
from llm_pick.catalog.longctx import EffectiveContext, card_effective, effective_note

CATALOG = load_catalog()


def test_rows_carry_the_printed_table_row_and_its_url() -> None:
    rows = [(m, r) for m in CATALOG for r in m.effective_context]
    assert len(rows) >= 8
    for model, row in rows:
        assert "https://" in row.source, model.id
        if row.benchmark == "model_card":  # the card's own sentence names both lengths
            quote = row.source.lower()
            assert row.claimed.lower() in quote and row.effective.lower() in quote, model.id
            continue
        if row.benchmark == "ruler_card":  # the card prints scores; the rule gives the length
            assert row.scores and row.effective == card_effective(row.scores), model.id
            printed = {float(n) for n in re.findall(r"\d+\.\d+", row.source)}
            assert set(row.scores.values()) <= printed, model.id
            assert all(f"RULER {k}" in row.source for k in row.scores), model.id
            continue
        assert row.scores is None, model.id
        # the row as printed holds both lengths (RULER: |claimed|effective|; NoLiMa alike)
        assert f"|{row.claimed}|{row.effective}|" in row.source.replace(" ", ""), model.id


def test_llama_31_8b_uses_32k_of_its_128k_on_ruler(cli) -> None:
    model = CATALOG.get("llama-3.1-8b-instruct")
    ruler = next(r for r in model.effective_context if r.benchmark == "ruler")
    assert (ruler.effective, ruler.claimed) == ("32K", "128K")
    out = cli("memory", "llama-3.1-8b-instruct", "-q", "q4_k_m", "--gpu", "4090", "-f", "json")
    data = out.json()
    assert data["max_context"] == 131072  # memory allows it; the evaluation says less is used
    assert "RULER 32K of 128K" in data["effective_context"]["note"]


def test_no_note_where_the_evaluation_confirms_the_claim() -> None:
    mixtral = CATALOG.get("mixtral-8x7b-instruct")
    assert mixtral.effective_context and effective_note(mixtral.effective_context) is None


def test_explain_shows_it_beside_the_context(cli) -> None:
    args = ("explain", "mixtral-8x22b-instruct", "--gpu", "h100-sxm", "--gpus", "2")
    assert "RULER 32K of 64K" in cli(*args, "-f", "json").json()["effective_context"]["note"]
    assert "Context: effective context shorter" in " ".join(cli(*args).stdout.split())


def test_a_model_without_an_evaluation_has_no_field(cli) -> None:
    data = cli("explain", "llama-2-7b", "--gpu", "4090", "-f", "json").json()
    assert "effective_context" not in data


def test_card_scores_give_the_longest_length_above_the_bar() -> None:
    assert card_effective({"32K": 93.96, "128K": 81.2}) == "32K"
    assert card_effective({"4K": 90.0, "64K": 86.0, "128K": 85.6}) == "64K"  # 85.6 is not above
    assert card_effective({"32K": 80.0}) is None


def test_mistral_small_31_card_scores_say_32k_and_that_64k_was_not_scored(cli) -> None:
    model = CATALOG.get("mistral-small-3.1-24b-instruct-2503")
    row = next(r for r in model.effective_context if r.benchmark == "ruler_card")
    assert (row.effective, row.claimed, row.scores) == ("32K", "128K", {"32K": 93.96, "128K": 81.2})
    out = cli("memory", model.id, "-q", "q4_k_m", "--gpu", "4090", "-f", "json")
    note = out.json()["effective_context"]["note"]
    assert "RULER 32K of 128K" in note and "93.96 at 32K, 81.2 at 128K" in note
    assert "64K not scored" in note


def test_no_unscored_length_when_the_next_one_was_scored() -> None:
    row = EffectiveContext(
        benchmark="ruler_card",
        effective="32K",
        claimed="128K",
        source="https://example.org",
        scores={"32K": 90.0, "64K": 80.0, "128K": 70.0},
    )
    note = effective_note([row])
    assert note is not None and "not scored" not in note


def test_show_lists_each_evaluation_the_note_points_to(cli) -> None:
    shown = " ".join(cli("show", "llama-3.1-8b-instruct").stdout.split())
    assert "effective RULER 32K of 128K" in shown and "NoLiMa 1K of 128K" in shown
