"""The typer app's side of the one error boundary (cli/guard.py): typer's usage errors, its
exits and aborts, and the rewriting of argv before typer parses it."""

import sys
from typing import Any

from typer import Abort, Exit
from typer.core import TyperGroup
from typer.exceptions import TyperException as ClickException  # typer 0.26-0.28 vendor click

from llm_pick.catalog.read import describe
from llm_pick.cli.choices import chart_value
from llm_pick.cli.guard import debug_from_env, fail, guarded, interrupted, one_line
from llm_pick.cli.output import silence_stdout
from llm_pick.errors import ExitCode


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
        kwargs["args"] = argv

        def body() -> Any:
            if not all(arg.isascii() for arg in options):
                from llm_pick.cli.parse import ascii_numbers

                ascii_numbers(options, self)  # '--vram ٣٢' is not 32
            from llm_pick.cli.formats import infer_format

            kwargs["args"] = infer_format(kwargs["args"], self)  # -o x.csv means CSV
            try:
                code = super(Boundary, self).main(standalone_mode=False, **kwargs)
            except ClickException as error:
                if type(error).__name__ == "NoArgsIsHelpError":  # `llm-pick` alone: the help
                    return _print_help(error.format_message())
                return fail(one_line(error.format_message()), ExitCode.USAGE)
            except Exit as error:
                return error.exit_code
            except Abort:
                return interrupted()
            if code == ExitCode.INTERRUPTED:  # typer turns Ctrl-C into a silent exit 130
                return interrupted(quiet_signal=True)
            return code

        code = guarded(body, debug)
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
        return fail(f"cannot write to stdout: {describe(error)}", ExitCode.ERROR)
    return ExitCode.OK
