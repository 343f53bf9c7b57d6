"""Rich renderables for the terminal. Functions return renderables; they never print.

Every string that comes from a catalog goes through `text()`, so rich markup such as
"[bold]" and terminal escape sequences in a model name are shown literally.
"""

from __future__ import annotations

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from llm_pick.catalog.types import Model
from llm_pick.reports.catalog import COMMERCIAL_MARK, billions, mmlu
from llm_pick.reports.report import sanitize

COMMERCIAL_STYLE = {"allowed": "green", "conditional": "yellow", "prohibited": "red"}


def text(value: object, style: str = "") -> Text:
    return Text(sanitize("" if value is None else str(value)), style=style)


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


class Columns:
    """A table whose low-priority columns are dropped when the terminal is too narrow.

    add(header, cells, priority): priority 0 is always kept; higher numbers go first.
    """

    def __init__(self, title: str | Text = "", caption: str | None = None):
        self.title, self.caption = title, caption
        self.columns: list[tuple[str, list[Text], int, str]] = []

    def add(self, header: str, cells: list[Text], priority: int = 0, justify: str = "left") -> None:
        self.columns.append((header, cells, priority, justify))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        widths = [
            max([len(header), *(cell.cell_len for cell in cells)]) + 2
            for header, cells, _, _ in self.columns
        ]
        keep = list(range(len(self.columns)))
        by_priority = sorted(keep, key=lambda i: -self.columns[i][2])
        for index in by_priority:
            if sum(widths[i] for i in keep) <= options.max_width or self.columns[index][2] == 0:
                break
            keep.remove(index)
        table = Table(
            title=self.title,
            caption=self.caption,
            box=box.SIMPLE_HEAD,
            title_justify="left",
            caption_justify="left",
            pad_edge=False,
        )
        for i in keep:
            header, _, _, justify = self.columns[i]
            table.add_column(header, justify=justify, overflow="fold")  # type: ignore[arg-type]
        rows = len(self.columns[0][1]) if self.columns else 0
        for row in range(rows):
            table.add_row(*(self.columns[i][1][row] for i in keep))
        yield table


def model_list(models: list[Model], title: str) -> Columns:
    view = Columns(title)
    mmlu_scores = [mmlu(m) for m in models]
    sizes = [
        billions(m.parameters.total)
        + (f" ({billions(m.parameters.active_count)} act.)" if m.moe else "")
        for m in models
    ]
    view.add("id", [text(m.id, "bold") for m in models])
    view.add("params", [text(s) for s in sizes], justify="right")
    view.add("attn", [text(m.attention + ("+moe" if m.moe else "")) for m in models], 3)
    view.add("ctx", [text(context(m.context_length)) for m in models], justify="right")
    view.add("licence", [text(m.license.id) for m in models], 2)
    view.add("commercial", [commercial_mark(m) for m in models], 1)
    view.add("langs", [text(languages(m.languages)) for m in models], 4)
    view.add("MMLU", [text("-" if s is None else f"{s:g}") for s in mmlu_scores], 1, "right")
    return view


def languages(codes: list[str]) -> str:
    return " ".join(codes) if len(codes) <= 3 else f"{len(codes)} languages"


def commercial_mark(model: Model) -> Text:
    use = model.license.commercial_use
    return text(COMMERCIAL_MARK[use], COMMERCIAL_STYLE[use])


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
        (
            "attention",
            f"{model.attention}: {arch.attention_heads} heads, {arch.kv_heads} KV heads, "
            f"head_dim {arch.head_dim}"
            + (f", sliding window {arch.sliding_window}" if arch.sliding_window else ""),
        ),
        (
            "layers",
            f"{arch.layers} x hidden {arch.hidden_size}, MLP {arch.intermediate_size} "
            f"({arch.mlp}{', bias' if arch.mlp_bias else ''})",
        ),
        (
            "experts",
            f"{arch.experts} per layer, {arch.experts_per_token} per token" if arch.moe else None,
        ),
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
        sources.append_text(text(f"  - {source}\n"))
    parts.append(sources)
    return Group(*parts)
