"""Rich renderables for `list`, `show` and `gpus`. They return renderables; they never print."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from llm_pick.catalog.filetypes import Gpu
from llm_pick.catalog.shapes import Architecture
from llm_pick.catalog.types import Model
from llm_pick.render.cells import (
    Columns,
    billions,
    commercial_mark,
    mmlu,
    text,
)
from llm_pick.render.figures import context, languages


def model_list(models: list[Model], title: str) -> Columns:
    view = Columns(title)
    mmlu_scores = [mmlu(m) for m in models]
    sizes = [
        billions(m.parameters.total)
        + (f" ({billions(m.parameters.active_count)} act.)" if m.moe else "")
        for m in models
    ]
    shared: dict[object, Text] = {}

    def once(value: str) -> Text:  # a repeated value: one cell, drawn as often as it is met
        found = shared.get(value)
        if found is None:
            found = shared[value] = text(value)
        return found

    marks: dict[str, Text] = {}
    view.add("id", [text(m.id, "bold") for m in models])
    view.add("params", [once(s) for s in sizes], justify="right")
    view.add("attn", [once(m.attention + ("+moe" if m.moe else "")) for m in models], 3)
    view.add("ctx", [once(context(m.context_length)) for m in models], justify="right")
    view.add("licence", [once(m.license.id) for m in models], 2)
    view.add(
        "commercial",
        [
            marks.get(m.license.commercial_use)
            or marks.setdefault(m.license.commercial_use, commercial_mark(m))
            for m in models
        ],
        1,
    )
    view.add("langs", [once(languages(m.languages)) for m in models], 4)
    view.add("MMLU", [once("-" if s is None else f"{s:g}") for s in mmlu_scores], 1, "right")
    view.add("needs met", [once(_offers(m)) for m in models], 5)
    return view


def model_detail(model: Model) -> RenderableType:
    arch, params, lic = model.architecture, model.parameters, model.license
    facts = Table(
        box=box.SIMPLE, show_header=False, title=text(f"{model.name}  ({model.id})", "bold")
    )
    facts.add_column("field", style="cyan", no_wrap=True)
    facts.add_column("value", overflow="fold")
    rows: list[tuple[str, object]] = [
        ("family", f"{model.family} · {model.variant} · {model.organization}"),
        ("released", model.release_date),
        ("base model", model.base_model),
        ("hugging face", model.hf_repo),
        (
            "parameters",
            f"{params.total:,} total"
            + ("" if params.exact else " (rounded figure)")
            + (f", {params.active_count:,} active per token" if model.moe else ""),
        ),
        ("  source", params.source),
        ("context", f"{model.context_length:,} tokens"),
        *_effective(model),
        ("attention", _attention(arch)),
        ("ssm", _ssm(arch)),
        (
            "layers",
            f"{arch.layers} x hidden {arch.hidden_size}, "
            + (
                "no MLP"
                if arch.mlp == "none" or (arch.ssm and not arch.attention_count)
                else f"MLP {arch.intermediate_size} ({arch.mlp}{', bias' if arch.mlp_bias else ''})"
            ),
        ),
        ("experts", _experts(arch)),
        (
            "vocabulary",
            f"{arch.vocab_size:,}" + (" (tied embeddings)" if arch.tied_embeddings else ""),
        ),
        (
            "positions",
            f"{arch.position_embedding}"
            + (f" (theta {arch.rope_theta:g})" if arch.rope_theta else ""),
        ),
        ("licence", f"{lic.name} [{lic.id}]"),
        (
            "  commercial",
            f"{lic.commercial_use}" + (f": {lic.conditions}" if lic.conditions else ""),
        ),
        ("  url", lic.url),
        ("languages", " ".join(model.languages)),
        ("capabilities", _capabilities(model)),
    ]
    for name, bench in sorted(model.benchmarks.items()):
        shots = "" if bench.shots is None else f", {bench.shots}-shot"
        rows.append((f"{name}", f"{bench.value:g}{shots}  ({bench.source})"))
    for name, value in rows:
        if value not in (None, ""):
            facts.add_row(text(name), text(value))
    parts: list[RenderableType] = [facts]
    if model.notes:
        parts.append(text("Notes: " + " ".join(model.notes.split()), "italic"))
    sources = Text("Sources:\n", style="bold")
    for source in model.sources:
        sources.append_text(text(f"  - {source}"))  # one line each: newlines made visible
        sources.append("\n")
    parts.append(sources)
    return Group(*parts)


def gpu_table(gpus: list[Gpu]) -> Columns:
    view = Columns("GPUs (data/gpus.yaml; memory in GiB, bandwidth in GB/s)")
    view.add("id", [text(g.id, "bold") for g in gpus])
    view.add("name", [text(g.name) for g in gpus], 3)
    view.add("memory", [text(f"{g.memory_gib:g}") for g in gpus], 0, "right")
    view.add(
        "usable",
        [text(f"{g.usable_gib:g}" if g.usable_memory_fraction else "") for g in gpus],
        2,
        "right",
    )
    view.add("GB/s", [text(f"{g.memory_bandwidth_gbs:g}") for g in gpus], 1, "right")
    view.add(
        "fp16 TFLOPS",
        [text("-" if g.fp16_tflops is None else f"{g.fp16_tflops:g}") for g in gpus],
        2,
        "right",
    )
    view.add("kind", [text(g.fp16_tflops_kind or "") for g in gpus], 4)
    view.add("checked", [text(g.source.checked if g.source else "") for g in gpus], 5)
    return view


def _attention(arch: Architecture) -> str:
    """The attention row: heads, and the 2025-26 variants when present."""
    if not arch.attention_count:
        return "none (no attention layer)"
    out = (
        f"{arch.attention}: {arch.attention_heads} heads, {arch.kv_heads} KV heads, "
        f"head_dim {arch.head_dim}"
        + (f", sliding window {arch.sliding_window}" if arch.sliding_window else "")
    )
    if arch.mla is not None:
        out += f", latent {arch.mla.kv_lora_rank} + rope {arch.mla.qk_rope_head_dim}"
    if arch.attention_chunk:
        out += f", chunks of {arch.attention_chunk}"
    if arch.local_layers is not None:
        out += f" on {arch.local_layers} of {arch.attention_count} layers"
    if arch.attention_layers is not None and arch.attention_layers < arch.layers:
        out += f" ({arch.attention_layers} attention layers)"
    return out


def _ssm(arch: Architecture) -> str | None:
    ssm = arch.ssm
    if ssm is None:
        return None
    return (
        f"{ssm.kind} in {ssm.layers} layers: d_inner {ssm.inner_size}, d_state "
        f"{ssm.state_size}, d_conv {ssm.conv_kernel}"
        + (f", {ssm.heads} heads, {ssm.groups} groups" if ssm.heads else "")
    )


def _experts(arch: Architecture) -> str | None:
    if not arch.moe:
        return None
    out = f"{arch.experts} per layer, {arch.experts_per_token} per token"
    if arch.shared_experts:
        out += f", {arch.shared_experts} shared"
    if arch.moe_layers is not None and arch.moe_layers < arch.layers:
        out += f", in {arch.moe_layers} of {arch.layers} layers"
    return out


def _effective(model: Model) -> list[tuple[str, object]]:
    """Under the context: each published long-context evaluation with its source (the note
    beside max_context in memory and explain points here)."""
    from llm_pick.catalog.longctx import NAMES

    return [
        ("  effective", f"{NAMES[r.benchmark]} {r.effective} of {r.claimed}  ({r.source})")
        for r in model.effective_context
    ]


def _offers(model: Model) -> str:
    caps = model.capabilities
    if caps is None:
        return "?"
    return ", ".join(caps.offers) or "text"


def _capabilities(model: Model) -> str:
    caps = model.capabilities
    if caps is None:
        return "not recorded (the model meets no --needs)"
    parts = [
        "input " + ", ".join(caps.input),
        f"reasoning {caps.reasoning}",
        "tool calling stated on the card"
        if caps.tools
        else ("no native tool calling" if caps.tools is False else "tool calling not stated"),
    ]
    if caps.code:
        parts.append("code-focused")
    return "; ".join(parts) + f"  ({caps.source})"
