"""Checks on the numbers a user gives, shared by the library's constructors and the CLI: one
`InputError` line naming the option and what is accepted."""

from __future__ import annotations

import math

from llm_pick.errors import InputError

GIB = 1024**3
# Limits shared by --vram/--gpus/--ram and detection: larger is a typo or a broken tool.
MAX_GPUS = 64
MAX_GIB = 1024 * 1024  # 1 PiB
MAX_BANDWIDTH_GBS = 1e5
MAX_TOKENS = 16 * 1024 * 1024  # 16M tokens: beyond any catalog model
MAX_BATCH = 4096
MAX_LORA_RANK = 4096
MAX_UBATCH = 65536  # llama.cpp -ub: tokens per micro-batch
MAX_TOP = 100_000
MAX_BILLIONS = 1e6  # parameters, in billions: --min-params, --max-params


def count(option: str, value: int, maximum: int) -> int:
    """A whole number in 1..maximum."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise InputError(f"{option}: must be between 1 and {maximum}, got {value}")
    return value


def finite(
    option: str, value: float | None, *, maximum: float, allow_zero: bool = False
) -> float | None:
    """A finite number above 0 (or 0 itself with `allow_zero`) and at most `maximum`."""
    if value is None:
        return None
    if not math.isfinite(value):
        raise InputError(f"{option}: must be a finite number, got {value}")
    if value < 0 or (value == 0 and not allow_zero):
        raise InputError(f"{option}: must be greater than 0, got {value:g}")
    if value > maximum:
        raise InputError(f"{option}: {value:g} is implausibly large (max {maximum:g})")
    return value


def token_count(option: str, value: int | None) -> int | None:
    """A positive whole number of tokens, at most MAX_TOKENS."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InputError(f"{option}: {value!r} is not a positive whole number of tokens")
    if value > MAX_TOKENS:
        raise InputError(f"{option}: {value} tokens is beyond any model (max {MAX_TOKENS:,})")
    return value
