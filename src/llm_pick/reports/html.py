"""The HTML report of `recommend`, `explain` and `compare` (and a plain table page for the
other commands): one self-contained file, built from the same data as the JSON output and
the pipeline's outcome for the charts. Builds strings; prints nothing."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from llm_pick.catalog.types import Model
from llm_pick.estimate.hardware import GIB
from llm_pick.ranking.result import Recommendation
from llm_pick.render import html
from llm_pick.render.plot import AXES, plot
from llm_pick.render.svg import describe, svg

CAVEAT = (
    "Memory and tok/s are estimates computed from each model's architecture and each format's "
    "storage, not measurements; catalog facts (benchmarks, licences, context) carry sources "
    "(llm-pick show ID)."
)
FOOTER = "Made by llm-pick, offline. This file loads nothing from the network."


def charts(
    rec: Recommendation,
    lineage: dict[str, Model],
    *,
    only: Collection[str] | None = None,
    highlight: str | None = None,
) -> str:
    """The quality chart, and the speed chart when the card's bandwidth gives tok/s."""
    figures = []
    for axis in AXES:
        view = plot(rec, axis, lineage, only=only, highlight=highlight)
        if axis == "speed" and not view.points:
            continue
        caption = describe(view) + (
            " Marks: diamond = on the frontier, filled circle = ranked, hollow circle = "
            "excluded, star = the model explained; the dashed line is the usable memory. "
            "Hover a mark for its model."
        )
        figures.append(html.figure(svg(view, f"chart-{axis}"), caption))
    if not figures:
        return html.paragraph("Nothing to chart: no model passed.")
    return "".join(figures)


def _gib(value: int | None) -> str:
    return "-" if value is None else f"{value / GIB:.1f}"


def hardware_facts(hardware: dict[str, Any] | None) -> list[tuple[str, Any]]:
    if not hardware:
        return [("hardware", "no memory limit")]
    return [
        ("hardware", hardware.get("label")),
        ("GPU memory", f"{hardware['vram_gib_per_gpu']:.1f} GiB x {hardware['gpus']}"),
        ("bandwidth", _unit(hardware.get("memory_bandwidth_gbs"), "GB/s")),
        ("system RAM for offload", _unit(hardware.get("ram_gib") or None, "GiB")),
    ]


def query_facts(query: dict[str, Any]) -> str:
    items = hardware_facts(query.get("hardware"))
    given = query.get("constraints", {}).items()
    constraints = [
        k if v is True else f"{k} {_plain(v)}" for k, v in given if v not in (None, [], False)
    ]
    context = query.get("context") or query.get("context_default")
    weights = query.get("weights", {}).items()
    items += [
        ("constraints", ", ".join(constraints) or "none"),
        ("context sized for", context),
        ("batch", query.get("batch")),
        ("KV cache type", query.get("kv_dtype")),
        ("profile", query.get("profile")),
        ("weights", ", ".join(f"{k} {v:.2f}" for k, v in weights)),
    ]
    return html.facts(items)


def _unit(value: Any, unit: str) -> str:
    return "-" if value is None else f"{value:g} {unit}"


def _plain(value: Any) -> str:
    return " ".join(map(str, value)) if isinstance(value, list) else str(value)


def provenance(catalog: dict[str, Any]) -> str:
    return html.section(
        "Catalog and estimates",
        html.facts(
            [
                ("catalog files", ", ".join(catalog["sources"])),
                ("catalog sha256", catalog["sha256"]),
                ("models in the catalog", catalog["models"]),
            ]
        ),
        html.paragraph(CAVEAT, "caveat"),
    )


def _rate(speed: dict[str, Any] | None, e: dict[str, Any]) -> str:
    """The llama.cpp low-high range, or vLLM's per-stream figure (it has no range)."""
    if speed:
        return f"{speed['low']:.0f}-{speed['high']:.0f}"
    tps = e.get("tokens_per_second")
    return "-" if tps is None else f"{tps:.0f} ({e.get('runtime', '')})"


def ranking_table(entries: Sequence[dict[str, Any]], total: int) -> str:
    extra = any("max_context" in e for e in entries)
    headers = ["model", "#", "name", "quant", "memory GiB", "fit", "model context"]
    headers += ["max context that fits"] if extra else []
    headers += ["tok/s", "licence", "commercial use", "score"]
    rows = []
    for e in entries:
        speed = e.get("tokens_per_second_range")
        row: list[Any] = [
            e["model"],
            e["rank"],
            e["name"],
            e["quant"],
            _gib(e["memory"]["total_bytes"]) + (" per card" if e["memory"].get("per_card") else ""),
            e.get("fit"),
            f"{e['context_length']:,}",
        ]
        row += [_tokens(e.get("max_context"))] if extra else []
        row += [
            _rate(speed, e),
            e["license"]["id"],
            e["license"]["commercial_use"],
            f"{e['score']:.3f}",
        ]
        rows.append(row)
    plain = {"model", "name", "quant", "fit", "licence", "commercial use"}
    caption = (
        f"Ranked models, best first ({len(entries)} shown of {total} that pass); memory and "
        "tok/s are estimates, tok/s a low-high range."
    )
    return html.table(
        caption,
        headers,
        rows,
        numeric=[i for i, name in enumerate(headers) if name not in plain],
        keys=[e["model"] for e in entries],
    )


def criteria_table(entries: Sequence[dict[str, Any]]) -> str:
    criteria = list(entries[0]["criteria"]) if entries else []
    rows = [
        [
            e["model"],
            f"{e['score']:.3f}",
            *(f"{e['criteria'][c]['contribution']:.3f}" for c in criteria),
            "; ".join(e["reasons"]),
        ]
        for e in entries
    ]
    return html.table(
        "How each score is made: each criterion's contribution (value x weight), and why",
        ["model", "score", *criteria, "why"],
        rows,
        numeric=list(range(1, len(criteria) + 2)),
    )


def _tokens(value: Any) -> str:
    return "-" if value is None else f"{value:,}"


def excluded_table(entries: Sequence[dict[str, Any]]) -> str:
    if not entries:
        return html.paragraph("No model was excluded.")
    rows = [[e["model"], "; ".join(e["reasons"])] for e in entries]
    return html.table(
        f"Excluded models and why ({len(entries)})",
        ["model", "reasons"],
        rows,
        keys=[e["model"] for e in entries],
    )


def recommend_page(rec: Recommendation, data: dict[str, Any], lineage: dict[str, Model]) -> str:
    body = [html.paragraph(CAVEAT, "caveat"), html.section("Query", query_facts(data["query"]))]
    if data["ranking"]:
        ranked = data["ranking"]
        body.append(
            html.section("Ranking", ranking_table(ranked, len(rec.ranking)), criteria_table(ranked))
        )
    else:
        hints = "; ".join(data.get("closest", [])) or "none"
        body.append(
            html.section(
                "Ranking",
                html.paragraph("No model satisfies every constraint. Closest: " + hints),
            )
        )
    body.append(html.section("Frontier: memory against quality and speed", charts(rec, lineage)))
    body.append(html.section("Excluded", excluded_table(data["excluded"])))
    body.append(provenance(data["catalog"]))
    return html.page("llm-pick: recommendations", body, FOOTER)


def explain_page(
    model: Model, rec: Recommendation, data: dict[str, Any], lineage: dict[str, Model]
) -> str:
    checks = [
        [c["constraint"], "pass" if c["passed"] else "FAIL", c["detail"]]
        for c in data["constraints"]
    ]
    body = [
        html.paragraph(f"{model.name}: " + _verdict(data), "caveat"),
        html.section("Query", query_facts(data["query"])),
        html.section(
            "Constraints",
            html.table(
                "Each constraint, passed or failed", ["constraint", "result", "detail"], checks
            ),
        ),
    ]
    criteria = data.get("criteria")
    if criteria:
        rows = [
            [name, f"{c['value']:.3f}", f"{c['weight']:.3f}", f"{c['contribution']:.3f}", c["note"]]
            for name, c in criteria.items()
        ]
        body.append(
            html.section(
                "Score",
                html.table(
                    f"Criteria: score {data['score']:.3f} = sum of contributions",
                    ["criterion", "value", "weight", "contribution", "why"],
                    rows,
                    numeric=[1, 2, 3],
                ),
            )
        )
    body.append(
        html.section("Where it sits", charts(rec, lineage, highlight=model.id)),
    )
    body.append(html.paragraph(CAVEAT, "caveat"))
    return html.page(f"llm-pick: explain {model.id}", body, FOOTER)


def _verdict(data: dict[str, Any]) -> str:
    if data.get("rank"):
        return f"rank {data['rank']} of {data['of']} ranked models."
    return f"not ranked: it fails a constraint ({data['of']} models ranked)."


def compare_page(
    ids: Sequence[str],
    rows: Sequence[Any],
    data: dict[str, Any],
    rec: Recommendation | None,
    lineage: dict[str, Model],
) -> str:
    cells = []
    for row in rows:
        line = [html.esc(row.field)]
        for model_id in ids:
            text = html.esc(row.shown[model_id])
            line.append(f'<strong class="best">{text}</strong>' if model_id in row.best else text)
        cells.append(line)
    table = html.table(
        "Side by side (the best value in each row is marked best)",
        ["", *ids],
        cells,
        raw=[range(len(ids) + 1)] * len(cells),
    )
    body = [html.paragraph(CAVEAT, "caveat"), html.section("Side by side", table)]
    if data.get("hardware"):
        facts = html.facts(hardware_facts(data["hardware"]))
        body.insert(1, html.section("Hardware", facts))
    if rec is not None:
        body.append(
            html.section(
                "Frontier (each model at the format recommend would choose)",
                charts(rec, lineage, only=set(ids)),
            )
        )
    return html.page("llm-pick: compare " + " ".join(ids), body, FOOTER)


def flat_page(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Any command's flat rows as one table."""
    return html.page(title, [html.table(title, columns, rows, row_header=False)], FOOTER)
