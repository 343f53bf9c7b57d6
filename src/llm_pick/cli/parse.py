"""Checks and conversions of user-given option values. Each bad value raises InputError
with one line that names the option and says what is accepted."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, get_args

from llm_pick.catalog.types import Family, Variant
from llm_pick.errors import InputError
from llm_pick.scoring.constraints import parse_tokens

MAX_TOKENS = 16 * 1024 * 1024  # 16M tokens: beyond any catalog model
MAX_BATCH = 4096
MAX_GIB = 1024 * 1024  # 1 PiB of memory: larger is a typo


def tokens(option: str, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        count = parse_tokens(value)
    except ValueError as error:
        raise InputError(f"{option}: {error}") from None
    if count > MAX_TOKENS:
        raise InputError(f"{option}: {value} tokens is beyond any model (max {MAX_TOKENS:,})")
    return count


def count(option: str, value: int | None, maximum: int) -> int | None:
    if value is None:
        return None
    if not 1 <= value <= maximum:
        raise InputError(f"{option}: must be between 1 and {maximum}, got {value}")
    return value


def finite(
    option: str, value: float | None, *, maximum: float, allow_zero: bool = False
) -> float | None:
    if value is None:
        return None
    if not math.isfinite(value):
        raise InputError(f"{option}: must be a finite number, got {value}")
    if value < 0 or (value == 0 and not allow_zero):
        raise InputError(f"{option}: must be greater than 0, got {value:g}")
    if value > maximum:
        raise InputError(f"{option}: {value:g} is implausibly large (max {maximum:g})")
    return value


def gib(option: str, value: float | None) -> float | None:
    return finite(option, value, maximum=MAX_GIB)


def billions(option: str, value: float | None) -> float | None:
    return finite(option, value, maximum=1e6, allow_zero=True)


def languages(values: Iterable[str] | None) -> tuple[str, ...]:
    out = []
    for value in values or ():
        for code in value.split(","):
            code = code.strip().lower()
            if not (code.isascii() and code.isalpha() and 2 <= len(code) <= 3):
                raise InputError(f"--lang: {code!r} is not an ISO 639 code such as en, de, zh")
            out.append(code)
    return tuple(dict.fromkeys(out))


def choices(option: str, values: Iterable[str] | None, valid: Iterable[str]) -> tuple[str, ...]:
    valid = tuple(valid)
    out = []
    for value in values or ():
        for item in value.split(","):
            item = item.strip().lower()
            if item not in valid:
                raise InputError(f"{option}: {item!r} is not one of {', '.join(valid)}")
            out.append(item)
    return tuple(dict.fromkeys(out))


def families(values: Iterable[str] | None) -> tuple[str, ...]:
    return choices("--family", values, get_args(Family))


def variants(values: Iterable[str] | None) -> tuple[str, ...]:
    return choices("--variant", values, get_args(Variant))


def sizing(context: str | None, batch: int, kv_dtype: str) -> dict[str, Any]:
    """--context, --batch and --kv-dtype checked, as estimate keyword arguments."""
    return {
        "context": tokens("--context", context),
        "batch": count("--batch", batch, MAX_BATCH) or 1,
        "kv_dtype": kv_dtype_of(kv_dtype),
    }


def kv_dtype_of(value: str) -> str:
    from llm_pick.estimate.memory import KV_DTYPES

    key = value.strip().lower().replace("f16", "fp16").replace("fpfp16", "fp16")
    if key not in KV_DTYPES:
        raise InputError(f"--kv-dtype: {value!r} is not one of {', '.join(KV_DTYPES)}")
    return key


def mode(value: str) -> Any:
    from llm_pick.estimate.memory import MODES

    key = value.strip().lower()
    if key not in MODES:
        raise InputError(f"--mode: {value!r} is not one of {', '.join(MODES)}")
    return key


def build_query(
    *,
    vram: str | None,
    gpu: str | None,
    gpus: int | None,
    ram: float | None,
    ram_bandwidth: float | None,
    commercial: bool,
    unconditional: bool,
    min_context: str | None,
    lang: list[str] | None,
    min_params: float | None,
    max_params: float | None,
    license_ids: list[str] | None,
    family: list[str] | None,
    exclude: list[str] | None,
    quant: str | None,
    min_bits: float | None,
    context: str | None,
    batch: int,
    kv_dtype: str,
    profile: str,
    weight: list[str] | None,
    top: int,
) -> Any:
    """Check every recommend/explain/compare option and build the Query (InputError if bad)."""
    from llm_pick.estimate.hardware import resolve
    from llm_pick.estimate.quant import get_quant
    from llm_pick.ranking import Query
    from llm_pick.scoring.constraints import Constraints
    from llm_pick.scoring.profiles import get_profile, resolve_weights

    kv_type = kv_dtype_of(kv_dtype)
    if quant is not None:
        forced = get_quant(quant)
        if kv_type != "fp16" and forced.family != "gguf":
            raise InputError(f"--kv-dtype {kv_type} is a llama.cpp option: use a GGUF --quant")
        quant = forced.name
    bits = finite("--min-bits", min_bits, maximum=32)
    low, high = billions("--min-params", min_params), billions("--max-params", max_params)
    if low is not None and high is not None and low > high:
        raise InputError(f"--min-params {low:g} is above --max-params {high:g}")
    chosen = get_profile(profile)
    return Query(
        constraints=Constraints(
            commercial=commercial,
            unconditional=unconditional,
            min_context=tokens("--min-context", min_context),
            languages=languages(lang),
            min_params=low,
            max_params=high,
            licenses=tuple(dict.fromkeys(x.strip().lower() for x in license_ids or ())),
            families=families(family),
            exclude=tuple(dict.fromkeys(x.strip().lower() for x in exclude or ())),
        ),
        hardware=resolve(vram=vram, gpu=gpu, gpus=gpus, ram=ram, ram_bandwidth=ram_bandwidth),
        context=tokens("--context", context),
        batch=count("--batch", batch, MAX_BATCH) or 1,
        kv_dtype=kv_type,
        quant=quant,
        min_bits=bits,
        profile=chosen,
        weights=resolve_weights(chosen, weight),
        top=count("--top", top, 100_000) or 10,
    )
