"""Mixed cards with RAM offload (`--gpu rtx-3090 --gpu rtx-3060-12gb --ram 64` on a model the
two cards cannot hold): the last layers split across the cards in proportion to their memory
(llama.cpp's default split over the -ngl slots), the first layers in RAM, the speed the sum
of each part's time, and -ngl and -ts in the command that reproduce it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from llm_pick.catalog.load import load_catalog
from llm_pick.estimate.assess import assess_model, split_speeds
from llm_pick.estimate.hardware import GIB, Hardware
from llm_pick.estimate.sizing import Sizing

MODEL, QUANT = "llama-2-70b", "q4_k_m"  # 38.6 GiB of weights: more than 24 + 12 GiB


def mixed(ram: float = 64) -> Hardware:
    return Hardware.from_gpus(["rtx-3090", "rtx-3060-12gb"]).with_ram(ram)


def assessed(hardware: Hardware) -> Any:
    return assess_model(load_catalog(()).get(MODEL), QUANT, Sizing(), hardware)


def test_layers_split_by_memory_and_the_rest_in_ram() -> None:
    hardware = mixed()
    item = assessed(hardware)
    fit, est = item.fit, item.estimate
    assert fit is not None and fit.verdict == "offload"
    assert 0 < fit.gpu_layers < fit.layers == 80
    big, small = fit.cards
    assert big.layers + small.layers == fit.gpu_layers
    # in proportion to the cards' memory (24 : 12 GiB), within one layer
    slots = fit.gpu_layers + 1  # the output head's slot (on the last card)
    assert abs(big.layers - slots * 2 / 3) <= 1
    for card, preset in zip(fit.cards, hardware.mixed, strict=True):
        assert card.capacity_bytes == int(preset.usable_gib * GIB)
        assert card.total_bytes + card.headroom_bytes <= card.capacity_bytes
    # one more layer on the cards would not fit: the most the split allows
    per_layer = (est.layer_weight_bytes + est.kv_cache_bytes) / est.layers
    assert min(c.capacity_bytes - c.headroom_bytes - c.total_bytes for c in fit.cards) < (
        per_layer * 1.5
    )
    # the RAM layers, a CPU compute buffer and the token embeddings (llama.cpp keeps them in RAM)
    in_ram = int((fit.layers - fit.gpu_layers) * per_layer) + est.compute_buffer_bytes
    in_ram += est.input_bytes
    assert fit.cpu_bytes == in_ram
    assert fit.margin_bytes == int(64 * GIB) - hardware.ram_headroom_bytes - in_ram


def test_without_ram_it_does_not_fit() -> None:
    item = assessed(Hardware.from_gpus(["rtx-3090", "rtx-3060-12gb"]))
    assert item.fit is not None and item.fit.verdict == "none"
    assert item.speed is not None and item.speed.decode_expected is None


def test_too_little_ram_does_not_fit() -> None:
    item = assessed(mixed(ram=4))
    assert item.fit is not None and item.fit.verdict == "none"


def test_speed_is_the_sum_of_each_parts_time() -> None:
    hardware = mixed()
    item = assessed(hardware)
    assert item.fit is not None and item.speed is not None
    decode = item.speed.decode_expected
    assert decode is not None
    # each card reads its own bytes at its bandwidth, the RAM part at RAM bandwidth
    cards = [
        (c.weights_bytes + c.kv_cache_bytes, g.memory_bandwidth_gbs)
        for c, g in zip(item.fit.cards, hardware.mixed, strict=True)
    ]
    joined = split_speeds(hardware, item.fit)
    moved = sum(b for b, _ in cards)
    assert joined.bandwidth_gbs == pytest.approx(moved / sum(b / bw for b, bw in cards))
    read = item.estimate.active_weight_bytes + item.estimate.kv_cache_bytes
    share = item.fit.gpu_layers / item.fit.layers
    fastest = read * share / (joined.bandwidth_gbs * 1e9)
    fastest += read * (1 - share) / (hardware.ram_bandwidth_gbs * 1e9)
    assert decode <= 1 / fastest  # never beats each part at its full bandwidth
    assert item.speed.decode_high is not None and item.speed.decode_high <= 1 / fastest
    # more on the cards than one 3090 with the same RAM: faster; all on two 3090s: faster still
    one = assessed(Hardware.from_gpu("rtx-3090").with_ram(64)).speed
    two = assessed(Hardware.from_gpu("rtx-3090", 2)).speed
    assert one is not None and two is not None
    assert one.decode_expected is not None and two.decode_expected is not None
    assert one.decode_expected < decode < two.decode_expected


def test_command_has_ngl_and_ts_of_the_split(cli: Any) -> None:
    args = ("--gpu", "rtx-3090", "--gpu", "rtx-3060-12gb", "--ram", "64", "--quant", QUANT)
    data = cli("memory", MODEL, *args, "--kv-dtype", "fp16", "-f", "json")
    assert data.code == 0, data.stderr
    cards = [c["layers"] for c in data.json()["fit"]["cards"]]
    result = cli("explain", MODEL, *args, "--kv-dtype", "fp16")
    assert result.code == 0, result.stderr
    flat = " ".join(result.stdout.split())
    ngl = re.search(r"-ngl (\d+)", flat)
    ts = re.search(r"-ts (\d+),(\d+)", flat)
    assert ngl is not None and ts is not None, flat
    first, second = int(ts.group(1)), int(ts.group(2))
    # -ts in llama.cpp slots (the output head on the last card), -ngl the slots on the cards
    assert (first, second) == (cards[0], cards[1] + 1)
    assert int(ngl.group(1)) == first + second < 81
