"""From a user's llama-bench runs and load logs to calibration entries (calibration.py):
which card, which format family, which catalog model, and the share of the card's peak each
run reached; runs that cannot be measured that way are skipped with the reason."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.errors import LlmPickError
from llm_pick.estimate.benchfiles import BenchRun, LoadLog
from llm_pick.estimate.calibration import FAMILIES, Buffers, Measurement
from llm_pick.estimate.speed import format_family

if TYPE_CHECKING:
    from llm_pick.catalog.filetypes import Gpu
    from llm_pick.catalog.types import Model

_FTYPE = re.compile(
    r"\b(BF16|F16|F32|Q[2-8]_K(?: - (?:Small|Medium|Large))?|Q[458]_[01]|I?Q\w+|TQ\w+|MXFP4\w*)"
)
_SIZES = {"Small": "s", "Medium": "m", "Large": "l"}
_MOE = re.compile(r"\d+x\d+(?:\.\d+)?B|\bA\d+(?:\.\d+)?B\b|\.A\d")
ALL_LAYERS = 99  # llama-bench's default -ngl: every layer of any model llm-pick knows


class Read(NamedTuple):
    measurements: list[Measurement]
    skipped: list[str]  # one reason per run left out


def quant_of(model_type: str) -> str | None:
    """llama.cpp's file type name ("Q4_K - Medium", "mostly Q4_0", "F16") as a format id."""
    match = _FTYPE.search(model_type)
    if match is None:
        return None
    name = match.group(1)
    if name in ("F16", "BF16", "F32"):
        return {"F16": "fp16", "BF16": "bf16", "F32": "fp32"}[name]
    if " - " in name:
        base, size = name.split(" - ")
        return f"{base.lower()}_{_SIZES[size]}"
    return name.lower()


def card_of(gpu_info: str | None, fallback: Gpu | None) -> tuple[Gpu | None, str]:
    """The one kind of card a run used (several of one kind count as that kind), else why not."""
    from llm_pick.catalog.gpus import find_gpu

    if not gpu_info:
        return fallback, "" if fallback else "the output does not name the GPU: pass --gpu NAME"
    names = gpu_info.split(", ") if ", " in gpu_info else re.split(r"(?<=\S)/(?=\S)", gpu_info)
    if len(set(names)) > 1:
        return None, f"several kinds of device ({gpu_info}): not calibrated"
    try:
        return find_gpu(names[0]), ""
    except LlmPickError:
        if fallback is not None:
            return fallback, ""
        return None, f"GPU {names[0]!r} has no preset (llm-pick gpus): pass --gpu NAME"


def catalog_match(run: BenchRun, models: Iterable[Model]) -> Model | None:
    """The catalog model with exactly the run's parameter count (first by id)."""
    if not run.model_n_params:
        return None
    found = [m for m in models if m.parameters.total == run.model_n_params]
    return min(found, key=lambda m: m.id) if found else None


def _why_not(run: BenchRun, model: Model | None) -> str:
    backends = (run.backends or "?").upper()
    if run.kind == "mixed":
        return "a prompt+generation test (ppN+tgM): not calibrated"
    if set(backends.split(",")) <= {"CPU", "BLAS", "OPENBLAS", "ACCELERATE"}:
        return "a CPU run: only GPU runs are calibrated"
    if "RPC" in backends:
        return "a run over RPC (remote devices): not calibrated"
    if run.host_parts:
        return "part of it kept in system RAM (-nkvo, -ot or --n-cpu-moe): not calibrated"
    if run.n_depth:
        return f"at depth {run.n_depth} (its KV cache bytes are not in the output): not calibrated"
    layers = run.n_gpu_layers
    needed = ALL_LAYERS if model is None else model.architecture.layers + 1
    if layers is not None and layers != -1 and layers < needed:
        return f"-ngl {layers}: not every layer on the GPU"
    if model is None and _MOE.search(run.model_type or ""):
        return "a mixture-of-experts model not in the catalog: bytes read per token unknown"
    return ""


def measure(
    runs: Iterable[BenchRun], source: str, models: Iterable[Model], gpu: Gpu | None
) -> Read:
    """Each run as a share of its card's memory bandwidth (decode) or fp16 FLOPS (prefill)."""
    found: list[Measurement] = []
    skipped: list[str] = []
    catalog = list(models)
    for number, run in enumerate(runs, 1):
        what = f"{source} test {number} ({run.model_type or 'model ?'}, {run.kind})"
        quant = quant_of(run.model_type or run.model_filename or "")
        family = format_family(quant) if quant else None
        model = catalog_match(run, catalog)
        why = _why_not(run, model)
        card, unknown = card_of(run.gpu_info, gpu)
        why = why or unknown
        if not why and family not in FAMILIES:
            why = f"format {quant or '?'} is not one llm-pick's speed model covers"
        if why or card is None or quant is None or family is None:
            skipped.append(f"{what}: {why}")
            continue
        share = 1.0 if model is None else model.parameters.active_count / model.parameters.total
        peak: float | None = card.memory_bandwidth_gbs  # GB/s; prefill: GFLOPS
        amount = (run.model_size or 0) * share  # bytes per token; prefill: FLOPs per token
        if run.kind == "prefill":
            peak = card.fp16_tflops * 1e3 if card.fp16_tflops else None
            amount = 2 * share * (run.model_n_params or 0)
        if not peak or not amount:
            skipped.append(f"{what}: no model size, parameter count or card peak to compare")
            continue
        efficiency = amount * run.tokens_per_second / (peak * 1e9)
        if efficiency > 1:
            skipped.append(
                f"{what}: {efficiency:.0%} of {card.name}'s peak is beyond the card (wrong GPU?)"
            )
            continue
        found.append(
            Measurement(
                device=card.id,
                family=family,
                kind=run.kind,
                tokens_per_second=round(run.tokens_per_second, 3),
                efficiency=round(efficiency, 4),
                quant=quant,
                model_type=run.model_type or "?",
                model=None if model is None else model.id,
                source=source,
            )
        )
    return Read(found, skipped)


def buffers_of(log: LoadLog, source: str) -> list[Buffers]:
    """The compute buffer of each GPU in a load log (host buffers left out), with the context
    and model shape it was sized for when the log prints them."""
    from llm_pick.catalog.gpus import find_gpu

    found = []
    for line in log.buffers:
        if line.what != "compute" or line.device.startswith(("CPU", "CUDA_Host")):
            continue
        name = log.device_names.get(line.device, line.device)
        try:
            device = find_gpu(name).id
        except LlmPickError:
            device = line.device
        item = Buffers(device, name, line.bytes, source)
        if log.setup is not None:
            setup = log.setup
            item = item._replace(
                context=setup.context,
                ubatch=setup.ubatch,
                flash_attn=setup.flash_attn,
                model_name=setup.model_name,
                shape=setup.shape,
            )
        found.append(item)
    return found
