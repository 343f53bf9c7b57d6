"""A quantized KV cache is taken with the weights only where it matters: the fp16 cache does
not fit, is placed worse (layers in RAM), falls under the usable speed, or decodes at least
KV_GAIN slower (ranking/choice.py). A q8_0 cache 0.1% faster at 2K on a 192 GB Mac is no
reason to quantize it."""

from __future__ import annotations

import json

import pytest
from conftest import run

from llm_pick.ranking.choice import KV_GAIN, USABLE_TPS


def _explain(*args: str) -> dict[str, object]:
    result = run("explain", *args, "-f", "json")
    assert result.code == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_an_idle_quantized_cache_is_not_taken_and_the_reason_says_why() -> None:
    data = _explain("falcon-180b-chat", "--gpu", "m2-ultra-192")
    chosen = next(f for f in data["formats"] if f["chosen"])  # type: ignore[union-attr]
    assert chosen["kv_dtype"] == "fp16"
    assert "--cache-type-k" not in data["run"][0]["command"]  # type: ignore[index]
    assert any(r.startswith("an fp16 KV cache: ") for r in data["reasons"])  # type: ignore[union-attr]


CASES = [
    ("llama-3.3-70b-instruct", "--gpu", "3090", "--gpus", "2", "--context", "32k"),
    ("llama-3.1-405b-instruct", "--gpu", "m3-ultra-512gb", "--prompt-tokens", "8k"),
    ("llama-3.1-70b-instruct", "--gpu", "m2-ultra-192", "--context", "128k"),
    ("mistral-small-3.2-24b-instruct-2506", "--gpu", "4090", "--context", "64k"),
    ("falcon-180b-chat", "--gpu", "m2-ultra-192"),
    ("mixtral-8x22b-instruct", "--gpu", "a100-80gb-sxm", "--gpus", "2", "--context", "64k"),
]


@pytest.mark.parametrize("args", CASES, ids=[c[0] + "-" + c[2] for c in CASES])
def test_a_chosen_quantized_cache_changes_something_that_matters(args: tuple[str, ...]) -> None:
    data = _explain(*args)
    formats = data["formats"]
    chosen = next(f for f in formats if f["chosen"])  # type: ignore[union-attr]
    if chosen["kv_dtype"] == "fp16":
        return
    twin = next(
        (f for f in formats if f["quant"] == chosen["quant"] and f["kv_dtype"] == "fp16"),  # type: ignore[union-attr]
        None,
    )
    if twin is None or twin["fit"] != chosen["fit"]:
        return  # the fp16 cache does not fit, or is placed worse
    mine, theirs = chosen["tokens_per_second"], twin["tokens_per_second"]
    assert (mine >= USABLE_TPS > theirs) or mine >= theirs * KV_GAIN - 0.05, (chosen, twin)


def test_the_issue_example_still_lowers_the_cache_before_the_weights() -> None:
    """Issue 19 §2: on 2 x 3090 at 32K, Llama 3.3 70B Q4_K_M with a q8_0 cache rather than a
    3-bit format with fp16."""
    data = _explain(*CASES[0])
    chosen = next(f for f in data["formats"] if f["chosen"])  # type: ignore[union-attr]
    assert chosen["kv_dtype"] == "q8_0" and chosen["quant"].startswith(("q4", "iq4"))
