"""Issue 19: the fourteenth expert review (tests/data/expert_review14.yaml): memory to the last
buffer (§8), the format and KV type chosen for the 2025-26 releases (§1, §2), training verdicts
(§3), compare's quality row beside the old families (§6), and the same figures for one model on
one machine from recommend, explain, memory and compare. Each question runs once through the
CLI's JSON and is judged by the checks of tests/expert_checks.py, expert_checks8.py to
expert_checks13.py and expert_checks14.py; a command the CLI refuses is judged as
{error, code} by the checks that expect a refusal (any other check reports it)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import run
from expert_checks8 import CHECKS8
from expert_checks9 import CHECKS9
from expert_checks10 import CHECKS10
from expert_checks11 import CHECKS11
from expert_checks12 import CHECKS12
from expert_checks13 import CHECKS13
from expert_checks14 import CHECKS14
from expert_review import asked, check_verdict, questions, repeated, verdict_problems
from test_expert_review12 import _answer, judge12

QUESTIONS = questions(14)
TABLE = CHECKS8 | CHECKS9 | CHECKS10 | CHECKS11 | CHECKS12 | CHECKS13 | CHECKS14
Json = dict[str, Any]


def test_every_question_has_a_verdict() -> None:
    assert verdict_problems(QUESTIONS, 40, ("pass", "fixed", "open")) == []


def test_questions_are_new() -> None:
    """No question repeats one of reviews 4-13 (same command line)."""
    assert repeated(QUESTIONS, range(4, 14)) == []


@pytest.mark.parametrize("question", asked(QUESTIONS))
def test_expert_question(question: Json) -> None:
    check_verdict(question, judge12(question, TABLE))


# ---- regressions of the causes this review fixed ----------------------------------------------


MAGISTRAL = ["magistral-small-2509", "-q", "q5_k_m", "--gpu", "rtx-3090", "--context", "32k"]


def test_quantized_k_cache_runs_without_flash_attention() -> None:
    """llama.cpp refuses only a quantized V cache with flash attention off
    (src/llama-context.cpp, llama_init_from_model): -ctk q8_0 -ctv f16 -fa off is answered, its
    K cache at q8_0's 34 bytes per 32 values and its V cache at 2 bytes; a quantized V cache
    (named, or set by --kv-dtype alone) is still refused in one Error line (issue 19 §8)."""
    off = ["--flash-attn", "off"]
    found = _answer(["memory", *MAGISTRAL, "--kv-dtype", "q8_0", "--v-dtype", "fp16", *off])
    per_token = 40 * 8 * 128 * (34 / 32 + 2)  # layers x KV heads x head dim x (K + V bytes)
    assert found["kv_cache_bytes"] == per_token * 32768
    assert (found["kv_dtype"], found["v_dtype"], found["flash_attn"]) == ("q8_0", "fp16", False)
    caches = ["--kv-dtype", "q8_0", "--v-dtype", "fp16"]
    served = _answer(
        ["explain", *MAGISTRAL[:1], *MAGISTRAL[3:], *caches, *off, "--needs", "reasoning"]
    )
    assert "-fa off --cache-type-k q8_0 --cache-type-v f16" in served["run"][0]["command"]
    for quantized_v in (["--kv-dtype", "q8_0"], ["--v-dtype", "q4_0"]):
        result = run("memory", *MAGISTRAL, *quantized_v, *off, "-f", "json")
        lines = result.stderr.strip().splitlines()
        assert result.code == 1 and len(lines) == 1 and "quantized V cache" in lines[0]


def test_max_context_keeps_the_asked_caches_and_ubatch() -> None:
    """explain's format rows search the longest context with the -ctv and -ub asked, as memory
    does (they were searched with the V cache at the K type and -ub 512)."""
    asked = ["--kv-dtype", "q8_0", "--v-dtype", "q4_0", "--ubatch", "2048"]
    cards = ["--gpu", "rtx-4090", "--context", "32k"]
    explained = _answer(["explain", "mistral-small-3.2-24b-instruct-2506", *cards, *asked])
    row = next(f for f in explained["formats"] if f["chosen"])
    memory = _answer(
        ["memory", "mistral-small-3.2-24b-instruct-2506", "-q", row["quant"], *cards, *asked]
    )
    assert row["max_context"] == memory["max_context"] == explained["memory"]["max_context"]


def test_cpu_only_run_has_no_host_compute_buffer() -> None:
    """A CPU-only llama.cpp run has one CPU compute buffer (in the total): no CUDA_Host staging
    buffer beside it, as it has no CUDA context; a GPU run keeps both."""
    model = ["devstral-small-2-24b-instruct-2512", "-q", "q4_k_m", "--context", "32k"]
    cpu = _answer(["memory", *model, "--vram", "0", "--ram", "64"])
    gpu = _answer(["memory", *model, "--gpu", "rtx-4090"])
    assert cpu["host_buffers"]["compute_bytes"] == 0 and cpu["cuda_context_bytes"] == 0
    assert cpu["compute_buffer_bytes"] == gpu["compute_buffer_bytes"] > 0
    assert gpu["host_buffers"]["compute_bytes"] > 0


def test_ubatch_beyond_the_context_is_said() -> None:
    """-ub above the context runs as the context's tokens (llama.cpp caps n_ubatch at n_batch
    and n_batch at n_ctx): the answer says so; a -ub within it says nothing."""
    model = ["llama-3.1-8b-instruct", "-q", "q8_0", "--gpu", "rtx-4090"]
    capped = _answer(["memory", *model, "--ubatch", "4096", "--context", "2k"])
    assert any(a.startswith("-ub 4096 runs as 2048 tokens") for a in capped["assumptions"])
    within = _answer(["memory", *model, "--ubatch", "2048", "--context", "8k"])
    assert not any(a.startswith("-ub ") for a in within["assumptions"])


def test_format_reasons_hold() -> None:
    """A format kept below the usable speed for more quality is said to be that, not "the most
    quality of the formats that decode at 10+"; a q8_0 cache taken for speed alone (under 2
    tokens/s) is not said to score higher than fp16 (issue 19 §1, §2)."""
    code = ["devstral-2-123b-instruct-2512", "--gpu", "rtx-a6000", "--gpus", "2"]
    slow = _answer(["explain", *code, "--needs", "code"])["reasons"]
    assert not any(r.startswith("iq4_xs keeps the most quality") for r in slow)
    assert any(
        r.startswith("iq4_xs keeps more quality than q3_k_m, the most of the formats that decode")
        for r in slow
    )
    cpu = ["falcon-h1-34b-instruct", "--vram", "0", "--ram", "64"]
    long = _answer(["explain", *cpu, "--context", "32k"])["reasons"]
    cache = next(r for r in long if r.startswith("KV cache q8_0 chosen with q5_0"))
    assert "scores higher" not in cache and "under 2 tokens/s speed decides" in cache
    # an idle quantized cache is the chosen format's own (q5_0's), never another format's
    short = _answer(["explain", *cpu])
    chosen = short["memory"]["quant"]
    for reason in short["reasons"]:
        if reason.startswith("an fp16 KV cache: "):
            assert reason.startswith(f"an fp16 KV cache: {chosen} with a ")
    assert not any(r.startswith("an fp16 KV cache: q8_0 with") for r in short["reasons"])


def test_explain_states_max_context() -> None:
    """explain's memory block gives max_context, the figure recommend and memory give for the
    same format, cache and card (issue 19 §4: beside the effective context)."""
    cards = ["--gpu", "rtx-4090", "--context", "32k"]
    said = _answer(["explain", "mistral-small-3.2-24b-instruct-2506", *cards])["memory"]
    kv = ["--kv-dtype", said["kv_dtype"]]
    memory = _answer(
        ["memory", "mistral-small-3.2-24b-instruct-2506", "-q", said["quant"], *kv, *cards]
    )
    ranked = _answer(["recommend", *cards, "--top", "10"])["ranking"]
    pick = next(e for e in ranked if e["model"] == "mistral-small-3.2-24b-instruct-2506")
    assert said["max_context"] == memory["max_context"] == pick["max_context"] > 32768


def test_compare_says_beyond_window() -> None:
    """compare at a context beyond a model's window says so in a row, instead of leaving its
    memory, fit and speed rows empty without a word."""
    models = ["falcon-mamba-7b-instruct", "falcon-h1-7b-instruct"]
    rows = {
        r["field"]: r["values"]
        for r in _answer(["compare", *models, "--gpu", "rtx-4090", "--context", "128k"])["rows"]
    }
    assert rows["not sized"] == {
        "falcon-mamba-7b-instruct": "131,072 tokens: beyond its 8,192-token window",
        "falcon-h1-7b-instruct": None,
    }
    short = _answer(["compare", *models, "--gpu", "rtx-4090", "--context", "8k"])["rows"]
    assert "not sized" not in {r["field"] for r in short}


def test_fused_loss_is_an_option_where_logits_dominate() -> None:
    """A fine-tune that does not fit, most of whose activations are the f32 logits and their
    gradient (8 x sequence x vocabulary bytes), names a fused linear cross-entropy (Liger
    Kernel; its transient logits bounded to about sequence x hidden elements): with the figure
    it reaches when that alone fits, else the longer sequence it allows (issue 19 §3)."""
    card = ["--gpu", "rtx-4060-ti-16gb"]
    lora = ["--mode", "lora", "-q", "bnb-int8", *card, "--context", "8k"]
    small = _answer(["memory", "falcon-h1-7b-instruct", *lora])
    fused = [o for o in small["fit"]["options"] if o.startswith("a fused linear cross-entropy")]
    # vocabulary 130,048, hidden 3,072: ceil(V / H) = 43, ceil(8192 / 43) = 191 -> 256 rows
    saving = 8 * 8192 * 130048 - (2 * 256 * 130048 + 2 * 8192 * 3072 + 4 * 8192)
    assert len(fused) == 1 and f"(saving {saving / 2**30:.1f} GiB here)" in fused[0]
    per_card = small["total_bytes"] - saving
    assert fused[0].endswith(f": {per_card / 2**30:.1f} GiB per card")
    qlora = ["--mode", "qlora", "-q", "bnb-nf4-dq", *card, "--context", "16k"]
    big = _answer(["memory", "devstral-small-2-24b-instruct-2512", *qlora])
    longer = next(o for o in big["fit"]["options"] if o.startswith("a fused linear"))
    tokens = int(longer.split("sequences up to ")[1].split()[0].replace(",", ""))
    assert big["max_context"] < tokens < 16384
