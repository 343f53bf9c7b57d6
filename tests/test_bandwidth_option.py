"""--bandwidth GB/s overrides any card's memory bandwidth (issue 20 §2), as --ram-bandwidth
does for RAM: the estimate and its ceiling follow it, and bad values get one Error line."""

from __future__ import annotations

import json

import pytest
from conftest import run

from llm_pick.errors import InputError
from llm_pick.estimate.hardware import Hardware


def speed_of(*extra: str) -> tuple[dict[str, object], dict[str, object]]:
    result = run("memory", "llama-3-8b", "--quant", "q4_k_m", "-f", "json", *extra)
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    return data["speed"], data["hardware"]


def test_bandwidth_overrides_a_preset_card() -> None:
    preset, _ = speed_of("--gpu", "4090")
    slower, hardware = speed_of("--gpu", "4090", "--bandwidth", "504")
    assert hardware["memory_bandwidth_gbs"] == 504 and "--bandwidth 504" in str(hardware["source"])
    ceiling = preset["decode_ceiling_tokens_per_second"]
    assert isinstance(ceiling, float)
    assert slower["decode_ceiling_tokens_per_second"] == pytest.approx(ceiling * 504 / 1008, 0.01)
    fast = preset["decode_tokens_per_second"]
    slow = slower["decode_tokens_per_second"]
    assert isinstance(fast, dict) and isinstance(slow, dict)
    assert slow["expected"] < fast["expected"]


def test_bandwidth_gives_a_plain_vram_card_a_speed() -> None:
    """--vram alone names no card (no speed); with --bandwidth (an M1: 68 GB/s) it has one,
    under that bandwidth's ceiling, not a typical 16 GB discrete card's."""
    found, _ = speed_of("--vram", "16", "--bandwidth", "68")
    decode = found["decode_tokens_per_second"]
    ceiling = found["decode_ceiling_tokens_per_second"]
    assert isinstance(decode, dict) and isinstance(ceiling, float)
    assert decode["high"] <= ceiling < 20


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--gpu", "4090", "--bandwidth", "0"), "--bandwidth: must be greater than 0"),
        (("--gpu", "4090", "--bandwidth", "1e9"), "implausibly large"),
        (("--vram", "0", "--ram", "32", "--bandwidth", "50"), "--ram-bandwidth"),
    ],
)
def test_bad_bandwidth_is_one_error_line(args: tuple[str, ...], message: str) -> None:
    result = run("memory", "llama-3-8b", *args)
    assert result.code != 0 and "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: ") and message in result.stderr


def test_library_override_keeps_the_card() -> None:
    card = Hardware.from_gpu("3090").with_bandwidth(500)
    assert card.bandwidth_gbs == 500 and card.gpu is not None and card.gpu.id == "rtx-3090"
    assert Hardware.from_gpu("3090").with_bandwidth(None).bandwidth_gbs == 936
    with pytest.raises(InputError):
        Hardware.from_gpu("3090").with_bandwidth(float("nan"))
