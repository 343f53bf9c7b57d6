"""Fine-tuning fit verdicts use the whole training footprint (issue 19 §3): gradients,
optimizer states and activations count; several cards are sharded with ZeRO-3 / FSDP, and
the output says so; a fine-tune that does not fit lists what would bring it within the card."""

from __future__ import annotations

from llm_pick.catalog.load import load_catalog
from llm_pick.estimate.assess import assess_model
from llm_pick.estimate.hardware import GIB, Hardware
from llm_pick.estimate.memory import estimate_memory
from llm_pick.estimate.sizing import Sizing
from llm_pick.estimate.trainfit import per_card_bytes, training_fit

CATALOG = load_catalog()


def _model(model_id: str):  # type: ignore[no-untyped-def]
    return CATALOG.get(model_id)


def test_full_fine_tune_of_an_8b_does_not_fit_an_80gb_a100(cli) -> None:
    out = cli("memory", "llama-3.1-8b", "--mode", "full", "--gpu", "a100-80gb", "-f", "json")
    assert out.code == 0, out.stderr
    for item in out.json()["estimates"]:
        assert item["total_bytes"] > 120 * GIB
        assert item["fit"]["verdict"] == "none"
        assert item["fit"]["sharding"] == "none"
        assert item["max_context"] == 0


def test_qlora_over_8_gib_does_not_fit_an_8_gib_card(cli) -> None:
    args = ("memory", "llama-3.1-8b", "--mode", "qlora", "-q", "bnb-nf4-dq", "-f", "json")
    out = cli(*args, "--vram", "8")
    data = out.json()
    assert data["total_bytes"] > 8 * GIB
    assert data["fit"]["verdict"] == "none"
    # the longest sequence that fits really fits, and one more token does not
    longest = data["max_context"]
    assert 0 < longest < 4096
    assert cli(*args, "--vram", "8", "--context", str(longest)).json()["fit"]["verdict"] == "gpu"
    over = cli(*args, "--vram", "8", "--context", str(longest + 1)).json()
    assert over["fit"]["verdict"] == "none"
    assert any(f"at most {longest:,} tokens" in o for o in data["fit"]["options"])
    # a 24 GiB card holds it
    assert cli(*args, "--vram", "24").json()["fit"]["verdict"] == "gpu"


def test_70b_full_fine_tune_does_not_fit_4_a100s_and_says_how_many_would() -> None:
    model = _model("llama-3.1-70b")
    hw = Hardware.from_gpu("a100-80gb", count=4)
    result = assess_model(model, "bf16", Sizing(mode="full"), hw)
    fit = result.fit
    assert fit is not None and fit.verdict == "none"
    assert fit.sharding == "zero3"
    assert result.estimate.total_bytes > 1000 * GIB
    # ZeRO-3: each card holds a quarter of the 16 bytes per parameter plus its activations
    card = fit.cards[0]
    assert card.total_bytes == per_card_bytes(result.estimate, 4)
    assert card.total_bytes > result.estimate.total_bytes / 4
    suggestion = [o for o in fit.options if "such cards" in o]
    assert suggestion, fit.options
    cards = int(suggestion[0].split()[0])
    assert training_fit(result.estimate, Hardware.from_gpu("a100-80gb", cards)).verdict == "gpu"
    fewer = training_fit(result.estimate, Hardware.from_gpu("a100-80gb", cards - 1))
    assert fewer.verdict == "none"


def test_eight_bit_optimizer_is_offered_when_it_is_what_brings_it_within_the_card() -> None:
    model = _model("llama-3.1-8b")
    est = estimate_memory(model, "bf16", mode="full", context=512)
    # a card between the footprint with 8-bit Adam (optimizer 12 -> 6 bytes per parameter)
    # and the footprint with fp32 Adam
    eight = per_card_bytes(est._replace(optimizer_bytes=est.optimizer_bytes // 2), 1)
    full = per_card_bytes(est, 1)
    assert eight < full
    vram = (eight + full) / 2 / GIB
    hw = Hardware.from_vram(vram)._replace(headroom_gib=0.0)
    fit = training_fit(est, hw)
    assert fit.verdict == "none"
    assert any("8-bit optimizer" in o for o in fit.options), fit.options
    assert any("gradient checkpointing" in o for o in fit.options)


def test_training_table_says_sharding_and_options(cli) -> None:
    out = cli("memory", "llama-3.1-70b", "--mode", "full", "--gpu", "a100-80gb", "--gpus", "4")
    assert out.code == 0, out.stderr
    text = " ".join(out.stdout.split())
    assert "ZeRO-3 / FSDP" in text
    assert "To bring it within the cards" in text
    assert "fits " not in text.replace("does not fit", "")


def test_lora_that_fits_reports_gpu_and_a_longest_sequence(cli) -> None:
    args = ("memory", "llama-3.1-8b", "--mode", "lora", "-q", "bf16", "--gpu", "4090")
    data = cli(*args, "--context", "2048", "-f", "json").json()
    assert data["fit"]["verdict"] == "gpu"
    assert data["fit"]["options"] == []
    assert data["max_context"] >= 2048
    card = data["fit"]["cards"][0]
    assert card["total_bytes"] == data["total_bytes"]
