"""What the twelfth expert review (tests/data/expert_review12.yaml) noticed and left alone: a
runtime fixed on a CPU-only machine (vLLM, MLX), ZeRO-Offload for a full fine-tune that does
not fit the cards, and the time to first token of a long prompt on the CPU."""

from __future__ import annotations

import re

import pytest
from conftest import run


@pytest.mark.parametrize(
    ("runtime", "said"),
    [
        ("vllm", "Error: --runtime vllm is sized on a CUDA or ROCm GPU only"),
        ("mlx", "Error: --runtime mlx is sized on an Apple silicon GPU only"),
    ],
)
@pytest.mark.parametrize("command", [["recommend"], ["explain", "llama-3.1-8b-instruct"]])
def test_gpu_runtime_refused_without_a_gpu(command: list[str], runtime: str, said: str) -> None:
    """--vram 0 with --runtime vllm or mlx is refused in one Error line, as vLLM on Apple
    silicon and MLX off it are: vLLM would run its CPU backend, MLX its CPU build, neither
    modelled (no answer with llama.cpp's figures under their name)."""
    argv = [*command, "--vram", "0", "--ram", "64", "--runtime", runtime, "-f", "json"]
    result = run(*argv)
    assert result.code == 1 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(said), lines
    assert "CPU" in lines[0] and "--runtime llama.cpp or ollama" in lines[0]


def test_cpu_only_runtimes_that_run_there_still_answer() -> None:
    for runtime in ("llama.cpp", "ollama"):
        result = run("recommend", "--vram", "0", "--ram", "64", "--runtime", runtime, "--top", "1")
        assert result.code == 0, result.stderr


# ---- ZeRO-Offload for a full fine-tune that does not fit -------------------------------------


def _fit(cli, *extra: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    argv = ("memory", "llama-3.3-70b-instruct", "--mode", "full", "--gpu", "h100-sxm")
    out = cli(*argv, *extra, "-f", "json")
    assert out.code == 0, out.stderr
    (estimate,) = [e for e in out.json()["estimates"] if e["quant"] == "bf16"]
    return estimate  # type: ignore[no-any-return]


def test_zero_offload_offered_where_it_brings_the_fine_tune_within_the_cards(cli) -> None:
    """70B full fine-tune on 8 x H100 (about 1 TiB of state): with the Adam state (12 bytes
    per parameter) and its step on the CPU each card holds its share; the RAM it needs is that
    state and the fp32 gradients the CPU step reads (4 bytes per parameter)."""
    from llm_pick.catalog.load import load_catalog
    from llm_pick.estimate.assess import assess_model
    from llm_pick.estimate.hardware import Hardware
    from llm_pick.estimate.sizing import Sizing
    from llm_pick.estimate.trainfit import per_card_bytes, training_fit

    params = load_catalog().get("llama-3.3-70b-instruct").parameters.total
    estimate = _fit(cli, "--gpus", "8")
    fit = estimate["fit"]
    assert fit["verdict"] == "none"
    plan = fit["zero_offload"]
    assert plan["offloaded_bytes"] == estimate["optimizer_bytes"] == 12 * params
    assert plan["ram_bytes"] == 16 * params
    assert plan["ram_free_bytes"] is None and plan["ram_holds"] is None
    card = fit["cards"][0]
    assert plan["per_card_bytes"] <= card["capacity_bytes"] - card["headroom_bytes"]
    said = [o for o in fit["options"] if o.startswith("ZeRO-Offload")]
    assert len(said) == 1 and f"{plan['per_card_bytes'] / 2**30:.1f} GiB per card" in said[0]
    assert f"at least {16 * params / 2**30:.1f} GiB of system RAM" in said[0]
    assert "pass --ram" in said[0]
    # the figure is the estimator's own: the same footprint without the optimizer state fits
    model = load_catalog().get("llama-3.3-70b-instruct")
    hardware = Hardware.from_gpu("h100-sxm", 8)
    est = assess_model(model, "bf16", Sizing(mode="full"), hardware).estimate
    without = est._replace(optimizer_bytes=0)
    assert per_card_bytes(without, 8) == plan["per_card_bytes"]
    assert training_fit(without, hardware).verdict == "gpu"
    assert training_fit(est, hardware).verdict == "none"


@pytest.mark.parametrize(("ram", "holds"), [("2048", True), ("512", False)])
def test_zero_offload_says_whether_the_ram_given_holds_it(cli, ram: str, holds: bool) -> None:
    estimate = _fit(cli, "--gpus", "8", "--ram", ram)
    plan = estimate["fit"]["zero_offload"]
    free = int(ram) * 2**30 - max(2**30, int(int(ram) * 2**30 * 0.10))
    assert plan["ram_free_bytes"] == free and plan["ram_holds"] is holds
    (said,) = [o for o in estimate["fit"]["options"] if o.startswith("ZeRO-Offload")]
    assert f"--ram {ram} GiB {'holds' if holds else 'does not hold'} it" in said


def test_zero_offload_not_offered_where_it_does_not_bring_it_within(cli) -> None:
    """One H100: the 70B's bf16 weights and gradients alone (4 bytes per parameter, about
    263 GiB) overflow the card, optimizer or none; a fine-tune that fits needs no option."""
    short = _fit(cli)["fit"]
    assert short["verdict"] == "none" and "zero_offload" not in short
    assert not any("ZeRO-Offload" in o for o in short["options"])
    out = cli(
        "memory", "llama-3.1-8b-instruct", "--mode", "lora", "--gpu", "h100-sxm", "-f", "json"
    )
    for fits in out.json()["estimates"]:
        assert fits["fit"]["verdict"] == "gpu" and "zero_offload" not in fits["fit"]


# ---- the time to first token of a long prompt asked ------------------------------------------

CPU_ONLY = ("--vram", "0", "--ram", "64", "--cpu", "ddr5-6000-2ch")


def _minutes(words: str) -> float:
    found = re.search(r"first token after ~([\d.]+) (s|min|h) \(", words)
    assert found, words
    return float(found.group(1)) * {"s": 1 / 60, "min": 1, "h": 60}[found.group(2)]


def test_reasons_say_the_first_token_of_the_long_prompt_asked(cli) -> None:
    """--prompt-tokens 8192 on a CPU-only box: each pick's reasons say the time to first token
    of that prompt, the JSON's own figure (Mistral Small 3.2 there: about 11 minutes, which
    explain's text now says too); without --prompt-tokens (the 512-token default) nothing."""
    out = cli("recommend", *CPU_ONLY, "--prompt-tokens", "8192", "--top", "5", "-f", "json")
    assert out.code == 0, out.stderr
    for entry in out.json()["ranking"]:
        ttft = entry["speed"]["time_to_first_token_seconds"]
        assert ttft["prompt_tokens"] == 8192
        (said,) = [r for r in entry["reasons"] if r.startswith("first token after")]
        assert "8,192-token prompt asked" in said
        assert _minutes(said) == pytest.approx(ttft["expected"] / 60, rel=0.06)
    plain = cli("recommend", *CPU_ONLY, "--top", "5", "-f", "json").json()
    assert not any("first token" in r for e in plain["ranking"] for r in e["reasons"])
    model = "mistral-small-3.2-24b-instruct-2506"
    argv = ("explain", model, *CPU_ONLY, "--prompt-tokens", "8k")
    data = cli(*argv, "-f", "json").json()
    (said,) = [r for r in data["reasons"] if r.startswith("first token after")]
    expected = data["memory"]["speed"]["time_to_first_token_seconds"]["expected"]
    assert _minutes(said) == pytest.approx(expected / 60, rel=0.06) and expected > 5 * 60
    text = cli(*argv).stdout.replace("\n", " ")
    assert said[1:].split(":")[0].replace("\n", " ") in text  # "irst token after ~11 min ..."


def test_the_summary_says_the_first_token_of_the_long_prompt_asked(cli) -> None:
    out = cli("recommend", *CPU_ONLY, "--prompt-tokens", "8192", "--top", "1")
    assert out.code == 0, out.stderr
    assert "First token after ~" in out.stdout and "8,192-token prompt" in out.stdout.replace(
        "\n", " "
    )
    assert "First token after" not in cli("recommend", *CPU_ONLY, "--top", "1").stdout
