"""AWQ and GPTQ INT4 (W4A16 g128) lose quality by their own per-model table (scoring/
int4_tables.py), as GGUF formats do by theirs: a model's or its base's row, else the same
generation's nearest size scaled, never another generation's; a generation without a row is
not adjusted and says so (issue 19 §1, issue 20 §3)."""

from __future__ import annotations

import json

import pytest
from conftest import run, script

from llm_pick import load_catalog
from llm_pick.estimate.quant import get_quant
from llm_pick.scoring.criteria import quality
from llm_pick.scoring.int4_tables import INT4
from llm_pick.scoring.quant_loss import generation, int4_reference, loss

LINEAGE = {m.id: m for m in load_catalog()}
AWQ, GPTQ, BF16 = get_quant("awq-4bit"), get_quant("gptq-4bit"), get_quant("bf16")


def test_llama_3_8b_awq_keeps_less_than_bf16_by_the_cited_ratio() -> None:
    model = LINEAGE["llama-3-8b"]
    full, awq = quality(model, BF16, LINEAGE), quality(model, AWQ, LINEAGE)
    assert awq.value == pytest.approx(full.value * 6.14 / 6.54)  # the QServe table's FP16, AWQ
    assert "QServe" in awq.note and "measured on llama-3-8b" in awq.note
    assert "arXiv 2405.04532" in (awq.basis or "")
    gptq = quality(model, GPTQ, LINEAGE)
    assert gptq.value == pytest.approx(full.value * 6.14 / 6.56)
    # a fine-tune uses its base's row
    chat = loss(LINEAGE["llama-2-7b-chat"], AWQ, LINEAGE)
    assert chat.kept == pytest.approx(5.47 / 5.60) and "its base llama-2-7b" in chat.basis


def test_every_ratio_is_taken_within_one_row() -> None:
    for fmt, rows in INT4.items():
        for model_id, row in rows.items():
            assert model_id in LINEAGE, model_id
            assert row.ppl > row.f16 and row.source
            assert loss(LINEAGE[model_id], get_quant(fmt), LINEAGE).kept == row.f16 / row.ppl


def test_a_model_never_uses_another_generations_row() -> None:
    for model in LINEAGE.values():
        gen = generation(model, LINEAGE)
        for fmt in INT4:
            ref, _ = int4_reference(model, fmt, LINEAGE)
            if ref is not None:
                assert generation(ref, LINEAGE) == gen, (model.id, ref.id)
    # Llama 2 at a size without a row: Llama 2's rows, never Llama 3's (which lose more)
    for model_id in ("llama-2-7b-chat", "llama-2-13b-chat", "llama-2-70b-chat"):
        found = loss(LINEAGE[model_id], AWQ, LINEAGE)
        assert "llama-3" not in found.basis and "llama-2-" in found.basis
    # a size between rows is scaled from its own generation's nearest one
    small = loss(LINEAGE["llama-3.2-3b-instruct"], AWQ, LINEAGE)
    assert small.basis.startswith("estimated") and "llama-3.1-8b" in small.basis
    assert small.kept is not None and small.kept < 6.24 / 6.60


def test_a_generation_without_a_row_says_not_measured() -> None:
    model = LINEAGE["mixtral-8x7b-instruct"]
    found = loss(model, AWQ, LINEAGE)
    assert found.kept is None
    assert "not measured" in found.basis and "(mixtral)" in found.basis
    assert "scored unadjusted" in found.basis
    value = quality(model, AWQ, LINEAGE)
    assert value.value == quality(model, BF16, LINEAGE).value
    assert "not measured" in value.note


def test_a_vllm_int4_pick_names_the_basis_of_its_quality() -> None:
    result = run(
        "recommend",
        "--gpu",
        "a100-80gb-sxm",
        "--batch",
        "8",
        "--runtime",
        "vllm",
        "--family",
        "llama",
        "--min-params",
        "60",
        "--top",
        "5",
        "-f",
        "json",
    )
    assert result.code == 0, result.stderr
    ranking = {r["model"]: r for r in json.loads(result.stdout)["ranking"]}
    served = ranking["llama-3.3-70b-instruct"]
    assert served["serving"]["format"] == "awq-4bit"
    value = served["criteria"]["quality"]
    assert "measured on its base llama-3.1-70b, QServe table" in value["note"]
    assert "FP16 2.81 -> 3.22" in value["basis"]
    assert any("QServe table" in r for r in served["reasons"])
    bf16 = quality(LINEAGE["llama-3.3-70b-instruct"], BF16, LINEAGE).value
    assert value["value"] == pytest.approx(bf16 * 2.81 / 3.22, abs=1e-6)


@pytest.mark.slow
def test_quant_loss_bench_meets_its_bar() -> None:
    bench = script("bench/quant_loss.py", "bench_quant_loss")
    for fmt in INT4:
        result = bench.check(fmt)
        rule, lossless = result.errors()
        assert len(result.rows) >= 6
        assert sorted(rule)[len(rule) // 2] < sorted(lossless)[len(lossless) // 2]
