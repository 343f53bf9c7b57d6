"""`compare`: models side by side, one row per fact, the best value in each row marked.
Builds data and renderables; prints nothing."""

from __future__ import annotations

from typing import Any, NamedTuple

from llm_pick.catalog.types import COMMERCIAL_RANK, Model
from llm_pick.estimate.fit import Assessment, assess
from llm_pick.estimate.hardware import GIB, Hardware
from llm_pick.estimate.memory import estimate_memory, quants_for
from llm_pick.estimate.quant import get_quant
from llm_pick.reports.catalog import billions
from llm_pick.reports.report import Report

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


def rows(
    models: list[Model],
    *,
    quant: str | None,
    context: int | None,
    batch: int,
    kv_dtype: str,
    hardware: Hardware | None,
) -> list[Row]:
    ids = [m.id for m in models]
    by = dict(zip(ids, models, strict=True))
    out = [
        _row("family", {i: f"{m.family} ({m.variant})" for i, m in by.items()}),
        _row(
            "parameters",
            {i: m.parameters.total for i, m in by.items()},
            "",
            {i: billions(m.parameters.total) for i, m in by.items()},
        ),
        _row(
            "active parameters",
            {i: m.parameters.active_count for i, m in by.items()},
            "",
            {i: billions(m.parameters.active_count) for i, m in by.items()},
        ),
        _row("attention", {i: m.attention for i, m in by.items()}),
        _row(
            "mixture of experts",
            {i: m.moe for i, m in by.items()},
            "",
            {
                i: (
                    f"yes: {m.architecture.experts} experts, "
                    f"{m.architecture.experts_per_token} per token"
                    if m.moe
                    else "no"
                )
                for i, m in by.items()
            },
        ),
        _row(
            "context",
            {i: m.context_length for i, m in by.items()},
            "max",
            {i: f"{m.context_length:,}" for i, m in by.items()},
        ),
        _row("licence", {i: m.license.id for i, m in by.items()}),
        _row(
            "commercial use",
            {i: COMMERCIAL_RANK[m.license.commercial_use] for i, m in by.items()},
            "max",
            {i: m.license.commercial_use for i, m in by.items()},
        ),
        _row(
            "languages",
            {i: len(m.languages) for i, m in by.items()},
            "max",
            {
                i: " ".join(m.languages)
                if len(m.languages) <= 6
                else f"{len(m.languages)} languages"
                for i, m in by.items()
            },
        ),
    ]
    benchmarks = sorted({name for m in models for name in m.benchmarks})
    for name in benchmarks:
        values = {
            i: (m.benchmarks[name].value if name in m.benchmarks else None) for i, m in by.items()
        }
        shown = {}
        for i, m in by.items():
            bench = m.benchmarks.get(name)
            shots = "" if bench is None or bench.shots is None else f" ({bench.shots}-shot)"
            shown[i] = "-" if bench is None else f"{bench.value:g}{shots}"
        out.append(_row(name, values, "max", shown))
    quants = [get_quant(quant)] if quant else [get_quant(q) for q in DEFAULT_QUANTS]
    quants = [q for q in quants if q in quants_for("inference")]
    for q in quants:
        results: dict[str, Assessment | None] = {}
        for i, m in by.items():
            tokens = context if context is not None else None
            if tokens is not None and tokens > m.context_length:
                results[i] = None
                continue
            est = estimate_memory(m, q, context=tokens, batch=batch, kv_dtype=kv_dtype)
            results[i] = assess(est, hardware, m.parameters.active_count)
        out.append(
            _row(
                f"memory {q.name} (GiB)",
                {i: (r.estimate.total_bytes if r else None) for i, r in results.items()},
                "min",
                {
                    i: (f"{r.estimate.total_bytes / GIB:.1f}" if r else "context too long")
                    for i, r in results.items()
                },
            )
        )
        if hardware is not None:
            out.append(
                _row(
                    f"fit {q.name}",
                    {i: (r.fit.verdict if r and r.fit else None) for i, r in results.items()},
                    "",
                )
            )
            speeds = {
                i: (r.speed.decode_mid if r and r.speed else None) for i, r in results.items()
            }
            out.append(
                _row(
                    f"decode tok/s {q.name}",
                    {i: (round(v, 1) if v is not None else None) for i, v in speeds.items()},
                    "max",
                    {i: "-" if v is None else f"~{v:.0f}" for i, v in speeds.items()},
                )
            )
    return out


def compare_report(models: list[Model], **options: Any) -> Report:
    if len(models) < 2:
        from llm_pick.errors import InputError

        raise InputError("compare needs at least two different model ids")
    table_rows = rows(models, **options)
    ids = [m.id for m in models]
    context = options.get("context")
    data = {
        "models": ids,
        "context": context,
        "context_default": "min(4096, each model's context)" if context is None else None,
        "hardware": options["hardware"].describe() if options.get("hardware") else None,
        "estimated": True,
        "rows": [{"field": r.field, "values": r.values, "best": list(r.best)} for r in table_rows],
    }
    flat = [[r.field, *(r.shown[i] for i in ids)] for r in table_rows]
    marked = [
        [r.field, *(f"**{r.shown[i]}**" if i in r.best else r.shown[i] for i in ids)]
        for r in table_rows
    ]

    def table() -> Any:
        from llm_pick.render.ranking import comparison

        return comparison(ids, table_rows)

    return Report(data=data, columns=("field", *ids), rows=flat, table=table, markdown_rows=marked)
