"""The recommend table written without rich (render/plain.py) must be the text rich prints
for the same parts without colour, line for line, at every width; what it cannot prove the
same (folded columns, lists, other characters, colour) is left to rich."""

from __future__ import annotations

import ast
import io
import os
import subprocess
import sys
from typing import Any

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Group
from rich.text import Text

from llm_pick.catalog.load import load_catalog
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.sizing import Sizing
from llm_pick.ranking.pipeline import recommend
from llm_pick.ranking.query import Query
from llm_pick.render.plain import keep_columns, plain_width, wrap, write
from llm_pick.render.recparts import recommendation_parts
from llm_pick.render.results import rich_parts
from llm_pick.reports.report import console
from llm_pick.scoring.constraints import Constraints

CATALOG = load_catalog()
QUERIES = {
    "vram-commercial": Query(
        hardware=Hardware.from_vram(24), constraints=Constraints(commercial=True)
    ),
    "gpu-languages": Query(
        hardware=Hardware.from_gpu("rtx-4090"), constraints=Constraints(languages=("de",))
    ),
    "offload": Query(hardware=Hardware.from_gpu("rtx-3060-12gb").with_ram(64), top=5),
    "vllm-batch": Query(hardware=Hardware.from_gpu("h100-sxm"), sizing=Sizing(batch=8)),
    "no-fit": Query(hardware=Hardware.from_vram(2), constraints=Constraints(min_params=60)),
    "no-limit": Query(top=3),
}
WIDTHS = [40, 47, 60, 75, 80, 99, 120, 143, 200, 260]


def rich_text(parts: list[Any], width: int) -> str:
    out = io.StringIO()
    console(out, width=width, color=False).print(Group(*rich_parts(parts)), crop=False)
    return out.getvalue()


@pytest.fixture(scope="module")
def parts() -> dict[str, list[Any]]:
    made = {}
    for name, query in QUERIES.items():
        rec = recommend(CATALOG, query)
        run = [{"runtime": "llama.cpp", "command": "llama-server -hf a/b:Q4_K_M " + "-x " * 40}]
        run.append({"runtime": "ollama", "command": "ollama run b", "note": "a note " * 20})
        made[name] = recommendation_parts(rec, False, run, "2026-12-06", None)
    return made


@pytest.mark.parametrize("name", list(QUERIES))
def test_the_plain_table_is_what_rich_prints(name: str, parts: dict[str, list[Any]]) -> None:
    written = 0
    for width in WIDTHS:
        plain = write(parts[name], width)
        if plain is not None:
            assert plain == rich_text(parts[name], width), width
            written += 1
    assert written >= 5  # the wide widths are written without rich, not all left to it


def test_a_table_too_narrow_for_its_columns_is_left_to_rich(parts: dict[str, list[Any]]) -> None:
    assert write(parts["vram-commercial"], 40) is None  # shown as a list (render/blocks.py)
    assert write(parts["vram-commercial"], 200) is not None


def test_text_other_than_printable_ascii_is_left_to_rich(parts: dict[str, list[Any]]) -> None:
    from llm_pick.render.plain import Para

    assert write([*parts["vram-commercial"], Para("größer")], 200) is None
    assert write([Para("a\tb")], 200) is None


_TEXT = st.lists(
    st.sampled_from(["a", "bb", "word", "x" * 13, " ", "  ", "-", "(z)", "y" * 30]), max_size=30
).map("".join)


@settings(max_examples=examples(400), deadline=None)
@given(_TEXT, st.integers(1, 40), st.booleans())
def test_wrap_breaks_lines_as_rich_does(text: str, width: int, pad: bool) -> None:
    out = io.StringIO()
    shown = console(out, width=max(width, 40), color=False)
    lines = Text(text).wrap(shown, width, justify="left" if pad else "default", overflow="fold")
    assert wrap(text, width, pad=pad) == [line.plain for line in lines]


def test_low_priority_columns_drop_first_and_priority_zero_never() -> None:
    widths, priorities = [5, 10, 10, 10], [0, 1, 2, 0]
    assert keep_columns(widths, priorities, 35) == [0, 1, 2, 3]
    assert keep_columns(widths, priorities, 34) == [0, 1, 3]
    assert keep_columns(widths, priorities, 25) == [0, 1, 3]
    assert keep_columns(widths, priorities, 24) == [0, 3]
    assert keep_columns(widths, priorities, 14) is None


@pytest.mark.parametrize(
    ("env", "expected"),
    [({"COLUMNS": "123"}, 123), ({"COLUMNS": "0"}, 40), ({"COLUMNS": "9"}, 40), ({}, None)],
)
def test_plain_width_is_rich_consoles(
    env: dict[str, str], expected: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    made = console(color=True)  # as cli/output.py makes it for stdout
    assert made.color_system is None
    assert plain_width(40) == made.width
    if expected is not None:
        assert made.width == expected


@pytest.mark.parametrize("env", [{"FORCE_COLOR": "1"}, {"TTY_COMPATIBLE": "1"}])
def test_colour_is_left_to_rich(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert console(color=True).color_system is not None
    assert plain_width(40) is None


_RUN = """
import sys
sys.argv = ["llm-pick", "recommend", "--vram", "24", "--commercial"]
from llm_pick.__main__ import main
try:
    main()
finally:
    sys.stderr.write("MODULES " + repr(sorted(sys.modules)) + "\\n")
"""


@pytest.mark.parametrize("colour", [False, True])
def test_a_piped_table_imports_no_rich(colour: bool) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("LLM_PICK_CATALOG", "FORCE_COLOR")}
    if colour:
        env["FORCE_COLOR"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", _RUN], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES "))
    loaded = set(ast.literal_eval(line.removeprefix("MODULES ")))
    assert "Recommendations" in done.stdout
    assert ("rich" in loaded) is colour
    assert ("\x1b[" in done.stdout) is colour
