"""Run commands (reports/run.py): only recorded repositories and tags, flags that match the
sizing, the conversion hint when no repository is known."""

from __future__ import annotations

from conftest import entry, write_catalog

from llm_pick.catalog.load import load_catalog
from llm_pick.reports.run import Sized, run_commands


def catalog_model(model_id: str):
    return load_catalog().get(model_id)


def by_runtime(commands):
    return {c["runtime"]: c for c in commands}


def test_llama_cpp_and_ollama_from_the_catalog():
    model = catalog_model("llama-3.1-8b-instruct")
    out = by_runtime(run_commands(model, Sized("q4_k_m", 8192, None, 32)))
    assert out["llama.cpp"]["command"] == (
        "llama-server -hf bartowski/Meta-Llama-3.1-8B-Instruct-GGUF:Q4_K_M -c 8192 -ngl 33 -fa on"
    )
    assert out["llama.cpp"]["source"].startswith("https://huggingface.co/bartowski/")
    assert out["ollama"]["command"] == "ollama run llama3.1:8b-instruct-q4_K_M"
    assert "vllm" not in out  # a GGUF format is not what vLLM serves


def test_offload_kv_and_split_flags():
    model = catalog_model("llama-3.1-8b-instruct")
    sized = Sized("q8_0", 32768, 20, 32, kv_dtype="q8_0", gpus=2)
    command = by_runtime(run_commands(model, sized))["llama.cpp"]["command"]
    assert "-ngl 20 " in command
    assert "--cache-type-k q8_0 --cache-type-v q8_0" in command
    assert command.endswith("-sm layer -ts 1,1")


def test_vllm_for_16_bit_weights():
    model = catalog_model("llama-3.1-8b-instruct")
    sized = Sized("fp16", 16384, None, 32, gpus=2, memory_share=0.95)
    out = by_runtime(run_commands(model, sized))
    assert out["vllm"]["command"] == (
        "vllm serve meta-llama/Llama-3.1-8B-Instruct --max-model-len 16384 "
        "--tensor-parallel-size 2 --gpu-memory-utilization 0.95"
    )
    assert out["ollama"]["command"] == "ollama run llama3.1:8b-instruct-fp16"


def test_no_repository_gives_the_conversion_hint_never_a_name():
    model = catalog_model("llama-1-7b")
    (only,) = run_commands(model, Sized("q4_k_m", 2048, None, 32))
    assert only["runtime"] == "llama.cpp"
    assert only["command"].startswith("python convert_hf_to_gguf.py ./llama-7b ")
    assert "llama-quantize llama-1-7b-f16.gguf llama-1-7b-Q4_K_M.gguf Q4_K_M" in only["command"]
    assert "no GGUF repository" in only["note"] and "-hf" not in only["command"]


def test_quant_missing_from_the_repository():
    model = catalog_model("mistral-nemo-12b")  # the Base repository has no Q5_K_M
    (first, *_) = run_commands(model, Sized("q5_k_m", 4096, None, 40))
    assert "-hf" not in first["command"]
    assert "lists no Q5_K_M file" in first["note"]


def test_byte_split_repository_is_not_used_with_hf():
    model = catalog_model("llama-3.1-405b")
    (first, *_) = run_commands(model, Sized("q4_k_m", 4096, None, 126))
    assert first["command"].startswith("llama-server -m MODEL.gguf")
    assert ".partXofY" in first["note"]


def test_recommend_json_table_and_explain_carry_the_commands(cli, tmp_path):
    data = cli("recommend", "--gpu", "4090", "--format", "json").json()
    for item in data["ranking"]:
        assert item["run"] and item["run"][0]["runtime"] == "llama.cpp"
        assert f"-c {item['context']}" in item["run"][0]["command"]
    table = cli("recommend", "--gpu", "4090", "--top", "3")
    assert "Run it as sized:" in table.stdout and "llama.cpp:" in table.stdout
    top = data["ranking"][0]
    explained = cli("explain", top["model"], "--gpu", "4090")
    assert "Run it as sized" in explained.stdout
    assert cli("explain", top["model"], "--gpu", "4090", "-f", "json").json()["run"] == top["run"]


def test_catalog_entry_runtimes_are_validated(cli, tmp_path):
    bad = entry(runtimes={"gguf": {"repo": "x/y", "quants": ["q4_k_m"]}})
    path = write_catalog(tmp_path / "c.yaml", bad)
    result = cli("catalog", "validate", str(path))
    assert result.code == 1 and "runtimes.gguf.source" in result.stderr
