"""Option strings -> typed values, handed to the library's constructors (Constraints,
Hardware, Sizing, Query), which check them. Each bad value raises InputError with one line
that names the option and says what is accepted."""

from __future__ import annotations

import math
from collections.abc import Iterable
from importlib import import_module
from typing import TYPE_CHECKING, Any, get_args

from llm_pick.errors import InputError
from llm_pick.estimate.limits import MAX_BILLIONS, MAX_GIB, MAX_TOKENS, finite

if TYPE_CHECKING:
    from llm_pick.estimate.hardware import Hardware
    from llm_pick.estimate.sizing import Sizing
    from llm_pick.ranking.query import Query
    from llm_pick.scoring.constraints import Constraints

_PREFIX = {"": 1, "k": 1024, "m": 1024 * 1024}


def numeric_options(command: Any) -> frozenset[str]:
    """Every option of every command that takes a number, read from the declarations: a
    number type (int, float), or a metavar that names an amount (cli/options.py,
    NUMERIC_METAVARS). A new option cannot be left out of the ASCII-digit check."""
    from llm_pick.cli.options import NUMERIC_METAVARS

    found: set[str] = set()
    for param in getattr(command, "params", ()):
        numeric = param.type.name in ("int", "float", "integer", "integer range", "float range")
        if numeric or getattr(param, "metavar", None) in NUMERIC_METAVARS:
            found.update(name for name in param.opts if name.startswith("--"))
    for sub in getattr(command, "commands", {}).values():
        found |= numeric_options(sub)
    return frozenset(found)


def ascii_numbers(argv: list[str], command: Any) -> None:
    """Numbers are written with ASCII digits: Python would read '--vram ٣٢' as 32."""
    numeric = numeric_options(command)
    for index, arg in enumerate(argv):
        option, _, value = arg.partition("=")
        if option not in numeric:
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


def billions(option: str, value: float | None) -> float | None:
    return finite(option, value, maximum=MAX_BILLIONS, allow_zero=True)


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


def kv_dtype_of(value: str | None, option: str = "--kv-dtype", fp8: bool = False) -> str:
    from llm_pick.estimate.memory import KV_DTYPES

    if value is None:
        return "fp16"
    key = value.strip().lower().replace("f16", "fp16").replace("fpfp16", "fp16")
    if key not in KV_DTYPES and not (fp8 and key == "fp8"):  # fp8: vLLM's, recommend/explain
        vllm = "; fp8 is vLLM's FP8 KV cache (recommend, explain); llama.cpp's 8-bit is q8_0"
        raise InputError(f"{option}: {value!r} is not one of {', '.join(KV_DTYPES)}" + vllm)
    return key


def training_mode(value: str) -> Any:
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
    context: str | None,
    batch: int,
    kv_dtype: str | None,
    flash_attn: str,
    v_dtype: str | None = None,
    ubatch: int = 512,
    prompt_tokens: str | None = None,
) -> Sizing:
    """--context, --batch, --kv-dtype, --flash-attn, --v-dtype and --ubatch as one `Sizing`
    (checked there)."""
    from llm_pick.estimate.memory import DEFAULT_CONTEXT
    from llm_pick.estimate.sizing import REPLY_TOKENS, Sizing

    kv, fa = kv_dtype_of(kv_dtype), flash(flash_attn)
    values = None if v_dtype is None else kv_dtype_of(v_dtype, "--v-dtype")
    asked, prompt = tokens("--context", context), tokens("--prompt-tokens", prompt_tokens)
    if asked is None and prompt is not None and prompt + REPLY_TOKENS > DEFAULT_CONTEXT:
        asked = prompt + REPLY_TOKENS  # the cache holds the prompt the user sends and a reply
    if asked is not None and prompt is not None and prompt > asked:
        raise InputError(
            f"--prompt-tokens {prompt} is longer than --context {asked}: the prompt must fit "
            "in the context (raise --context or shorten the prompt)"
        )
    if asked is not None and prompt is not None and prompt == asked:
        raise InputError(
            f"--prompt-tokens {prompt} fills --context {asked}: no token is left for the reply "
            "(llama-server refuses such a request); raise --context"
        )
    return Sizing(
        context=asked,
        batch=batch,
        kv_dtype=kv,
        flash_attn=fa,
        v_dtype=values,
        ubatch=ubatch,
        prompt_tokens=prompt,
    )


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
    needs: list[str] | None = None,
) -> Constraints:
    """The hard constraints shared by list, recommend and explain."""
    from llm_pick.scoring.constraints import Constraints

    low, high = billions("--min-params", min_params), billions("--max-params", max_params)
    if low is not None and high is not None and low > high:
        raise InputError(f"--min-params {low:g} is above --max-params {high:g}")
    from llm_pick.catalog.types import NEEDS, Variant

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
        needs=choices("--needs", needs, NEEDS),
    )


def _preset(gpu: str, gpus: int | None, vram: str | None) -> Hardware:
    """--gpu NAME (and --gpus, --vram): the preset's cards; a name with several memory
    variants is said first (cli/names.py)."""
    from llm_pick.cli.amounts import PENDING
    from llm_pick.cli.names import gpu_pick_note
    from llm_pick.estimate.hardware import Hardware

    machine = Hardware.from_gpu(
        gpu, 1 if gpus is None else gpus, None if vram is None else gib("--vram", vram)
    )
    picked = gpu_pick_note(gpu, machine.gpu)
    if picked and vram is None:
        PENDING.insert(0, picked)
    return machine


def hardware(
    *,
    vram: str | None = None,
    gpu: str | list[str] | None = None,
    gpus: int | None = None,
    ram: str | float | None = None,
    ram_bandwidth: float | None = None,
    headroom: float | None = None,
    cpu: str | None = None,
    bandwidth: float | None = None,
    threads: int | None = None,
    split_mode: str | None = None,
) -> Hardware | None:
    """Hardware from the CLI options (the library's constructors check the values); None
    when no memory limit was given. --gpu with --vram: the card's bandwidth and FLOPS with
    the given memory; --bandwidth overrides the card's memory bandwidth."""
    from llm_pick.estimate.hardware import Hardware
    from llm_pick.estimate.splitmode import check_split_mode

    check_split_mode(split_mode)  # layer only: row is refused with the reason
    ram_gib = ram_amount(ram)
    if isinstance(gpu, list) and len(gpu) == 1:
        gpu = gpu[0]
    if isinstance(gpu, list) and gpu:
        if gpus is not None or vram is not None:
            raise InputError("several --gpu: one per card, without --gpus or --vram")
        machine = Hardware.from_gpus(gpu)
    elif isinstance(gpu, str):
        machine = _preset(gpu, gpus, vram)
    elif vram is not None and vram.strip().lower() == "auto":
        machine = Hardware.detect(gpus)
    elif vram is not None:
        memory = gib("--vram", vram, "a number of GiB (or 'auto')")
        if memory == 0:
            if gpus is not None and ram_gib:
                raise InputError("--vram 0 (CPU only) and --gpus conflict")
            if bandwidth is not None:
                raise InputError("--bandwidth is a GPU's; with --vram 0 use --ram-bandwidth")
            machine = Hardware.cpu_only(ram_gib, ram_bandwidth, cpu).with_threads(threads)
            return machine.with_headroom(headroom)
        machine = Hardware.from_vram(memory, 1 if gpus is None else gpus)
    elif gpus is not None:
        raise InputError("--gpus needs --gpu NAME or --vram GiB")
    elif ram_gib:
        raise InputError("--ram (CPU offload) needs --vram or --gpu for the GPU part")
    else:  # nothing to size against; the other values are still checked
        Hardware.from_vram(1.0).with_ram(0.0, ram_bandwidth, cpu).with_bandwidth(bandwidth)
        Hardware.from_vram(1.0).with_threads(threads)
        finite("--headroom", headroom, maximum=MAX_GIB, allow_zero=True)
        return None
    machine = machine.with_bandwidth(bandwidth)
    from llm_pick.cli.stored_calibration import with_user_calibration

    machine = with_user_calibration(machine)
    machine = machine.with_ram(ram_gib, ram_bandwidth, cpu).with_threads(threads)
    return machine.with_headroom(headroom)


def gib(option: str, text: str, what: str = "a number of GiB") -> float:
    """A GiB amount written with ASCII digits (non-negative; the constructors check more)."""
    from llm_pick.cli.amounts import gib_noted

    return gib_noted(option, text, what)


def ram_amount(ram: str | float | None) -> float:
    """--ram GiB, or 'auto': the RAM available now (/proc/meminfo MemAvailable, or sysctl)."""
    if ram is None:
        return 0.0
    if isinstance(ram, str) and ram.strip().lower() == "auto":
        from llm_pick.estimate.detect import detect_ram
        from llm_pick.estimate.hardware import GIB

        return detect_ram().usable_bytes / GIB
    return gib("--ram", str(ram), "a number of GiB (or 'auto')")


def build_query(
    *,
    vram: str | None,
    gpu: str | list[str] | None,
    gpus: int | None,
    ram: str | float | None,
    ram_bandwidth: float | None,
    headroom: float | None,
    quant: str | None,
    cpu: str | None = None,
    bandwidth: float | None = None,
    threads: int | None = None,
    split_mode: str | None = None,
    min_bits: float | None,
    context: str | None,
    batch: int,
    kv_dtype: str | None,
    flash_attn: str,
    profile: str,
    v_dtype: str | None = None,
    ubatch: int = 512,
    prompt_tokens: str | None = None,
    weight: list[str] | None,
    top: int,
    runtime: str | None = None,
    **wanted: Any,
) -> Query:
    """Every recommend/explain option as a Query (checked there; InputError if bad)."""
    from llm_pick.ranking.query import Query
    from llm_pick.scoring.profiles import get_profile, resolve_weights

    asked = kv_dtype_of(kv_dtype, fp8=True) if kv_dtype else ""  # fp8: vLLM's, not llama.cpp's
    serve_kv = {"fp8": "fp8", "fp16": "bf16"}.get(asked)  # fp16: 16-bit, no FP8 fallback
    kv_dtype = None if serve_kv == "fp8" else kv_dtype
    sized = sizing(context, batch, kv_dtype, flash_attn, v_dtype, ubatch, prompt_tokens)
    chosen = get_profile(profile)
    machine = hardware(
        vram=vram,
        gpu=gpu,
        gpus=gpus,
        ram=ram,
        ram_bandwidth=ram_bandwidth,
        headroom=headroom,
        cpu=cpu,
        bandwidth=bandwidth,
        threads=threads,
        split_mode=split_mode,
    )
    query = Query(
        constraints=constraints(**wanted),
        hardware=machine,
        sizing=sized,
        kv_fixed=kv_dtype is not None or v_dtype is not None or serve_kv is not None,
        quant=quant,
        min_bits=min_bits,
        profile=chosen,
        weights=resolve_weights(chosen, weight),
        top=top,
        runtime=runtime,
        serve_kv=serve_kv,
    )
    if serve_kv == "fp8":  # refused where vLLM is not assumed (ranking/serve.py)
        import_module("llm_pick.ranking.serve").check_fp8_kv(query)
    if query.min_bits is not None and not query.candidates():
        raise InputError(
            f"--min-bits {query.min_bits:g}: no format has that many bits per weight "
            "(the widest llm-pick sizes is fp16, 16 bits)"
        )
    return query
