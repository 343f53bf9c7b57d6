"""The library builds its own hardware (estimate/hardware.py) and checks a query as the CLI
does (ranking/query.py), with the CLI's messages: the CLI only parses."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest
from conftest import run

from llm_pick.cli.parse import hardware
from llm_pick.errors import InputError
from llm_pick.estimate import detect
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.sizing import Sizing
from llm_pick.ranking.query import Query
from llm_pick.scoring.constraints import Constraints


def test_a_preset_gpu_is_what_the_cli_builds() -> None:
    assert Hardware.from_gpu("4090") == hardware(gpu="4090")
    two = Hardware.from_gpu("rtx-3090", 2).with_ram(64, cpu="ddr5-4800-12ch-genoa")
    assert two == hardware(gpu="rtx-3090", gpus=2, ram="64", cpu="ddr5-4800-12ch-genoa")
    assert two.label.startswith("2 x ") and two.gpus == 2 and two.ram_gib == 64
    assert two.bandwidth_gbs and two.fp16_tflops and two.ram_bandwidth_gbs != 51.2
    apple = Hardware.from_gpu("4090", vram_gib=20)
    assert apple.vram_gib == 20 and apple.source.endswith("--vram 20 GiB usable")


def test_plain_memory_and_cpu_only_are_what_the_cli_builds() -> None:
    assert Hardware.from_vram(24, 2).with_headroom(1.5) == hardware(vram="24", gpus=2, headroom=1.5)
    cpu = Hardware.cpu_only(64, bandwidth_gbs=100)
    assert cpu == hardware(vram="0", ram="64", ram_bandwidth=100)
    assert cpu.label == "CPU only, 64 GiB RAM" and cpu.vram_gib == 0


def test_detect_reads_the_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    cat = shutil.which("cat")
    assert cat is not None
    (bin_dir / "cat").symlink_to(cat)
    smi = bin_dir / "nvidia-smi"
    smi.write_text("#!/bin/sh\ncat <<'END'\nNVIDIA GeForce RTX 4090, 24564\nEND\n")
    smi.chmod(smi.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setattr(detect, "MEMINFO", tmp_path / "no-meminfo")
    found = Hardware.detect()
    assert found.source == "nvidia-smi" and found.gpus == 1
    assert found.gpu is not None and found.gpu.id == Hardware.from_gpu("4090").gpu.id  # type: ignore[union-attr]
    assert Hardware.detect(2).label.startswith("2 x ")
    assert found == hardware(vram="auto")


def cli_error(*args: str) -> str:
    result = run("recommend", *args)
    assert result.code != 0 and "Traceback" not in result.stderr
    return result.stderr.strip().removeprefix("Error: ")


@pytest.mark.parametrize(
    ("build", "args"),
    [
        (lambda: Hardware.from_gpu("4090", 0), ("--gpu", "4090", "--gpus", "0")),
        (lambda: Hardware.from_vram(24, 65), ("--vram", "24", "--gpus", "65")),
        (lambda: Hardware.cpu_only(0), ("--vram", "0")),
        (lambda: Hardware.from_vram(8).with_headroom(8), ("--vram", "8", "--headroom", "8")),
        (lambda: Hardware.from_vram(8).with_ram(-1), ("--vram", "8", "--ram", "-1")),
        (
            lambda: Hardware.from_vram(8).with_ram(8, 60, "ddr5-4800-12ch-genoa"),
            ("--vram", "8", "--ram", "8", "--ram-bandwidth", "60", "--cpu", "ddr5-4800-12ch-genoa"),
        ),
        (
            lambda: Query(sizing=Sizing(kv_dtype="q8_0", flash_attn=False)),
            ("--kv-dtype", "q8_0", "--flash-attn", "off"),
        ),
        (
            lambda: Query(sizing=Sizing(kv_dtype="q4_0"), quant="fp16"),
            ("--kv-dtype", "q4_0", "--quant", "fp16"),
        ),
        (lambda: Query(min_bits=40), ("--min-bits", "40")),
        (lambda: Query(min_bits=0), ("--min-bits", "0")),
        (lambda: Query(top=0), ("--top", "0")),
        (
            lambda: Query(constraints=Constraints(min_params=70, max_params=7)),
            ("--min-params", "70", "--max-params", "7"),
        ),
        (lambda: Query(constraints=Constraints(max_params=-1)), ("--max-params", "-1")),
        (lambda: Query(sizing=Sizing(batch=5000)), ("--batch", "5000")),
    ],
)
def test_the_library_refuses_what_the_cli_refuses_with_its_message(build, args) -> None:
    with pytest.raises(InputError) as error:
        build()
    assert str(error.value) == cli_error(*args)
