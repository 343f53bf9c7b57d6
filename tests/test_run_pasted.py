"""Commands that run as pasted (issue 19 §7): weight-diff releases get no command that would
load the diff as a model; -hf tags as the repository's files spell them; parallel streams get
-np N and N times the per-stream context."""

from __future__ import annotations

import shlex

import pytest

from llm_pick.catalog.load import load_catalog
from llm_pick.reports.run import Sized, run_commands, weights_note

CATALOG = load_catalog()


def _llama(commands):  # type: ignore[no-untyped-def]
    return next(c for c in commands if c["runtime"] == "llama.cpp")


@pytest.mark.parametrize("model_id", ["alpaca-7b", "koala-13b"])
def test_weight_diff_releases_get_no_command_but_say_how_to_get_the_weights(
    model_id: str, cli
) -> None:
    model = CATALOG.get(model_id)
    for quant in ("q4_k_m", "fp16"):
        assert run_commands(model, Sized(quant, 2048, None, model.architecture.layers)) == []
    note = weights_note(model)
    assert note is not None and "weight diff" in note and "recover" in note
    out = cli("explain", model_id, "--gpu", "4090", "-f", "json")
    assert out.code == 0, out.stderr
    data = out.json()
    assert data["run"] == []
    assert data["weights_note"] == note
    text = cli("explain", model_id, "--gpu", "4090").stdout
    assert "vllm serve" not in text and "convert_hf_to_gguf" not in text
    assert "Weights:" in text


def test_only_a_weight_diff_or_an_architecture_a_runtime_cannot_load_loses_commands() -> None:
    for model in CATALOG:
        diff = model.runtimes is not None and model.runtimes.weight_diff is not None
        sized = Sized("q4_k_m", 2048, None, model.architecture.layers)
        if model.architecture.ternary:
            continue
        found = run_commands(model, sized)
        if model.runtimes is not None and model.runtimes.unsupported:  # e.g. llama.cpp: mllama
            gone = {u.runtime for u in model.runtimes.unsupported}
            assert not diff and not gone & {c["runtime"] for c in found}, model.id
            continue
        assert (found == []) == diff, model.id


def test_hf_tags_are_spelled_as_the_repository_files() -> None:
    checked = 0
    for model in CATALOG:
        gguf = model.runtimes.gguf if model.runtimes else None
        if gguf is None or not gguf.hf_ready or model.architecture.ternary:
            continue
        for quant in gguf.quants:
            name = {"fp16": "f16", "bf16": "bf16", "fp32": "f32"}.get(quant, quant)
            sized = Sized(name, 2048, None, model.architecture.layers)
            words = shlex.split(_llama(run_commands(model, sized))["command"])
            tag = words[words.index("-hf") + 1].split(":", 1)[1]
            spelled = gguf.file_tags.get(name)
            assert tag == (spelled or name.upper()), (model.id, quant, tag)
            # a recorded spelling is llama.cpp's short alias of the same type (Q4_K for Q4_K_M)
            assert spelled is None or name.upper().startswith(spelled), (model.id, spelled)
            checked += 1
    assert checked > 100


def test_legraphista_q4_k_m_file_is_tagged_q4_k() -> None:
    model = CATALOG.get("llama-3.1-70b-instruct")
    command = _llama(run_commands(model, Sized("q4_k_m", 4096, None, 80)))["command"]
    assert ":Q4_K " in command and "Q4_K_M" not in command


def test_parallel_streams_get_np_and_the_total_context() -> None:
    model = CATALOG.get("llama-3.1-8b-instruct")
    one = _llama(run_commands(model, Sized("q4_k_m", 8192, None, 32)))["command"]
    assert "-np" not in shlex.split(one)
    four = shlex.split(
        _llama(run_commands(model, Sized("q4_k_m", 8192, None, 32, batch=4)))["command"]
    )
    assert four[four.index("-c") + 1] == str(4 * 8192)
    assert four[four.index("-np") + 1] == "4"


def test_recommend_with_batch_prints_np(cli) -> None:
    out = cli(
        "explain",
        "llama-3.1-8b-instruct",
        "--gpu",
        "4090",
        "--batch",
        "3",
        "--context",
        "4096",
        "-f",
        "json",
    )
    words = shlex.split(_llama(out.json()["run"])["command"])
    assert words[words.index("-np") + 1] == "3"
    assert words[words.index("-c") + 1] == str(3 * 4096)
