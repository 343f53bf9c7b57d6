"""Errors raised by the library, each with the exit code the CLI uses for it."""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes (documented in docs/usage.md)."""

    OK = 0
    ERROR = 1  # bad input: options, catalog files, unknown ids, output files
    USAGE = 2  # command-line syntax (unknown option, missing argument)
    NO_MATCH = 3  # recommend: no model satisfies the hard constraints
    INTERRUPTED = 130


class LlmPickError(Exception):
    """Base class: a problem the user can fix. The message is one line."""

    exit_code: ExitCode = ExitCode.ERROR


class CatalogError(LlmPickError):
    """A catalog file could not be read or failed validation.

    `problems` holds one line per problem ("file:line: path: message").
    """

    def __init__(self, message: str, problems: Iterable[str] = ()) -> None:
        self.problems = list(problems)
        super().__init__(message)


class UnknownNameError(LlmPickError):
    """A name (model id, quant, GPU, profile...) that is not known; suggests near matches."""

    def __init__(self, kind: str, name: str, known: Iterable[str], *, list_all: bool = False):
        import difflib

        known = sorted(known)
        self.kind, self.name = kind, name
        self.suggestions = difflib.get_close_matches(name.lower(), known, n=3, cutoff=0.6)
        message = f"unknown {kind} {name!r}"
        if self.suggestions:
            message += ". Did you mean " + " or ".join(self.suggestions) + "?"
        if list_all:
            message += " Valid: " + ", ".join(known) + "."
        super().__init__(message)


class InputError(LlmPickError):
    """An option value that is out of range or inconsistent with another option."""


class OutputError(LlmPickError):
    """The output file could not be written; nothing was changed."""
