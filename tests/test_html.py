"""--format html: one self-contained, escaped, accessible file for recommend, explain and
compare (and a table page for every other command). The browser test is test_browser.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import entry, run, write_catalog
from htmlpage import external_urls, read

from llm_pick.render.geometry import shorten

SCRIPT_NAME = '<script>alert("x")</script> & "quotes" <b>bold</b>'


def written(tmp_path: Path, *args: str, code: int = 0) -> str:
    out = tmp_path / "report.html"
    result = run(*args, "--format", "html", "--output", str(out))
    assert result.code == code, result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    return out.read_text()


def self_contained(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>")
    assert external_urls(html) == []
    assert "<script" not in html.lower() and "<link" not in html.lower()
    assert "default-src 'none'" in html  # the page may load and run nothing
    assert not re.search(r"\b(nan|inf|infinity)\b", html, re.I)


def test_recommend_report_has_every_ranked_model_in_chart_and_table(tmp_path: Path) -> None:
    html = written(tmp_path, "recommend", "--gpu", "4090", "--commercial")
    self_contained(html)
    page = read(html)
    ranked = [
        r["model"]
        for r in run("recommend", "--gpu", "4090", "--commercial", "-f", "json").json()["ranking"]
    ]
    assert len(ranked) == 10
    for model in ranked:
        assert model in page.rows  # a row in the ranking table
        assert page.marks[model].startswith(f"{model}: ")  # a mark named by its <title>
    assert page.svgs == 2  # quality and speed (the card's bandwidth is known)
    labels = re.search(r'<g class="labels"[^>]*>(.*?)</g>', html, re.S)
    # the top pick is named (ids longer than 28 characters are cut with an ellipsis)
    assert labels and f">{shorten(ranked[0], 28)}</text>" in labels.group(1)
    assert any(kind == "frontier" for kind in page.mark_kinds.values())
    assert any(kind == "excluded" for kind in page.mark_kinds.values())
    for words in ("Query", "Ranking", "Excluded", "Catalog and estimates", "estimates"):
        assert words in page.text
    assert "NVIDIA GeForce RTX 4090" in page.text and "sha256" in page.text


def test_report_is_accessible_and_printable(tmp_path: Path) -> None:
    html = written(tmp_path, "recommend", "--vram", "24")
    page = read(html)
    assert len(page.captions) >= 3 and page.col_headers >= 10
    assert page.svgs == 1  # no tok/s without the card's bandwidth: only the quality chart
    assert page.svg_descs and "frontier" in page.svg_descs[0]  # the chart in words
    assert 'role="img"' in html and "aria-labelledby" in html
    assert "@media print" in html and '<html lang="en">' in html
    assert "diamond = on the frontier" in page.text  # shapes are named, not only colours


def test_catalog_strings_are_text(tmp_path: Path) -> None:
    catalog = write_catalog(
        tmp_path / "mine.yaml",
        entry(id="evil-7b", name=SCRIPT_NAME, license={"name": SCRIPT_NAME}),
    )
    for command in (["recommend", "--vram", "80", "--top", "500"], ["explain", "evil-7b"]):
        html = written(tmp_path, *command, "--catalog", str(catalog))
        self_contained(html)
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
        assert "<b>bold" not in html
        assert SCRIPT_NAME in read(html).text  # shown as the text it is


def test_huge_ids_are_whole_in_titles_and_rows(tmp_path: Path) -> None:
    long_id = "m" + "x" * 300 + "-7b"
    catalog = write_catalog(tmp_path / "long.yaml", entry(id=long_id))
    html = written(tmp_path, "recommend", "--vram", "80", "--catalog", str(catalog), "--top", "500")
    page = read(html)
    assert long_id in page.rows and page.marks[long_id].startswith(long_id)


def test_no_ranked_model_still_writes_a_report(tmp_path: Path) -> None:
    html = written(tmp_path, "recommend", "--vram", "2", "--min-params", "60", code=3)
    self_contained(html)
    page = read(html)
    assert "No model satisfies every constraint" in page.text and page.rows
    assert set(page.mark_kinds.values()) <= {"excluded"}


def test_explain_marks_the_model(tmp_path: Path) -> None:
    html = written(tmp_path, "explain", "mixtral-8x7b", "--gpu", "4090")
    self_contained(html)
    page = read(html)
    assert page.mark_kinds["mixtral-8x7b"] == "highlight"
    assert "Constraints" in page.text and "contribution" in page.text


def test_compare_charts_the_compared_models(tmp_path: Path) -> None:
    ids = ["mistral-7b-v0.1", "llama-2-13b", "falcon-180b"]
    html = written(tmp_path, "compare", *ids, "--vram", "24")
    self_contained(html)
    page = read(html)
    assert set(page.marks) == set(ids)  # falcon-180b does not fit: drawn as excluded
    assert page.mark_kinds["falcon-180b"] == "excluded"
    assert "best" in page.text and len(page.captions) >= 1


def test_one_model_charts(tmp_path: Path) -> None:
    html = written(tmp_path, "recommend", "--vram", "24", "--family", "falcon", "--max-params", "8")
    page = read(html)
    ranked = run(
        "recommend", "--vram", "24", "--family", "falcon", "--max-params", "8", "-f", "json"
    )
    assert {r["model"] for r in ranked.json()["ranking"]} <= set(page.marks)


@pytest.mark.parametrize("command", [["list"], ["gpus"], ["memory", "llama-3-8b"]])
def test_other_commands_give_a_table_page(tmp_path: Path, command: list[str]) -> None:
    html = written(tmp_path, *command)
    self_contained(html)
    assert read(html).captions


def test_html_to_stdout() -> None:
    result = run("recommend", "--vram", "24", "-f", "html")
    assert result.code == 0 and result.stdout.startswith("<!DOCTYPE html>")
