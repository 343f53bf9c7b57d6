"""Issue 9 item 16: the console entry (`llm-pick`, `python -m llm_pick`) - every failure is one
`Error:` line and an exit code, never a traceback: Ctrl-C (even during imports), a closed or
full stdout, an ASCII-only encoding, debug switches, odd arguments."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run

ENTRY = [sys.executable, "-m", "llm_pick"]


def launch(
    args: list[str], *, env: dict[str, str] | None = None, shell_suffix: str = "", **kwargs: object
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **(env or {})}
    environment.pop("LLM_PICK_CATALOG", None)
    if shell_suffix:  # e.g. '>&-' to start with stdout closed
        command = " ".join([*map(_quote, ENTRY), *map(_quote, args)]) + " " + shell_suffix
        return subprocess.run(
            ["/bin/sh", "-c", command],
            env=environment,
            capture_output=False,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            **kwargs,  # type: ignore[call-overload]
        )
    return subprocess.run(
        [*ENTRY, *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,  # type: ignore[call-overload]
    )


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def one_error_line(stderr: str, expected: str) -> None:
    assert stderr.startswith("Error: "), stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert expected in stderr, stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr


# `gpus` imports typer; the plain `list` takes the fast path (cli/fastpath.py), which does not
# import typer, and imports rich for its table
@pytest.mark.parametrize(("command", "module"), [("gpus", "typer"), ("list", "rich")])
def test_ctrl_c_during_imports_is_one_line_and_exit_130(
    tmp_path: Path, command: str, module: str
) -> None:
    fake = tmp_path / module
    fake.mkdir()
    (fake / "__init__.py").write_text(
        "import os, signal, time\nos.kill(os.getpid(), signal.SIGINT)\ntime.sleep(30)\n"
    )
    env = {"PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    done = launch([command], env=env)
    assert done.returncode == 130, done.stderr
    one_error_line(done.stderr, "Error: interrupted")


def test_ctrl_c_during_a_command_is_one_line_and_exit_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("llm_pick.catalog.load.load_catalog", interrupted)
    handler = signal.getsignal(signal.SIGINT)
    try:
        result = run("list")
    finally:
        signal.signal(signal.SIGINT, handler)
    assert result.code == 130
    one_error_line(result.stderr, "Error: interrupted")


@pytest.mark.parametrize("args", [["--help"], ["--version"], [], ["list"], ["list", "-f", "json"]])
def test_a_closed_stdout_is_one_error_line(args: list[str]) -> None:
    done = launch(args, shell_suffix=">&-")
    assert done.returncode == 1, done.stderr
    one_error_line(done.stderr, "cannot write to stdout")


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["list"], ["gpus", "-f", "csv"]])
def test_a_full_stdout_is_one_error_line(args: list[str]) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [*ENTRY, *args], stdout=full, stderr=subprocess.PIPE, text=True, timeout=120
        )
    assert done.returncode == 1, done.stderr
    one_error_line(done.stderr, "no space left on device")


def test_closed_stdout_never_sends_output_into_a_file(tmp_path: Path) -> None:
    """With fd 1 closed, the next file opened would get fd 1: nothing may land in it."""
    target = tmp_path / "out.json"
    done = launch(["list", "-f", "json", "-o", str(target)], shell_suffix=">&-")
    assert done.returncode == 0, done.stderr
    assert target.read_text().startswith('{"models"')


def test_an_ascii_only_encoding_gives_one_error_line_or_output() -> None:
    env = {"PYTHONIOENCODING": "ascii"}
    table = launch(["recommend", "--vram", "24"], env=env)
    if table.returncode != 0:
        one_error_line(table.stderr, "PYTHONIOENCODING=utf-8")
    else:
        assert table.stdout.isascii()
    unknown = launch(["show", "n\u00e4m\u00e9"], env=env)
    assert unknown.returncode == 1
    one_error_line(unknown.stderr, "unknown model")


@pytest.mark.parametrize("value", ["0", "false", "no", "off", ""])
def test_debug_switched_off_by_the_environment(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("LLM_PICK_DEBUG", value)
    result = run("show", "no-such-model")
    assert result.code == 1
    one_error_line(result.stderr, "unknown model")


def test_debug_after_double_dash_is_an_argument() -> None:
    result = run("show", "--", "--debug")
    assert result.code == 1
    one_error_line(result.stderr, "unknown model '--debug'")


@pytest.mark.parametrize("value", ["1.0e400", "1e308k", "inf", "-1e400", "9" * 5000])
def test_huge_context_values_are_one_error_line(value: str) -> None:
    result = run("recommend", "--vram", "24", "--context", value)
    assert result.code == 1
    one_error_line(result.stderr, "--context")
