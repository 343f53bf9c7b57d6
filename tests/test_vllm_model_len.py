"""vLLM starts only up to the sequence length its config.json derives (max_position_embeddings,
times a linear or dynamic RoPE factor): no plan, and no `vllm serve` command, asks for more
(estimate/servekv.py longest_model_len; issue 19 §7, commands that run as pasted)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import run

from llm_pick.catalog.hfconfig import architecture_fields
from llm_pick.catalog.load import load_catalog
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.servekv import longest_model_len
from llm_pick.ranking.serve import plan

# Llama 2 7B's config.json (meta-llama/Llama-2-7b-hf), the base of Vicuna v1.5
LLAMA2_7B = {
    "model_type": "llama",
    "hidden_size": 4096,
    "intermediate_size": 11008,
    "num_attention_heads": 32,
    "num_key_value_heads": 32,
    "num_hidden_layers": 32,
    "vocab_size": 32000,
    "max_position_embeddings": 4096,
    "rope_theta": 10000.0,
    "tie_word_embeddings": False,
}


def test_the_longest_length_is_the_configs_positions_stretched_by_linear_rope() -> None:
    catalog = load_catalog()
    # Ministral 8B 2410: config.json max_position_embeddings 32768 under a 128K card context
    assert longest_model_len(catalog.get("ministral-8b-instruct-2410")) == 32768
    # Vicuna v1.5 16K: 4096 positions with a linear RoPE factor of 4 (FastChat train.py)
    assert longest_model_len(catalog.get("vicuna-13b-v1.5-16k")) == 16384
    assert longest_model_len(catalog.get("llama-3.1-8b-instruct")) == 131072
    for model in catalog:
        assert longest_model_len(model) <= model.context_length


def test_no_plan_is_longer_than_vllm_starts() -> None:
    model = load_catalog().get("ministral-8b-instruct-2410")
    hardware = Hardware.from_gpu("h100-sxm", 1)
    assert plan(model, hardware, 32768, 1) is not None
    assert plan(model, hardware, 32769, 1) is None


@pytest.mark.parametrize("context", ["32k", "128k"])
def test_every_vllm_command_fits_its_models_config(context: str) -> None:
    catalog = load_catalog()
    result = run(
        "recommend", "--runtime", "vllm", "--gpu", "h100-sxm", "--gpus", "8",
        "--context", context, "--batch", "2", "--top", "200", "-f", "json",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    served = 0
    for pick in json.loads(result.stdout)["ranking"]:
        model = catalog.get(pick["model"])
        for command in (r["command"] for r in pick["run"] if r["runtime"] == "vllm"):
            asked = int(re.search(r"--max-model-len (\d+)", command).group(1))
            assert asked <= longest_model_len(model), (model.id, command)
            served += 1
    assert served > 10


def test_a_model_vllm_refuses_at_the_context_says_why() -> None:
    result = run(
        "explain", "ministral-8b-instruct-2410", "--runtime", "vllm", "--gpu", "h100-sxm",
        "--context", "64k", "-f", "json",
    )  # fmt: skip
    data = json.loads(result.stdout)
    assert data["serving"] is None
    assert not any(r["runtime"] == "vllm" for r in data["run"])
    (said,) = [r for r in data["reasons"] if "refuses --max-model-len 65536" in r]
    assert "32,768 positions" in said and "(--context 32768 for vLLM)" in said


def test_a_linear_rope_config_imports_its_stretched_context(tmp_path: Path) -> None:
    config = dict(LLAMA2_7B)
    config["rope_scaling"] = {"type": "linear", "factor": 4.0}
    _, fields, context = architecture_fields(config, "vicuna-16k")
    assert fields["rope_scaling_factor"] == 4.0 and context == 16384
    config["rope_scaling"] = {"rope_type": "llama3", "factor": 8.0}  # counted in the positions
    _, fields, context = architecture_fields(config, "llama3")
    assert "rope_scaling_factor" not in fields and context == 4096
    config["rope_scaling"] = {"type": "linear", "factor": -2}
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    bad = run("import", str(path))
    assert bad.code == 1 and bad.stderr.startswith("Error:") and "Traceback" not in bad.stderr
    assert "rope_scaling factor is -2" in bad.stderr
