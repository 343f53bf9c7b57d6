"""The quality scale (scoring/quality.py), its calibration and the quantization loss."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from conftest import script

from llm_pick import load_catalog
from llm_pick.catalog.types import Benchmark
from llm_pick.estimate.quant import get_quant
from llm_pick.scoring.criteria import quality
from llm_pick.scoring.quality import SCALES, ability, observations, value
from llm_pick.scoring.quality_calibrate import fit, render
from llm_pick.scoring.quant_loss import TABLES, loss

ROOT = Path(__file__).resolve().parents[1]
CATALOG = load_catalog()
LINEAGE = {m.id: m for m in CATALOG}
FP16 = get_quant("fp16")


def q(model_id: str, quant: str = "fp16") -> float:
    return quality(LINEAGE[model_id], get_quant(quant), LINEAGE).value


def test_shipped_calibration_is_a_refit_of_the_bundled_catalog() -> None:
    shipped = (ROOT / "src" / "llm_pick" / "scoring" / "quality_fit.py").read_text()
    assert shipped == render(fit(CATALOG)), "run: python tools/fit_quality.py"


def test_values_stay_in_0_1_and_no_two_bloom_sizes_tie() -> None:
    for model in CATALOG:
        for name in ("fp16", "q4_k_m", "q2_k", "bnb-nf4"):
            assert 0.0 <= q(model.id, name) <= 1.0, (model.id, name)
    sizes = ["bloom-560m", "bloom-1b1", "bloom-1b7", "bloom-3b", "bloom-7b1", "bloom-176b"]
    values = [q(m) for m in sizes]
    assert values == sorted(values) and len(set(values)) == len(values)


def test_chance_level_scores_zero() -> None:
    model = dataclasses.replace(
        LINEAGE["llama-2-7b"], benchmarks={"mmlu": Benchmark(value=25.0, source="test")}
    )
    assert value(ability(model, LINEAGE).theta) < 0.03  # clipped at 2% above chance


def test_generative_mmlu_is_its_own_scale() -> None:
    chat = LINEAGE["llama-2-7b-chat"]
    keys = [k for k, _ in observations(chat)]
    assert "mmlu_generative" in keys and "mmlu" not in keys
    assert SCALES["mmlu_generative"].label != SCALES["mmlu"].label


def test_unknown_and_leaderboard_keys_are_not_read() -> None:
    falcon = LINEAGE["falcon-7b"]
    assert "mmlu_openllm" in falcon.benchmarks
    assert all(not k.endswith("_openllm") for k, _ in observations(falcon))


def test_chat_models_reflect_their_fine_tune_not_only_the_base() -> None:
    assert q("llama-3-8b-instruct") > q("llama-3-8b")
    assert q("falcon-40b-instruct") != q("falcon-40b")
    assert q("mixtral-8x7b-instruct") > q("llama-2-70b-chat") > q("llama-2-7b-chat")
    assert q("llama-3.1-405b-instruct") > q("llama-3.2-1b-instruct")


def test_models_without_figures_are_estimated_with_a_basis() -> None:
    for model_id, word in [
        ("falcon-180b-chat", "falcon-40b-instruct"),
        ("mistral-7b-v0.3", "predecessor mistral-7b-v0.1"),
        ("mistral-nemo-instruct-2407", "mixtral-8x7b-instruct"),
    ]:
        found = ability(LINEAGE[model_id], LINEAGE)
        assert found.estimated and word in found.basis, (model_id, found.basis)
    measured = ability(LINEAGE["llama-2-70b"], LINEAGE)
    assert not measured.estimated and "mmlu" in measured.used


def test_size_prior_for_a_model_with_no_lineage() -> None:
    lonely = dataclasses.replace(LINEAGE["falcon-180b"], id="lonely", benchmarks={})
    small = dataclasses.replace(LINEAGE["bloom-560m"], id="small", benchmarks={})
    big, little = ability(lonely, LINEAGE), ability(small, LINEAGE)
    assert big.estimated and "prior from size" in big.basis
    assert big.theta > little.theta


def test_quantization_loss_is_per_model_and_smaller_for_larger_models() -> None:
    q4 = get_quant("q4_k_m")
    measured = loss(LINEAGE["llama-2-70b"], q4, LINEAGE)
    assert measured.kept == TABLES["llama-2-70b"].f16 / TABLES["llama-2-70b"].ppl["q4_k_m"]
    assert "measured on llama-2-70b" in measured.basis
    small = loss(LINEAGE["llama-3.2-1b"], q4, LINEAGE).kept
    large = loss(LINEAGE["llama-3.1-70b"], q4, LINEAGE).kept
    assert small is not None and large is not None and small < large
    assert loss(LINEAGE["llama-2-70b-chat"], q4, LINEAGE).kept == measured.kept  # its base's
    assert loss(LINEAGE["llama-3-8b"], FP16, LINEAGE).kept == 1.0
    assert loss(LINEAGE["llama-3-8b"], get_quant("bnb-nf4"), LINEAGE).kept is None


@pytest.mark.slow
def test_bench_figures_meet_their_bars() -> None:
    bench = script("bench/quality.py", "bench_quality")
    chat_rho, points = bench.chat_check()
    assert len(points) >= 15 and chat_rho >= bench.CHAT_BAR
    base_rho, error, base_points = bench.base_check()
    assert len(base_points) >= 15 and base_rho >= bench.BASE_BAR and error < 8
