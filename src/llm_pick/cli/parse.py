"""Option strings -> typed values (Constraints, Hardware, Query). Each bad value raises
InputError with one line that names the option and says what is accepted."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, get_args

from llm_pick.errors import InputError
from llm_pick.estimate.hardware import MAX_GIB, MAX_GPUS

if TYPE_CHECKING:
    from llm_pick.estimate.hardware import Hardware
    from llm_pick.ranking import Query
    from llm_pick.scoring.constraints import Constraints

MAX_TOKENS = 16 * 1024 * 1024  # 16M tokens: beyond any catalog model
MAX_BATCH = 4096
_PREFIX = {"": 1, "k": 1024, "m": 1024 * 1024}


NUMERIC_OPTIONS = (
    "--vram",
    "--gpus",
    "--ram",
    "--ram-bandwidth",
    "--context",
    "--batch",
    "--min-context",
    "--min-params",
    "--max-params",
    "--min-bits",
    "--top",
    "--lora-rank",
)


def ascii_numbers(argv: list[str]) -> None:
    """Numbers are written with ASCII digits: Python would read '--vram ٣٢' as 32."""
    for index, arg in enumerate(argv):
        option, _, value = arg.partition("=")
        if option not in NUMERIC_OPTIONS:
            continue
        if not _:
            value = argv[index + 1] if index + 1 < len(argv) else ""
        if not value.isascii():
            raise InputError(f"{option}: {value!r} is not a number: write digits as 0-9")


def parse_tokens(text: str) -> int:
    """'32k' -> 32768, '128K' -> 131072, '4096' -> 4096 (k = 1024 tokens, m = 1024**2)."""
    value = text.strip().lower().replace("_", "")
    suffix = value[-1:] if value[-1:] in ("k", "m") else ""
    number = value[: len(value) - len(suffix)]
    try:
        if not number.isascii() or len(number) > 40:
            raise ValueError
        amount = float(number) if "." in number or "e" in number else int(number)
    except ValueError:
        raise ValueError(f"{text!r} is not a token count (e.g. 4096, 32k)") from None
    if not math.isfinite(amount):
        raise ValueError(f"{text!r} is not a finite number of tokens")
    if amount * _PREFIX[suffix] > MAX_TOKENS:
        raise ValueError(f"{text} tokens is beyond any model (max {MAX_TOKENS:,})")
    tokens = int(amount * _PREFIX[suffix])
    if tokens != amount * _PREFIX[suffix] or tokens <= 0:
        raise ValueError(f"{text!r} is not a positive whole number of tokens")
    return tokens


def tokens(option: str, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        number = parse_tokens(value)
    except ValueError as error:
        raise InputError(f"{option}: {error}") from None
    if number > MAX_TOKENS:
        raise InputError(f"{option}: {value} tokens is beyond any model (max {MAX_TOKENS:,})")
    return number


def count(option: str, value: int, maximum: int) -> int:
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


def family_ids(values: Iterable[str] | None) -> tuple[str, ...]:
    """--family: any family id (lowercase letters, digits, dots, dashes); catalogs are open."""
    import re

    from llm_pick.catalog.types import FAMILY_PATTERN

    out = []
    for value in values or ():
        for item in value.split(","):
            item = item.strip().lower()
            if not re.fullmatch(FAMILY_PATTERN, item):
                raise InputError(f"--family: {item!r} is not a family id such as llama or qwen")
            out.append(item)
    return tuple(dict.fromkeys(out))


def ids(values: Iterable[str] | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(x.strip().lower() for x in values or ()))


def kv_dtype_of(value: str | None) -> str:
    from llm_pick.estimate.memory import KV_DTYPES

    if value is None:
        return "fp16"
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


def flash(value: str) -> bool:
    key = value.strip().lower()
    if key not in ("on", "off"):
        raise InputError(f"--flash-attn: {value!r} is not on or off")
    return key == "on"


def sizing(
    context: str | None, batch: int, kv_dtype: str | None, flash_attn: str
) -> dict[str, Any]:
    """--context, --batch, --kv-dtype and --flash-attn checked, as estimate keyword arguments."""
    kv, fa = kv_dtype_of(kv_dtype), flash(flash_attn)
    if kv != "fp16" and not fa:
        raise InputError(
            f"--kv-dtype {kv} needs flash attention (llama.cpp refuses a quantized V cache "
            "without it): drop --flash-attn off"
        )
    return {
        "context": tokens("--context", context),
        "batch": count("--batch", batch, MAX_BATCH),
        "kv_dtype": kv,
        "flash_attn": fa,
    }


def constraints(
    *,
    commercial: bool = False,
    unconditional: bool = False,
    min_context: str | None = None,
    lang: list[str] | None = None,
    min_params: float | None = None,
    max_params: float | None = None,
    license_ids: list[str] | None = None,
    family: list[str] | None = None,
    variant: list[str] | None = None,
    exclude: list[str] | None = None,
) -> Constraints:
    """The hard constraints shared by list, recommend and explain."""
    from llm_pick.scoring.constraints import Constraints

    low, high = billions("--min-params", min_params), billions("--max-params", max_params)
    if low is not None and high is not None and low > high:
        raise InputError(f"--min-params {low:g} is above --max-params {high:g}")
    from llm_pick.catalog.types import Variant

    return Constraints(
        commercial=commercial,
        unconditional=unconditional,
        min_context=tokens("--min-context", min_context),
        languages=languages(lang),
        min_params=low,
        max_params=high,
        licenses=ids(license_ids),
        families=family_ids(family),
        variants=choices("--variant", variant, get_args(Variant)),
        exclude=ids(exclude),
    )


def hardware(
    *,
    vram: str | None = None,
    gpu: str | None = None,
    gpus: int | None = None,
    ram: str | float | None = None,
    ram_bandwidth: float | None = None,
    headroom: float | None = None,
    cpu: str | None = None,
) -> Hardware | None:
    """Hardware from the CLI options; None when no memory limit was given. --gpu with --vram:
    the card's bandwidth and FLOPS with the given memory (e.g. an Apple chip whose GPU limit
    was raised with `sysctl iogpu.wired_limit_mb`)."""
    from llm_pick.estimate.hardware import DEFAULT_RAM_BANDWIDTH_GBS, Hardware

    cards = 1 if gpus is None else count("--gpus", gpus, MAX_GPUS)
    ram_gib = ram_amount(ram)
    ram_bw = finite("--ram-bandwidth", ram_bandwidth, maximum=1e5) or DEFAULT_RAM_BANDWIDTH_GBS
    if cpu is not None:
        from llm_pick.catalog.gpus import find_cpu

        if ram_bandwidth is not None:
            raise InputError("--cpu and --ram-bandwidth conflict: --cpu sets the bandwidth")
        ram_bw = find_cpu(cpu).memory_bandwidth_gbs
    spare = finite("--headroom", headroom, maximum=MAX_GIB, allow_zero=True)
    common: dict[str, Any] = {
        "ram_gib": ram_gib,
        "ram_bandwidth_gbs": ram_bw,
        "headroom_gib": spare,
    }
    if gpu is not None:
        from llm_pick.catalog.gpus import find_gpu

        card = find_gpu(gpu)
        memory, source = card.usable_gib, f"--gpu {card.id} (data/gpus.yaml)"
        if vram is not None:
            try:
                memory = finite("--vram", float(vram), maximum=MAX_GIB) or 0.0
            except ValueError:
                raise InputError(f"--vram: {vram!r} is not a number of GiB") from None
            source += f", --vram {memory:g} GiB usable"
        return Hardware(
            label=card.name if cards == 1 else f"{cards} x {card.name}",
            vram_gib=memory,
            gpus=cards,
            gpu=card,
            bandwidth_gbs=card.memory_bandwidth_gbs,
            fp16_tflops=card.fp16_tflops,
            source=source,
            **common,
        )
    if vram is not None and vram.strip().lower() == "auto":
        from llm_pick.estimate.detect import detect_gpus

        found = detect_gpus()
        count_ = gpus or len(found.cards)
        preset = found.gpu
        return Hardware(
            label=f"{count_} x {found.name}" if count_ > 1 else found.name,
            vram_gib=found.usable_gib,
            gpus=count_,
            gpu=preset,
            bandwidth_gbs=preset.memory_bandwidth_gbs if preset else None,
            fp16_tflops=preset.fp16_tflops if preset else None,
            source=found.tool,
            **common,
        )
    if vram is not None:
        try:
            if not vram.isascii():
                raise ValueError
            value = float(vram)
        except ValueError:
            raise InputError(f"--vram: {vram!r} is not a number of GiB (or 'auto')") from None
        gib = finite("--vram", value, maximum=MAX_GIB, allow_zero=True) or 0.0
        if gib == 0:
            if not ram_gib:
                raise InputError("--vram 0 (CPU only) needs --ram GiB: the model runs from RAM")
            if gpus is not None:
                raise InputError("--vram 0 (CPU only) and --gpus conflict")
            label = f"CPU only, {ram_gib:g} GiB RAM"
            return Hardware(label=label, vram_gib=0.0, source="--vram 0", **common)
        if spare is not None and spare >= gib:
            raise InputError(f"--headroom {spare:g} GiB leaves nothing of --vram {gib:g}")
        label = f"{gib:g} GiB GPU" if cards == 1 else f"{cards} GPUs x {gib:g} GiB"
        return Hardware(label=label, vram_gib=gib, gpus=cards, source="--vram", **common)
    if gpus is not None:
        raise InputError("--gpus needs --gpu NAME or --vram GiB")
    if ram_gib:
        raise InputError("--ram (CPU offload) needs --vram or --gpu for the GPU part")
    return None


def ram_amount(ram: str | float | None) -> float:
    """--ram GiB, or 'auto': the RAM available now (/proc/meminfo MemAvailable, or sysctl)."""
    if ram is None:
        return 0.0
    if isinstance(ram, str) and ram.strip().lower() == "auto":
        from llm_pick.estimate.detect import detect_ram
        from llm_pick.estimate.hardware import GIB

        return detect_ram().usable_bytes / GIB
    try:
        value = float(ram) if str(ram).strip().isascii() else math.nan
    except ValueError:
        raise InputError(f"--ram: {ram!r} is not a number of GiB (or 'auto')") from None
    return finite("--ram", value, maximum=MAX_GIB, allow_zero=True) or 0.0


def build_query(
    *,
    vram: str | None,
    gpu: str | None,
    gpus: int | None,
    ram: str | float | None,
    ram_bandwidth: float | None,
    headroom: float | None,
    quant: str | None,
    cpu: str | None = None,
    min_bits: float | None,
    context: str | None,
    batch: int,
    kv_dtype: str | None,
    flash_attn: str,
    profile: str,
    weight: list[str] | None,
    top: int,
    **wanted: Any,
) -> Query:
    """Check every recommend/explain option and build the Query (InputError if bad)."""
    from llm_pick.estimate.quant import get_quant
    from llm_pick.ranking import Query
    from llm_pick.scoring.profiles import get_profile, resolve_weights

    sized = sizing(context, batch, kv_dtype, flash_attn)
    kv_type = sized["kv_dtype"]
    if quant is not None:
        forced = get_quant(quant)
        if kv_type != "fp16" and forced.family != "gguf":
            raise InputError(f"--kv-dtype {kv_type} is a llama.cpp option: use a GGUF --quant")
        quant = forced.name
    chosen = get_profile(profile)
    machine = hardware(
        vram=vram,
        gpu=gpu,
        gpus=gpus,
        ram=ram,
        ram_bandwidth=ram_bandwidth,
        headroom=headroom,
        cpu=cpu,
    )
    query = Query(
        constraints=constraints(**wanted),
        hardware=machine,
        context=sized["context"],
        batch=sized["batch"],
        kv_dtype=kv_type,
        flash_attn=sized["flash_attn"],
        kv_fixed=kv_dtype is not None,
        quant=quant,
        min_bits=finite("--min-bits", min_bits, maximum=32),
        profile=chosen,
        weights=resolve_weights(chosen, weight),
        top=count("--top", top, 100_000),
    )
    if query.min_bits is not None and not query.candidates():
        raise InputError(
            f"--min-bits {query.min_bits:g}: no format has that many bits per weight "
            "(the widest llm-pick sizes is fp16, 16 bits)"
        )
    return query
