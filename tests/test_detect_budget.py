"""Hardware detection is quick and leaves nothing behind (issue 17, section 6): one time limit
for every tool a detection tries, reading stops when the tool exits, and whatever it started
is killed. Fake tools on PATH, as in test_detect.py."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from test_detect import tools  # noqa: F401  (the fixture)

from llm_pick.errors import InputError
from llm_pick.estimate import detect


def running(pid: int) -> bool:
    """Alive and not a zombie waiting for a reaper (containers' init may not reap)."""
    status = Path(f"/proc/{pid}/stat")
    try:
        return status.read_text().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return False


def test_a_card_printed_before_exiting_is_kept_and_the_child_killed(tools, tmp_path):  # noqa: F811
    """The tool prints a valid card and exits, leaving a child that holds its stdout: the
    card is read as soon as the tool exits, and the child does not outlive detection."""
    marker = tmp_path / "child.pid"
    tools(
        "nvidia-smi",
        f"echo 'NVIDIA GeForce RTX 4090, 24564'\nsleep 30 &\necho $! > {marker}",
    )
    start = time.monotonic()
    found = detect.detect_gpus()
    assert time.monotonic() - start < 3
    assert found.tool == "nvidia-smi" and found.usable_bytes == 24564 * 1024**2
    time.sleep(0.1)
    assert not running(int(marker.read_text()))


def test_a_successful_tool_leaves_no_child_running(tools, tmp_path):  # noqa: F811
    """Even a tool whose background child does not hold stdout is cleaned up after."""
    marker = tmp_path / "child.pid"
    tools(
        "nvidia-smi",
        f"sleep 30 >/dev/null 2>&1 &\necho $! > {marker}\necho 'NVIDIA GeForce RTX 4090, 24564'",
    )
    assert detect.detect_gpus().tool == "nvidia-smi"
    time.sleep(0.1)
    assert not running(int(marker.read_text()))


def test_one_time_limit_for_all_the_tools(tools, monkeypatch):  # noqa: F811
    """Three hanging tools cost one time limit, not three."""
    monkeypatch.setattr(detect, "TIMEOUT_SECONDS", 1.0)
    for name in ("nvidia-smi", "rocm-smi", "sysctl"):
        tools(name, "sleep 30")
    start = time.monotonic()
    with pytest.raises(InputError) as error:
        detect.detect_gpus()
    assert time.monotonic() - start < 2.5
    message = str(error.value)
    assert "nvidia-smi: did not finish within 1 s" in message
    assert "rocm-smi: not run" in message and "sysctl: not run" in message


def test_the_time_limit_is_a_few_seconds() -> None:
    assert 1 <= detect.TIMEOUT_SECONDS <= 5


def test_no_gpu_is_said_once(tools, cli):  # noqa: F811
    result = cli("hardware", "--format", "json")
    assert result.code == 0
    assert result.stderr.count("no GPU detected") == 1, result.stderr
