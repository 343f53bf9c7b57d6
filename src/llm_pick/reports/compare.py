"""`compare`: models side by side, one row per fact, the best value in each row marked.
Builds data and renderables; prints nothing."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.catalog.types import COMMERCIAL_RANK, Model
from llm_pick.errors import InputError
from llm_pick.estimate.advice import assumed_speed
from llm_pick.estimate.assess import Assessment, assess_model
from llm_pick.estimate.hardware import GIB, Hardware
from llm_pick.estimate.memory import DEFAULT_CONTEXT, default_context, quants_for
from llm_pick.estimate.quant import Quant, get_quant
from llm_pick.estimate.sizing import Sizing
from llm_pick.estimate.speed import DEFAULT_PROMPT_TOKENS
from llm_pick.render.cells import billions
from llm_pick.reports.report import Report

if TYPE_CHECKING:
    from llm_pick.ranking.result import Recommendation

DEFAULT_QUANTS = ("fp16", "q8_0", "q6_k", "q5_k_m", "q4_k_m", "q3_k_m", "q2_k")


class Row(NamedTuple):
    field: str
    values: dict[str, Any]  # model id -> JSON value
    shown: dict[str, str]  # model id -> text for tables
    best: tuple[str, ...]  # ids holding the best value ("" direction: none)


def _best(values: dict[str, Any], better: str) -> tuple[str, ...]:
    known = {k: v for k, v in values.items() if v is not None}
    if not better or len(known) < 2 or len(set(known.values())) < 2:
        return ()
    target = max(known.values()) if better == "max" else min(known.values())
    return tuple(k for k, v in known.items() if v == target)


def _row(
    name: str, values: dict[str, Any], better: str = "", shown: dict[str, str] | None = None
) -> Row:
    text = shown or {k: "-" if v is None else str(v) for k, v in values.items()}
    return Row(name, values, text, _best(values, better))


def rows(  # noqa: PLR0913 (lineage and auto_kv: keyword-only)
    models: list[Model],
    quant: str | None,
    sizing: Sizing,
    hardware: Hardware | None,
    *,
    lineage: dict[str, Model] | None = None,
    auto_kv: bool = False,
) -> list[Row]:
    """`auto_kv`: the user left the KV cache type open, so a format that does not fit on the
    GPUs with an fp16 cache is tried with a q8_0 one, as recommend does (ranking/choice.py)."""
    from llm_pick.reports.quality_rows import ability_rows, kept_row

    by = {m.id: m for m in models}
    known = lineage if lineage is not None else by
    shared = sizing.at(shared_context(models, sizing.context))
    quants = [get_quant(quant)] if quant else [get_quant(q) for q in DEFAULT_QUANTS]
    quants = [q for q in quants if q in quants_for("inference")]
    if quant is None and sizing.kv_dtype != "fp16":  # a quantized cache: GGUF rows only
        quants = [q for q in quants if q.family == "gguf"]
    out = (
        fact_rows(by)
        + benchmark_rows(by)
        + [_row(*r[:2], r[3], r[2]) for r in ability_rows(by, known)]
    )
    from llm_pick.reports.compare_served import served_rows

    context = shared.context or shared_context(models, sizing.context)
    if any(
        m.context_length < context for m in by.values()
    ):  # why its memory, fit and speed rows are empty
        out.append(_row("not sized", {i: _beyond(m, context) for i, m in by.items()}))
    for name, values, better, text in served_rows(models, sizing, hardware, context):
        out.append(_row(name, values, better, text))  # vLLM assumed: recommend's figures
    for q in quants:
        results = {i: _assess(m, q, shared, hardware) for i, m in by.items()}
        if auto_kv and hardware is not None and shared.flash_attn and q.family == "gguf":
            results = {i: _with_q8_kv(by[i], q, shared, hardware, r) for i, r in results.items()}
        name, values, shown, better = kept_row(q, by, known)
        out += [_row(name, values, better, shown), *quant_rows(q, results, hardware)]
        kv = {i: (r.estimate.kv_dtype if r else None) for i, r in results.items()}
        if any(k not in (None, "fp16") for k in kv.values()):
            out.append(_row(f"kv cache {q.name}", kv))
    return out


def _beyond(model: Model, context: int) -> str | None:
    """Why a model is not sized at the compared context: beyond its own window."""
    if model.context_length >= context:
        return None
    return f"{context:,} tokens: beyond its {model.context_length:,}-token window"


def _with_q8_kv(
    model: Model, quant: Quant, sizing: Sizing, hardware: Hardware, plain: Assessment | None
) -> Assessment | None:
    """The q8_0-cache assessment when the fp16 one is not all on the GPUs and this one is."""
    if plain is None or plain.fit is None or plain.fit.verdict == "gpu":
        return plain
    small = _assess(model, quant, replace(sizing, kv_dtype="q8_0"), hardware)
    return small if small and small.fit and small.fit.verdict == "gpu" else plain


def _effective(model: Model) -> dict[str, Any] | None:
    """The model's published long-context evaluations (RULER, NoLiMa) with their sources, as
    recommend and explain give them beside max_context; None where none is recorded."""
    from llm_pick.reports.recommend import effective_context

    found: dict[str, Any] | None = effective_context(model).get("effective_context")
    return found


def _effective_shown(model: Model) -> str:
    from llm_pick.catalog.longctx import NAMES

    rows = model.effective_context
    return "; ".join(f"{NAMES[r.benchmark]} {r.effective}" for r in rows) if rows else "-"


def fact_rows(by: dict[str, Model]) -> list[Row]:
    def each(value: Any) -> dict[str, Any]:
        return {i: value(m) for i, m in by.items()}

    def experts(m: Model) -> str:
        arch = m.architecture
        return f"yes: {arch.experts} experts, {arch.experts_per_token} per token" if m.moe else "no"

    def languages(m: Model) -> str:
        count = len(m.languages)
        return " ".join(m.languages) if count <= 6 else f"{count} languages"

    return [
        _row("family", each(lambda m: f"{m.family} ({m.variant})")),
        _row(
            "parameters",
            each(lambda m: m.parameters.total),
            shown=each(lambda m: billions(m.parameters.total)),
        ),
        _row(
            "active parameters",
            each(lambda m: m.parameters.active_count),
            shown=each(lambda m: billions(m.parameters.active_count)),
        ),
        _row("attention", each(lambda m: m.attention)),
        _row("mixture of experts", each(lambda m: m.moe), shown=each(experts)),
        _row(
            "context",
            each(lambda m: m.context_length),
            "max",
            each(lambda m: f"{m.context_length:,}"),
        ),
        Row(  # beside the window: published evaluations that found a shorter usable context
            "effective context",
            each(_effective),
            each(_effective_shown),
            (),
        ),
        _row("licence", each(lambda m: m.license.id)),
        Row(  # the licence's word; the best by its rank (allowed > conditional > ...)
            "commercial use",
            each(lambda m: m.license.commercial_use),
            each(lambda m: m.license.commercial_use),
            _best(each(lambda m: COMMERCIAL_RANK[m.license.commercial_use]), "max"),
        ),
        Row(  # what a conditional licence binds a commercial user to (issue 19 §5)
            "licence conditions",
            each(lambda m: list(m.license.key_conditions or ())),
            each(lambda m: "; ".join(m.license.key_conditions or ()) or "-"),
            (),
        ),
        Row(  # the languages; the best: the most of them
            "languages",
            each(lambda m: list(m.languages)),
            each(languages),
            _best(each(lambda m: len(m.languages)), "max"),
        ),
    ]


def benchmark_rows(by: dict[str, Model]) -> list[Row]:
    out = []
    for name in sorted({name for m in by.values() for name in m.benchmarks}):
        found = {i: m.benchmarks.get(name) for i, m in by.items()}
        values = {i: None if b is None else b.value for i, b in found.items()}
        shown = {
            i: "-"
            if b is None
            else f"{b.value:g}" + ("" if b.shots is None else f" ({b.shots}-shot)")
            for i, b in found.items()
        }
        out.append(_row(name, values, "max", shown))
    return out


def shared_context(models: list[Model], context: int | None) -> int:
    """One context for every model (a fair comparison): --context, else the shortest of the
    models' default contexts (min(4096, the shortest model context))."""
    return context or min(default_context(m) for m in models)


def _assess(
    model: Model, quant: Quant, sizing: Sizing, hardware: Hardware | None
) -> Assessment | None:
    if sizing.tokens(model) > model.context_length:
        return None
    return assess_model(model, quant, sizing, hardware)


def _kv_mark(result: Assessment) -> str:
    kv = result.estimate.kv_dtype
    return "" if kv == "fp16" else f" +kv {kv}"


def quant_rows(
    q: Quant, results: dict[str, Assessment | None], hardware: Hardware | None
) -> list[Row]:
    out = [
        _row(
            f"memory {q.name} (GiB)",
            # in GiB, as the field says (JSON and table alike)
            {i: (round(r.total_bytes / GIB, 2) if r else None) for i, r in results.items()},
            "min",
            {
                i: (f"{r.total_bytes / GIB:.1f}{_kv_mark(r)}" if r else "context too long")
                for i, r in results.items()
            },
        )
    ]
    if hardware is None:
        return out
    # the card's decode, or (--vram with no card) the reference figure recommend's reasons
    # quote, marked assumed (estimate/advice.assumed_speed)
    assumed = {i: (assumed_speed(r, hardware) if r else None) for i, r in results.items()}
    speeds = {
        i: (r.speed.decode_mid if r and r.speed else None)
        or (float(a["decode_tokens_per_second"]) if (a := assumed[i]) else None)  # type: ignore[arg-type]
        for i, r in results.items()
    }
    from llm_pick.reports.compare_speed import speed_rows

    terms = [_row(n, v, b, t) for n, v, b, t in speed_rows(q.name, results, assumed)]
    return [
        *out,
        _row(
            f"fit {q.name}",
            {i: (r.fit.verdict if r and r.fit else None) for i, r in results.items()},
        ),
        _row(
            f"decode tok/s {q.name}",
            {i: (round(v, 1) if v is not None else None) for i, v in speeds.items()},
            "max",
            {
                i: "-" if v is None else f"~{v:.0f}" + (" (assumed)" if assumed[i] else "")
                for i, v in speeds.items()
            },
        ),
        *(
            [_row(f"decode basis {q.name}", {i: a and a["basis"] for i, a in assumed.items()})]
            if any(assumed.values())
            else []
        ),
        *terms,
    ]


def compare_report(  # noqa: PLR0913 (chart and outcome: keyword-only, for charts)
    models: list[Model],
    quant: str | None,
    sizing: Sizing,
    hardware: Hardware | None,
    *,
    chart: str | None = None,
    outcome: tuple[Recommendation, dict[str, Model]] | None = None,
    lineage: dict[str, Model] | None = None,
    auto_kv: bool = False,
) -> Report:
    """`outcome`: the recommend pipeline's result over the catalog and its lineage, for the
    chart (--chart and --format html): each model at the format recommend would choose.
    `lineage`: the catalog by id (quality inherits from base models)."""
    if len(models) < 2:
        raise InputError("compare needs at least two different model ids")
    table_rows = rows(models, quant, sizing, hardware, lineage=lineage, auto_kv=auto_kv)
    ids = [m.id for m in models]
    context = sizing.context
    default = f"min({DEFAULT_CONTEXT}, the shortest model context)"
    data = {
        "models": ids,
        "context": shared_context(models, context),
        "context_default": default if context is None else None,
        "prompt_tokens": sizing.prompt_tokens or DEFAULT_PROMPT_TOKENS,  # first-token rows
        "hardware": hardware.describe() if hardware else None,
        "estimated": True,
        "rows": [{"field": r.field, "values": r.values, "best": list(r.best)} for r in table_rows],
    }
    flat = [[r.field, *(r.shown[i] for i in ids)] for r in table_rows]
    marked = [
        [r.field, *(f"**{r.shown[i]}**" if i in r.best else r.shown[i] for i in ids)]
        for r in table_rows
    ]

    def table() -> Any:
        from llm_pick.render.results import comparison

        view = comparison(ids, table_rows, shared_context(models, context))
        if chart is None or outcome is None:
            return view
        from llm_pick.render.chart import below

        return below(view, outcome[0], outcome[1], chart, only=set(ids))

    def page() -> str:
        from llm_pick.reports.html import compare_page

        rec, lineage = outcome if outcome is not None else (None, {})
        return compare_page(ids, table_rows, data, rec, lineage)

    return Report(
        data=data,
        columns=("field", *ids),
        rows=flat,
        table=table,
        markdown_rows=marked,
        html=page,
    )
