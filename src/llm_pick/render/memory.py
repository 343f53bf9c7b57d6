"""Rich renderables for `memory`. They return renderables; they never print."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from llm_pick.catalog.types import Model
from llm_pick.estimate.fit import Assessment, Fit
from llm_pick.estimate.hardware import GIB, Hardware
from llm_pick.estimate.quant import QUANTS
from llm_pick.render.format import Columns, bar, speed_range, text


def gib(nbytes: float) -> str:
    return f"{nbytes / GIB:.2f}"


def fit_text(fit: Fit | None, short: bool = False) -> Text:
    if fit is None:
        return text("-")
    if short and fit.verdict == "offload":
        return text(f"offload {fit.gpu_layers}/{fit.layers}", "yellow")
    if fit.verdict == "gpu":
        return text(f"fits ({gib(fit.margin_bytes)} GiB spare)", "green")
    if fit.verdict == "offload":
        return text(f"offload ({fit.gpu_layers}/{fit.layers} layers on GPU)", "yellow")
    return text(f"no ({gib(-fit.margin_bytes)} GiB short)", "red")


def breakdown(model: Model, result: Assessment, hardware: Hardware | None) -> RenderableType:
    est = result.estimate
    parts = [
        ("weights", est.weights_bytes),
        ("KV cache", est.kv_cache_bytes),
        ("runtime overhead", est.overhead_bytes),
        ("LoRA adapters", est.adapter_bytes),
        ("gradients", est.gradient_bytes),
        ("optimizer states", est.optimizer_bytes),
        ("activations", est.activation_bytes),
    ]
    total = est.total_bytes
    capacity = hardware.vram_bytes * hardware.gpus if hardware else total
    title = Text.assemble(
        text(model.id, "bold"), f"  {QUANTS[est.quant].label}, {est.mode}, estimated"
    )
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("part")
    table.add_column("GiB", justify="right")
    table.add_column("share", no_wrap=True)
    always = ("weights", "runtime overhead") + (("KV cache",) if est.mode == "inference" else ())
    for name, nbytes in parts:
        if nbytes or name in always:
            table.add_row(name, gib(nbytes), bar(nbytes, max(total, capacity), 24))
    table.add_row(text("total", "bold"), text(gib(total), "bold"), bar(total, capacity, 24))
    lines: list[RenderableType] = [title, table]
    facts = Text()
    if hardware is not None:
        facts.append(f"Hardware: {hardware.label} ({hardware.source})\n")
        facts.append("Fit: ")
        facts.append_text(fit_text(result.fit))
        facts.append("\n")
        if result.speed is not None:
            decode = speed_range(result.speed)
            facts.append(
                f"Decode: {decode} tokens/s (estimate; bandwidth-bound, "
                f"{result.speed.bytes_per_token / GIB:.2f} GiB read per token)\n"
                if decode != "-"
                else "Decode: - (needs --gpu NAME for the memory bandwidth)\n"
            )
            if result.speed.prefill_low is not None and result.speed.prefill_high is not None:
                facts.append(
                    f"Prefill: {result.speed.prefill_low:.0f}-{result.speed.prefill_high:.0f} "
                    "tokens/s (estimate; compute-bound)\n"
                )
    cache = f", KV cache {est.kv_dtype}" if est.mode == "inference" else ""
    facts.append(f"Assumptions: batch {est.batch}{cache}\n")
    for note in est.assumptions:
        facts.append_text(text(f"  - {note}\n"))
    lines.append(facts)
    return Group(*lines)


def quant_table(model: Model, results: list[Assessment], hardware: Hardware | None) -> Columns:
    first = results[0].estimate
    title = Text.assemble(
        text(model.id, "bold"),
        f"  memory per quantization at {first.context} tokens, batch {first.batch}, "
        f"KV {first.kv_dtype}, {first.mode} (estimates, GiB)",
    )
    view = Columns(title)
    view.add("quant", [text(r.estimate.quant) for r in results])
    params = model.parameters.total
    view.add(
        "bits/w",
        [text(f"{8 * r.estimate.weights_bytes / params:.2f}") for r in results],
        3,
        "right",
    )
    view.add("weights", [text(gib(r.estimate.weights_bytes)) for r in results], 2, "right")
    view.add("KV", [text(gib(r.estimate.kv_cache_bytes)) for r in results], 2, "right")
    view.add("total", [text(gib(r.estimate.total_bytes), "bold") for r in results], 0, "right")
    ppl = [QUANTS[r.estimate.quant].ppl_delta for r in results]
    view.add("ppl +", [text("-" if p is None else f"{p:.4f}") for p in ppl], 4, "right")
    if hardware is not None:
        view.add("fit", [fit_text(r.fit, short=True) for r in results], 1)
        view.add("tok/s", [text(speed_range(r.speed)) for r in results], 1, "right")
    return view
