"""Time to first token at the user's prompt length (issue 19 §4): --prompt-tokens, and a
prompt that fills a long sized context; prefill slows as the prompt grows."""

from __future__ import annotations

ARGS = ("memory", "llama-3.1-8b-instruct", "-q", "q4_k_m", "--gpu", "4090", "-f", "json")


def test_prompt_tokens_sets_the_quoted_prompt(cli) -> None:
    short = cli(*ARGS).json()["speed"]
    long = cli(*ARGS, "--prompt-tokens", "8k").json()["speed"]
    assert short["time_to_first_token_seconds"]["prompt_tokens"] == 512
    assert long["time_to_first_token_seconds"]["prompt_tokens"] == 8192
    # attention over a longer prompt: fewer prompt tokens per second
    assert (
        long["prefill_tokens_per_second"]["expected"]
        < short["prefill_tokens_per_second"]["expected"]
    )
    assert (
        long["time_to_first_token_seconds"]["expected"]
        > 16 * short["time_to_first_token_seconds"]["expected"]
    )


def test_a_long_sized_context_also_quotes_a_prompt_that_fills_it(cli) -> None:
    at_4k = cli(*ARGS).json()["speed"]
    assert at_4k["time_to_first_token_at_context_seconds"] is None
    at_128k = cli(*ARGS, "--context", "128k").json()["speed"]
    full = at_128k["time_to_first_token_at_context_seconds"]
    assert full["prompt_tokens"] == 131072
    at_32k = cli(*ARGS, "--context", "32k").json()["speed"]
    quarter = at_32k["time_to_first_token_at_context_seconds"]["expected"]
    assert full["low"] <= full["expected"] <= full["high"]
    assert full["expected"] > 4 * quarter  # superlinear: attention grows with position


def test_bad_prompt_tokens_is_one_error_line(cli) -> None:
    out = cli(*ARGS, "--prompt-tokens", "lots")
    assert out.code != 0 and out.stderr.startswith("Error: --prompt-tokens")
