"""Effective context from published long-context evaluations (issue 19 §4): sourced catalog
rows, shown beside max_context where shorter than advertised."""

from __future__ import annotations

from llm_pick.catalog.load import load_catalog
from llm_pick.catalog.longctx import effective_note

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
