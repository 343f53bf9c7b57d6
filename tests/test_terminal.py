"""Issue 22 §4: output that survives the terminal. At 80 columns the columns of what the query
asks about stay; narrower than the table can be, a list (one block per model) instead of a
garbled table; CSV and Markdown carry GiB, max context, the format and the run command; the
top pick reads as plain sentences, the benchmark detail left to `explain`."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import run
from rich.console import Console

from llm_pick.catalog.load import load_catalog
from llm_pick.cli.parse import constraints, hardware
from llm_pick.estimate.hardware import GIB
from llm_pick.ranking import pipeline
from llm_pick.ranking.query import Query
from llm_pick.reports.recommend import recommend_report

MODELS = load_catalog()


def shown(width: int, **asked: object) -> tuple[str, list[str]]:
    """The recommend table printed by a real rich Console `width` columns wide, and the ids."""
    query = Query(hardware=hardware(vram="24"), constraints=constraints(**asked), top=5)  # type: ignore[arg-type]
    result = pipeline.recommend(MODELS, query)
    report = recommend_report(result, MODELS, False, None)
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, markup=False, soft_wrap=False)
    console.print(report.table(), crop=False)
    return buffer.getvalue(), [c.model.id for c in result.shown]


def header(out: str) -> list[str]:
    line = next((line for line in out.splitlines() if line.lstrip().startswith("#")), "")
    return line.split()


def test_asked_columns_stay_at_80_columns() -> None:
    plain, _ = shown(80)
    assert "licence" not in header(plain)  # not asked: dropped for width
    out, ids = shown(80, commercial=True)
    assert {"comm.", "licence", "model", "score"} <= set(header(out))  # still a table
    for model_id in ids:
        assert any(line.split()[1:2] == [model_id] for line in out.splitlines() if line.strip())
    out, _ = shown(80, min_context="32k")
    assert "max" in header(out) and "ctx" in header(out)


@pytest.mark.parametrize("width", [80, 60, 40])
def test_narrower_than_the_table_is_a_list(width: int) -> None:
    out, ids = shown(width, commercial=True, lang=["de"], min_context="32k")
    body = out.split("Top pick:")[0]
    lines = body.splitlines()
    assert all(len(line.rstrip()) <= width for line in lines), body
    assert "───" not in body  # no table rule: the list layout
    for rank, model_id in enumerate(ids, 1):
        assert f"{rank}  {model_id}" in lines  # the id on its own line, never broken
    flat = " ".join(body.split())
    for field in ("max ctx", "comm.", "licence", "langs", "score"):
        assert flat.count(field) == len(ids), field


def test_a_wide_terminal_keeps_the_table() -> None:
    out, _ = shown(200, commercial=True, lang=["de"], min_context="32k")
    assert {"comm.", "licence", "langs", "score"} <= set(header(out))


def test_csv_carries_gib_max_context_format_and_command() -> None:
    args = ("recommend", "--vram", "24", "--top", "5")
    table = list(csv.DictReader(io.StringIO(run(*args, "-f", "csv").stdout)))
    ranking = run(*args, "-f", "json").json()["ranking"]
    assert len(table) == len(ranking) == 5
    assert "reasons" not in table[0]  # long prose stays in JSON
    for row, item in zip(table, ranking, strict=True):
        assert row["model"] == item["model"] and row["quant"] == item["quant"]
        assert int(row["total_bytes"]) == item["memory"]["total_bytes"]
        assert float(row["total_gib"]) == round(int(row["total_bytes"]) / GIB, 2)
        assert float(row["available_gib"]) == 24.0
        assert int(row["max_context"]) == item["max_context"]
        assert row["kv_dtype"] in ("fp16", "q8_0")
        assert row["run_command"] == item["run"][0]["command"]
    markdown = run(*args, "-f", "md").stdout.splitlines()
    head = [cell.strip() for cell in markdown[0].strip("|").split("|")]
    assert {"total_gib", "max_context", "quant", "run_command"} <= set(head)
    assert len(markdown) == 2 + 5


def test_top_pick_reads_as_sentences() -> None:
    out = run("recommend", "--vram", "24", "--commercial").stdout
    flat = " ".join(out.split())
    pick = flat[flat.index("Top pick: ") : flat.index("Run it as sized")]
    for jargon in ("MMLU", "mmlu", "x0.", "perplexity", "GB/s", "median fine-tune", "delta"):
        assert jargon not in pick, jargon
    sentences = (
        "It needs ", "Expect about ", "tokens per second", "of context", "out of 100",
        "Its licence allows commercial use.", "shows where each number comes from.",
    )  # fmt: skip
    for sentence in sentences:
        assert sentence in pick, sentence
    top = json.loads(run("recommend", "--vram", "24", "--commercial", "-f", "json").stdout)
    first = top["ranking"][0]
    explain = run("explain", first["model"], "--vram", "24", "--commercial").stdout
    assert "MMLU-equivalent" in explain  # the detail is still there, in explain


def test_a_failed_write_starts_with_its_error_line(tmp_path) -> None:
    """The no-hardware note waits for the file: a write that fails is one `Error:` line first
    (found by tests/test_hardening.py's fuzzing: `explain ID -o <a name too long>`)."""
    result = run("explain", "mixtral-8x7b", "-o", str(tmp_path / ("x" * 300)))
    assert result.code == 1 and result.stderr.startswith("Error: ")
    written = run("explain", "mixtral-8x7b", "-o", str(tmp_path / "ok.json"))
    assert written.code == 0 and written.stderr.startswith("Note: no hardware given")
