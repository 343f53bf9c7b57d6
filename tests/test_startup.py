"""Start-up work removed without changing what a command does: the CLI builds only the command
it runs (cli/entry.py app_for), and the compiled data is read in parts (catalog/compiled.py)."""

from __future__ import annotations

import io
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
import typer
from conftest import examples, script

from llm_pick.cli.app import app
from llm_pick.cli.entry import app_for


def _names() -> list[str]:
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    return sorted(commands)


def _run(typer_app: typer.Typer, args: list[str]) -> tuple[int, str, str]:
    command = typer.main.get_command(typer_app)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = command.main(args=args, prog_name="llm-pick", standalone_mode=False)
    return int(code or 0), out.getvalue(), err.getvalue()


def test_every_command_is_built_alone_with_the_same_help() -> None:
    names = _names()
    assert {"recommend", "list", "memory", "catalog", "schema", "calibrate", "local"} <= set(names)
    for name in names:
        lean = app_for([name, "--help"])
        assert lean is not app
        assert len(lean.registered_commands) + len(lean.registered_groups) == 1, name
        assert _run(lean, [name, "--help"]) == _run(app, [name, "--help"]), name


@pytest.mark.parametrize(
    "args",
    [
        ["recommend", "--vram", "24", "--commercial", "-f", "json"],
        ["recommend", "--vram", "abc"],
        ["recommend", "--no-such-option"],
        ["list", "--family", "lama"],
        ["memory", "llama-3-8b", "-q", "q4_k_m", "-f", "json"],
        ["catalog", "schema"],
        ["--debug", "list", "-f", "json"],
    ],
)
def test_a_lone_command_answers_as_the_whole_app(args: list[str]) -> None:
    assert _run(app_for(args), args) == _run(app, args)


@pytest.mark.parametrize("args", [["recomend"], ["--", "list"], ["-x", "list"], ["-h"]])
def test_anything_but_a_command_name_gets_the_whole_app(args: list[str]) -> None:
    assert app_for(args) is app


@pytest.mark.parametrize("args", [[], ["--help"], ["--debug", "--help"], ["--version"]])
def test_the_root_help_lists_every_command_as_the_whole_app_does(args: list[str]) -> None:
    summary = app_for(args)
    assert summary is not app
    code, out, err = _run(summary, args)
    assert (code, out, err) == _run(app, args)
    assert all(f"  {name} " in out for name in _names()) or out.startswith("llm-pick ")


def test_version_reads_the_index_only() -> None:
    """--version prints the as-of date from the small index: no model data is parsed."""
    code = (
        "import sys\n"
        "from llm_pick.catalog import compiled\n"
        "print(compiled.as_of())\n"
        "print(compiled._data.cache_info().currsize, 'llm_pick.catalog.types' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    date, counts = done.stdout.split("\n")[:2]
    assert date.startswith("20") and counts == "0 False"


def test_a_resized_sizing_equals_replace_and_is_checked_again() -> None:
    from dataclasses import replace

    from llm_pick.errors import InputError
    from llm_pick.estimate.sizing import Sizing

    base = Sizing(batch=2, kv_dtype="q8_0", ubatch=256)
    assert base.at(8192) == replace(base, context=8192)
    assert base.with_kv("q4_0") == replace(base, kv_dtype="q4_0", v_dtype=None)
    assert base.at(8192) is not base and base.context is None  # the original is unchanged
    with pytest.raises(InputError, match="--context"):
        base.at(0)
    with pytest.raises(InputError, match="--kv-dtype"):
        base.with_kv("q9")
    with pytest.raises(InputError, match="flash attention"):
        Sizing(flash_attn=False).with_kv("q8_0")


def _plain_search(fits: object, longest: int) -> int:
    from llm_pick.estimate.fit import max_context

    return max_context(fits, longest)  # type: ignore[arg-type]


def test_the_interpolated_context_search_is_the_binary_search() -> None:
    """Any monotone fit and any margin (even a misleading one) give the binary search's answer."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from llm_pick.estimate.fit import max_context

    @settings(max_examples=examples(300), deadline=None)
    @given(
        longest=st.integers(1, 1 << 20),
        answer=st.integers(0, 1 << 20),
        slope=st.floats(-10, 1000, allow_nan=False),
        offset=st.floats(-1e6, 1e6, allow_nan=False),
        known=st.booleans(),
    )
    def check(longest: int, answer: int, slope: float, offset: float, known: bool) -> None:
        answer = min(answer, longest)

        probes: list[int] = []

        def fits(tokens: int) -> bool:
            probes.append(tokens)
            return tokens <= answer

        def margin(tokens: int) -> float | None:
            return (answer - tokens) * slope + offset if known else None

        assert max_context(fits, longest, margin) == answer
        fast, probes[:] = len(probes), []
        assert _plain_search(fits, longest) == answer
        assert fast <= 2 * len(probes) + 2  # never much worse than halving, however misled

    check()


def test_longest_contexts_are_unchanged_on_the_catalog() -> None:
    """Every bundled model's longest context on two machines, as the plain search finds it."""
    from llm_pick.catalog.load import load_catalog
    from llm_pick.estimate import assess
    from llm_pick.estimate.assess import assess_model, longest_context
    from llm_pick.estimate.fit import max_context
    from llm_pick.estimate.hardware import Hardware
    from llm_pick.estimate.sizing import Sizing

    machines = [Hardware.from_vram(24), Hardware.from_vram(16, 2).with_ram(64)]
    checked = 0
    for model in list(load_catalog())[::3]:
        for hardware in machines:
            item = assess_model(model, "q4_k_m", Sizing(), hardware)
            fast = longest_context(model, item, hardware)
            try:
                assess.max_context = lambda fits, longest, margin=None: max_context(fits, longest)
                plain = longest_context(model, item, hardware)
            finally:
                assess.max_context = max_context
            assert fast == plain, model.id
            checked += fast > 0
    assert checked > 20


def test_the_benchs_doubled_catalog_is_a_valid_catalog_of_twice_the_models(tmp_path: Path) -> None:
    """bench/startup.py measures start-up on this: every model twice, lineage intact."""
    import json
    import shutil

    from llm_pick.catalog import compiled
    from llm_pick.catalog.load import LoadedFile, SourceFile, merge

    tool = script("tools/compile_data.py", "compile_data")
    part = compiled.part("models.yaml")
    shutil.copy(part, tmp_path / part.name)
    count = tool.double(tmp_path)
    original = json.loads(part.read_bytes())
    assert count == 2 * len(original)
    models = compiled.models(json.loads((tmp_path / part.name).read_bytes()))
    catalog = merge([LoadedFile(SourceFile("doubled", "", len(models)), models)])
    assert len(catalog) == count
    assert catalog.get("llama-3-8b-instruct-x2").base_model == "llama-3-8b-x2"


@pytest.mark.parametrize(
    ("words", "expected"),
    [("llm-pick recommend --vr", "--vram"), ("llm-pick recom", "recommend")],
)
def test_shell_completion_still_completes_options_and_commands(words: str, expected: str) -> None:
    """Completion reads its words from the environment (argv is empty): the whole app."""
    import os

    env = {
        **os.environ,
        "_LLM_PICK_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - 1),
    }
    code = "import sys; sys.argv[0] = 'llm-pick'; from llm_pick.__main__ import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert expected in done.stdout.split(), (done.stdout, done.stderr)


def test_a_file_that_cannot_be_written_is_one_error_line_even_after_a_note(
    tmp_path: Path, cli: Any
) -> None:
    """A note waiting for the report (no hardware given) is not printed before the Error:
    line when --output cannot be written (found by test_hardening's fuzzing)."""
    run = cli
    result = run("recommend", "-o", str(tmp_path / ("x" * 300)))
    assert result.code == 1 and result.stderr.startswith("Error: "), result.stderr
    assert len(result.stderr.splitlines()) == 1
    written = run("recommend", "--vram", "24GB", "-o", str(tmp_path / "r.json"))
    assert written.code == 0 and "24GB" in written.stderr and "r.json" in written.stderr
