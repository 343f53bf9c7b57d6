"""The test run's private bytecode folder (tests/pycache_dir.py): used only where the environment
forbids bytecode beside the sources, and only when the folder is this user's alone."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest
from pycache_dir import use_private_pycache


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A process state as a run starts it: bytecode forbidden, no prefix, temp dir tmp_path."""
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    monkeypatch.setattr(sys, "pycache_prefix", None)
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.delenv("PYTHONPYCACHEPREFIX", raising=False)
    return tmp_path / f"llm-pick-tests-pycache-{os.getuid()}"


def test_the_folder_is_made_private_and_passed_to_children(fresh: Path) -> None:
    assert use_private_pycache() == fresh
    assert fresh.stat().st_mode & 0o777 == 0o700
    assert sys.pycache_prefix == str(fresh) and sys.dont_write_bytecode is False
    assert os.environ["PYTHONPYCACHEPREFIX"] == str(fresh)
    assert "PYTHONDONTWRITEBYTECODE" not in os.environ


def test_nothing_changes_where_bytecode_may_be_written(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE")
    assert use_private_pycache() is None
    assert sys.pycache_prefix is None and not fresh.exists()


def test_a_prefix_chosen_already_is_kept(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPYCACHEPREFIX", "/somewhere/else")
    assert use_private_pycache() is None
    assert sys.pycache_prefix is None and sys.dont_write_bytecode is True


@pytest.mark.parametrize("mode", [0o770, 0o707, 0o755])
def test_a_folder_others_may_write_or_read_is_never_used(fresh: Path, mode: int) -> None:
    fresh.mkdir()
    fresh.chmod(mode)
    assert use_private_pycache() is None
    assert sys.pycache_prefix is None and os.environ["PYTHONDONTWRITEBYTECODE"] == "1"


def test_a_link_in_its_place_is_never_followed(fresh: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    fresh.symlink_to(target)
    assert use_private_pycache() is None
    assert sys.pycache_prefix is None
