"""The console entry's fast path: the common commands (recommend, memory, list, show, explain,
compare) and --version parsed without importing typer (about 50 ms of CPU, where the
interpreter's own start is about 10).

The typer app (cli/app.py) stays the one definition of the CLI: tools/cli_spec.py writes what
this needs of it into cli/fastspec.json (a test keeps it current). Only the plain cases are
taken: long options, `--name=value`, the short names alone, flags, repeats, the arguments.
Anything else (--help, `--`, an unknown or abbreviated option, a missing or dash-led value, a
value typer would refuse, a word that is not ASCII, shell completion) is declined, and typer
parses it, so every usage error stays typer's. A command then runs through the same body
(cli/commands.py) and the same error boundary (cli/guard.py) as under typer."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

# Imports are made where they are needed: a declined run (--help) pays for none of them.
SPEC = os.path.join(os.path.dirname(__file__), "fastspec.json")
Param = dict[str, Any]


class Decline(Exception):
    """Not a plain case: the typer app parses it."""


def run(argv: list[str]) -> int | None:
    """The command's exit code, or None when the typer app is to run argv instead."""
    try:
        name, words, debug = _prepare(argv)
        if words == ["--version"]:
            return _version(debug)
        command = _command(name)
    except Decline:
        return None
    from llm_pick.cli.guard import guarded
    from llm_pick.errors import InputError

    if any("--format" in param["opts"] for param in command["params"]):  # as formats.py asks
        from llm_pick.cli.formats import with_format

        try:
            words = with_format(words)  # -o x.csv means CSV (before parsing, as under typer)
        except InputError as error:
            return guarded(_raiser(error), debug)
    try:
        values = parse(command, words[1:])
    except Decline:
        return None
    from llm_pick.cli.commands import BODIES

    return guarded(lambda: BODIES[name](values), debug)


def _raiser(error: Exception) -> Any:
    def body() -> None:
        raise error

    return body


def _prepare(argv: list[str]) -> tuple[str, list[str], bool]:
    """The command's name, argv as the typer app's boundary hands it on, and --debug."""
    if any(name.startswith("_") and name.endswith("_COMPLETE") for name in os.environ):
        raise Decline  # shell completion: the words are in the environment
    if "--" in argv or "--help" in argv:
        raise Decline
    if not all(word.isascii() and "\0" not in word for word in argv):
        raise Decline  # typer's boundary checks digits written in other scripts
    from llm_pick.cli.guard import debug_from_env

    words = list(argv)
    debug = "--debug" in words or debug_from_env()
    if "--debug" in words:
        words.remove("--debug")  # the first only, as cli/boundary.py does
    if "--chart" in words:
        from llm_pick.cli.choices import chart_value

        words = chart_value(words)
    if not words:
        raise Decline
    return words[0], words, debug


def _spec() -> dict[str, Any]:
    import json

    try:
        with open(SPEC, encoding="utf-8") as spec:
            found = json.load(spec)
    except (OSError, ValueError):
        raise Decline from None
    if not isinstance(found, dict):
        raise Decline
    return found


def _command(name: str) -> dict[str, Any]:
    command = _spec().get("commands", {}).get(name)
    if not isinstance(command, dict) or command.get("fast") is not True:
        raise Decline
    return command


def _version(debug: bool) -> int:
    """`llm-pick --version` alone, when the root's --version is the eager flag whose callback
    prints the version and exits (cli/app.py `_version`, which calls commands.version)."""
    if _spec().get("root_flags", {}).get("--version") != "llm_pick.cli.app._version":
        raise Decline
    from llm_pick.cli.commands import version
    from llm_pick.cli.guard import guarded

    return guarded(version, debug)


def parse(command: dict[str, Any], words: list[str]) -> dict[str, Any]:
    """The values the typer command receives, by parameter name (the ones it collects as
    **rest under that name); Decline for anything but the plain cases."""
    params: list[Param] = command["params"]
    given, loose = _words(params, words)
    for param in params:
        if param["param"] == "argument":
            count = len(loose) if param["nargs"] == -1 else 1
            taken, loose = loose[:count], loose[count:]
            if not taken and param["required"]:
                raise Decline
            if taken:
                given[param["name"]] = taken
    if loose:
        raise Decline
    values = {param["name"]: _value(param, given.get(param["name"])) for param in params}
    return _grouped(command, values)


def _words(params: list[Param], words: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    """The words given to each option (by parameter name), and the other words in order."""
    by_name = {name: param for param in params for name in param["opts"]}
    given: dict[str, list[str]] = {}
    loose: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if not word.startswith("-"):
            loose.append(word)
            continue
        name, equals, value = word.partition("=")
        param = by_name.get(name)
        if param is None or (equals and not word.startswith("--")):
            raise Decline  # unknown, abbreviated, or a short option with its value attached
        if param["kind"] == "flag":
            if equals:
                raise Decline
            given.setdefault(param["name"], []).append("")
            continue
        if not equals:
            if index == len(words):
                raise Decline
            value, index = words[index], index + 1
        if not value or value.startswith("-"):
            raise Decline
        given.setdefault(param["name"], []).append(value)
    return given, loose


def _grouped(command: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    rest = command["rest"]
    params: list[Param] = command["params"]
    own = {p["name"]: values[p["name"]] for p in params if not p["rest"]}
    if rest is not None:
        own[rest] = {p["name"]: values[p["name"]] for p in params if p["rest"]}
    return own


def _value(param: Param, raw: list[str] | None) -> Any:
    """As typer hands it on: a flag True, repeats and many-valued arguments a list (None when
    absent), the last of a repeated option, an absent one its default."""
    if param["kind"] == "flag":
        return bool(raw) or param["default"]
    if param["multiple"] or param["nargs"] == -1:
        return None if raw is None else [_convert(param, word) for word in raw]
    if raw is None:
        default = param["default"]
        return default if default is None else _convert(param, default)
    return _convert(param, raw[-1])


def _convert(param: Param, word: Any) -> Any:
    kind = param["kind"]
    try:
        if kind == "int":
            return int(word)
        if kind == "float":
            return float(word)
    except ValueError:
        raise Decline from None
    if kind == "choice":
        return _choice(param, word)
    if kind == "path":
        return _path(word)
    if kind == "str":
        return word
    raise Decline


def _choice(param: Param, word: str) -> Any:
    from llm_pick.cli import choices

    kind = {"OutputFormat": choices.OutputFormat, "ChartAxis": choices.ChartAxis}.get(param["enum"])
    fold = not param["case_sensitive"]
    wanted = word.casefold() if fold else word
    for choice in param["choices"]:
        if (choice.casefold() if fold else choice) == wanted and kind is not None:
            return kind(choice)
    raise Decline


def _path(word: str) -> Path:
    """A path typer takes: one that does not exist, or one that can be read."""
    from pathlib import Path

    try:
        os.stat(word)
    except OSError:
        return Path(word)
    if not os.access(word, os.R_OK):
        raise Decline
    return Path(word)
