"""Rich renderables for the terminal. Functions return renderables; they never print.

Every string that comes from a catalog goes through `text()`, so rich markup such as
"[bold]" and terminal escape sequences in a model name are shown literally.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from .export import sanitize
from .schema import Model
from .views import COMMERCIAL_MARK, billions, mmlu

COMMERCIAL_STYLE = {"allowed": "green", "conditional": "yellow", "prohibited": "red"}


def text(value: object, style: str = "") -> Text:
    return Text(sanitize("" if value is None else str(value)), style=style)


def commercial(model: Model) -> Text:
    use = model.license.commercial_use
    return text(f"{model.license.id} ({COMMERCIAL_MARK[use]})", COMMERCIAL_STYLE[use])


def bar(used: float, capacity: float, width: int = 10) -> Text:
    """A small bar of used/capacity; red when over capacity."""
    if capacity <= 0:
        return text("")
    share = used / capacity
    filled = min(width, round(share * width))
    style = "red" if share > 1 else ("yellow" if share > 0.9 else "green")
    return Text("█" * filled + "░" * (width - filled), style=style)


def context(tokens: int) -> str:
    return f"{tokens // 1024}K" if tokens % 1024 == 0 else f"{tokens:,}"


def model_list(models: Iterable[Model], title: str) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    table.add_column("id", no_wrap=True, style="bold")
    table.add_column("params", justify="right", no_wrap=True)
    table.add_column("attn", no_wrap=True)
    table.add_column("ctx", justify="right", no_wrap=True)
    table.add_column("licence", no_wrap=True, overflow="ellipsis", max_width=24)
    table.add_column("commercial", no_wrap=True)
    table.add_column("langs", no_wrap=True, overflow="ellipsis", max_width=14)
    table.add_column("MMLU", justify="right", no_wrap=True)
    for model in models:
        params = model.parameters
        score = mmlu(model)
        langs = model.languages
        size = billions(params.total)
        if model.moe:
            size += f" ({billions(params.active_count)} act.)"
        use = model.license.commercial_use
        table.add_row(
            text(model.id),
            text(size),
            text(model.attention + ("+moe" if model.moe else "")),
            text(context(model.context_length)),
            text(model.license.id),
            text(COMMERCIAL_MARK[use], COMMERCIAL_STYLE[use]),
            text(" ".join(langs) if len(langs) <= 3 else f"{len(langs)} languages"),
            text("-" if score is None else f"{score:g}"),
        )
    return table


def model_detail(model: Model) -> RenderableType:
    arch, params, lic = model.architecture, model.parameters, model.license
    facts = Table(box=box.SIMPLE, show_header=False, title=text(f"{model.name}  ({model.id})", "bold"))
    facts.add_column("field", style="cyan", no_wrap=True)
    facts.add_column("value", overflow="fold")
    rows: list[tuple[str, object]] = [
        ("family", f"{model.family} · {model.variant} · {model.organization}"),
        ("released", model.release_date),
        ("base model", model.base_model),
        ("hugging face", model.hf_repo),
        ("parameters", f"{params.total:,} total"
            + ("" if params.exact else " (rounded figure)")
            + (f", {params.active_count:,} active per token" if model.moe else "")),
        ("  source", params.source),
        ("context", f"{model.context_length:,} tokens"),
        ("attention", f"{model.attention}: {arch.attention_heads} heads, {arch.kv_heads} KV heads, "
            f"head_dim {arch.head_dim}"
            + (f", sliding window {arch.sliding_window}" if arch.sliding_window else "")),
        ("layers", f"{arch.layers} × hidden {arch.hidden_size}, MLP {arch.intermediate_size} "
            f"({arch.mlp}{', bias' if arch.mlp_bias else ''})"),
        ("experts", f"{arch.experts} per layer, {arch.experts_per_token} per token"
            if arch.moe else None),
        ("vocabulary", f"{arch.vocab_size:,}" + (" (tied embeddings)" if arch.tied_embeddings else "")),
        ("positions", f"{arch.position_embedding}"
            + (f" (theta {arch.rope_theta:g})" if arch.rope_theta else "")),
        ("licence", f"{lic.name} [{lic.id}]"),
        ("  commercial", f"{lic.commercial_use}" + (f": {lic.conditions}" if lic.conditions else "")),
        ("  url", lic.url),
        ("languages", " ".join(model.languages)),
    ]  # fmt: skip
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
        sources.append_text(text(f"  - {source}\n"))
    parts.append(sources)
    return Group(*parts)
