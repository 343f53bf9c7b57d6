"""--chart: the frontier scatter under the table, in 80 columns, readable without colour, and
absent (not even imported) from runs that do not ask for it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import entry, run, write_catalog

from llm_pick.catalog.load import Catalog
from llm_pick.estimate.hardware import Hardware
from llm_pick.ranking.pipeline import lineage, recommend
from llm_pick.ranking.query import Query
from llm_pick.render.plot import plot


def chart_of(output: str) -> str:
    start = output.index("against memory needed")
    return output[output.rindex("\n", 0, start) + 1 :]


@pytest.fixture
def narrow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("NO_COLOR", "1")


def test_chart_fits_80_columns_without_colour(narrow: None) -> None:
    result = run("recommend", "--vram", "24", "--commercial", "--chart")
    assert result.code == 0, result.stderr
    assert "\x1b" not in result.stdout
    ranked = run("recommend", "--vram", "24", "--commercial", "-f", "json").json()["ranking"]
    commands = tuple(item["command"] for item in ranked[0]["run"])  # one line each (issue 22)
    assert max(len(s) for s in result.stdout.splitlines() if not s.endswith(commands)) <= 80
    chart = chart_of(result.stdout)
    assert "Quality against memory needed" in chart
    for shape in ("◆", "●", "·", "┆"):  # frontier, ranked, excluded, usable memory
        assert shape in chart
    for item in ranked:  # every shown model is named beside its mark or listed below
        assert item["model"] in chart


def test_chart_option_takes_an_optional_axis(narrow: None) -> None:
    alone = run("recommend", "--chart", "--vram", "24")
    assert alone.code == 0 and "Quality against" in alone.stdout
    speed = run("recommend", "--vram", "24", "--chart", "speed")
    assert "Nothing to chart: tok/s needs the card's bandwidth" in speed.stdout
    measured = run("recommend", "--gpu", "4090", "--chart", "SPEED")
    assert "Decode speed against memory needed" in measured.stdout
    bad = run("recommend", "--vram", "24", "--chart=fast")
    assert bad.code == 2 and bad.stderr.startswith("Error: ")


def test_no_ranked_model_still_draws_the_excluded(narrow: None) -> None:
    result = run("recommend", "--vram", "0.5", "--chart")
    assert result.code == 3
    grid = chart_of(result.stdout).split("\n  ◆")[0]
    assert "·" in grid and "┆" in grid and "◆" not in grid and "●" not in grid
    # models outside the query's scope (here under 60B) are not drawn, the others are
    scoped = run("recommend", "--vram", "2", "--min-params", "60", "--chart")
    assert scoped.code == 3
    assert "·" in chart_of(scoped.stdout) and "llama-2-7b" not in chart_of(scoped.stdout)


def test_compare_chart(narrow: None) -> None:
    result = run("compare", "llama-2-7b", "falcon-180b", "--vram", "24", "--chart")
    assert result.code == 0, result.stderr
    chart = chart_of(result.stdout)
    assert "llama-2-7b" in chart and "·" in chart  # falcon-180b does not fit: dimmed


def test_huge_ids_are_cut_in_the_chart(narrow: None, tmp_path: Path) -> None:
    long_id = "m" + "x" * 300 + "-7b"
    catalog = write_catalog(tmp_path / "long.yaml", entry(id=long_id))
    result = run("recommend", "--vram", "80", "--catalog", str(catalog), "--top", "60", "--chart")
    assert result.code == 0
    chart = chart_of(result.stdout)
    grid = chart.split("\n  ◆")[0]
    assert max(len(line) for line in grid.splitlines()) <= 80
    assert long_id not in grid


def test_chart_with_another_format_says_so() -> None:
    result = run("recommend", "--vram", "24", "--chart", "-f", "json")
    assert result.code == 0 and result.json()["ranking"]
    assert "--chart is drawn with --format table or html" in result.stderr


def test_one_model_plot() -> None:
    from llm_pick.catalog.load import load_catalog

    full = load_catalog()
    one = Catalog({"llama-2-7b": full.get("llama-2-7b")}, full.sources)
    rec = recommend(one, Query(hardware=Hardware("24 GiB", 24.0)))
    view = plot(rec, "quality", lineage(one))
    assert [p.key for p in view.points] == ["llama-2-7b"] and view.frontier == [0]
    assert view.x.low <= view.points[0].x <= view.x.high
    assert view.y.low < view.points[0].y < view.y.high


def test_runs_without_chart_do_not_import_it() -> None:
    code = (
        "import sys, atexit\n"
        "sys.argv = ['llm-pick', 'recommend', '--vram', '24']\n"
        "names = ('llm_pick.render.chart', 'llm_pick.render.plot', 'llm_pick.render.geometry',"
        " 'llm_pick.render.svg', 'llm_pick.render.html', 'llm_pick.reports.html')\n"
        "atexit.register(lambda: sys.stderr.write('LOADED ' + repr([n for n in names"
        " if n in sys.modules])))\n"
        "from llm_pick.__main__ import main\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "LOADED []" in done.stderr
