"""The bundled data compiled at build time (catalog/compiled.json): current, exact, and never
used when it does not match the YAML beside it."""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path
from types import ModuleType

import pytest
from conftest import script

from llm_pick.catalog import compiled
from llm_pick.catalog.load import bundled_path, load_catalog
from llm_pick.catalog.validate import load_models

ROOT = Path(__file__).resolve().parents[1]


def builder() -> ModuleType:
    """tools/compile_data.py: the builder lives outside the runtime package."""
    return script("tools/compile_data.py", "compile_data")


def test_compiled_json_matches_the_yaml_files() -> None:
    """Fails when data/*.yaml changed without `python tools/compile_data.py`."""
    tool = builder()
    expected = tool.dumps(tool.compile_files(ROOT / "data"))
    assert sorted(expected) == sorted([compiled.COMPILED, *compiled.PARTS])
    for path, text in expected.items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path} is stale: run python tools/compile_data.py"
        )


def test_the_builder_is_not_in_the_package() -> None:
    assert not hasattr(compiled, "compile_files") and not hasattr(compiled, "dumps")


def test_models_built_from_json_equal_the_validated_ones() -> None:
    path = bundled_path()
    validated = load_models(str(path), path.read_bytes())
    data = compiled.entry("models.yaml", path.read_bytes())
    assert data is not None
    built = compiled.models(data)
    assert [asdict(m) for m in built] == [asdict(m) for m in validated]
    assert [type(m.architecture) for m in built] == [type(m.architecture) for m in validated]


def test_a_stale_entry_is_never_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = bundled_path().read_text(encoding="utf-8")
    assert "name: Mixtral 8x7B v0.1\n" in text
    edited = tmp_path / "models.yaml"
    edited.write_text(text.replace("name: Mixtral 8x7B v0.1\n", "name: Edited Mixtral\n", 1))
    assert compiled.entry("models.yaml", edited.read_bytes()) is None
    monkeypatch.setattr("llm_pick.catalog.load.bundled_location", lambda: str(edited))
    assert load_catalog().get("mixtral-8x7b").name == "Edited Mixtral"


def test_the_bundled_models_are_built_once_per_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, again = load_catalog().get("mixtral-8x7b"), load_catalog().get("mixtral-8x7b")
    assert again is first  # frozen records, built once
    edited = tmp_path / "models.yaml"  # a compiled file of other bytes is built anew
    edited.write_bytes(bundled_path().read_bytes() + b"# edited\n")
    monkeypatch.setattr("llm_pick.catalog.compiled.entry", lambda name, raw: compiled._data(name))
    monkeypatch.setattr("llm_pick.catalog.load.bundled_location", lambda: str(edited))
    other = load_catalog().get("mixtral-8x7b")
    assert other is not first and asdict(other) == asdict(first)


def test_data_files_come_from_compiled_json_without_yaml_or_pydantic() -> None:
    import subprocess

    code = (
        "import sys\n"
        "from llm_pick.catalog.load import load_catalog\n"
        "from llm_pick.catalog.gpus import load_gpus\n"
        "from llm_pick.scoring.profiles import load_profiles\n"
        "from llm_pick.catalog.runtimes import runtime_support\n"
        "assert len(load_catalog()) > 40 and load_gpus() and load_profiles()\n"
        "assert runtime_support()\n"
        "heavy = ('yaml', 'pydantic', 'pickle')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"
