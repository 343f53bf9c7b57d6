"""Mixed GPUs (`--gpu rtx-3090 --gpu rtx-3060-12gb`, or detected): layers split in proportion
to each card's memory as llama.cpp does, the -ts that reproduces it, and the speed of the
split (each card's bytes at its own bandwidth)."""

from __future__ import annotations

import re
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest

from llm_pick.catalog.gpus import find_gpu
from llm_pick.catalog.load import load_catalog
from llm_pick.errors import InputError
from llm_pick.estimate import detect
from llm_pick.estimate.assess import assess_model, split_speeds
from llm_pick.estimate.benchfiles import parse_load_log
from llm_pick.estimate.fit import proportional_layers
from llm_pick.estimate.hardware import GIB, Hardware
from llm_pick.estimate.sizing import Sizing

LOG = (
    Path(__file__).parent
    / "data"
    / "load_logs"
    / "01_mixed_rtx4090_rtx5090_default_split_b5622.log"
)


def test_proportional_split_matches_a_real_llama_cpp_load() -> None:
    # RTX 4090 + RTX 5090, no -ts, -ngl 99, 48 layers: the log's free memory at load and
    # its per-card KV buffers (KV follows the layers) give the layers llama.cpp put on each
    text = LOG.read_text()
    free = [int(m) for m in re.findall(r"using device CUDA\d \([^)]*\) - (\d+) MiB free", text)]
    log = parse_load_log(text)
    assert log is not None and len(free) == 2
    kv = [b.bytes for b in sorted(log.buffers) if b.what == "KV" and b.device.startswith("CUDA")]
    on_first = round(48 * kv[0] / sum(kv))
    counts, head = proportional_layers(48, free)
    assert counts == [on_first, 48 - on_first] == [12, 36]
    assert head == 1


@pytest.mark.parametrize("free", [[24, 12], [12, 24], [10, 10, 5], [1, 100]])
def test_every_layer_placed_once_in_order(free: list[int]) -> None:
    counts, head = proportional_layers(40, free)
    assert sum(counts) == 40
    assert counts[head] > 0 or head == len(free) - 1
    slots = [n + (i == head) for i, n in enumerate(counts)]  # the output head is a slot too
    shares = [n / 41 for n in slots]
    for share, f in zip(shares, free, strict=True):
        assert abs(share - f / sum(free)) <= 1 / 41 + 1e-9  # within one layer of the ratio


def mixed() -> Hardware:
    return Hardware.from_gpus(["rtx-3090", "rtx-3060-12gb"])


def test_mixed_fit_each_card_within_its_memory() -> None:
    model = load_catalog(()).get("llama-2-13b")
    item = assess_model(model, "q8_0", Sizing(), mixed())
    assert item.fit is not None and item.fit.verdict == "gpu"
    big, small = item.fit.cards
    assert big.layers > small.layers and big.layers + small.layers == 40
    for card, preset in zip(item.fit.cards, mixed().mixed, strict=True):
        assert card.capacity_bytes == int(preset.usable_gib * GIB)
        assert card.total_bytes + card.headroom_bytes <= card.capacity_bytes
    # the smaller card alone cannot hold it; the pair can
    alone = assess_model(model, "q8_0", Sizing(), Hardware.from_gpu("rtx-3060-12gb"))
    assert alone.fit is not None and alone.fit.verdict != "gpu"


def test_runs_at_the_speed_of_the_split() -> None:
    model = load_catalog(()).get("llama-2-13b")
    hardware = mixed()
    item = assess_model(model, "q8_0", Sizing(), hardware)
    assert item.fit is not None and item.speed is not None
    parts = [
        (c.weights_bytes + c.kv_cache_bytes, g)
        for c, g in zip(item.fit.cards, hardware.mixed, strict=True)
    ]
    seconds = sum(b / (g.memory_bandwidth_gbs * 1e9) for b, g in parts)
    joined = split_speeds(hardware, item.fit)
    assert joined.bandwidth_gbs == pytest.approx(sum(b for b, _ in parts) / seconds / 1e9)
    fast = assess_model(model, "q8_0", Sizing(), Hardware.from_gpu("rtx-3090")).speed
    assert fast is not None and fast.decode_expected is not None
    decode = item.speed.decode_expected
    assert decode is not None and decode < fast.decode_expected  # the 3060's layers cost more
    assert decode <= 1 / seconds  # never beats reading each card's bytes at its bandwidth


def test_same_kind_is_the_plain_multi_card_case() -> None:
    assert Hardware.from_gpus(["3090", "rtx-3090"]) == Hardware.from_gpu("rtx-3090", 2)


def test_mixed_backends_are_refused() -> None:
    with pytest.raises(InputError, match="different backends"):
        Hardware.from_gpus(["rtx-3090", "rx-7900-xtx"])


def test_cli_prints_the_ts_that_reproduces_the_split(cli: Any) -> None:
    args = ("memory", "llama-2-13b", "--gpu", "rtx-3090", "--gpu", "rtx-3060-12gb")
    result = cli(*args, "--quant", "q8_0", "--format", "json")
    assert result.code == 0, result.stderr
    text = result.stdout
    layers = [int(n) for n in re.findall(r'"layers":\s*(\d+)', text)]
    assert 28 in layers and 12 in layers
    explained = cli("explain", "llama-2-13b", "--gpu", "rtx-3090", "--gpu", "rtx-3060-12gb")
    assert explained.code == 0, explained.stderr
    flat = " ".join(explained.stdout.split())
    match = re.search(r"-ts (\d+),(\d+)", flat)
    assert match is not None, flat
    first, second = int(match.group(1)), int(match.group(2))
    assert first > second and first + second == 41  # 40 layers + the output head
    # llama.cpp's rule (slot k on the first card whose cumulative share > k/41): the same
    bounds = [first / 41, 1.0]
    again = [
        sum(1 for k in range(40) if next(i for i, b in enumerate(bounds) if k / 41 < b) == c)
        for c in (0, 1)
    ]
    assert again[0] == first


@pytest.mark.parametrize("extra", [("--gpus", "2"), ("--vram", "20")])
def test_several_gpu_with_count_or_vram_is_one_error(cli: Any, extra: tuple[str, str]) -> None:
    result = cli("memory", "llama-2-13b", "--gpu", "rtx-3090", "--gpu", "rtx-3060-12gb", *extra)
    assert result.code == 1 and result.stderr.startswith("Error: several --gpu")


def test_detected_mixed_cards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    found = shutil.which("cat")
    assert found is not None
    (bin_dir / "cat").symlink_to(found)
    tool = bin_dir / "nvidia-smi"
    tool.write_text(
        "#!/bin/sh\ncat <<'END'\nNVIDIA GeForce RTX 3090, 24576\n"
        "NVIDIA GeForce RTX 3060, 12288\nEND\n"
    )
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setattr(detect, "MEMINFO", tmp_path / "no-meminfo")
    hardware = Hardware.detect()
    assert [g.id for g in hardware.mixed] == ["rtx-3090", find_gpu("RTX 3060").id]
    assert hardware.source.startswith("nvidia-smi (mixed cards")
