"""The console entry's fast path (cli/fastpath.py) answers exactly as the typer app, or leaves
the run to it: the spec it reads is the one tools/cli_spec.py writes from the typer app, it
never imports typer, and help and shell completion still go through typer."""

from __future__ import annotations

import atexit
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import typer
from conftest import entry, script, write_catalog
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llm_pick.cli import fastpath
from llm_pick.cli.entry import app_for
from llm_pick.cli.options import HARDWARE_OPTIONS, SIZING_OPTIONS
from llm_pick.cli.parse import hardware, sizing

ROOT = Path(__file__).resolve().parents[1]
SPEC = json.loads(Path(fastpath.SPEC).read_text(encoding="utf-8"))["commands"]
FAST = sorted(name for name, command in SPEC.items() if command["fast"])


def _tool() -> ModuleType:
    return script("tools/cli_spec.py", "cli_spec")


def test_the_spec_is_what_the_typer_app_gives() -> None:
    """Fails when an option of a common command changed without `python tools/cli_spec.py`."""
    assert _tool().text() == Path(fastpath.SPEC).read_text(encoding="utf-8"), (
        "src/llm_pick/cli/fastspec.json is stale: run python tools/cli_spec.py"
    )
    assert set(FAST) == {"recommend", "memory", "list", "show", "explain", "compare"}


def test_the_estimate_options_split_as_parse_takes_them() -> None:
    """cli/commands.py gives parse.hardware the options it names and parse.sizing the rest:
    the same split as cli/options.py's option groups."""
    for function, group in ((hardware, HARDWARE_OPTIONS), (sizing, SIZING_OPTIONS)):
        code = function.__code__
        named = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
        assert set(named) == {name for name, _, _ in group}


# ---- the same answer as typer, or none ---------------------------------------------------


# Both ways run in the same working folder (messages name absolute paths), emptied between.
WORK = Path(tempfile.mkdtemp(prefix="llm-pick-fastpath-")) / "work"
atexit.register(shutil.rmtree, WORK.parent, True)


@contextmanager
def _folder() -> Iterator[Path]:
    """A fresh working folder holding a small extra catalog (--catalog extra.yaml)."""
    here = os.getcwd()
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    os.chdir(WORK)
    try:
        write_catalog(WORK / "extra.yaml", entry(id="extra-7b"))
        yield WORK
    finally:
        os.chdir(here)
        shutil.rmtree(WORK, ignore_errors=True)


def _capture(call: Any) -> tuple[Any, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = call()
        except Exception as error:  # --debug: the same exception both ways
            code = ("raised", type(error).__name__, str(error))
    return code, out.getvalue(), err.getvalue()


def fast(argv: list[str]) -> tuple[Any, str, str] | None:
    with _folder():
        code, out, err = _capture(lambda: fastpath.run(list(argv)))
    if code is None:
        assert (out, err) == ("", ""), "a declined run wrote something"
        return None
    return code, out, err


def typer_app(argv: list[str]) -> tuple[Any, str, str]:
    command = typer.main.get_command(app_for(list(argv)))
    with _folder():
        code, out, err = _capture(
            lambda: command.main(args=list(argv), prog_name="llm-pick", standalone_mode=False)
        )
    return (code if isinstance(code, tuple) else int(code or 0)), out, err


IDS = ["llama-3-8b", "mixtral-8x7b", "falcon-7b", "extra-7b", "nope", "missing.gguf"]
BY_OPTION = {
    "--vram": ["24", "24GB", "24 GiB", "24000MB", "16g", "0", "abc", "1e40", "8GiB", "2TB"],
    "--gpu": ["4090", "3090", "rtx-3060-12gb", "nope"],
    "--ram": ["64", "32GB", "abc"],
    "--context": ["8k", "32k", "4096", "0", "x"],
    "--prompt-tokens": ["8k", "512", "x"],
    "--min-context": ["32k", "x"],
    "--kv-dtype": ["q8_0", "fp16", "q4_0", "bad"],
    "--v-dtype": ["q8_0", "bad"],
    "--flash-attn": ["on", "off", "maybe"],
    "--profile": ["balanced", "chat", "edge", "nope"],
    "--weight": ["quality=2", "bad", "speed=x"],
    "--family": ["llama", "mistral", "lama"],
    "--variant": ["chat", "base", "x"],
    "--needs": ["vision", "code", "x"],
    "--lang": ["en", "fr", "xx"],
    "--license": ["apache-2.0", "mit", "x"],
    "--exclude": ["llama-3-8b", "nope"],
    "--quant": ["q4_k_m", "q8_0", "fp16", "bogus"],
    "--runtime": ["llama.cpp", "vllm", "x"],
    "--mode": ["inference", "lora", "qlora", "x"],
    "--cpu": ["ddr5-4800-12ch-genoa", "x"],
    "--format": ["table", "json", "csv", "markdown", "html", "md", "JSON", "xml", "Txt"],
    "--chart": ["quality", "speed", "Speed", "x"],
    "--output": ["out.json", "out.csv", "out.txt", "out.md", "no/such/out.md", "extra.yaml"],
    "--catalog": ["extra.yaml", "missing.yaml"],
}
BY_KIND = {
    "int": ["1", "2", "10", "0", "-3", "x", "1.5", "+4", "2_0", " 5", "99999999999"],
    "float": ["0.5", "51.2", "1e3", "nan", "inf", "-1", "x", ""],
    "str": ["x", "24GB", ""],
}
JUNK = [
    "--help",
    "--",
    "-",
    "--nope",
    "-x",
    "--vra",
    "--debug",
    "--version",
    "--vram=",
    "-fjson",
    "-f=json",
    "--commercial=1",
    "stray",
    "--vram \u0663",
    "\u0663",
]


@st.composite
def argv_for(draw: Any) -> list[str]:
    name = draw(st.sampled_from(FAST))
    params = SPEC[name]["params"]
    chunks: list[list[str]] = []
    for _ in range(draw(st.integers(0, 6))):
        choice = draw(st.integers(0, 9))
        if choice == 0:
            chunks.append(draw(st.sampled_from(JUNK)).split(" "))
            continue
        if choice <= 2:
            chunks.append([draw(st.sampled_from(IDS))])
            continue
        param = draw(st.sampled_from([p for p in params if p["param"] == "option"]))
        option = draw(st.sampled_from(param["opts"]))
        if param["kind"] == "flag":
            chunks.append([option])
            continue
        pool = BY_OPTION.get(param["opts"][0]) or BY_KIND.get(param["kind"], ["x"])
        value = draw(st.sampled_from(pool))
        joined = option.startswith("--") and draw(st.booleans())
        chunks.append([f"{option}={value}"] if joined else [option, value])
    if SPEC[name]["params"][0]["param"] == "argument" and draw(st.integers(0, 4)):
        chunks.insert(draw(st.integers(0, len(chunks))), [draw(st.sampled_from(IDS[:4]))])
    return [name, *(word for chunk in chunks for word in chunk)]


def _same_or_declined(argv: list[str]) -> None:
    answer = fast(argv)
    if answer is not None:
        assert answer == typer_app(argv), argv


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(argv_for())
def test_the_fast_path_answers_as_typer_or_declines(argv: list[str]) -> None:
    _same_or_declined(argv)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(argv_for())
def test_the_fast_path_answers_as_typer_or_declines_long(argv: list[str]) -> None:
    _same_or_declined(argv)


TAKEN = [
    "recommend --vram 24 --commercial",
    "recommend --vram 24 --commercial --format json",
    "recommend --vram=24GB -f csv --top 3 --lang en --lang fr",
    "recommend --gpu 4090 --chart",
    "recommend --gpu 4090 --chart speed --show-excluded",
    "recommend --vram 24 -f JSON",
    "recommend --vram 1 --family falcon",
    "recommend --vram abc",
    "recommend --vram 24 -f csv -o out.json",
    "recommend --vram 24 -o out.csv",
    "recommend --installed",
    "memory llama-3-8b --quant q4_k_m --format json",
    "memory llama-3-8b -q q4_k_m --vram 16 --context 8k --mode qlora",
    "memory missing.gguf",
    "list --format json --family llama",
    "list -f md --catalog extra.yaml",
    "show llama-3-8b",
    "show nope",
    "explain llama-3-8b --vram 24",
    "compare llama-3-8b falcon-7b --vram 24 --chart",
    "--debug list -f json --family lama",
    "list --debug --needs code",
    "--version",
    "--debug --version",
]
DECLINED = [
    "recommend --help",
    "recommend --vram 24 -- x",
    "recommend --top x",
    "recommend --vram",
    "recommend --nope",
    "recommend --vra 24",
    "recommend --vram -1",
    "recommend -fjson",
    "recommend -f=json",
    "recommend --commercial=1",
    "recommend --vram=",
    "list --format xml",
    "memory",
    "memory llama-3-8b falcon-7b",
    "compare",
    "recommend stray",
    "recommend --vram \u0663\u0662",
    "--debug --debug list",
    "--version list",
    "--version --version",
    "gpus",
    "catalog validate x.yaml",
    "",
]


@pytest.mark.parametrize("line", TAKEN)
def test_plain_runs_are_taken_and_answer_as_typer(line: str) -> None:
    argv = line.split()
    answer = fast(argv)
    assert answer is not None, f"declined: {line}"
    assert answer == typer_app(argv)


@pytest.mark.parametrize("line", DECLINED)
def test_anything_else_is_left_to_typer(line: str) -> None:
    assert fast(line.split()) is None


def test_the_exit_codes_and_the_error_line_are_the_boundary_s() -> None:
    code, out, err = fast(["recommend", "--vram", "1", "--family", "falcon"]) or (0, "", "")
    assert code == 3 and out.startswith("No model satisfies every constraint.")
    code, out, err = fast(["recommend", "--vram", "abc"]) or (0, "", "")
    assert (
        (code, out) == (1, "") and err.startswith("Error: --vram: 'abc'") and err.count("\n") == 1
    )


def test_debug_raises_the_same_error_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    for argv in (["--debug", "recommend", "--vram", "abc"], ["show", "nope", "--debug"]):
        answer = fast(argv)
        assert answer is not None and answer[0][0] == "raised"
        assert answer == typer_app(argv)
    monkeypatch.setenv("LLM_PICK_DEBUG", "1")
    answer = fast(["recommend", "--vram", "abc"])
    assert answer is not None and answer[0] == ("raised", "InputError", answer[0][2])
    assert answer == typer_app(["recommend", "--vram", "abc"])


def test_shell_completion_and_help_go_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    assert fastpath.run(["recommend", "--vram", "24", "--help"]) is None
    monkeypatch.setenv("_LLM_PICK_COMPLETE", "complete_bash")
    assert fastpath.run(["recommend", "--vram", "24"]) is None


def _entry(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The console entry in a fresh interpreter, reporting which CLI libraries it imported."""
    code = (
        "import sys\n"
        "from llm_pick.__main__ import main\n"
        f"sys.argv = ['llm-pick', *{args!r}]\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    loaded = {m.split('.')[0] for m in sys.modules} & {'typer', 'click', 'rich'}\n"
        "    sys.stderr.write('imported: ' + ' '.join(sorted(loaded)) + '\\n')\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


def test_the_console_entry_does_not_import_typer_for_a_plain_run() -> None:
    done = _entry(["recommend", "--vram", "24", "--commercial", "--format", "json"])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ranking"]
    assert done.stderr.splitlines()[-1] == "imported: "  # not typer, click, nor rich
    done = _entry(["--version"])
    assert (done.returncode, done.stdout.split()[0]) == (0, "llm-pick")
    assert done.stderr.splitlines() == ["imported: "]
    done = _entry(["recommend", "--vram", "24", "--top", "x"])  # declined: typer's message
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "Error: Invalid value for '--top': 'x' is not a valid int.",
        "imported: typer",
    ]


def test_shell_completion_runs_through_typer() -> None:
    """Completion of `llm-pick recommend --vr` (bash): typer's, even for a plain-looking argv."""
    env = {
        "_LLM_PICK_COMPLETE": "complete_bash",
        "COMP_WORDS": "llm-pick recommend --vr",
        "COMP_CWORD": "2",
    }
    done = _entry(["recommend", "--vram", "24"], env)
    assert "--vram" in done.stdout and "Recommendations" not in done.stdout
    assert done.stderr.splitlines()[-1] == "imported: typer"
