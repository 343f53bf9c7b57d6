"""Issue 23, the library's part of start-up: what a run no longer does gives what it did."""

from __future__ import annotations

import ast
import dataclasses
import subprocess
import sys
import typing

import pytest

from llm_pick.catalog import compiled, filetypes, gpus, localfile, longctx, shapes, types


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


def test_the_reference_cards_read_from_the_compiled_index_are_the_presets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gpus.discrete_bandwidths.cache_clear()
    loaded = gpus.discrete_bandwidths()  # a checkout: the presets, built
    head = compiled._index()["gpus.yaml"]
    monkeypatch.setattr(compiled, "_shipped_index", lambda name, file: head)
    monkeypatch.setattr(compiled, "_data", lambda name: pytest.fail("the presets were read"))
    gpus.discrete_bandwidths.cache_clear()
    try:
        plain = gpus.discrete_bandwidths()  # an installed wheel: the pairs in the index
    finally:
        gpus.discrete_bandwidths.cache_clear()
    assert plain == loaded and len(plain) > 50
    assert all(isinstance(gib, float) and isinstance(gbs, float) for gib, gbs in plain)


def test_an_index_without_the_pairs_falls_back_to_the_presets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gpus.discrete_bandwidths.cache_clear()
    loaded = gpus.discrete_bandwidths()
    monkeypatch.setattr(compiled, "_shipped_index", lambda name, file: {"sha256": "x"})
    gpus.discrete_bandwidths.cache_clear()
    try:
        assert gpus.discrete_bandwidths() == loaded
    finally:
        gpus.discrete_bandwidths.cache_clear()


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
