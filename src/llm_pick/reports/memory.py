"""The `memory` command's report: estimates per quantization, with fit and speed when
hardware is given. Builds data, rows and a renderable; prints nothing."""

from __future__ import annotations

from typing import Any

from llm_pick.catalog.types import Model
from llm_pick.errors import InputError, LlmPickError
from llm_pick.estimate.assess import Assessment, assess_model, longest_context
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.memory import quants_for
from llm_pick.estimate.quant import QUANTS, get_quant
from llm_pick.estimate.sizing import Sizing
from llm_pick.reports.report import Report

COLUMNS = (
    "model",
    "quant",
    "context",
    "batch",
    "kv_dtype",
    "mode",
    "weights_bytes",
    "kv_cache_bytes",
    "overhead_bytes",
    "total_bytes",
    "fit",
    "gpu_layers",
    "decode_tps_low",
    "decode_tps_high",
    "max_context",
    "decode_tps_expected",
)


def row(result: Assessment) -> list[Any]:
    est, fit, speed = result.estimate, result.fit, result.speed
    return [
        est.model,
        est.quant,
        est.context,
        est.batch,
        est.kv_dtype,
        est.mode,
        est.weights_bytes,
        est.kv_cache_bytes,
        result.overhead_bytes,  # every card's
        result.total_bytes,
        fit.verdict if fit else None,
        fit.gpu_layers if fit else None,
        None if speed is None or speed.decode_low is None else round(speed.decode_low, 1),
        None if speed is None or speed.decode_high is None else round(speed.decode_high, 1),
    ]


def expected(result: Assessment) -> float | None:
    speed = result.speed
    return (
        None if speed is None or speed.decode_expected is None else round(speed.decode_expected, 1)
    )


def memory_report(
    model: Model, quant: str | None, sizing: Sizing, hardware: Hardware | None
) -> Report:
    """Every format of the mode (or the one asked for) at this sizing, on this hardware."""
    mode, kv_dtype = sizing.mode, sizing.kv_dtype
    _prompt_fits(model, sizing)
    quants = [get_quant(quant)] if quant else quants_for(mode, model)
    if quant is None and kv_dtype != "fp16":
        quants = [q for q in quants if q.family == "gguf"]
    results = [assess_model(model, q, sizing, hardware) for q in quants]
    hw = hardware.describe() if hardware else None
    longest: list[int | None] = [longest_context(model, r, hardware, sizing) for r in results]
    if quant:
        (result,) = results
        data: dict[str, Any] = result.as_dict() | {"hardware": hw, "max_context": longest[0]}

        def table() -> Any:
            from llm_pick.render.memory import breakdown

            return breakdown(model, result, hardware, longest[0])

    else:
        first = results[0].estimate
        data = {
            "model": model.id,
            "context": first.context,
            "batch": sizing.batch,
            "kv_dtype": kv_dtype,
            "mode": mode,
            "hardware": hw,
            "estimated": True,
            "assumptions": list(first.assumptions),
            "estimates": [
                r.as_dict() | {"quality": _quality(r), "max_context": n}
                for r, n in zip(results, longest, strict=True)
            ],
        }

        def table() -> Any:
            from llm_pick.render.memory import quant_table

            return quant_table(model, results, hardware, longest)

    data |= one_change(model, results, sizing, hardware)
    data |= _apple_training(sizing, hardware, [r.estimate.quant for r in results])
    data |= _served_note(sizing, hardware)
    if data.get("one_change"):
        shown, change = table, data["one_change"]

        def table() -> Any:
            from llm_pick.render.ownfile import change_line

            return change_line(shown(), change)

    if data.get("runtime_note"):
        plain, note = table, data["runtime_note"]

        def table() -> Any:
            from rich.console import Group

            from llm_pick.render.cells import text

            return Group(plain(), text(f"Note: {note}"))

    if model.effective_context:
        from llm_pick.reports.recommend import effective_context

        data |= effective_context(model)
    if model.runtimes is not None and model.runtimes.weight_diff is not None:
        from llm_pick.reports.run import weights_note

        data["weights_note"] = weights_note(model)  # the figures are for the recovered weights
        table = _with_note(table, f"Weights: {data['weights_note']}")
    rows = [[*row(r), n, expected(r)] for r, n in zip(results, longest, strict=True)]
    return Report(data=data, columns=COLUMNS, rows=rows, table=table)


def _quality(result: Assessment) -> dict[str, Any]:
    q = QUANTS[result.estimate.quant]
    return {"ppl_delta": q.ppl_delta, "source": q.quality_source}


def file_report(path: str, sizing: Sizing, hardware: Hardware | None) -> Report:
    """`memory PATH.gguf`: the file's exact weights, KV cache and buffers from its metadata,
    fit, speed and the longest context that fits, as for catalog models."""
    from llm_pick.catalog.ggufsplit import read_model_gguf
    from llm_pick.catalog.hub import is_hub, read_hub_gguf
    from llm_pick.estimate.modelfile import file_model

    gguf = read_hub_gguf(path) if is_hub(path) else read_model_gguf(path)
    found = file_model(gguf)
    model = found.model
    result = assess_model(found, found.quant, sizing, hardware)
    longest = longest_context(found, result, hardware)
    extra = _file_extras(path, gguf, found, result, hardware)
    data: dict[str, Any] = (
        result.as_dict()
        | {
            "hardware": hardware.describe() if hardware else None,
            "max_context": longest,
            "weights_exact": True,
            "file": {
                "path": path,
                "gguf_version": gguf.version,
                "architecture": gguf.architecture,
                "tensors": len(gguf.tensors),
                "parts": gguf.parts,
                "tensor_bytes": gguf.tensor_bytes,
                "parameters": model.parameters.total,
                "context_length": model.context_length,
                "metadata": found.facts,
            },
        }
        | extra
    )

    def table() -> Any:
        from llm_pick.render.memory import breakdown
        from llm_pick.render.ownfile import file_lines

        return file_lines(breakdown(model, result, hardware, longest), extra)

    return Report(data=data, columns=COLUMNS, rows=[[*row(result), longest]], table=table)


def _file_extras(
    path: str, gguf: Any, found: Any, result: Assessment, hardware: Hardware | None
) -> dict[str, Any]:
    """The catalog model the file copies (catalog/match.py), and the commands that run the
    file as it is (a local file: llama-server -m, an Ollama Modelfile FROM it)."""
    from llm_pick.catalog.ggufsplit import split_count, unsplit_name
    from llm_pick.estimate.copyof import original_of
    from llm_pick.reports.run import file_run, sized_from

    name = path.rsplit("/", 1)[-1]
    original = original_of(gguf, found, unsplit_name(name))
    out: dict[str, Any] = {"matches": original.id if original else None}
    if not path.startswith("hf:"):
        gpus = hardware.gpus if hardware else 1
        count = split_count(name)  # llama.cpp opens a split file by its first part
        first = _first_part(path, count) if count > 1 else path
        out["run"] = file_run(
            first, sized_from(found.model, result, gpus, result.estimate.batch), found.model.id
        )
    return out


def _prompt_fits(model: Model, sizing: Sizing) -> None:
    """A context --prompt-tokens set (the prompt and room for the reply) beyond the model's
    window: say so in the prompt's terms."""
    from llm_pick.estimate.sizing import REPLY_TOKENS

    prompt, window = sizing.prompt_tokens, model.context_length
    if not prompt or sizing.context != prompt + REPLY_TOKENS or sizing.context <= window:
        return
    room = f" or pass --context {window} ({window - prompt} tokens for the reply)"
    raise InputError(
        f"--prompt-tokens {prompt} and {REPLY_TOKENS} tokens for the reply need a "
        f"{sizing.context}-token context, over {model.id}'s documented {window}: shorten the "
        f"prompt{room if prompt < window else ''}"
    )


def _with_note(table: Any, note: str) -> Any:
    def noted() -> Any:
        from rich.console import Group

        from llm_pick.render.cells import text

        return Group(table(), text(note))

    return noted


def _first_part(path: str, count: int) -> str:
    from pathlib import Path

    from llm_pick.catalog.ggufsplit import part_path

    return str(part_path(Path(path), 1, count))


def one_change(
    model: Any, results: list[Assessment], sizing: Sizing, hardware: Hardware | None
) -> dict[str, Any]:
    """When no format fits: the one option that makes the smallest fit (ranking/deadend.py),
    checked by assessing it again with that option."""
    from llm_pick.estimate.formats import runs
    from llm_pick.ranking.deadend import memory_options

    if hardware is None or any(runs(r) for r in results):
        return {}
    smallest = min(results, key=lambda r: r.fit.needed_bytes if r.fit else 0)
    quant = get_quant(smallest.estimate.quant)
    floor = sizing.prompt_tokens or 0  # the context may not drop below the prompt
    options = list(memory_options(smallest, hardware, sizing, floor, kv_fixed=True))
    kv_fixed = quant.family == "gguf" and sizing.mode == "inference"  # else the KV type is not open
    for option, _, changed, resized in sorted(options, key=lambda item: item[1]):
        if option.startswith("--kv-dtype") and not kv_fixed:
            continue
        try:
            again = assess_model(model, quant, resized, changed)
        except LlmPickError:  # an option this format or mode does not take
            continue
        if runs(again):
            return {"one_change": option}
    return {}


def _served_note(sizing: Sizing, hardware: Hardware | None) -> dict[str, str]:
    """Several streams, or one over several cards, on datacenter cards: recommend and explain
    assume vLLM there (ranking/serve.py), while memory sizes llama.cpp; say which runtime
    these figures are."""
    gpu = hardware.gpu if hardware else None
    cards = hardware.gpus if hardware else 1
    if (sizing.batch < 2 and cards < 2) or sizing.mode != "inference" or gpu is None:
        return {}
    if gpu.kind != "datacenter" or gpu.backend not in ("cuda", "rocm"):
        return {}
    if sizing.batch < 2:
        return {
            "runtime_note": f"these rows are llama.cpp's (GGUF, layer split: one card at a "
            f"time); for one stream on {cards} x {gpu.name}, recommend and explain assume "
            "vLLM tensor parallel (every card at once) and size its plan: "
            "llm-pick explain MODEL with the same options"
        }
    return {
        "runtime_note": f"these rows are llama.cpp's (GGUF, llama-server -np {sizing.batch}); "
        f"for {sizing.batch} streams on {gpu.name}, recommend and explain assume vLLM and "
        "size its plan (FP8/BF16/INT4 weights, KV pool, tensor parallel over the cards): "
        "llm-pick explain MODEL with the same options"
    }


BNB_DOCS = "https://huggingface.co/docs/bitsandbytes/main/non_cuda_backends"


def _apple_training(sizing: Sizing, hardware: Hardware | None, quants: list[str]) -> dict[str, str]:
    """Fine-tuning on an Apple GPU: bitsandbytes (QLoRA's NF4 base, LLM.int8()) has no Apple
    Silicon backend (its docs: "Apple Silicon support is planned"), so those rows are CUDA
    figures; a Mac fine-tunes with mlx-lm, which llm-pick does not model."""
    gpu = hardware.gpu if hardware else None
    if sizing.mode == "inference" or gpu is None or gpu.backend != "metal":
        return {}
    if not any(q.startswith("bnb-") for q in quants):
        return {}
    return {
        "runtime_note": "bitsandbytes (the bnb-* formats) has no Apple Silicon backend (its "
        f"docs: 'Apple Silicon support is planned', {BNB_DOCS}): those rows hold for a CUDA "
        "card; on a Mac, LoRA and QLoRA run in mlx-lm on MLX's own 4-bit weights, which "
        "llm-pick does not model"
    }
