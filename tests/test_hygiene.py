"""Issue 9: terminal and file hygiene - what reaches a terminal, a spreadsheet or a Markdown
viewer is text, never a command; narrow terminals still show every id; digits are ASCII."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from conftest import entry, run, spread, write_catalog

from llm_pick.render.safe import MAX_SHOWN, clip, sanitize
from llm_pick.reports.report import to_csv, to_markdown

OSC = "\x1b]0;pwned\x07"  # sets the terminal title
CSI = "\x1b[2J"  # clears the screen
BIDI = "\u202egnp.exe"


def no_escapes(text: str) -> None:
    for raw in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert raw not in text, repr(text[:300])


# ---- item 13: paths, unknown-field keys and hardware names are sanitized ---------------------


def test_a_hostile_path_in_an_error_is_shown_as_text(tmp_path: Path) -> None:
    result = run("list", "--catalog", str(tmp_path / f"x{OSC}{CSI}{BIDI}.yaml"))
    assert result.code == 1 and result.stderr.startswith("Error: ")
    no_escapes(result.stderr)
    assert "\\x1b]0;pwned\\x07" in result.stderr and "\\u202e" in result.stderr


def test_a_hostile_unknown_field_key_is_shown_as_text(tmp_path: Path) -> None:
    path = write_catalog(tmp_path / "c.yaml", entry(**{f"evil{OSC}": 1}))
    result = run("list", "--catalog", str(path))
    assert result.code == 1 and "unknown field" in result.stderr
    no_escapes(result.stderr)


def test_a_hostile_output_path_in_the_note_is_shown_as_text(tmp_path: Path) -> None:
    result = run("list", "-f", "json", "-o", str(tmp_path / f"out{CSI}.json"))
    assert result.code == 0 and "Wrote" in result.stderr
    no_escapes(result.stderr)


def test_hardware_labels_and_names_are_sanitized_in_tables() -> None:
    from rich.console import Console

    from llm_pick.catalog.load import load_catalog
    from llm_pick.estimate.hardware import Hardware
    from llm_pick.ranking.pipeline import recommend
    from llm_pick.ranking.query import Query
    from llm_pick.render.results import recommendation

    hardware = Hardware(label=f"GPU{OSC}{BIDI}", vram_gib=24, source=f"nvidia-smi{CSI}")
    result = recommend(load_catalog(), Query(hardware=hardware, top=3))
    out = io.StringIO()
    Console(file=out, width=200, markup=False).print(recommendation(result, False))
    no_escapes(out.getvalue())
    assert "GPU\\x1b]0;pwned" in out.getvalue()


def test_sanitize_covers_c1_controls_bidi_and_line_separators() -> None:
    assert sanitize("a\x9bb\u2028c\u2066d\u200fe\n\tf") == "a\\x9bb\\u2028c\\u2066d\\u200fe\n\tf"


# ---- item 7: long strings render in bounded time -------------------------------------------


def test_display_clips_long_values() -> None:
    assert clip("x" * 10) == "x" * 10
    clipped = clip("x" * (MAX_SHOWN + 500))
    assert clipped.startswith("x" * MAX_SHOWN) and clipped.endswith("(500 more characters)")


def test_long_names_and_notes_render_clipped(tmp_path: Path) -> None:
    name = "word " * 19_000  # under the validation cap, far over the display cap
    path = write_catalog(tmp_path / "c.json", entry(name=name, notes=name), as_json=True)
    for command in (["explain", "test-7b"], ["show", "test-7b"]):
        result = run(*command, "--catalog", str(path))
        assert result.code == 0, result.stderr
        assert "more characters)" in result.stdout
        assert len(result.stdout) < 60_000
    full = run("show", "test-7b", "--catalog", str(path), "-f", "json").json()
    assert full["name"] == name  # machine output keeps every character


# ---- item 10: narrow terminals -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "columns"),
    spread(
        [
            (["list", "--family", "mixtral"], ["mixtral-8x7b"]),
            (["recommend", "--vram", "24", "--top", "3"], []),  # ids from its JSON
            (["compare", "llama-2-7b", "falcon-7b"], ["llama-2-7b", "falcon-7b"]),
            (["memory", "llama-2-7b", "-q", "q4_k_m"], ["llama-2-7b"]),
        ],
        ["0", "1", "3", "5", "-4", "x"],
    ),
)
def test_tiny_terminal_widths_still_print_every_id(
    monkeypatch: pytest.MonkeyPatch, columns: str, case: tuple[list[str], list[str]]
) -> None:
    command, ids = case
    if not ids:
        ids = [row["model"] for row in run(*command, "-f", "json").json()["ranking"]]
        assert len(ids) == 3
    monkeypatch.setenv("COLUMNS", columns)
    result = run(*command)
    assert result.code == 0, result.stderr
    flat = result.stdout.replace("\n", "").replace(" ", "")
    for model_id in ids:
        assert model_id in flat, result.stdout


# ---- item 14: CSV formulas and Markdown HTML -----------------------------------------------------


def test_csv_cells_cannot_become_formulas() -> None:
    rows = [['=HYPERLINK("x")', "+1", "-cmd", "@SUM(A1)", "\tx", "plain", -3, 2.5]]
    parsed = list(csv.reader(io.StringIO(to_csv([f"c{i}" for i in range(8)], rows))))
    assert parsed[1] == [
        '\'=HYPERLINK("x")',
        "'+1",
        "'-cmd",
        "'@SUM(A1)",
        "'\tx",
        "plain",
        "-3",
        "2.5",
    ]


def test_csv_output_of_a_hostile_catalog_has_no_formula(tmp_path: Path) -> None:
    path = write_catalog(tmp_path / "c.yaml", entry(name="=cmd|' /C calc'!A0"))
    result = run("list", "--catalog", str(path), "-f", "csv")
    for row in csv.reader(io.StringIO(result.stdout)):
        assert not any(cell.startswith(("=", "+", "@")) for cell in row), row


def test_markdown_escapes_html() -> None:
    text = to_markdown(["a"], [["<script>alert(1)</script> & <img src=x onerror=y>"]])
    assert "<script>" not in text and "<img" not in text
    assert "&lt;script&gt;alert\\(1\\)&lt;/script&gt; &amp; &lt;img" in text


# ---- item 15: ASCII digits --------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--vram", "٣٢"],
        ["--vram=٣٢"],
        ["--vram", "24", "--context", "٤٠٩٦"],
        ["--vram", "24", "--gpus", "\uff12"],
        ["--vram", "24", "--top", "٣"],
        ["--vram", "24", "--min-params", "\u0667"],
    ],
)
def test_non_ascii_digits_are_refused(args: list[str]) -> None:
    result = run("recommend", *args)
    assert result.code == 1 and result.stderr.startswith("Error: ")
    assert "0-9" in result.stderr or "not a number" in result.stderr


def test_ascii_numbers_still_work() -> None:
    assert run("recommend", "--vram", "32", "--context", "4096", "--top", "3").code == 0
    assert run("recommend", "--vram=32.5", "--gpus", "2").code == 0
