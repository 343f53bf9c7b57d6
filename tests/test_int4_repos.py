"""INT4 serving plans print a runnable vLLM command when a pre-quantized repository is sourced
(issue 20 §3): the AWQ/GPTQ weights' repository replaces the 16-bit one; without one, none."""

from __future__ import annotations

import json

from conftest import run

from llm_pick.catalog.load import load_catalog
from llm_pick.catalog.quantrepos import INT4_REPOS, int4_repo


def test_every_repository_names_a_catalog_model_and_a_source() -> None:
    ids = {m.id for m in load_catalog()}
    for (model_id, fmt), (repo, source) in INT4_REPOS.items():
        assert model_id in ids and fmt in ("awq-4bit", "gptq-4bit"), model_id
        org, _, name = repo.partition("/")
        assert org and name and "/" not in name, repo
        assert source.startswith("https://huggingface.co/"), repo
        assert ("AWQ" in repo) == (fmt == "awq-4bit") and ("GPTQ" in repo) == (fmt == "gptq-4bit")
    assert int4_repo("llama-3.1-70b-instruct", "bf16") is None


def test_a_405b_int4_plan_serves_the_awq_repository() -> None:
    result = run(
        "recommend",
        "--gpu",
        "a100-80gb-sxm",
        "--gpus",
        "4",
        "--batch",
        "8",
        "--runtime",
        "vllm",
        "--family",
        "llama",
        "--min-params",
        "300",
        "--top",
        "3",
        "-f",
        "json",
    )
    assert result.code == 0, result.stderr
    ranking = {r["model"]: r for r in json.loads(result.stdout)["ranking"]}
    served = ranking["llama-3.1-405b-instruct"]
    assert served["serving"]["format"] == "awq-4bit"
    commands = [c for c in served["run"] if c["runtime"] == "vllm"]
    assert len(commands) == 1
    command = commands[0]["command"]
    assert command.startswith("vllm serve hugging-quants/Meta-Llama-3.1-405B-Instruct-AWQ-INT4 ")
    assert "--tensor-parallel-size 4" in command and "--quantization" not in command
    assert "INT4 weights from https://huggingface.co/" in commands[0]["note"]
    # no repository sourced for Llama 4 Maverick: no INT4 plan (and no vLLM command) rather
    # than figures no command runs or a wrong command
    maverick = ranking.get("llama-4-maverick-17b-128e-instruct")
    if maverick is not None:
        plan = maverick["serving"]
        assert plan is None or plan["format"] not in ("awq-4bit", "gptq-4bit")
        assert plan is not None or not [c for c in maverick["run"] if c["runtime"] == "vllm"]
