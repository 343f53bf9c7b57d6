"""The console script's exit (`entry`): the output and status `main` gives, the files it writes
complete, without the interpreter's teardown (docs/performance.md, issue 23)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from llm_pick import __main__ as entry_module

ROOT = Path(__file__).resolve().parents[1]


def _python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in (env or os.environ).items() if k != "LLM_PICK_CATALOG"}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )


def _through(function: str, args: list[str]) -> subprocess.CompletedProcess[str]:
    return _python(
        f"import sys; sys.argv = ['llm-pick', *{args!r}]\n"
        f"from llm_pick.__main__ import {function}\n{function}()\n"
    )


def test_the_console_script_is_the_entry() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"llm-pick": "llm_pick.__main__:entry"}


@pytest.mark.parametrize(
    "args",
    [
        ["recommend", "--vram", "24", "--commercial", "--format", "json"],
        ["recommend", "--vram", "1"],  # no match: exit 3
        ["memory", "no-such-model"],  # an Error: line, exit 2
        ["--help"],  # typer's path
        ["list", "--bogus"],  # typer's usage error
    ],
)
def test_entry_gives_what_main_gives(args: list[str]) -> None:
    by_main, by_entry = _through("main", args), _through("entry", args)
    assert (by_entry.returncode, by_entry.stdout, by_entry.stderr) == (
        by_main.returncode,
        by_main.stdout,
        by_main.stderr,
    )


def test_a_written_file_is_complete(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    args = ["recommend", "--vram", "24", "--format", "json"]
    done = _through("entry", [*args, "-o", str(target)])
    assert done.returncode == 0, done.stderr
    assert target.read_text(encoding="utf-8") == _through("main", args).stdout


def test_shell_completion_output_is_flushed() -> None:
    """click's completion exits with SystemExit below main, before main's flush."""
    env = {
        **os.environ,
        "_LLM_PICK_COMPLETE": "complete_bash",
        "COMP_WORDS": "llm-pick recom",
        "COMP_CWORD": "1",
    }
    done = _python(
        "import sys; sys.argv[0] = 'llm-pick'\nfrom llm_pick.__main__ import entry\nentry()\n",
        env=env,
    )
    assert "recommend" in done.stdout.split(), (done.stdout, done.stderr)


@pytest.mark.parametrize(
    ("code", "status", "printed"), [(None, 0, ""), (3, 3, ""), ("no", 1, "no\n")]
)
def test_the_exit_status_is_the_interpreters(
    code: object, status: int, printed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    assert entry_module._flushed(code) == status
    assert err.getvalue() == printed


def test_a_stdout_that_cannot_be_flushed_is_status_120(monkeypatch: pytest.MonkeyPatch) -> None:
    class Full(io.StringIO):
        def flush(self) -> None:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(sys, "stdout", Full())
    assert entry_module._flushed(0) == 120
    assert entry_module._flushed(2) == 2


def test_the_benchs_launcher_runs_each_versions_entry(tmp_path: Path) -> None:
    """bench/startup.py runs every install through one launcher: `entry` where the version
    has it, else `main` (what that version's console script named)."""
    from conftest import script

    bench = script("bench/startup.py", "startup_bench")
    exe = bench.launcher(sys.executable, tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "LLM_PICK_CATALOG"}
    now = subprocess.run([exe, "--version"], capture_output=True, text=True, env=env, timeout=60)
    assert now.returncode == 0 and now.stdout.startswith("llm-pick "), now.stderr
    old = tmp_path / "old" / "llm_pick"
    old.mkdir(parents=True)
    (old / "__init__.py").write_text("")
    (old / "__main__.py").write_text(
        "import sys\ndef main():\n    print('old main')\n    sys.exit(4)\n"
    )
    env["PYTHONPATH"] = str(old.parent)
    before = subprocess.run([exe], capture_output=True, text=True, env=env, timeout=60)
    assert (before.returncode, before.stdout) == (4, "old main\n")
