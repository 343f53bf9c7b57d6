"""Issue 23: a command's start reads its paths as strings, and pathlib (with urllib.parse and
ipaddress, 43 classes: some 16 M instructions) is imported only where a Path is used."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path, PurePath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llm_pick.catalog import compiled, datafiles, load
from llm_pick.cli.formats import _suffix
from llm_pick.estimate import calibration

_MODULES = """
import sys
sys.argv = ["llm-pick", *{args!r}]
from llm_pick.__main__ import main
try:
    main()
finally:
    sys.stderr.write("MODULES " + repr(sorted(sys.modules)) + "\\n")
"""


@pytest.mark.parametrize(
    "args",
    [
        ["recommend", "--vram", "24", "--commercial", "--format", "json"],
        ["recommend", "--vram", "24", "--commercial"],
    ],
)
def test_a_recommendation_imports_no_pathlib(args: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if k != "LLM_PICK_CATALOG"}
    done = subprocess.run(
        [sys.executable, "-c", _MODULES.format(args=args)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES "))
    loaded = set(ast.literal_eval(line.removeprefix("MODULES ")))
    assert "llm_pick.ranking.pipeline" in loaded  # the run did recommend
    assert not loaded & {"pathlib", "hashlib", "_hashlib"}


_NAMES = st.lists(
    st.sampled_from(["", ".", "..", "a", "b.csv", ".json", "x.", "a.b.md", "...", ".x.y", "/"]),
    max_size=5,
).map("/".join)


@given(_NAMES)
def test_the_suffix_is_purepaths(name: str) -> None:
    assert _suffix(name) == PurePath(name).suffix


@given(st.text(alphabet="ab./\\ ", max_size=12))
def test_the_suffix_is_purepaths_for_any_text(name: str) -> None:
    assert _suffix(name) == PurePath(name).suffix


@pytest.mark.parametrize("name", compiled.FILES)
def test_the_string_locations_are_the_paths(name: str) -> None:
    assert Path(datafiles.location(name)) == datafiles.path(name)
    assert str(datafiles.path(name)) == datafiles.location(name)
    assert Path(load.bundled_location()) == load.bundled_path()


def test_the_compiled_paths_are_made_when_asked() -> None:
    assert Path(compiled.__file__).with_name("compiled.json") == compiled.COMPILED
    assert tuple(compiled.part(name) for name in compiled.FILES) == compiled.PARTS
    assert all(isinstance(path, Path) and path.is_file() for path in compiled.PARTS)
    with pytest.raises(AttributeError):
        compiled.NOT_THERE  # noqa: B018


@pytest.mark.parametrize("kind", ["none", "file", "dangling link"])
def test_a_stored_calibration_is_found_as_config_path_finds_it(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    where = calibration.config_path()
    where.parent.mkdir(parents=True)
    if kind == "file":
        where.write_text("{}")
    if kind == "dangling link":
        where.symlink_to(tmp_path / "gone.json")
    assert calibration._stored() == (None if kind == "none" else str(where))
    if kind == "none":
        assert calibration.load_calibration() is None


def test_the_default_config_folder_is_the_homes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/not/used")
    monkeypatch.setenv("HOME", "/nonexistent-home-for-test")
    assert str(calibration.config_path()).startswith("/nonexistent-home-for-test/.config/")
    assert calibration._stored() is None
