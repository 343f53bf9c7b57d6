"""The one error boundary, without typer: every known failure becomes one `Error: ...` line on
stderr and an exit code (errors.ExitCode); tracebacks only with --debug or LLM_PICK_DEBUG=1.

Both ways into a command use it: the typer app (cli/boundary.py, which adds typer's own usage
errors) and the console entry's fast path (cli/fastpath.py)."""

import contextlib
import gc
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

from llm_pick.catalog.read import describe
from llm_pick.cli.output import silence_stdout
from llm_pick.errors import ExitCode, LlmPickError
from llm_pick.render.safe import sanitize


def guarded(body: Callable[[], Any], debug: bool) -> int:
    """Run body (which returns an exit code or None) and turn its failures into exit codes."""
    from llm_pick.cli.amounts import PENDING

    PENDING.clear()  # readings of an earlier in-process run are not this one's
    # A short run allocates many small objects and frees few cycles: collect rarely (as
    # mypy does) instead of re-scanning a large catalog every 700 allocations.
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        code = body()
    except LlmPickError as error:
        if debug:
            raise
        code = fail(str(error), error.exit_code, getattr(error, "problems", ()))
    except KeyboardInterrupt:
        code = interrupted(quiet_signal=True)
    except BrokenPipeError:
        silence_stdout()
        code = ExitCode.ERROR
    except UnicodeEncodeError as error:
        if debug:
            raise
        silence_stdout()
        shown = ascii(error.object[error.start : error.end])
        code = fail(
            f"the output encoding ({error.encoding}) cannot show {shown}: "
            "set PYTHONIOENCODING=utf-8 or write a file with --output",
            ExitCode.ERROR,
        )
    except OSError as error:  # stdout closed or full while help or usage was printed
        if debug:
            raise
        silence_stdout()
        code = fail(f"cannot write to stdout: {describe(error)}", ExitCode.ERROR)
    except Exception as error:
        if debug:
            raise
        code = fail(
            f"internal error: {type(error).__name__}: {one_line(str(error))} "
            "(please report it; --debug shows the traceback)",
            ExitCode.ERROR,
        )
    finally:
        gc.set_threshold(*thresholds)
    return int(code or 0)


def interrupted(quiet_signal: bool = False) -> int:
    """Ctrl-C: one `Error: interrupted` line (quiet_signal: and no second one)."""
    if quiet_signal:
        with contextlib.suppress(ValueError):  # not the main thread
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    return fail("interrupted", ExitCode.INTERRUPTED)


def debug_from_env() -> bool:
    return os.environ.get("LLM_PICK_DEBUG", "").strip().lower() in ("1", "true", "yes", "on")


def one_line(message: str) -> str:
    return " ".join(message.split())


def fail(message: str, code: int, problems: Any = ()) -> int:
    """One `Error:` line (and one indented line per problem), terminal escapes made visible."""
    err = sys.stderr
    first = one_line(sanitize(message))
    lines = [f"Error: {first}"]
    lines += [f"  {line}" for p in problems if (line := one_line(sanitize(p))) != first]
    try:
        err.write("\n".join(lines) + "\n")
        err.flush()
    except (OSError, ValueError, AttributeError):
        pass  # stderr closed: the exit code still says it
    return code
