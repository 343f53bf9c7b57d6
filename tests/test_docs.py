"""Docs match the code: generated parts are current, every command is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import script

ROOT = Path(__file__).resolve().parents[1]


def gendocs():  # type: ignore[no-untyped-def]
    return script("tools/gendocs.py", "gendocs")


def test_generated_docs_are_current() -> None:
    stale = gendocs().stale()
    assert stale == [], f"run: python tools/gendocs.py  (stale: {stale})"


def test_every_command_is_documented_with_help_and_an_example() -> None:
    module = gendocs()
    usage = (ROOT / "docs" / "usage.md").read_text()
    cli = (ROOT / "docs" / "cli.md").read_text()
    for path in module.COMMANDS:
        name = " ".join(path)
        _, help_text = module.run([*path, "--help"])
        lines = [line for line in help_text.splitlines() if line.strip()]
        assert len(lines) >= 2 and not lines[1].startswith("Options"), f"{name} has no help text"
        assert f"## llm-pick {name}" in cli
        assert re.search(rf"llm-pick {re.escape(name)}\b", usage), f"usage.md lacks {name}"


def test_readme_quick_start_matches_ci() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    test_command = next(line for line in ci.splitlines() if "pytest" in line).strip()
    assert test_command in readme
    assert "llm-pick recommend --vram 24 --commercial" in readme


SECTIONS = {
    "methodology.md": ["## 1. The tensors of a model", "## 3. KV cache", "## 7. Speed"],
    "scoring.md": ["## The criteria", "## Default weights (profiles)"],
    "usage.md": ["## recommend", "## memory", "## Exit codes", "## Environment"],
    "catalog.md": ["schema_version"],
    "performance.md": ["bench/startup.py"],
    "architecture.md": ["errors < catalog < estimate < scoring < ranking"],
}


@pytest.mark.parametrize("name", sorted(SECTIONS))
def test_docs_have_their_sections(name: str) -> None:
    text = (ROOT / "docs" / name).read_text()
    for heading in SECTIONS[name]:
        assert heading in text, f"{name} lacks {heading!r}"


def test_architecture_doc_names_every_module() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text()
    package = ROOT / "src" / "llm_pick"
    for path in package.rglob("*.py"):
        if path.name != "__init__.py" or path.parent == package:
            name = path.relative_to(package).as_posix()
            assert name in text, f"docs/architecture.md does not name {name}"
