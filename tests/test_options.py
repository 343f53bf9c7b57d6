"""Option declarations (cli/options.py): every option that takes a number, in every command,
refuses digits other than ASCII 0-9 (Python's int() and float() would read '٣' as 3)."""

from __future__ import annotations

import pytest
import typer
from conftest import run

from llm_pick.cli.app import app
from llm_pick.cli.parse import numeric_options

COMMAND = typer.main.get_command(app)
ARGUMENTS = {  # what each command needs before its options
    "recommend": [],
    "explain": ["llama-3-8b"],
    "memory": ["llama-3-8b"],
    "compare": ["llama-3-8b", "mistral-7b-v0.1"],
    "list": [],
}
CASES = [
    (name, option)
    for name, sub in COMMAND.commands.items()  # type: ignore[attr-defined]
    if name in ARGUMENTS
    for option in sorted(numeric_options(sub))
]


def test_every_number_typed_option_is_checked() -> None:
    typed = {
        name
        for sub in COMMAND.commands.values()  # type: ignore[attr-defined]
        for param in sub.params
        if param.type.name in ("int", "float", "integer", "float range", "integer range")
        for name in param.opts
        if name.startswith("--")
    }
    assert typed <= numeric_options(COMMAND)
    # the float options that slipped through a hand-kept list, and the text ones with amounts
    amounts = {"--headroom", "--ram-bandwidth", "--weight", "--vram", "--context", "--ram"}
    assert amounts <= numeric_options(COMMAND)
    assert {"--headroom", "--ram-bandwidth", "--min-bits", "--lora-rank"} <= typed


@pytest.mark.parametrize(("command", "option"), CASES)
def test_non_ascii_digits_are_refused_everywhere(command: str, option: str) -> None:
    value = "quality=\u0663" if option == "--weight" else "\u0663"
    for args in ([option, value], [f"{option}={value}"]):
        result = run(command, *ARGUMENTS[command], *args)
        assert result.code == 1, (command, option, result.stdout[:200])
        assert result.stderr == f"Error: {option}: {value!r} is not a number: write digits as 0-9\n"


def test_headroom_in_arabic_digits_is_refused() -> None:
    result = run("recommend", "--vram", "24", "--headroom", "\u0663")
    assert result.code == 1 and "--headroom: '\u0663' is not a number" in result.stderr
