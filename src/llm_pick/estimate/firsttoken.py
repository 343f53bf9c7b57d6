"""The time to first token of the prompt the user asked for (--prompt-tokens), said in words:
a prompt longer than the default quoted one (512 tokens) was asked for, so the answer says how
long it waits before the first token, from the same prefill estimate as the JSON's
`time_to_first_token_seconds` (estimate/speed.py). No threshold of "too slow" is applied: the
figure is said, and the user judges it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from llm_pick.estimate.speed import DEFAULT_PROMPT_TOKENS, Speed

MINUTE, HOUR = 60.0, 3600.0


def duration(seconds: float, unit: float | None = None) -> str:
    """Seconds in the unit that reads best (s under 100 s, min under 100 min, else h), or in
    `unit` (to say a range in one unit)."""
    unit = unit or _unit(seconds)
    value = seconds / unit
    figure = f"{value:.0f}" if value >= 10 else f"{value:.1f}"
    return f"{figure} {'s' if unit == 1.0 else 'min' if unit == MINUTE else 'h'}"


def _unit(seconds: float) -> float:
    return 1.0 if seconds < 100 else MINUTE if seconds < 100 * MINUTE else HOUR


def first_token_said(speed: Speed | None) -> str | None:
    """'first token after ~N min (low-high) for the P-token prompt asked ...' when the asked
    prompt is longer than the default and a prefill rate is estimated; else None."""
    if speed is None or speed.prompt_tokens <= DEFAULT_PROMPT_TOKENS:
        return None
    ttft = speed.as_dict()["time_to_first_token_seconds"]
    return said(ttft if isinstance(ttft, dict) else None, speed.prefill_expected)


def said(ttft: Mapping[str, Any] | None, rate: float | None) -> str | None:
    """The words for a `time_to_first_token_seconds` record (JSON) of a prompt longer than the
    default, with the mean prefill rate over it; None for the default prompt or no record."""
    if not ttft or not rate or ttft["prompt_tokens"] <= DEFAULT_PROMPT_TOKENS:
        return None
    tokens, expected = ttft["prompt_tokens"], ttft["expected"]
    unit = _unit(expected)
    span = f"{duration(ttft['low'], unit).split()[0]}-{duration(ttft['high'], unit)}"
    return (
        f"first token after ~{duration(expected, unit)} ({span}) for the {tokens:,}-token "
        f"prompt asked: prefill ~{rate:,.0f} tokens/s over it (estimate)"
    )


def served_said(prompt: int | None, seconds: float, rate: float) -> str | None:
    """The same words for a vLLM serving plan (one figure, no range: estimate/serving.py
    times one request's prefill and first decode step); None unless a prompt longer than the
    default was asked for."""
    if not prompt or prompt <= DEFAULT_PROMPT_TOKENS:
        return None
    return (
        f"first token after ~{duration(seconds)} for the {prompt:,}-token prompt asked under "
        f"vLLM: prefill ~{rate:,.0f} tokens/s over it (estimate)"
    )


def sentence(words: str | None) -> str | None:
    """A reason as a sentence of its own (the summary, explain's text)."""
    return None if words is None else f"{words[0].upper()}{words[1:]}."
