"""The HTML report as a person sees it: rendered by a real headless Chromium with the network
off. Skips without a browser, except under CI (CI is set), where a missing browser fails."""

from __future__ import annotations

import os
import struct
from pathlib import Path
from types import ModuleType

import pytest
from conftest import entry, run, script, write_catalog
from htmlpage import read

pytestmark = pytest.mark.slow  # linters, a real browser: the full run (CI) only

ROOT = Path(__file__).resolve().parents[1]


def chromium() -> ModuleType:
    return script("tools/chromium.py", "chromium")


@pytest.fixture(scope="module")
def browser() -> tuple[ModuleType, str]:
    tools = chromium()
    found = tools.find()
    if found is None:
        message = "no Chromium found (apt-get install chromium, or set LLM_PICK_CHROMIUM)"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {message}")
        pytest.skip(message)
    return tools, found


def test_report_renders_every_ranked_model_with_the_network_off(
    tmp_path: Path, browser: tuple[ModuleType, str]
) -> None:
    tools, exe = browser
    catalog = write_catalog(tmp_path / "mine.yaml", entry(id="evil-7b", name="<script>x</script>"))
    report = tmp_path / "report.html"
    args = ("recommend", "--gpu", "4090", "--catalog", str(catalog), "--top", "500")
    assert run(*args, "-f", "html", "-o", str(report)).code == 0
    ranked = [r["model"] for r in run(*args, "-f", "json").json()["ranking"]]
    assert "evil-7b" in ranked

    dom, requests = tools.dump_dom(exe, report)
    assert requests == []  # the page fetched nothing
    page = read(dom)
    assert page.scripts == 0  # the catalog's <script> stayed text
    assert "<script>x</script>" in page.text
    for model in ranked:
        assert model in page.rows, model
        assert page.marks[model].startswith(f"{model}: "), model
    assert page.svgs == 2

    png = tmp_path / "report.png"
    tools.screenshot(exe, report, png, 1200, 1600)
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", head[16:24]) == (1200, 1600)


def test_the_network_probe_sees_requests(tmp_path: Path, browser: tuple[ModuleType, str]) -> None:
    """The check above could pass by seeing nothing: a page that does fetch is caught."""
    tools, exe = browser
    page = tmp_path / "fetching.html"
    page.write_text('<!DOCTYPE html><img src="http://example.invalid/x.png"><p>hi</p>')
    _, requests = tools.dump_dom(exe, page)
    assert requests == ["http://example.invalid/x.png"]
