"""The app as one run needs it (cli/app.py holds every command): typer builds the options of
every registered command on each run, about 8 ms for all of them (docs/performance.md)."""

import copy
import os
from typing import Any

import typer

from llm_pick.cli.app import app


def app_for(argv: list[str]) -> typer.Typer:
    """A run of one command gets that command alone; the root help (and --version) gets each
    command's name and help without its options. Anything else (root options, a misspelt
    command) gets the whole app, and so does shell completion (`_LLM_PICK_COMPLETE` set: the
    words to complete are in the environment, not in argv)."""
    if any(name.startswith("_") and name.endswith("_COMPLETE") for name in os.environ):
        return app
    words = [arg for arg in argv if arg != "--debug"]  # the boundary takes --debug out
    lean = copy.copy(app)
    if words in ([], ["--help"], ["--version"]):
        lean.registered_commands = [_summary(info) for info in app.registered_commands]
        return lean
    lean.registered_commands = [
        info for info in app.registered_commands if _command_name(info) == words[0]
    ]
    lean.registered_groups = [info for info in app.registered_groups if info.name == words[0]]
    if not lean.registered_commands and not lean.registered_groups:
        return app
    return lean


def _command_name(info: Any) -> str:
    return info.name or typer.main.get_command_name(getattr(info.callback, "__name__", ""))


def _summary(info: Any) -> Any:
    """A command as the root help lists it: its name and help, no options to build."""

    def summary() -> None:
        """Only listed by the root help, never run."""

    summary.__doc__ = getattr(info.callback, "__doc__", None)
    listed = copy.copy(info)
    listed.name, listed.callback = _command_name(info), summary
    return listed
