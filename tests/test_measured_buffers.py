"""Compute buffers from the user's llama.cpp load logs (`llm-pick calibrate LOG`) used by
later estimates on the same card for a model of the same shape, and said so. The logs are
verbatim (tests/data/load_logs, sources in their first lines); the calibration file lives in
a temporary XDG_CONFIG_HOME, never the user's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from llm_pick.catalog.load import load_catalog
from llm_pick.estimate.benchfiles import parse_load_log
from llm_pick.estimate.buffered import MAX_RATIO
from llm_pick.estimate.calibration import config_path, load_calibration
from llm_pick.estimate.memory import estimate_memory

LOGS = Path(__file__).parent / "data" / "load_logs"
LLAMA2 = LOGS / "09_rtx3090_llama2_7b_q4km_2024.log"  # CUDA0 compute 164.01 MiB at 2048
QWEN3 = LOGS / "01_mixed_rtx4090_rtx5090_default_split_b5622.log"
MEASURED = int(164.01 * 2**20)  # as the parser reads "164.01 MiB"
ARGS = ("--gpu", "rtx-3090", "--quant", "q4_k_m", "--flash-attn", "off", "-f", "json")


def memory(cli: Any, model: str, *extra: str, context: int = 2048) -> dict[str, Any]:
    result = cli("memory", model, "--context", str(context), *ARGS, *extra)
    assert result.code == 0, result.stderr
    data: dict[str, Any] = result.json()
    return data


def formula(model: str, context: int) -> int:
    found = load_catalog(()).get(model)
    return estimate_memory(found, "q4_k_m", context=context, flash_attn=False).compute_buffer_bytes


def test_what_the_logs_were_sized_for() -> None:
    old = parse_load_log(LLAMA2.read_text())
    assert old is not None and old.setup is not None
    assert old.setup.context == 2048 and old.setup.ubatch is None  # before n_ubatch
    assert old.setup.flash_attn is False and old.setup.model_name == "LLaMA v2"
    assert dict(old.setup.shape) == {
        "n_layer": 32,
        "n_embd": 4096,
        "n_vocab": 32000,
        "n_head": 32,
        "n_head_kv": 32,
        "n_ff": 11008,
    }
    new = parse_load_log(QWEN3.read_text())
    assert new is not None and new.setup is not None
    assert (new.setup.context, new.setup.ubatch, new.setup.flash_attn) == (16384, 512, False)
    assert new.setup.model_name == "Qwen3-30B-A3B" and dict(new.setup.shape)["n_head_kv"] == 4


def test_calibrate_stores_the_buffer_with_its_setup(cli: Any) -> None:
    assert cli("calibrate", str(LLAMA2)).code == 0
    stored = load_calibration()
    assert stored is not None
    (buffer,) = stored.buffers
    assert (buffer.device, buffer.compute_bytes, buffer.context) == ("rtx-3090", MEASURED, 2048)
    shown = cli("calibrate", "--show")
    assert shown.code == 0 and "LLaMA v2" in shown.stdout and "164.01" in shown.stdout


def test_same_context_uses_the_measured_bytes_and_says_so(cli: Any) -> None:
    before = memory(cli, "llama-2-7b")
    assert cli("calibrate", str(LLAMA2)).code == 0
    after = memory(cli, "llama-2-7b")
    assert before["compute_buffer_bytes"] == formula("llama-2-7b", 2048)
    assert after["compute_buffer_bytes"] == MEASURED
    assert after["assumptions"][0].startswith(
        "compute buffer from your load log 09_rtx3090_llama2_7b_q4km_2024.log: 164.01 MiB"
    )
    # the fit counts it: the total moves by the buffer's change, nothing else
    delta = after["compute_buffer_bytes"] - before["compute_buffer_bytes"]
    assert after["total_bytes"] - before["total_bytes"] == delta
    assert after["overhead_bytes"] - before["overhead_bytes"] == delta


def test_another_context_scales_the_formula_by_the_log(cli: Any) -> None:
    assert cli("calibrate", str(LLAMA2)).code == 0
    data = memory(cli, "llama-2-7b", context=4096)
    ratio = MEASURED / formula("llama-2-7b", 2048)
    assert data["compute_buffer_bytes"] == round(formula("llama-2-7b", 4096) * ratio)
    assert "scaled to 4096 tokens" in data["assumptions"][0]


def test_a_fine_tune_of_the_same_shape_uses_it_too(cli: Any) -> None:
    assert cli("calibrate", str(LLAMA2)).code == 0
    assert memory(cli, "llama-2-7b-chat")["compute_buffer_bytes"] == MEASURED


@pytest.mark.parametrize(
    ("model", "extra"),
    [
        ("llama-2-7b", ("--gpu", "rtx-4090")),  # another card (the last --gpu counts)
        ("mistral-7b-v0.1", ()),  # 32 layers, 4096 wide, 32000 tokens, but 8 KV heads
    ],
)
def test_other_cards_and_shapes_keep_the_formula(cli: Any, model: str, extra: tuple[str]) -> None:
    assert cli("calibrate", str(LLAMA2)).code == 0
    args = [a for a in ARGS if a not in ("--gpu", "rtx-3090")]
    gpu = extra or ("--gpu", "rtx-3090")
    result = cli("memory", model, "--context", "2048", *gpu, *args)
    assert result.code == 0, result.stderr
    data = result.json()
    assert data["compute_buffer_bytes"] == formula(model, 2048)
    assert "load log" not in json.dumps(data)


def test_flash_attention_on_keeps_the_formula(cli: Any) -> None:
    assert cli("calibrate", str(LLAMA2)).code == 0
    result = cli("memory", "llama-2-7b", "--gpu", "rtx-3090", "--quant", "q4_k_m", "-f", "json")
    assert "load log" not in result.stdout


def write(entries: list[dict[str, Any]]) -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": 1, "measurements": [], "buffers": entries}))


BASE = {
    "device": "rtx-3090",
    "device_name": "NVIDIA GeForce RTX 3090",
    "source": "mine.log",
}
SHAPE = {"n_layer": 32, "n_embd": 4096, "n_vocab": 32000, "n_head": 32, "n_head_kv": 32}


def test_a_buffer_far_from_the_formula_is_not_used(cli: Any) -> None:
    far = int(formula("llama-2-7b", 2048) * MAX_RATIO * 1.5)
    write([{**BASE, "compute_bytes": far, "context": 2048, "flash_attn": False, "shape": SHAPE}])
    assert memory(cli, "llama-2-7b")["compute_buffer_bytes"] == formula("llama-2-7b", 2048)


def test_an_entry_from_before_is_shown_not_applied(cli: Any) -> None:
    write([{**BASE, "compute_bytes": MEASURED}])  # the four fields of the earlier file
    assert memory(cli, "llama-2-7b")["compute_buffer_bytes"] == formula("llama-2-7b", 2048)
    assert cli("calibrate", "--show").code == 0


@pytest.mark.parametrize(
    "bad",
    [
        {"shape": {"n_experts": 8}},
        {"shape": {"n_layer": -1}},
        {"context": "2048"},
        {"flash_attn": "no"},
        {"unknown": 1},
    ],
)
def test_a_bad_entry_is_a_warning_and_the_formula_stays(cli: Any, bad: dict[str, Any]) -> None:
    write([{**BASE, "compute_bytes": MEASURED, "context": 2048, **bad}])
    result = cli("memory", "llama-2-7b", "--context", "2048", *ARGS)
    assert result.code == 0
    assert result.stderr.startswith("Warning: calibration ignored:")
    assert result.json()["compute_buffer_bytes"] == formula("llama-2-7b", 2048)
    shown = cli("calibrate", "--show")
    assert shown.code != 0 and shown.stderr.startswith("Error:")
