"""Issue 23, the library's part of start-up: what a run no longer does gives what it did."""

from __future__ import annotations

import ast
import dataclasses
import subprocess
import sys
import typing

import pytest

from llm_pick.catalog import compiled, filetypes, gpus, localfile, longctx, shapes, types
from llm_pick.catalog.datafiles import path


def _records() -> list[type]:
    found = []
    for module in (types, shapes, filetypes, localfile, longctx):
        found += [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and dataclasses.is_dataclass(value)
            and value.__module__ == module.__name__
        ]
    return found


@pytest.mark.parametrize("cls", _records(), ids=lambda cls: cls.__name__)
def test_converted_fields_are_those_get_type_hints_finds(cls: type) -> None:
    """Only annotations naming a dataclass or a date are evaluated: the same fields get a
    converter as when every annotation is evaluated."""
    hints = typing.get_type_hints(cls)
    every = {f.name for f in dataclasses.fields(cls) if compiled._converter(hints[f.name])}
    assert {name for name, _ in compiled._converters(cls)} == every


def test_the_reference_cards_read_from_plain_data_are_the_presets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gpus.discrete_bandwidths.cache_clear()
    loaded = gpus.discrete_bandwidths()  # a checkout: the presets, built
    data = compiled.entry("gpus.yaml", path("gpus.yaml").read_bytes())
    assert data is not None
    monkeypatch.setattr(compiled, "shipped", lambda name, file: ("sha", data))
    gpus.discrete_bandwidths.cache_clear()
    try:
        plain = gpus.discrete_bandwidths()  # an installed wheel: the compiled plain data
    finally:
        gpus.discrete_bandwidths.cache_clear()
    assert plain == loaded and len(plain) > 50


_MODULES = """
import atexit, sys
atexit.register(lambda: sys.stderr.write("MODULES " + repr(sorted(sys.modules)) + "\\n"))
sys.argv = ["llm-pick", "recommend", "--vram", "24", "--commercial", "--format", "json"]
from llm_pick.__main__ import main
main()
"""


def test_a_json_recommendation_imports_no_table_file_or_serving_code() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _MODULES], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES "))
    loaded = set(ast.literal_eval(line.removeprefix("MODULES ")))
    assert "llm_pick.ranking.pipeline" in loaded  # the run did recommend
    unwanted = {
        "rich",
        "llm_pick.render.results",
        "llm_pick.estimate.serving",
        "llm_pick.estimate.modelfile",
        "llm_pick.catalog.gguf",
        "pydantic",
        "yaml",
    }
    assert loaded.isdisjoint(unwanted), sorted(loaded & unwanted)
