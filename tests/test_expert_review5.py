"""Issue 19 and issue 20 §1/§3, fifth expert review: questions the fourth did not ask
(tests/data/expert_review5.yaml: laptops, Arc and AMD cards, 8-card H200/MI300X servers, small
Macs, CPU servers, contexts 2K-1M, fixed KV types, languages, capabilities, runtimes, weight
diffs, BLOOM's RAIL and Falcon-180B hosting), each run through the CLI's JSON and judged by the
checks of tests/expert_checks.py; then the regressions of the causes this review fixed, each of
which failed before its fix."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import run
from expert_answers import answer as data
from expert_checks import CATALOG, CHECKS, judge
from expert_review import asked

HERE = Path(__file__).parent / "data"
QUESTIONS = yaml.load((HERE / "expert_review5.yaml").read_text(), Loader=yaml.CSafeLoader)
EARLIER = yaml.load((HERE / "expert_review4.yaml").read_text(), Loader=yaml.CSafeLoader)
LATER = yaml.load(
    (HERE / "expert_review7.yaml").read_text(), Loader=yaml.CSafeLoader
)  # its checks came with it


def _names(questions: list[dict[str, Any]]) -> set[str]:
    return {
        name if isinstance(name, str) else next(iter(name))
        for q in questions
        for name in q["checks"]
    }


def test_the_review_asks_forty_new_questions_across_the_hardware() -> None:
    assert len(QUESTIONS) >= 40
    assert len({q["id"] for q in QUESTIONS}) == len(QUESTIONS)
    asked_before = {tuple(q["argv"]) for q in EARLIER}
    assert not asked_before & {tuple(q["argv"]) for q in QUESTIONS}  # new questions only
    assert {q["argv"][0] for q in QUESTIONS} == {"recommend", "explain", "memory", "compare"}
    # every check judges an answer
    assert _names(QUESTIONS) | _names(EARLIER) | _names(LATER) == set(CHECKS)
    assert all(q["verdict"] in ("pass", "fixed") for q in QUESTIONS)
    assert all(q.get("found") for q in QUESTIONS if q["verdict"] == "fixed")


@pytest.mark.parametrize("question", asked(QUESTIONS))
def test_expert_question(question: dict[str, Any]) -> None:
    assert judge(question, data(*question["argv"])) == [], question["asks"]


def test_the_new_checks_find_what_an_expert_would() -> None:
    fixed = data("recommend", "--gpu", "rtx-4090", "--kv-dtype", "q4_0", "--top", "2")
    assert CHECKS["kv_fixed"]("recommend", fixed) == []
    broken = json.loads(json.dumps(fixed))
    broken["ranking"][0]["kv_dtype"] = "q8_0"
    assert CHECKS["kv_fixed"]("recommend", broken)
    assert CHECKS["lang_supported"]("recommend", fixed)  # no --lang asked
    roomy = json.loads(json.dumps(fixed))
    speed = roomy["ranking"][0]["speed"]
    speed["time_to_first_token_seconds"]["prompt_tokens"] = speed["context"]
    assert CHECKS["prompt_room"]("recommend", roomy)
    vision = data("explain", "llama-3.2-11b-vision-instruct", "--gpu", "rtx-4060-ti-16gb")
    vision["run"].append({"runtime": "llama.cpp", "command": "llama-server -m x.gguf"})
    assert CHECKS["loadable"]("explain", vision)
    left_out = data("explain", "koala-13b", "--gpu", "rtx-3090", "--commercial")
    assert CHECKS["excluded_why"]("explain", left_out) == []
    left_out["constraints"] = [{**c, "passed": True} for c in left_out["constraints"]]
    assert CHECKS["excluded_why"]("explain", left_out)


# ---- regressions: each failed before its fix --------------------------------------------------


def test_vllm_runs_fp8_weight_only_on_cards_without_fp8_tensor_cores() -> None:
    # r27: an A100 planned FP8 for Ministral 3 14B and Mistral Small 3.x, printed no vllm
    # command and said nothing (vLLM runs FP8 there as W8A16 through FP8 Marlin)
    out = data("recommend", "--gpu", "a100-80gb-sxm", "--runtime", "vllm", "--batch", "8")
    served = [e for e in out["ranking"] if (e["serving"] or {}).get("format") == "fp8"]
    assert served
    for entry in served:
        first = entry["run"][0]
        assert first["runtime"] == "vllm" and "W8A16" in first["note"], entry["model"]
        assert shlex.split(first["command"])[:2] == ["vllm", "serve"]
    # no FP8 kernel at all (Pascal, CDNA 2): no FP8 plan
    for card in ("tesla-p40", "mi250"):
        other = data("recommend", "--gpu", card, "--batch", "8", "--top", "5")
        assert all((e["serving"] or {}).get("format") != "fp8" for e in other["ranking"]), card


def test_llama_4_answers_carry_their_published_effective_context() -> None:
    # r16/r19/e08/m03: Llama 4 sized for 64K-1M without NoLiMa's 1K (Scout) and 2K (Maverick)
    scout = data("explain", "llama-4-scout-17b-16e-instruct", "--gpu", "h100-sxm")
    assert "NoLiMa 1K of 10M" in scout["effective_context"]["note"]
    maverick = CATALOG.get("llama-4-maverick-17b-128e-instruct").effective_context
    assert [(r.benchmark, r.effective, r.claimed) for r in maverick] == [("nolima", "2K", "1M")]
    assert all("adobe-research/NoLiMa" in r.source for r in maverick)


def test_no_llama_cpp_command_for_llama_3_2_vision() -> None:
    # e10: 'convert_hf_to_gguf.py ./Llama-3.2-90B-Vision-Instruct ... && llama-server' for an
    # architecture (mllama) whose conversion stops with 'not supported'
    out = data("explain", "llama-3.2-11b-vision-instruct", "--gpu", "rtx-4060-ti-16gb")
    assert [r["runtime"] for r in out["run"]] == ["ollama"]
    assert any("cannot load its architecture" in r for r in out["reasons"])
    note = out["criteria"]["ecosystem"]["note"]
    assert "llama.cpp cannot load its architecture" in note
    plain = data("explain", "llama-3.2-3b-instruct", "--gpu", "rtx-4060-ti-16gb")
    assert plain["criteria"]["ecosystem"]["value"] > out["criteria"]["ecosystem"]["value"]


def test_a_weight_diff_says_how_its_weights_are_obtained_in_every_answer() -> None:
    # e12: explain of a left-out weight diff; m06: memory of one
    left_out = data("explain", "koala-13b", "--gpu", "rtx-3090", "--commercial")
    assert not left_out["passed"] and "weight diff" in left_out["weights_note"]
    memory = data("memory", "alpaca-7b", "-q", "q4_k_m", "--gpu", "rtx-4090")
    assert "weight diff" in memory["weights_note"]
    table = run("memory", "alpaca-7b", "-q", "q4_k_m", "--gpu", "rtx-4090")
    assert "Weights: alpaca-7b is released as a weight diff" in " ".join(table.stdout.split())
    assert "weights_note" not in data("memory", "llama-1-7b", "-q", "q4_k_m", "--vram", "24")


def test_an_excluded_model_keeps_its_effective_context_note() -> None:
    # e06: Llama 3.3 70B does not fit a 4090 at 32K; its NoLiMa 2K was dropped with it
    out = data("explain", "llama-3.3-70b-instruct", "--gpu", "rtx-4090", "--context", "32k")
    assert not out["passed"] and "NoLiMa 2K of 128K" in out["effective_context"]["note"]


def test_compare_takes_a_quantized_cache() -> None:
    # c06: 'Error: --kv-dtype q8_0 is a llama.cpp option' from the 16-bit row
    out = data(
        *("compare", "llama-3.1-8b-instruct", "mistral-7b-instruct-v0.3"),
        *("--gpu", "rtx-4090", "--kv-dtype", "q8_0"),
    )
    fields = [r["field"] for r in out["rows"]]
    assert "memory q4_k_m (GiB)" in fields and "memory fp16 (GiB)" not in fields
    cache = next(r for r in out["rows"] if r["field"] == "kv cache q4_k_m")
    assert set(cache["values"].values()) == {"q8_0"}


def test_a_prompt_leaves_room_for_the_reply() -> None:
    # r07: a 4096-token prompt sized into a 4096-token context ('llama-server -c 4096'), which
    # llama-server refuses ('the request exceeds the available context size')
    out = data("recommend", "--gpu", "rtx-4090-laptop", "--prompt-tokens", "4k", "--top", "3")
    assert out["query"]["context"] == 4096 + 1024
    for entry in out["ranking"]:
        words = shlex.split(entry["run"][0]["command"])
        assert words[words.index("-c") + 1] == "5120", entry["model"]
    full = run("memory", "llama-3.1-8b-instruct", "--context", "8k", "--prompt-tokens", "8k")
    assert full.code == 1 and full.stderr.startswith("Error: --prompt-tokens 8192 fills")
    over = run("memory", "llama-3-8b", "--prompt-tokens", "7.5k")
    assert over.code == 1 and "pass --context 8192 (512 tokens for the reply)" in over.stderr
    short = data("memory", "llama-3.1-8b-instruct", "-q", "q4_k_m", "--prompt-tokens", "2k")
    assert short["context"] == 4096  # the default holds 2K and a reply


def test_memory_for_many_streams_on_datacenter_cards_says_whose_rows_they_are() -> None:
    # m14: 64 streams on 8x MI300X: llama.cpp rows, unsaid, where recommend assumes vLLM
    out = data("memory", "llama-4-maverick-17b-128e-instruct", "--gpu", "mi300x")
    assert "runtime_note" not in out  # one stream, one card: recommend assumes llama.cpp too
    many = data(
        *("memory", "llama-4-maverick-17b-128e-instruct", "--gpu", "mi300x", "--gpus", "8"),
        *("--batch", "64"),
    )
    assert "llama.cpp's" in many["runtime_note"] and "assume vLLM" in many["runtime_note"]
    consumer = data("memory", "llama-3.1-8b-instruct", "--gpu", "rtx-4090", "--batch", "8")
    assert "runtime_note" not in consumer
