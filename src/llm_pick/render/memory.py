"""Rich renderables for `memory`. They return renderables; they never print."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from llm_pick.catalog.longctx import effective_note
from llm_pick.catalog.types import Model
from llm_pick.estimate.assess import Assessment
from llm_pick.estimate.fit import Fit
from llm_pick.estimate.hardware import GIB, Hardware
from llm_pick.estimate.quant import QUANTS
from llm_pick.estimate.speed import Speed
from llm_pick.estimate.trainfit import SHARDING_NOTES
from llm_pick.render.cells import Columns, bar, text
from llm_pick.render.figures import context, placement, speed_range
from llm_pick.render.safe import shown


def speed_text(speed: Speed) -> str:
    """The decode, aggregate and prefill lines of the memory view."""
    decode = speed_range(speed)
    if decode == "-":
        why = speed.note or "needs --gpu NAME for the memory bandwidth"
        return f"Decode: - ({why})\n"
    eff = f", {speed.efficiency:.0%} of bandwidth" if speed.efficiency else ""
    lines = [
        f"Decode: {decode} tokens/s per stream at context {speed.context:,}, batch {speed.batch} "
        f"(estimate; {speed.backend}, {speed.family}{eff}; "
        f"{speed.bytes_per_token / GIB:.2f} GiB read per token)"
    ]
    if speed.aggregate_expected is not None:
        lines.append(f"All {speed.batch} streams: ~{speed.aggregate_expected:.0f} tokens/s")
    if speed.prefill_expected and speed.prefill_low and speed.prefill_high:
        lines.append(
            f"Prefill: {speed.prefill_expected:.0f} ({speed.prefill_low:.0f}-"
            f"{speed.prefill_high:.0f}) tokens/s; first token after a {speed.prompt_tokens}-token "
            f"prompt in ~{speed.prompt_tokens / speed.prefill_expected:.2f} s (estimate)"
        )
    full = speed.as_dict()["time_to_first_token_at_context_seconds"]
    if isinstance(full, dict):
        lines.append(
            f"A prompt filling the {speed.context:,}-token context: first token in "
            f"~{full['expected']:.1f} s ({full['low']:.1f}-{full['high']:.1f}; attention grows "
            "with the prompt)"
        )
    if speed.note:
        lines.append(f"  - {speed.note}")
    if speed.prefill_basis and speed.prefill_expected:
        lines.append(f"  - {speed.prefill_basis}")
    return "\n".join(lines) + "\n"


def gib(nbytes: float) -> str:
    return f"{nbytes / GIB:.2f}"


def fit_text(fit: Fit | None, short: bool = False) -> Text:
    if fit is None:
        return text("-")
    if fit.verdict == "offload":
        if short and fit.cpu_moe_layers:
            return text(f"experts {fit.cpu_moe_layers}/{fit.layers} in RAM", "yellow")
        if short:
            return text(f"offload {fit.gpu_layers}/{fit.layers}", "yellow")
        return text(f"offload: {placement(fit)}", "yellow")
    if fit.verdict == "cpu":
        return text("CPU only" if short else f"CPU only ({gib(fit.margin_bytes)} GiB RAM spare)")
    if fit.verdict == "gpu":
        spare = f"{gib(fit.margin_bytes)} GiB spare"
        if short:
            return text("fits", "green")
        return text(f"fits ({spare} after {gib(fit.headroom_bytes)} GiB headroom)", "green")
    return text(f"does not fit ({gib(-fit.margin_bytes)} GiB short)", "red")


def breakdown(
    model: Model, result: Assessment, hardware: Hardware | None, longest: int | None = None
) -> RenderableType:
    est, fit = result.estimate, result.fit
    parts = [
        ("weights", est.weights_bytes),
        ("KV cache", est.kv_cache_bytes),
        ("runtime overhead", result.overhead_bytes),  # every card's
        ("LoRA adapters", est.adapter_bytes),
        ("gradients", est.gradient_bytes),
        ("optimizer states", est.optimizer_bytes),
        ("activations", est.activation_bytes),
    ]
    total = result.total_bytes
    capacity = hardware.vram_bytes * hardware.gpus if hardware else total
    label = QUANTS[est.quant].label if est.quant in QUANTS else est.quant  # a file's own mix
    title = Text.assemble(
        text(model.id, "bold"), f"  {label}, {est.mode}, {est.context:,} tokens, estimated"
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
    if fit is not None and len(fit.cards) > 1:
        lines.append(cards_table(fit))
    facts = Text()
    if hardware is not None and fit is not None:
        facts.append(f"Hardware: {shown(hardware.label)} ({shown(hardware.source)})\n")
        facts.append("Fit: ")
        facts.append_text(fit_text(fit))
        facts.append("\n")
        if longest is not None:
            what = "context" if est.mode == "inference" else "training sequence"
            facts.append(f"Largest {what} that fits: {longest:,} tokens\n")
            if est.mode == "inference" and (note := effective_note(model.effective_context)):
                facts.append_text(text(f"  ({note}; `show {model.id}` has the sources)"))
                facts.append("\n")
        for line in training_lines(fit):
            facts.append_text(text(line))
            facts.append("\n")
        if result.speed is not None:
            for line in speed_text(result.speed).splitlines():
                facts.append_text(text(line))  # text() shows a newline as \n: one per line
                facts.append("\n")
    if est.mode == "inference":
        facts.append(
            f"In RAM beside it (not in the total): host compute buffer "
            f"{est.host_compute_bytes / 2**20:.2f} MiB, output buffer "
            f"{est.output_bytes / 2**20:.2f} MiB; overhead{_each(result)} = CUDA context "
            f"{(est.overhead_bytes - est.compute_buffer_bytes) / GIB:.2f} GiB + compute buffer "
            f"{est.compute_buffer_bytes / GIB:.2f} GiB (micro-batch {est.ubatch})\n"
        )
    values = f", V cache {est.v_dtype}" if est.v_dtype and est.v_dtype != est.kv_dtype else ""
    cache = f", KV cache {est.kv_dtype}{values}" if est.mode == "inference" else ""
    attention = ", flash attention" if est.flash_attn else ", no flash attention"
    facts.append(
        f"Assumptions: batch {est.batch}{cache}{attention if est.mode == 'inference' else ''}\n"
    )
    for note in est.assumptions:
        facts.append_text(text(f"  - {note}"))
        facts.append("\n")
    lines.append(facts)
    return Group(*lines)


def cards_table(fit: Fit) -> Table:
    """Per card: the layers it holds, their weights and cache, its own CUDA context and
    compute buffer; the rows add up to the total on the GPUs."""
    table = Table(title="Per card (GiB)", box=box.SIMPLE_HEAD, title_justify="left")
    for name in ("card", "layers", "weights", "KV", "overhead", "total", "usable"):
        table.add_column(name, justify="right")
    for i, card in enumerate(fit.cards):
        table.add_row(
            str(i),
            str(card.layers),
            gib(card.weights_bytes),
            gib(card.kv_cache_bytes),
            gib(card.overhead_bytes),
            gib(card.total_bytes),
            gib(card.capacity_bytes - card.headroom_bytes),
        )
    table.add_row("all", str(fit.gpu_layers), "", "", "", gib(fit.needed_bytes), "")
    return table


def training_lines(fit: Fit) -> list[str]:
    """A fine-tune's sharding and, when it does not fit, what would bring it within the cards."""
    if not fit.sharding:
        return []
    lines = [f"Sharding: {SHARDING_NOTES[fit.sharding]}"]
    if fit.options:
        lines.append("To bring it within the cards:")
        lines += [f"  - {option}" for option in fit.options]
    return lines


def training_caption(results: list[Assessment]) -> str | None:
    """Under the per-format table: the training lines of the first format that does not fit
    (or the sharding of the first that does)."""
    fits = [r.fit for r in results if r.fit is not None and r.fit.sharding]
    if not fits:
        return None
    short = [f for f in fits if f.verdict != "gpu"]
    return "\n".join(training_lines((short or fits)[0])) or None


def quant_table(
    model: Model,
    results: list[Assessment],
    hardware: Hardware | None,
    longest: list[int | None] | None = None,
) -> Columns:
    first = results[0].estimate
    title = Text.assemble(
        text(model.id, "bold"),
        f"  memory per quantization at {first.context} tokens, batch {first.batch}, "
        f"KV {first.kv_dtype}, {first.mode} (estimates, GiB)",
    )
    view = Columns(title, training_caption(results))
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
    view.add("total", [text(gib(r.total_bytes), "bold") for r in results], 0, "right")
    ppl = [QUANTS[r.estimate.quant].ppl_delta for r in results]
    view.add("ppl +", [text("-" if p is None else f"{p:.4f}") for p in ppl], 4, "right")
    if hardware is not None:
        view.add("fit", [fit_text(r.fit, short=True) for r in results], 1)
        if first.mode == "inference":
            view.add("tok/s", [text(speed_range(r.speed)) for r in results], 1, "right")
        if longest is not None and any(n is not None for n in longest):
            cells = [text("-" if not n else context(n)) for n in longest]
            view.add("max ctx", cells, 2, "right")
    return view


def _each(result: Assessment) -> str:
    """Several cards: the overhead named is one card's (each holds its own)."""
    cards = len(result.fit.cards) if result.fit else 0
    several = result.overhead_bytes != result.estimate.overhead_bytes
    return (
        f" of the last card (each of the {cards} has its own, all in the total)" if several else ""
    )
