"""A multimodal projector (mmproj) is loaded whole on the first GPU, whatever the layer split
(llama.cpp tools/mtmd/clip.cpp: the first GPU device), and it is not read per token."""

from __future__ import annotations

from typing import Any

from conftest import run

VISION = "ministral-3-14b-instruct-2512"  # ships an mmproj file (data/models.yaml)


def memory(*args: str) -> dict[str, Any]:
    done = run("memory", VISION, "-q", "Q8_0", "--context", "32k", *args, "-f", "json")
    assert done.code == 0, done.stderr
    data: dict[str, Any] = done.json()
    return data


def test_the_projector_sits_on_the_first_of_two_cards() -> None:
    data = memory("--gpu", "rtx-3090", "--gpus", "2")
    first, last = data["fit"]["cards"]
    assert data["encoder_bytes"] > 0
    assert first["encoder_bytes"] == data["encoder_bytes"] and "encoder_bytes" not in last
    held = first["weights_bytes"] + last["weights_bytes"]
    assert held == data["weights_bytes"] - data["weights_in_ram_bytes"] + data["encoder_bytes"]


def test_partial_offload_keeps_the_projector_on_the_gpu() -> None:
    """With layers in RAM the projector still goes to the GPU: the RAM part holds no encoder."""
    data = memory("--gpu", "rtx-3060-12gb", "--ram", "64", "--context", "128k")
    fit = data["fit"]
    assert fit["verdict"] == "offload"
    (card,) = fit["cards"]
    assert card["encoder_bytes"] == data["encoder_bytes"] > 0
    assert card["total_bytes"] + card["headroom_bytes"] <= card["capacity_bytes"]


def test_mixed_cards_read_no_projector_per_token() -> None:
    """Moving the projector between cards does not change what a token reads: the mixed-card
    speed is that of the decoder layers and the head (estimate/assess.split_speeds)."""
    from llm_pick.estimate.assess import split_speeds
    from llm_pick.estimate.fittypes import Card, Fit
    from llm_pick.estimate.hardware import Hardware

    hardware = Hardware.from_gpus(["rtx-3090", "rtx-3060-12gb"])
    cards = (Card(20, 8_000, 1_000, 0, 1, 0, 0, 3_000), Card(20, 5_000, 1_000, 0, 1, 0))
    plain = (Card(20, 5_000, 1_000, 0, 1, 0), Card(20, 5_000, 1_000, 0, 1, 0))
    fit = Fit("gpu", 0, 0, 40, 40, 0, 0, 0, cards)
    same = fit._replace(cards=plain)
    assert split_speeds(hardware, fit).bandwidth_gbs == split_speeds(hardware, same).bandwidth_gbs
