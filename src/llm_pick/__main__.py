"""The console entry (`llm-pick`, `python -m llm_pick`).

Set up before anything heavy is imported, so that even an early Ctrl-C or a closed stdout
gives one `Error:` line and an exit code instead of a traceback."""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
from typing import Any, NoReturn

INTERRUPTED = 130


def _interrupt(signum: int, frame: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # one message, however often it is pressed
    raise KeyboardInterrupt


class _Closed:
    """Stands for a stdout or stderr that was closed (`>&-`): every write fails clearly."""

    encoding = "utf-8"

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def write(self, text: str) -> int:
        raise OSError(9, "the stream is closed")

    def flush(self) -> None:
        return None

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self.fd


def _guard_streams() -> None:
    """A closed fd 1 or 2 gets /dev/null (so no file opened later lands on it, where output
    would go into that file) and a stream that reports the closure; stderr replaces what its
    encoding cannot show (PYTHONIOENCODING=ascii) instead of failing."""
    for fd, name in ((1, "stdout"), (2, "stderr")):
        try:
            os.fstat(fd)
        except OSError:
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                if devnull != fd:
                    os.dup2(devnull, fd)
                    os.close(devnull)
            except OSError:
                pass
            setattr(sys, name, _Closed(fd))
    reconfigure = getattr(sys.stderr, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="backslashreplace")


def _exit_interrupted() -> NoReturn:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.write(2, b"Error: interrupted\n")
    os._exit(INTERRUPTED)


def main() -> NoReturn:
    signal.signal(signal.SIGINT, _interrupt)
    # A run allocates many small objects and frees few cycles: collect rarely from the first
    # import on, as cli/guard.py does for the command (the imports before it cost 22 M
    # instructions of collections at the default thresholds; docs/performance.md).
    gc.set_threshold(100_000, 50, 100)
    try:
        _guard_streams()
        from llm_pick.catalog.lateinspect import dataclasses_first

        dataclasses_first()  # inspect only if dataclasses uses it (start-up)
        from llm_pick.cli.fastpath import run

        code = run(sys.argv[1:])  # the common commands' plain cases, without typer
        if code is None:
            from llm_pick.cli.entry import app_for

            code = app_for(sys.argv[1:])(standalone_mode=False)
    except KeyboardInterrupt:  # during the imports above, before the boundary is in place
        _exit_interrupted()
    try:
        sys.stdout.flush()
    except KeyboardInterrupt:
        _exit_interrupted()
    except OSError as error:
        from llm_pick.catalog.read import describe
        from llm_pick.cli.output import silence_stdout

        silence_stdout()
        sys.stderr.write(f"Error: cannot write to stdout: {describe(error)}\n")
        code = 1
    sys.exit(int(code or 0))


def entry() -> NoReturn:
    """The console script and `python -m llm_pick`: `main`, then the process ends as soon as
    its output is flushed, without the interpreter's teardown (three full collections and
    every module freed: 27 M instructions, some 5 ms, after a JSON answer; docs/performance.md).
    Every file the commands write is closed by then (written atomically, or under `with`), and
    nothing registers an exit handler. `main` itself exits as usual, for callers in Python."""
    code: object = 0
    try:
        main()
    except SystemExit as done:  # main's, or one raised below it (click's shell completion)
        code = done.code
    try:
        os._exit(_flushed(code))
    except KeyboardInterrupt:
        _exit_interrupted()


def _flushed(code: object) -> int:
    """The exit status once stdout and stderr are flushed, as the interpreter's exit gives it:
    SystemExit("text") prints the text and is 1, None is 0, a failed flush of stdout is 120."""
    if not isinstance(code, int):
        if code is not None:
            with contextlib.suppress(OSError, ValueError):
                sys.stderr.write(f"{code}\n")
        code = 0 if code is None else 1
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        code = code or 120
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    return code


if __name__ == "__main__":
    entry()
