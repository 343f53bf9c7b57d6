"""The one error boundary: every known failure becomes one `Error: ...` line on stderr and an
exit code (errors.ExitCode); tracebacks only with --debug or LLM_PICK_DEBUG=1."""

import contextlib
import gc
import os
import signal
import sys
from typing import Any

from typer import Abort, Exit
from typer.core import TyperGroup
from typer.exceptions import TyperException as ClickException  # typer 0.26-0.28 vendor click

from llm_pick.catalog.read import describe
from llm_pick.cli.options import chart_value
from llm_pick.cli.output import silence_stdout
from llm_pick.errors import ExitCode, LlmPickError
from llm_pick.render.safe import sanitize


class Boundary(TyperGroup):
    """Turns every known failure into one `Error: ...` line on stderr and an exit code."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        given = kwargs.get("args", args[0] if args else None)
        argv = list(sys.argv[1:] if given is None else given)
        options = argv[: argv.index("--")] if "--" in argv else argv
        debug = "--debug" in options or debug_from_env()
        if "--debug" in options:  # a global flag, taken out before the commands parse
            argv.remove("--debug")
        if "--chart" in options:
            cut = argv.index("--") if "--" in argv else len(argv)
            argv = chart_value(argv[:cut]) + argv[cut:]
        kwargs["args"], args = argv, ()
        from llm_pick.cli.amounts import PENDING

        PENDING.clear()  # readings of an earlier in-process run are not this one's
        # A short run allocates many small objects and frees few cycles: collect rarely (as
        # mypy does) instead of re-scanning a large catalog every 700 allocations.
        thresholds = gc.get_threshold()
        gc.set_threshold(100_000, 50, 100)
        try:
            if not all(arg.isascii() for arg in options):
                from llm_pick.cli.parse import ascii_numbers

                ascii_numbers(options, self)  # '--vram ٣٢' is not 32
            from llm_pick.cli.formats import infer_format

            kwargs["args"] = infer_format(kwargs["args"], self)  # -o x.csv means CSV
            code = super().main(*args, standalone_mode=False, **kwargs)
            if code == ExitCode.INTERRUPTED:  # typer turns Ctrl-C into a silent exit 130
                with contextlib.suppress(ValueError):  # not the main thread
                    signal.signal(signal.SIGINT, signal.SIG_IGN)  # one message only
                code = _fail("interrupted", ExitCode.INTERRUPTED)
        except LlmPickError as error:
            if debug:
                raise
            code = _fail(str(error), error.exit_code, getattr(error, "problems", ()))
        except ClickException as error:
            if type(error).__name__ == "NoArgsIsHelpError":  # `llm-pick` alone: the help
                code = _print_help(error.format_message())
            else:
                code = _fail(_one_line(error.format_message()), ExitCode.USAGE)
        except Exit as error:
            code = error.exit_code
        except (Abort, KeyboardInterrupt):
            code = _fail("interrupted", ExitCode.INTERRUPTED)
        except BrokenPipeError:
            silence_stdout()
            code = ExitCode.ERROR
        except UnicodeEncodeError as error:
            if debug:
                raise
            silence_stdout()
            shown = ascii(error.object[error.start : error.end])
            code = _fail(
                f"the output encoding ({error.encoding}) cannot show {shown}: "
                "set PYTHONIOENCODING=utf-8 or write a file with --output",
                ExitCode.ERROR,
            )
        except OSError as error:  # stdout closed or full while click printed help or usage
            if debug:
                raise
            silence_stdout()
            code = _fail(f"cannot write to stdout: {describe(error)}", ExitCode.ERROR)
        except Exception as error:
            if debug:
                raise
            code = _fail(
                f"internal error: {type(error).__name__}: {_one_line(str(error))} "
                "(please report it; --debug shows the traceback)",
                ExitCode.ERROR,
            )
        finally:
            gc.set_threshold(*thresholds)
        code = int(code or 0)
        if standalone_mode:
            sys.exit(code)
        return code

    def list_commands(self, ctx: Any) -> list[str]:
        """The commands by importance (cli/helptext.py ORDER), any others after."""
        from llm_pick.cli.helptext import ORDER

        names = super().list_commands(ctx)
        return [n for n in ORDER if n in names] + [n for n in names if n not in ORDER]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """The command with its --help examples and option groups (cli/helptext.py)."""
        from llm_pick.cli.helptext import decorate

        command = super().get_command(ctx, cmd_name)
        for name, sub in getattr(command, "commands", {}).items():
            decorate(sub, f"{cmd_name} {name}")
        return decorate(command, cmd_name)


def _print_help(text: str) -> int:
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
        return ExitCode.ERROR
    except OSError as error:
        silence_stdout()
        return _fail(f"cannot write to stdout: {describe(error)}", ExitCode.ERROR)
    return ExitCode.OK


def debug_from_env() -> bool:
    return os.environ.get("LLM_PICK_DEBUG", "").strip().lower() in ("1", "true", "yes", "on")


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _fail(message: str, code: int, problems: Any = ()) -> int:
    """One `Error:` line (and one indented line per problem), terminal escapes made visible."""
    err = sys.stderr
    first = _one_line(sanitize(message))
    lines = [f"Error: {first}"]
    lines += [f"  {line}" for p in problems if (line := _one_line(sanitize(p))) != first]
    try:
        err.write("\n".join(lines) + "\n")
        err.flush()
    except (OSError, ValueError, AttributeError):
        pass  # stderr closed: the exit code still says it
    return code
