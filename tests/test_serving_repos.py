"""vLLM serving commands name real repositories (catalog/quantrepos.py), GeForce cards multiply
BF16 at their FP32-accumulate rate, and bench/serving.py holds out whole sources."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import script

from llm_pick.catalog.load import load_catalog
from llm_pick.catalog.quantrepos import FP8_REPOS, INT4_REPOS, fp8_repo
from llm_pick.estimate import serving
from llm_pick.estimate.hardware import Hardware
from llm_pick.ranking.result import ServingPlan
from llm_pick.ranking.serve import plan
from llm_pick.reports.run import serving_command

ROOT = Path(__file__).resolve().parents[1]


def _plan(model_id: str, card: str, gpus: int) -> ServingPlan:
    found = plan(load_catalog().get(model_id), Hardware.from_gpu(card, gpus), 4096, 8)
    assert found is not None
    return found._replace(format="fp8")


def test_every_recorded_repository_is_a_catalog_model_with_a_source() -> None:
    catalog = load_catalog()
    for model_id, (repo, source) in FP8_REPOS.items():
        model = catalog.get(model_id)
        assert repo != model.hf_repo and "FP8" in repo, repo
        assert "huggingface.co" in source, source
    for (model_id, fmt), (repo, source) in INT4_REPOS.items():
        assert catalog.get(model_id).id == model_id
        assert fmt.split("-")[0].upper() in repo.upper(), repo
        assert "huggingface.co" in source, source


def test_fp8_plan_serves_the_fp8_repository_without_a_quantization_flag() -> None:
    model = load_catalog().get("llama-3.1-405b-instruct")
    command = serving_command(model, _plan(model.id, "h100-sxm", 8), fp8="native")
    assert command is not None
    assert command["command"].startswith(
        "vllm serve RedHatAI/Meta-Llama-3.1-405B-Instruct-FP8-dynamic --tensor-parallel-size 8"
    )
    assert "--quantization" not in command["command"]
    assert "huggingface.co/RedHatAI" in command["note"]


def test_dynamic_fp8_on_cards_where_vllm_runs_fp8() -> None:
    model = load_catalog().get("mistral-small-3.2-24b-instruct-2506")
    assert fp8_repo(model.id) is None
    on_h100 = serving_command(model, _plan(model.id, "h100-sxm", 2), fp8="native")
    assert on_h100 is not None
    assert on_h100["command"].startswith(f"vllm serve {model.hf_repo} ")
    assert on_h100["command"].endswith("--quantization fp8")
    # an A100 has no FP8 tensor cores: vLLM runs FP8 weight-only there (FP8 Marlin)
    on_a100 = serving_command(model, _plan(model.id, "a100-80gb-sxm", 2), fp8="weight-only")
    assert on_a100 is not None and on_a100["command"].endswith("--quantization fp8")
    assert "W8A16" in on_a100["note"]
    assert serving_command(model, _plan(model.id, "a100-80gb-sxm", 2), fp8=None) is None
    assert serving.fp8_card(Hardware.from_gpu("h100-sxm", 1))
    assert not serving.fp8_card(Hardware.from_gpu("a100-80gb-sxm", 1))


@pytest.mark.parametrize(
    ("card", "share"), [("rtx-4090", 0.5), ("rtx-3090", 0.5), ("h100-sxm", 1.0), ("l40s", 1.0)]
)
def test_geforce_bf16_runs_at_the_fp32_accumulate_rate(card: str, share: float) -> None:
    hardware = Hardware.from_gpu(card, 1)
    bf16 = serving.SERVING_FORMATS["bf16"]
    assert hardware.fp16_tflops is not None
    assert serving._tflops(bf16, hardware) == pytest.approx(hardware.fp16_tflops * share)


def _bench() -> object:
    return script("bench/serving.py", "bench_serving")


def test_bench_holds_out_whole_sources() -> None:
    """Sources recorded before serve20 (no `added`): a third held out by sha256; every source
    a pass in held_out_passes added: held out; no table on both sides of the split."""
    bench = _bench()
    rows = bench.load_rows()  # type: ignore[attr-defined]
    new = {
        r.source for r in rows if r.id.startswith(("recipes-", "vllm-blog-", "vllm-nightly-h100"))
    }
    old = {r.source for r in rows} - new
    assert len(old) == 6 and len(new) == 4
    assert all(r.held_out for r in rows if r.source in new)
    assert len({r.source for r in rows if r.held_out} & old) == max(1, round(len(old) / 3))
    for source in old | new:  # no table has rows on both sides of the split
        assert len({r.held_out for r in rows if r.source == source}) == 1
    key = bench.source_key  # type: ignore[attr-defined]
    assert key("https://a.example/x (quoted 'row')") == "https://a.example/x"
    with pytest.raises(ValueError, match="no URL"):
        key("a table without an address")


def test_memory_model_matches_published_vllm_startup_logs() -> None:
    module = script("bench/serving_memory.py", "bench_serving_memory")
    logs = module.load_logs()
    assert logs
    for log in logs:
        assert log["source"].startswith("https://"), log["id"]
        parts = module.compare(log)
        for part, limit in (("weights", 0.02), ("activation", 0.25), ("kv_pool", 0.10)):
            est, logged = parts[part]
            assert abs(est - logged) / logged <= limit, (log["id"], part, est, logged)
