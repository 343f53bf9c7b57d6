"""Paste a printed run command into bash, as a user would, with stand-in tools on PATH that
record their arguments: what ran, and with which arguments."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import subprocess
from pathlib import Path
from typing import Any

# Every program a run command may call (reports/run.py), as stand-ins.
TOOLS = ("llama-server", "llama-quantize", "python", "python3", "ollama", "vllm", "huggingface-cli")
MARKER = "PWNED"  # the file every hostile payload tries to create


class Shell:
    """A folder with stand-in tools; `paste` runs one command there with bash."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.bin = folder / "bin"
        self.bin.mkdir(exist_ok=True)
        self.log = folder / "argv.log"
        for tool in TOOLS:  # each call: its argument count, then each argument, NUL-terminated
            script = self.bin / tool
            script.write_text('#!/bin/sh\nprintf "%s\\0" "$#" "$0" "$@" >> "$ARGV_LOG"\n')
            script.chmod(0o755)

    def paste(self, command: str) -> list[list[str]]:
        """Run `command` with `bash -c` in the folder; the stand-in calls, program name first.
        Fails when bash fails or when the marker file appears (injected code ran)."""
        self.log.unlink(missing_ok=True)
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-c", command],
            cwd=self.folder,
            env={
                "PATH": f"{self.bin}:/usr/bin:/bin",
                "HOME": str(self.folder),
                "LC_ALL": "C",
                "ARGV_LOG": str(self.log),
            },
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert not (self.folder / MARKER).exists(), f"injected code ran: {command!r}"
        assert done.returncode == 0, (command, done.stderr)
        assert done.stdout == "", (command, done.stdout)
        if not self.log.exists():
            return []
        fields = self.log.read_bytes().decode("utf-8", "surrogateescape").split("\0")[:-1]
        calls: list[list[str]] = []
        while fields:  # a count, then the program and that many arguments
            count = int(fields[0])
            call, fields = fields[1 : count + 2], fields[count + 2 :]
            calls.append([Path(call[0]).name, *call[1:]])
        return calls


# ---- the commands as each output format prints them -----------------------------------------


def from_json(data: Any) -> list[tuple[str, str]]:
    """(runtime, command) of every `run` list anywhere in a JSON document."""
    found: list[tuple[str, str]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "run" and isinstance(value, list):
                found += [(item["runtime"], item["command"]) for item in value]
            else:
                found += from_json(value)
    elif isinstance(data, list):
        for value in data:
            found += from_json(value)
    return found


def from_table(text: str) -> list[tuple[str, str]]:
    """The `  runtime: command` lines under "Run it as sized:" (a wide terminal: one line)."""
    found = []
    for line in text.splitlines():
        match = re.match(r"  (llama\.cpp|ollama|vllm): (.*)$", line)
        if match:
            found.append((match.group(1), match.group(2).rstrip()))
    return found


def from_csv(text: str) -> list[tuple[str, str]]:
    return [(row[1], row[2]) for row in csv.reader(io.StringIO(text)) if row and row[0] == "run"]


def from_markdown(text: str) -> list[tuple[str, str]]:
    """The command cells of `run` rows, as a Markdown renderer shows them: backslash escapes
    of ASCII punctuation removed, entities decoded (CommonMark)."""
    found = []
    for line in text.splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) >= 3 and cells[0] == "run":
            shown = [html.unescape(re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", c)) for c in cells]
            found.append((shown[1], shown[2]))
    return found


EXTRACT = {"json": None, "table": from_table, "csv": from_csv, "markdown": from_markdown}


def commands(fmt: str, stdout: str) -> list[tuple[str, str]]:
    if fmt == "json":
        return from_json(json.loads(stdout))
    extract = EXTRACT[fmt]
    assert extract is not None
    return extract(stdout)
