"""The atomic writer and the output switch: what reaches a file, and what never does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from llm_pick.cli.output import write_atomic
from llm_pick.errors import OutputError
from llm_pick.reports.report import Report, render_text, to_csv, to_markdown


def test_write_atomic_replaces_and_keeps_the_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(target, "new\n")
    assert target.read_text() == "new\n"
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temporary file left


def test_write_atomic_refuses_a_folder_and_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="is a directory"):
        write_atomic(tmp_path, "x")
    with pytest.raises(OutputError, match="does not exist"):
        write_atomic(tmp_path / "no" / "out.txt", "x")


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_write_atomic_failure_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")

    def fail(fd: int) -> None:
        raise failure

    monkeypatch.setattr(os, "fsync", fail)
    expected = OutputError if isinstance(failure, OSError) else KeyboardInterrupt
    with pytest.raises(expected):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert sorted(os.listdir(tmp_path)) == ["out.txt"]


def test_csv_and_markdown_writers_quote_and_escape() -> None:
    rows = [["a,b", 'say "hi"', None, True], ["x|y", "line\nbreak", 1.5, False]]
    csv_text = to_csv(("c1", "c2", "c3", "c4"), rows)
    assert csv_text.splitlines()[1] == '"a,b","say ""hi""",,yes'
    md = to_markdown(("c1", "c2", "c3", "c4"), rows).splitlines()
    assert md[0] == "| c1 | c2 | c3 | c4 |"
    assert md[3] == "| x\\|y | line break | 1.5 | no |"


def test_render_text_builds_json_lazily_and_tables_plainly() -> None:
    calls: list[int] = []

    def data() -> dict[str, int]:
        calls.append(1)
        return {"n": 1}

    report = Report(data=data, columns=("n",), rows=[[1]], table=lambda: "plain table")
    assert render_text(report, "csv") == "n\n1\n" and calls == []
    assert render_text(report, "json", pretty=False) == '{"n":1}\n' and calls == [1]
    assert render_text(report, "table") == "plain table\n"
