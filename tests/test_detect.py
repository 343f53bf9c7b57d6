"""Hardware detection with fake tools on PATH and fake /proc/meminfo files: every answer a
tool can give (good, missing, hanging, flooding, garbage, out of limits) ends in a value or
one clear error, never a traceback."""

from __future__ import annotations

import json
import re
import shutil
import stat
import time
from pathlib import Path

import pytest

from llm_pick.errors import InputError
from llm_pick.estimate import detect
from llm_pick.estimate.hardware import GIB


@pytest.fixture
def tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Make a PATH holding only the fake tools written with the returned function."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for helper in ("cat", "yes", "sleep"):  # what the fake tools use; nothing else is found
        found = shutil.which(helper)
        assert found is not None
        (bin_dir / helper).symlink_to(found)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setattr(detect, "MEMINFO", tmp_path / "no-meminfo")

    def add(name: str, script: str) -> Path:
        path = bin_dir / name
        path.write_text("#!/bin/sh\n" + script + "\n")
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
        return path

    return add


def nvidia_prints(tools, text: str) -> None:
    tools("nvidia-smi", f"cat <<'END'\n{text}\nEND")


def test_nvidia_two_cards_smallest_and_preset(tools):
    nvidia_prints(tools, "NVIDIA GeForce RTX 4090, 24564\nNVIDIA GeForce RTX 4090, 24564")
    found = detect.detect_gpus()
    assert found.tool == "nvidia-smi"
    assert len(found.cards) == 2
    assert found.usable_bytes == 24564 * 1024**2
    assert found.gpu is not None and found.gpu.id == "rtx-4090"


@pytest.mark.parametrize(
    "output, problem",
    [
        ("RTX, -24", "not a positive size"),
        ("RTX, 0", "not a positive size"),
        ("RTX, nan", "not a positive size"),
        ("RTX, inf", "not a positive size"),
        ("RTX, 1e30", "over the"),
        ("RTX, ٢٤٠٠٠", "non-ASCII"),
        ("RTX, lots", "not a number"),
        ("no comma here", "not 'name, MiB'"),
        ("\n".join(["RTX, 24000"] * 1000), "more than the --gpus limit"),
        ("", "lists no GPU"),
    ],
)
def test_nvidia_bad_values_are_one_error(tools, output, problem):
    nvidia_prints(tools, output)
    with pytest.raises(InputError) as error:
        detect.detect_gpus()
    assert problem in str(error.value)
    assert "nvidia-smi" in str(error.value)


def test_binary_output_rejected(tools):
    tools("nvidia-smi", r"printf 'RTX\000\377, 24000\n'")
    with pytest.raises(InputError, match="binary"):
        detect.detect_gpus()


def test_flooding_tool_is_stopped(tools):
    tools("nvidia-smi", "yes 'RTX 4090, 24564'")
    start = time.monotonic()
    with pytest.raises(InputError, match="more than 256 KiB"):
        detect.detect_gpus()
    assert time.monotonic() - start < 5


def test_hanging_tool_is_killed(tools, monkeypatch, tmp_path):
    monkeypatch.setattr(detect, "TIMEOUT_SECONDS", 0.5)
    marker = tmp_path / "child.pid"
    # the tool starts a child that would outlive it: the whole process group must die
    tools("nvidia-smi", f"sleep 30 & echo $! > {marker}; wait")
    start = time.monotonic()
    with pytest.raises(InputError, match=r"did not finish within 0\.5 s"):
        detect.detect_gpus()
    assert time.monotonic() - start < 5
    child = int(marker.read_text())
    time.sleep(0.1)
    status = Path(f"/proc/{child}/stat")
    # gone, or a zombie waiting for a reaper (containers' init may not reap): not running
    assert not status.exists() or status.read_text().split(")")[-1].split()[0] == "Z"


def test_failing_tool_and_missing_tools(tools):
    tools("nvidia-smi", "echo 'NVIDIA-SMI has failed' >&2; exit 9")
    with pytest.raises(InputError) as error:
        detect.detect_gpus()
    message = str(error.value)
    assert "nvidia-smi: failed with exit code 9" in message
    assert "rocm-smi: not found" in message and "sysctl: not found" in message


def test_escape_sequences_in_names_are_made_visible(tools):
    nvidia_prints(tools, "\x1b]0;pwned\x07RTX \x1b[31mred, 24000")
    found = detect.detect_gpus()
    assert "\x1b" not in found.name and "\x07" not in found.name
    assert "\\x1b" in found.name


def test_rocm_json(tools):
    data = {
        "card0": {"VRAM Total Memory (B)": "25753026560", "Card Series": "Radeon RX 7900 XTX"},
        "card1": {"VRAM Total Memory (B)": "25753026560", "Card series": "Radeon RX 7900 XTX"},
        "system": {"Driver version": "6.7.0"},
    }
    tools("rocm-smi", f"cat <<'END'\n{json.dumps(data)}\nEND")
    found = detect.detect_gpus()
    assert found.tool == "rocm-smi" and len(found.cards) == 2
    assert found.usable_bytes == 25753026560
    assert found.name == "Radeon RX 7900 XTX"


@pytest.mark.parametrize(
    "output, problem",
    [
        ("not json", "not JSON"),
        ("[1, 2]", "not a mapping"),
        ('{"card0": {"Card Series": "X"}}', "no 'VRAM Total Memory (B)'"),
        ('{"card0": {"VRAM Total Memory (B)": "-5"}}', "not a positive size"),
        ("[" * 100000, "not JSON"),
    ],
)
def test_rocm_bad_output(tools, output, problem):
    tools("rocm-smi", f"cat <<'END'\n{output}\nEND")
    with pytest.raises(InputError, match=re.escape(problem)):
        detect.detect_gpus()


def test_nvidia_broken_falls_back_to_rocm_with_a_note(tools):
    nvidia_prints(tools, "garbage")
    data = {"card0": {"VRAM Total Memory (B)": str(16 * GIB), "Card Series": "Radeon"}}
    tools("rocm-smi", f"cat <<'END'\n{json.dumps(data)}\nEND")
    found = detect.detect_gpus()
    assert found.tool == "rocm-smi"
    assert any(note.startswith("nvidia-smi:") for note in found.notes)


def apple_sysctl(tools, brand: str, memsize: int, wired: str | None) -> None:
    wired_line = f"  iogpu.wired_limit_mb) echo {wired};;" if wired is not None else ""
    tools(
        "sysctl",
        f"""case "$2" in
  machdep.cpu.brand_string) echo '{brand}';;
  hw.memsize) echo {memsize};;
{wired_line}
  *) echo "sysctl: unknown oid '$2'" >&2; exit 1;;
esac""",
    )


def test_apple_default_fraction_and_preset(tools):
    apple_sysctl(tools, "Apple M2 Max", 96 * GIB, "0")
    found = detect.detect_gpus()
    assert found.tool == "sysctl"
    assert found.gpu is not None and found.gpu.id == "m2-max-96gb"
    assert found.usable_bytes == int(96 * GIB * 0.75)
    assert "preset m2-max-96gb" in found.usable_note


def test_apple_wired_limit_wins(tools):
    apple_sysctl(tools, "Apple M2 Max", 96 * GIB, "90000")
    found = detect.detect_gpus()
    assert found.usable_bytes == 90000 * 1024**2
    assert "iogpu.wired_limit_mb = 90000" in found.usable_note


def test_apple_without_wired_limit_key(tools):
    apple_sysctl(tools, "Apple M1 Max", 32 * GIB, None)
    found = detect.detect_gpus()
    # the matched preset's share (2/3 at 32 GB, as llama.cpp logs print it)
    assert found.gpu is not None and found.gpu.id == "m1-max-32gb"
    assert found.usable_bytes == int(32 * GIB * found.gpu.usable_memory_fraction)
    assert any("wired_limit_mb" in note for note in found.notes)


def test_linux_sysctl_is_not_apple(tools):
    apple_sysctl(tools, "Intel(R) Xeon(R)", 64 * GIB, None)
    with pytest.raises(InputError, match="not Apple Silicon"):
        detect.detect_gpus()


MEMINFO = "MemTotal:       65536000 kB\nMemFree:  1000 kB\nMemAvailable:   32768000 kB\n"


def test_meminfo(tmp_path):
    path = tmp_path / "meminfo"
    path.write_text(MEMINFO)
    found = detect.detect_ram(path)
    assert found.total_bytes == 65536000 * 1024
    assert found.usable_bytes == 32768000 * 1024


@pytest.mark.parametrize(
    "content, problem",
    [
        ("MemFree: 1 kB\n", "no MemTotal"),
        ("MemTotal: -5 kB\n", "not a positive size"),
        ("MemTotal: nan kB\n", "not a positive size"),
        ("MemTotal: 5 MB\n", "not kB"),
        ("MemTotal: 10 kB\nMemAvailable: 20 kB\n", "above MemTotal"),
        ("\0\1\2", "binary"),
    ],
)
def test_bad_meminfo(tmp_path, content, problem):
    path = tmp_path / "meminfo"
    path.write_text(content)
    with pytest.raises(InputError, match=re.escape(problem)):
        detect.detect_ram(path)


def test_huge_meminfo_is_refused(tmp_path):
    path = tmp_path / "meminfo"
    path.write_bytes(b"MemTotal: 1 kB\n" + b"x" * (detect.MAX_OUTPUT_BYTES + 10))
    with pytest.raises(InputError, match="larger than"):
        detect.detect_ram(path)


def test_ram_from_sysctl_when_no_meminfo(tools):
    apple_sysctl(tools, "Apple M2 Max", 96 * GIB, "0")
    found = detect.detect_ram()
    assert found.source == "sysctl hw.memsize" and found.total_bytes == 96 * GIB


# ---- through the command line -------------------------------------------------------


def test_vram_auto_and_ram_auto_in_recommend(tools, cli, tmp_path, monkeypatch):
    nvidia_prints(tools, "NVIDIA GeForce RTX 4090, 24564")
    meminfo = tmp_path / "meminfo"
    meminfo.write_text(MEMINFO)
    monkeypatch.setattr(detect, "MEMINFO", meminfo)
    result = cli("recommend", "--vram", "auto", "--ram", "auto", "--format", "json")
    assert result.code == 0, result.stderr
    hardware = result.json()["query"]["hardware"]
    assert hardware["gpu"] == "rtx-4090"
    assert hardware["source"] == "nvidia-smi"
    assert hardware["ram_gib"] == pytest.approx(32768000 / 1024**2)
    assert hardware["memory_bandwidth_gbs"] is not None


@pytest.mark.parametrize("output", ["RTX, -1", "RTX, inf", "\n".join(["RTX, 1"] * 65)])
def test_vram_auto_bad_tool_is_one_error_line(tools, cli, output):
    nvidia_prints(tools, output)
    result = cli("recommend", "--vram", "auto")
    assert result.code == 1
    assert result.stderr.startswith("Error: --vram auto: no GPU detected (nvidia-smi: ")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_hardware_command(tools, cli, tmp_path, monkeypatch):
    nvidia_prints(tools, "NVIDIA GeForce RTX 3090, 24576")
    meminfo = tmp_path / "meminfo"
    meminfo.write_text(MEMINFO)
    monkeypatch.setattr(detect, "MEMINFO", meminfo)
    table = cli("hardware")
    assert table.code == 0, table.stderr
    assert "nvidia-smi --query-gpu" in table.stdout and "rtx-3090" in table.stdout
    assert "24.0 GiB (memory.total of the smallest card)" in table.stdout
    data = cli("hardware", "--format", "json").json()
    assert data["gpu"]["preset"] == "rtx-3090"
    assert data["gpu"]["cards"] == [
        {"name": "NVIDIA GeForce RTX 3090", "memory_bytes": 24576 * 1024**2}
    ]
    assert data["ram"]["total_bytes"] == 65536000 * 1024


def test_hardware_command_without_gpu(tools, cli):
    result = cli("hardware", "--format", "json")
    assert result.code == 0
    assert result.json()["gpu"]["detected"] is False
    assert "no GPU detected" in result.stderr


# ---- issue 22 §2: a detected card is matched to the preset variant with its real memory -------
# nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits as public logs print it
# (e.g. "NVIDIA A100-SXM4-80GB, 81920", "NVIDIA H100 80GB HBM3, 81559", "NVIDIA GeForce RTX 4060
# Ti, 16380" and ", 8188"); a bare "NVIDIA A100" shows that the memory alone picks the variant.


@pytest.mark.parametrize(
    ("printed", "preset"),
    [
        ("NVIDIA A100-SXM4-80GB, 81920", "a100-80gb-sxm"),
        ("NVIDIA A100-SXM4-40GB, 40960", "a100-40gb"),
        ("NVIDIA A100 80GB PCIe, 81920", "a100-80gb-pcie"),
        ("NVIDIA A100, 81920", "a100-80gb-sxm"),
        ("NVIDIA A100, 40960", "a100-40gb"),
        ("NVIDIA H100 80GB HBM3, 81559", "h100-sxm"),
        ("NVIDIA H100 PCIe, 81559", "h100-pcie"),
        ("NVIDIA GeForce RTX 4060 Ti, 16380", "rtx-4060-ti-16gb"),
        ("NVIDIA GeForce RTX 4060 Ti, 8188", "rtx-4060-ti-8gb"),
        ("NVIDIA GeForce RTX 4060, 8188", "rtx-4060"),
        ("NVIDIA GeForce RTX 3060, 12288", "rtx-3060-12gb"),
    ],
)
def test_nvidia_card_is_matched_by_its_memory(tools, printed: str, preset: str) -> None:
    nvidia_prints(tools, printed)
    found = detect.detect_gpus()
    assert found.gpu is not None and found.gpu.id == preset
    assert found.notes == ()


def test_apple_chip_is_matched_by_its_memory(tools) -> None:
    apple_sysctl(tools, "Apple M2 Max", 96 * GIB, "0")
    assert detect.detect_gpus().gpu.id == "m2-max-96gb"  # type: ignore[union-attr]
    apple_sysctl(tools, "Apple M3 Max", 128 * GIB, "0")
    assert detect.detect_gpus().gpu.id == "m3-max-128gb"  # type: ignore[union-attr]
    # issue 20: the 36 GB M3 Max is the 30-core, 300 GB/s variant, a preset of its own
    apple_sysctl(tools, "Apple M3 Max", 36 * GIB, "0")
    found = detect.detect_gpus().gpu
    assert found is not None and found.id == "m3-max-36gb" and found.memory_bandwidth_gbs == 300


def test_a_memory_no_preset_has_is_said(tools) -> None:
    """An M4 Max with 96 GB (Apple sold 36/48/64/128): no preset of that memory; the family's
    bandwidth, its own memory."""
    apple_sysctl(tools, "Apple M4 Max", 96 * GIB, "0")
    found = detect.detect_gpus()
    assert found.gpu is not None and found.gpu.id.startswith("m4-max-")
    assert found.usable_bytes == int(96 * GIB * detect.APPLE_DEFAULT_FRACTION)
    assert any("no preset of Apple M4 Max with 96 GiB" in note for note in found.notes)


def test_detected_variant_reaches_recommend(tools, cli) -> None:
    nvidia_prints(tools, "NVIDIA A100, 81920\nNVIDIA A100, 81920")
    result = cli("recommend", "--vram", "auto", "--top", "1", "-f", "json")
    assert result.code == 0, result.stderr
    hardware = result.json()["query"]["hardware"]
    assert hardware["gpu"] == "a100-80gb-sxm" and hardware["gpus"] == 2
    assert hardware["memory_bandwidth_gbs"] == 2039


def test_mixed_detected_cards_use_each_variant(tools, cli) -> None:
    nvidia_prints(tools, "NVIDIA A100, 81920\nNVIDIA A100-SXM4-40GB, 40960")
    from llm_pick.estimate.hardware import Hardware

    found = Hardware.detect()
    assert [card.id for card in found.mixed] == ["a100-80gb-sxm", "a100-40gb"]


def test_small_unlisted_mac_gets_two_thirds(tools) -> None:
    """A chip with no preset (an M6 with 16 GB): macOS's default working set at 32 GB and less
    is 2/3. The 8 GB M1 and the 16 GB M5 have presets now (issue 20) at the same share."""
    apple_sysctl(tools, "Apple M6", 16 * GIB, "0")
    found = detect.detect_gpus()
    assert found.gpu is None
    assert found.usable_bytes == int(16 * GIB * 2 / 3)
    assert found.usable_bytes < int(16 * GIB * detect.APPLE_DEFAULT_FRACTION)
    apple_sysctl(tools, "Apple M5", 16 * GIB, "0")
    m5 = detect.detect_gpus()
    assert m5.gpu is not None and m5.gpu.id == "m5-16gb"
    assert m5.usable_bytes == int(16 * GIB * 0.667)
    apple_sysctl(tools, "Apple M1", 8 * GIB, "0")
    m1 = detect.detect_gpus()
    assert m1.gpu is not None and m1.gpu.id == "m1-8gb"
    assert m1.usable_bytes == pytest.approx(8 * GIB * 2 / 3, rel=0.001)
