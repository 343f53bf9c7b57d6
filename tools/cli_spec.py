"""Write src/llm_pick/cli/fastspec.json: the parameters of the common commands, read from the
typer app (cli/app.py stays the one definition of the CLI), for the console entry's fast path
(cli/fastpath.py), which parses the plain cases without importing typer.

    python tools/cli_spec.py          # rewrite the spec
    python tools/cli_spec.py --check  # exit 1 when it is stale

tests/test_fastpath.py fails when the spec is not what this writes. A parameter this does not
describe exactly (a callback, an environment variable, a range, a count, a prompt, a path
check, ...) marks its command "fast": false, and the fast path leaves that command to typer.
"""

from __future__ import annotations

import argparse
import enum
import inspect
import json
import sys
import typing
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import typer  # noqa: E402

from llm_pick.cli import choices  # noqa: E402
from llm_pick.cli.app import app  # noqa: E402

SPEC = ROOT / "src" / "llm_pick" / "cli" / "fastspec.json"
COMMANDS = ("recommend", "memory", "list", "show", "explain", "compare")
KINDS = {"str": "str", "int": "int", "float": "float", "choice": "choice", "path": "path"}
PLAIN_PATH = {
    "exists": False,
    "file_okay": True,
    "dir_okay": True,
    "readable": True,
    "writable": False,
    "resolve_path": False,
    "allow_dash": False,
    "type": None,
}


class Unplain(Exception):
    """A parameter the fast path cannot parse exactly as typer does."""


def _dotted(function: Any) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def _plain_default(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise Unplain(f"default {value!r}")


def _enum(annotation: Any) -> type[enum.Enum]:
    """The enum class in `Annotated[X | None, ...]`."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    inner = [a for a in typing.get_args(annotation) if a is not type(None)] or [annotation]
    found = inner[0] if len(inner) == 1 else None
    if not (isinstance(found, type) and issubclass(found, enum.Enum)):
        raise Unplain(f"choices without an enum: {annotation!r}")
    return found


def _kind(param: Any, annotation: Any) -> dict[str, Any]:
    """kind (flag, str, int, float, choice, path) and what it needs to convert a value."""
    kind_type = param.type
    if getattr(param, "is_flag", False):
        if param.secondary_opts or param.default is not False or param.multiple:
            raise Unplain("a flag with a --no- form, a default or repeats")
        return {"kind": "flag"}
    kind = KINDS.get(kind_type.name)
    exact = {"str": "StringParamType", "int": "IntParamType", "float": "FloatParamType"}
    if kind is None or (kind in exact and type(kind_type).__name__ != exact[kind]):
        raise Unplain(f"type {type(kind_type).__name__}")
    described: dict[str, Any] = {"kind": kind}
    if kind == "choice":
        found = _enum(annotation)
        values = [str(choice) for choice in kind_type.choices]
        if getattr(choices, found.__name__, None) is not found:
            raise Unplain("choices that are not an enum of cli/choices.py")
        if values != [member.value for member in found]:
            raise Unplain("choices that are not the enum's values")
        described["enum"] = found.__name__
        described["choices"] = values
        described["case_sensitive"] = kind_type.case_sensitive
    if kind == "path" and {n: getattr(kind_type, n) for n in PLAIN_PATH} != PLAIN_PATH:
        raise Unplain("a path option that checks more than readability")
    return described


def _param(param: Any, declared: inspect.Parameter) -> dict[str, Any]:
    default = None if declared.default is declared.empty else declared.default
    if param.callback is not None:
        raise Unplain(f"callback {_dotted(param.callback)}")
    unplain = {
        "an environment variable": param.envvar,
        "not exposed": not param.expose_value,
        "a prompt": getattr(param, "prompt", None),
        "a count": getattr(param, "count", False),
        "a value that is optional": getattr(param, "_flag_needs_value", False),
        "names not starting with -": param.param_type_name == "option"
        and not all(name.startswith("-") for name in param.opts + param.secondary_opts),
        "more than one value per use": param.param_type_name == "option" and param.nargs != 1,
    }
    for what, present in unplain.items():
        if present:
            raise Unplain(what)
    if param.multiple and default is not None:
        raise Unplain("a repeatable option with a default")
    described = {
        "name": param.name,
        "param": param.param_type_name,
        "opts": list(param.opts) if param.param_type_name == "option" else [],
        **_kind(param, declared.annotation),
        "multiple": bool(param.multiple),
        "nargs": param.nargs,
        "required": bool(param.required),
        "default": _plain_default(default),
    }
    return described


def _own_and_rest(function: Any) -> tuple[list[str], str | None]:
    """The function's named parameters and the name of its **rest, if any."""
    code = function.__code__
    named = code.co_argcount + code.co_kwonlyargcount
    rest = code.co_varnames[named] if code.co_flags & inspect.CO_VARKEYWORDS else None
    return list(code.co_varnames[:named]), rest


def describe(command: Any) -> dict[str, Any]:
    settings = (
        command.context_settings,
        command.allow_extra_args,
        command.ignore_unknown_options,
        command.allow_interspersed_args,
        command.no_args_is_help,
    )
    function = command.callback.__wrapped__
    own, rest = _own_and_rest(function)
    declared = inspect.signature(function).parameters
    try:
        if settings != ({}, False, False, True, False):
            raise Unplain("context settings")
        params = [_param(p, declared[p.name]) for p in command.params]
        arguments = [p for p in params if p["param"] == "argument"]
        if any(p["nargs"] not in (1, -1) for p in arguments) or any(
            p["nargs"] == -1 for p in arguments[:-1]
        ):
            raise Unplain("arguments other than one value each and a last one that repeats")
    except Unplain as why:
        return {"fast": False, "why": str(why)}
    for param in params:
        param["rest"] = param["name"] not in own
    return {"fast": True, "rest": rest, "params": params}


def build() -> dict[str, Any]:
    group: Any = typer.main.get_command(app)
    ctx = group.make_context("llm-pick", [COMMANDS[0]], resilient_parsing=True)
    commands = {name: describe(group.get_command(ctx, name)) for name in COMMANDS}
    root = {
        name: _dotted(param.callback)
        for param in group.params
        if param.is_eager and param.callback is not None and getattr(param, "is_flag", False)
        for name in param.opts
    }
    return {"generated_by": "tools/cli_spec.py", "commands": commands, "root_flags": root}


def text() -> str:
    return json.dumps(build(), indent=1, sort_keys=True) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the spec is stale")
    args = parser.parse_args()
    wanted = text()
    if args.check:
        stale = not SPEC.exists() or SPEC.read_text(encoding="utf-8") != wanted
        if stale:
            print(f"{SPEC} is stale: run python tools/cli_spec.py", file=sys.stderr)
        return int(stale)
    SPEC.write_text(wanted, encoding="utf-8")
    print(f"wrote {SPEC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
