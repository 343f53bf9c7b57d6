"""Issue 19 and issue 20 §1/§3: the seventh expert review (tests/data/expert_review7.yaml),
each question run through the CLI's JSON and judged by tests/expert_checks.py; then one unit
regression per cause it found."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from expert_answers import answer as data
from expert_checks import CACHE_TYPES, judge
from expert_review import asked

from llm_pick.catalog.load import load_catalog
from llm_pick.estimate.cudactx import on_hardware
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.memory import estimate_memory

HERE = Path(__file__).parent / "data"
QUESTIONS = yaml.load((HERE / "expert_review7.yaml").read_text(), Loader=yaml.CSafeLoader)
CATALOG = load_catalog(use_env=False)
Json = dict[str, Any]


def test_every_question_is_new_and_fixed_or_a_guard() -> None:
    assert len(QUESTIONS) >= 40
    earlier = [
        yaml.load((HERE / f"expert_review{n}.yaml").read_text(), Loader=yaml.CSafeLoader)
        for n in (4, 5, 6)
    ]
    asked = {tuple(q["argv"]) for review in earlier for q in review}
    assert not asked & {tuple(q["argv"]) for q in QUESTIONS}  # questions reviews 4-6 did not ask
    assert {q["argv"][0] for q in QUESTIONS} == {"recommend", "explain", "memory", "compare"}
    assert len({q["id"] for q in QUESTIONS}) == len(QUESTIONS)
    assert all(q["verdict"] in ("pass", "fixed") for q in QUESTIONS)
    assert all(q.get("found") for q in QUESTIONS if q["verdict"] == "fixed")


@pytest.mark.parametrize("question", asked(QUESTIONS))
def test_expert_question(question: Json) -> None:
    assert judge(question, data(*question["argv"])) == [], question["asks"]


# ---- the causes, one unit each --------------------------------------------------------------


@pytest.mark.parametrize(("k", "v"), [("q8_0", "fp16"), ("fp16", "q8_0"), ("q4_0", "q8_0")])
def test_llama_server_gets_llama_cpp_s_cache_type_names(k: str, v: str) -> None:
    """--cache-type-k/-v take ggml type names: f16, never fp16 (llama.cpp's common/arg.cpp
    throws "Unsupported cache type" on any other)."""
    out = data("explain", "llama-3.1-8b-instruct", "--gpu", "rtx-4090", "--context", "16k",
               "--kv-dtype", k, "--v-dtype", v)  # fmt: skip
    words = shlex.split(out["run"][0]["command"])
    got = (words[words.index("--cache-type-k") + 1], words[words.index("--cache-type-v") + 1])
    assert got == ({"fp16": "f16"}.get(k, k), {"fp16": "f16"}.get(v, v))
    assert set(got) <= CACHE_TYPES
    assert out["memory"]["v_dtype"] == v and out["query"]["v_dtype"] == v


def test_a_cpu_only_run_holds_no_cuda_context() -> None:
    model = CATALOG.get("llama-3.1-8b-instruct")
    plain = estimate_memory(model, "q4_k_m", context=4096)
    cpu = on_hardware(plain, Hardware.cpu_only(ram_gib=64))
    assert plain.cuda_context_bytes > 0 and cpu.cuda_context_bytes == 0
    assert plain.total_bytes - cpu.total_bytes == plain.cuda_context_bytes
    assert cpu.weights_bytes == plain.weights_bytes and cpu.kv_cache_bytes == plain.kv_cache_bytes


def test_a_non_commercial_licence_is_said_without_commercial() -> None:
    out = data("explain", "codestral-22b-v0.1", "--gpu", "rtx-4090", "--needs", "code")
    said = [r for r in out["reasons"] if r.startswith("licence prohibits commercial use")]
    assert len(said) == 1 and "Non-Production" in said[0]


def test_moe_experts_in_ram_are_not_all_layers_on_the_gpu() -> None:
    out = data("explain", "mistral-small-4-119b-2603", "--gpu", "rtx-4090", "--ram", "128")
    words = shlex.split(out["run"][0]["command"])
    n = words[words.index("--n-cpu-moe") + 1]
    assert any(f"routed experts of {n} of them in RAM" in r for r in out["reasons"])
    assert not any("36/36 layers on the GPU" in r for r in out["reasons"])


def test_the_same_format_with_another_cache_is_named_with_its_cache() -> None:
    out = data("recommend", "--gpu", "a100-40gb", "--gpus", "2", "--batch", "16",
               "--commercial", "--family", "llama", "--top", "3")  # fmt: skip
    reasons = [r for e in out["ranking"] for r in e["reasons"] if "keeps more quality" in r]
    assert reasons, "the question no longer weighs a larger option"
    for reason in reasons:
        first = reason.removeprefix("for the llama.cpp alternative: ").split(" keeps")[0]
        second = reason.split(": ")[-1].split(" scores higher")[0]
        assert first != second, reason


def test_no_int4_serving_plan_without_a_recorded_repository() -> None:
    """vLLM loads AWQ/GPTQ weights only from a pre-quantized repository: with none recorded
    (Mixtral 8x22B), no INT4 plan; with one (Llama 3.3 70B), the plan and its command."""
    from llm_pick.catalog.quantrepos import int4_repo
    from llm_pick.estimate.hardware import Hardware
    from llm_pick.ranking.serve import plan

    two = Hardware.from_gpu("h100-sxm", 2)
    mixtral = plan(CATALOG.get("mixtral-8x22b-instruct"), two, 4096, 16)
    assert int4_repo("mixtral-8x22b-instruct", "awq-4bit") is None
    assert mixtral is None or mixtral.format not in ("awq-4bit", "gptq-4bit")
    small = Hardware.from_gpu("a100-40gb", 2)
    llama = plan(CATALOG.get("llama-3.3-70b-instruct"), small, 4096, 16)
    assert llama is not None and llama.format == "awq-4bit"
    assert int4_repo("llama-3.3-70b-instruct", "awq-4bit") is not None


def test_a_model_only_ollama_runs_is_tried_in_ollama_s_formats_only() -> None:
    """Llama 3.2 Vision: llama.cpp cannot load mllama, Ollama has q4_K_M, q8_0 and fp16."""
    from llm_pick.ranking.query import Query

    query = Query(hardware=Hardware.from_gpu("h100-sxm"))
    vision = CATALOG.get("llama-3.2-90b-vision-instruct")
    assert [q.name for q in query.formats_of(vision) or []] == ["q8_0", "q4_k_m"]
    assert query.formats_of(CATALOG.get("llama-3.1-70b-instruct")) is None  # llama.cpp loads it
    out = data("explain", "llama-3.2-90b-vision-instruct", "--gpu", "h100-sxm")
    assert out["memory"]["quant"] == "q4_k_m"
    assert out["run"][0]["command"] == "ollama run llama3.2-vision:90b-instruct-q4_K_M"
