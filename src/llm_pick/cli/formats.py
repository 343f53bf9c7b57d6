"""`-o picks.csv` means CSV: the output format from the --output file's extension when
--format is not given, `-f md` for markdown, and a --format that contradicts the extension
an error (docs/usage.md, "Writing output and limits")."""

from __future__ import annotations

import os
from typing import Any

from llm_pick.errors import InputError

BY_EXTENSION = {
    ".csv": "csv",
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".txt": "table",
}
ALIASES = {"md": "markdown", "htm": "html", "text": "table", "txt": "table"}
_FORMAT = ("-f", "--format")
_OUTPUT = ("-o", "--output")


def _find(words: list[str], names: tuple[str, ...]) -> tuple[int, str] | None:
    """(index of the value, value) of the last `--name VALUE` or `--name=VALUE` in words."""
    found = None
    for index, word in enumerate(words):
        if word in names and index + 1 < len(words):
            found = (index + 1, words[index + 1])
        elif "=" in word and word.split("=", 1)[0] in names:
            found = (index, word.split("=", 1)[1])
    return found


def takes_format(argv: list[str], group: Any) -> bool:
    """Whether the command named in argv has a --format option."""
    command: Any = group
    for word in argv:
        if word.startswith("-"):
            break
        sub = getattr(command, "commands", {}).get(word)
        if sub is None:
            break
        command = sub
    if command is group:
        return False
    return any("--format" in getattr(p, "opts", ()) for p in command.params)


def infer_format(argv: list[str], group: Any) -> list[str]:
    """argv with `-f md` spelled out and `--format X` added when -o names a known extension;
    InputError when -f and the extension disagree."""
    cut = argv.index("--") if "--" in argv else len(argv)
    if not takes_format(argv[:cut], group):
        return argv
    return with_format(argv)


def with_format(argv: list[str]) -> list[str]:
    """infer_format for a command known to have a --format option (cli/fastpath.py)."""
    cut = argv.index("--") if "--" in argv else len(argv)
    words, rest = list(argv[:cut]), argv[cut:]
    given = _find(words, _FORMAT)
    if given is not None:
        index, value = given
        spelled = ALIASES.get(value.strip().lower(), value)
        if spelled != value:
            prefix = "" if words[index] == value else words[index].split("=", 1)[0] + "="
            words[index] = prefix + spelled
        given = (index, spelled)
    output = _find(words, _OUTPUT)
    if output is None:
        return words + rest
    implied = BY_EXTENSION.get(_suffix(output[1]).lower())
    if implied is None:
        return words + rest
    if given is None:
        return [*words, "--format", implied, *rest]
    if given[1].strip().lower() != implied:
        raise InputError(
            f"--format {given[1]} contradicts --output {output[1]} (a {implied} file name): "
            "drop one, or give the file a matching extension"
        )
    return words + rest


def _suffix(name: str) -> str:
    """PurePath(name).suffix, without importing pathlib (start-up): of the last part that is
    not "." (separators os.sep and os.altsep), the text from its last dot, unless that dot
    starts or ends it (tests/test_startup_paths.py compares them)."""
    for sep in {os.sep, os.altsep or os.sep} - {"/"}:
        name = name.replace(sep, "/")
    parts = [part for part in name.split("/") if part and part != "."]
    last = parts[-1] if parts else ""
    dot = last.rfind(".")
    return last[dot:] if 0 < dot < len(last) - 1 else ""
