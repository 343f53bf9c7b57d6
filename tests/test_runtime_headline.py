"""Issue 20 §3: every headline of a pick follows the runtime assumed for it. On 8 x H100 with
32 streams recommend assumes vLLM; the table, the top-pick summary, the JSON, the score's
speed criterion and explain must all show the vLLM figures (before this, they showed the
llama.cpp Q8_0 GGUF's 14 tok/s beside a vLLM run command and an 82 tok/s reason)."""

from __future__ import annotations

from typing import Any

import pytest

VLLM = ("recommend", "--gpu", "h100-sxm", "--gpus", "8", "--batch", "32")


@pytest.fixture(scope="module")
def served() -> dict[str, Any]:
    from conftest import run

    result = run(*VLLM, "--format", "json", "--top", "5")
    assert result.code == 0, result.stderr
    data: dict[str, Any] = result.json()
    return data


def test_json_headline_fields_are_the_vllm_plan(served: dict[str, Any]) -> None:
    assert served["query"]["runtime"]["name"] == "vllm"
    for pick in served["ranking"]:
        plan = pick["serving"]
        assert plan is not None and pick["runtime"] == "vllm"
        assert pick["quant"] == plan["format"]
        throughput = plan["throughput"]
        assert pick["tokens_per_second"] == round(throughput["per_stream"], 1)
        assert pick["aggregate_tokens_per_second"] == round(throughput["aggregate"], 1)
        memory = pick["memory"]
        assert memory["per_card"] is True
        assert memory["weights_bytes"] == plan["memory_per_card"]["weights"]
        assert memory["kv_cache_bytes"] == plan["memory_per_card"]["kv_pool"]
        assert memory["total_bytes"] <= plan["memory_per_card"]["card_bytes"]
        gguf = pick["llama_cpp"]  # the GGUF figures kept, under their own name
        assert gguf["memory"]["per_card"] is False
        assert gguf["tokens_per_second"] == gguf["speed"]["decode_tokens_per_second"]["expected"]
        assert gguf["tokens_per_second"] < pick["tokens_per_second"]


def test_vllm_rates_stay_under_the_bandwidth_ceiling() -> None:
    from llm_pick.catalog.load import load_catalog
    from llm_pick.estimate.hardware import Hardware
    from llm_pick.estimate.sizing import Sizing
    from llm_pick.ranking.headline import headline
    from llm_pick.ranking.pipeline import recommend
    from llm_pick.ranking.query import Query

    query = Query(hardware=Hardware.from_gpu("h100-sxm", 8), sizing=Sizing(batch=32))
    for cand in recommend(load_catalog(), query).shown:
        head = headline(cand, "vllm", 32)
        assert head.runtime == "vllm" and head.ceiling is not None
        assert head.per_stream is not None and head.per_stream <= head.ceiling
        assert head.share is not None and 0 < head.share <= 1
        assert head.aggregate is not None and head.aggregate <= 32 * head.ceiling
        assert head.max_context <= cand.model.context_length


def test_score_speed_is_the_per_stream_rate_the_user_gets(served: dict[str, Any]) -> None:
    from llm_pick.scoring.criteria import speed_value

    for pick in served["ranking"]:
        speed = pick["criteria"]["speed"]
        per_stream = pick["serving"]["throughput"]["per_stream"]
        assert speed["value"] == pytest.approx(speed_value(per_stream), abs=1e-6)
        assert "per stream under vLLM" in speed["note"]


def test_table_and_summary_show_the_vllm_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import run

    monkeypatch.setenv("COLUMNS", "220")
    data = run(*VLLM, "--format", "json", "--top", "1").json()["ranking"][0]
    per, total = data["tokens_per_second"], data["aggregate_tokens_per_second"]
    gguf = data["llama_cpp"]["tokens_per_second"]
    out = run(*VLLM, "--top", "3").stdout
    row = next(line for line in out.splitlines() if line.lstrip().startswith("1 "))
    cells = row.split()
    assert f"{data['quant']}" in cells and "vLLM" in cells
    assert f"{per:.0f}" in cells and f"{total:,.0f}" in cells
    assert f"{gguf:.0f}" not in cells and data["llama_cpp"]["quant"] not in cells
    summary = " ".join(out.split())
    tp, dp = data["serving"]["tensor_parallel"], data["serving"]["data_parallel"]
    assert tp * dp == 8  # every card serves: one TP group, or replicas of a smaller one
    group = f"tensor parallel over {tp} cards" + (f", {dp} replicas" if dp > 1 else "")
    assert f"served by vLLM as {data['quant']}, {group}" in summary
    rates = f"Expect about {per:.0f} tokens per second per stream, {total:,.0f} for all 32"
    assert rates in summary
    assert f"{data['memory']['total_bytes'] / 2**30:.1f} of 80 GiB on each card" in summary
    assert "Max model len 4,096 tokens" in summary
    assert f"Expect about {gguf:.0f} tokens" not in summary


def test_explain_shows_what_recommend_headlines(monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import run

    monkeypatch.setenv("COLUMNS", "220")
    flags = VLLM[1:]
    top = run(*VLLM, "--format", "json", "--top", "1").json()["ranking"][0]
    model = top["model"]  # the top pick, whichever it is
    assert top["runtime"] == "vllm"
    explained = run("explain", model, *flags, "--format", "json").json()
    as_run = explained["as_run"]
    for key in ("runtime", "quant", "tokens_per_second", "aggregate_tokens_per_second"):
        assert as_run[key] == top[key]
    assert as_run["memory"] == top["memory"] and as_run["max_context"] == top["max_context"]
    text = " ".join(run("explain", model, *flags).stdout.split())
    assert f"Served by vLLM as {top['quant']}" in text
    assert f"about {top['tokens_per_second']:.0f} tokens per second per stream" in text


def test_one_stream_stays_llama_cpp_without_a_second_block() -> None:
    from conftest import run

    data = run("recommend", "--gpu", "h100-sxm", "--format", "json", "--top", "3").json()
    for pick in data["ranking"]:
        assert pick["runtime"] == "llama.cpp" and pick["llama_cpp"] is None
        assert pick["serving"] is None and pick["aggregate_tokens_per_second"] is None
        assert pick["tokens_per_second"] == pick["speed"]["decode_tokens_per_second"]["expected"]


def test_compare_shows_the_figures_recommend_headlines() -> None:
    from conftest import run

    top = run(*VLLM, "--format", "json", "--top", "1").json()["ranking"][0]
    model = top["model"]  # the top pick, whichever it is
    other = "llama-3.1-8b-instruct"
    flags = VLLM[1:]
    data = run("compare", model, other, *flags, "--format", "json").json()
    rows = {r["field"]: r["values"] for r in data["rows"]}
    assert rows["runtime (assumed)"][model] == "vllm"
    assert rows["vLLM format"][model] == top["quant"]
    assert rows["vLLM tok/s per stream"][model] == top["tokens_per_second"]
    assert rows["vLLM tok/s, 32 streams"][model] == top["aggregate_tokens_per_second"]
    gib = round(top["memory"]["total_bytes"] / 2**30, 1)
    assert rows["vLLM memory per card (GiB)"][model] == gib
    one = run("compare", model, other, "--gpu", "h100-sxm", "--format", "json").json()
    assert "runtime (assumed)" not in {r["field"] for r in one["rows"]}
