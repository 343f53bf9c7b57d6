"""The atomic writer and the output switch: what reaches a file, and what never does."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import entry, run, write_catalog

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


# ---- issue 9: what --output may replace, and what it must not -------------------------------


def test_output_to_dev_null_writes_in_place_and_never_replaces_it() -> None:
    before = os.stat("/dev/null")
    result = run("list", "-f", "json", "-o", "/dev/null")
    assert result.code == 0, result.stderr
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev, after.st_mode) == (
        before.st_ino,
        before.st_rdev,
        before.st_mode,
    )


def test_output_to_a_fifo_writes_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = run("list", "-f", "json", "-o", str(fifo))
    reader.join(timeout=30)
    assert result.code == 0, result.stderr
    assert json.loads(received[0])["models"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(os.listdir(tmp_path)) == ["pipe"]


@pytest.mark.parametrize("redirect", ["file", "pipe"])
def test_output_to_dev_stdout_goes_to_stdout(tmp_path: Path, redirect: str) -> None:
    out = tmp_path / "captured.json"
    command = [sys.executable, "-m", "llm_pick", "list", "-f", "json", "-o", "/dev/stdout"]
    if redirect == "file":
        with out.open("w") as handle:
            done = subprocess.run(command, stdout=handle, stderr=subprocess.PIPE, timeout=120)
        text = out.read_text()
    else:
        done = subprocess.run(command, capture_output=True, timeout=120)
        text = done.stdout.decode()
    assert done.returncode == 0, done.stderr
    assert json.loads(text)["models"]
    assert Path("/dev/stdout").is_symlink() or not Path("/dev/stdout").is_file()


def test_output_through_a_symlink_writes_its_target(tmp_path: Path) -> None:
    target = tmp_path / "real.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert run("list", "-f", "json", "-o", str(link)).code == 0
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert json.loads(target.read_text())["models"]
    dangling = tmp_path / "dangling.csv"  # the link's name sets the format (issue 22)
    dangling.symlink_to(tmp_path / "new.json")
    assert run("list", "-f", "csv", "-o", str(dangling)).code == 0
    assert dangling.is_symlink() and (tmp_path / "new.json").read_text().startswith("id,")
    assert sorted(os.listdir(tmp_path)) == ["dangling.csv", "link.json", "new.json", "real.json"]


def test_a_symlink_loop_is_one_error_line(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(tmp_path / "loop")
    result = run("list", "-o", str(loop))
    assert result.code == 1
    assert result.stderr.startswith("Error: ") and "symlink loop" in result.stderr
    assert "internal error" not in result.stderr


def test_a_read_only_target_needs_force(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("keep")
    target.chmod(0o444)
    result = run("list", "-f", "csv", "-o", str(target))
    assert result.code == 1 and "read-only" in result.stderr and "--force" in result.stderr
    assert target.read_text() == "keep"
    assert run("list", "-f", "csv", "-o", str(target), "--force").code == 0
    assert target.read_text().startswith("id,") and target.stat().st_mode & 0o777 == 0o444


def test_replacing_keeps_the_owner(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    mine = target.stat()
    other = [g for g in os.getgroups() if g != mine.st_gid]
    if os.geteuid() == 0:
        uid, gid = 4321, 4321
    elif other:
        uid, gid = mine.st_uid, other[0]
    else:
        pytest.skip("needs a second group (or root) to change the owner without privileges")
    os.chown(target, uid, gid)
    write_atomic(target, "new")
    after = target.stat()
    assert (after.st_uid, after.st_gid) == (uid, gid) and target.read_text() == "new"


def test_an_owner_that_cannot_be_kept_needs_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    real_fstat = os.fstat

    def other_owner(fd: int) -> os.stat_result:
        info = list(real_fstat(fd))
        info[4] += 1  # st_uid: pretend the temporary file got another owner
        return os.stat_result(info)

    def refuse(*args: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "fstat", other_owner)
    monkeypatch.setattr(os, "fchown", refuse)
    with pytest.raises(OutputError, match="owner"):
        write_atomic(target, "new")
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["out.json"]
    write_atomic(target, "new", force=True)
    assert target.read_text() == "new"


def test_a_name_over_255_characters_is_one_error_line(tmp_path: Path) -> None:
    result = run("list", "-o", str(tmp_path / ("x" * 300)))
    assert result.code == 1 and "file name too long" in result.stderr
    assert "internal error" not in result.stderr


# ---- inputs are never overwritten -------------------------------------------------------------


def _inputs() -> list[Path]:
    from llm_pick.catalog import compiled
    from llm_pick.catalog.datafiles import path

    return [path(name) for name in compiled.FILES] + [compiled.COMPILED, *compiled.PARTS]


@pytest.mark.parametrize("index", range(9))
def test_bundled_data_is_never_overwritten(index: int) -> None:
    target = _inputs()[index]
    before = target.read_bytes()
    for args in (["list", "-f", "json", "-o"], ["catalog", "schema", "-o"]):
        result = run(*args, str(target), "--force")
        assert result.code == 1 and "refusing to overwrite an input" in result.stderr
    assert target.read_bytes() == before


def test_inputs_by_option_env_profile_link_or_hard_link_are_never_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = write_catalog(tmp_path / "mine.yaml", entry(id="mine"))
    env = write_catalog(tmp_path / "env.yaml", entry(id="env-7b"))
    profile = tmp_path / "profile.yaml"
    profile.write_text(
        "schema_version: 1\nprofiles:\n- name: p\n  description: d\n  weights: {quality: 1}\n"
    )
    link = tmp_path / "link.yaml"
    link.symlink_to(mine)
    hard = tmp_path / "hard.yaml"
    os.link(mine, hard)
    monkeypatch.setenv("LLM_PICK_CATALOG", str(env))
    saved = {p: p.read_bytes() for p in (mine, env, profile)}
    attempts = [
        ["list", "--catalog", str(mine), "-o", str(mine)],
        ["list", "--catalog", str(mine), "-o", str(link)],
        ["list", "--catalog", str(mine), "-o", str(hard)],
        ["list", "-o", str(env)],
        ["catalog", "schema", "-o", str(env)],
        ["recommend", "--vram", "24", "--profile", str(profile), "-o", str(profile)],
        ["explain", "llama-2-7b", "--profile", str(profile), "-o", str(profile)],
    ]
    for args in attempts:
        result = run(*args)
        assert result.code == 1 and "refusing to overwrite an input" in result.stderr, args
    assert {p: p.read_bytes() for p in saved} == saved
