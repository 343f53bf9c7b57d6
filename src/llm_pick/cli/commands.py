"""What the common commands do, without typer. The typer app (cli/app.py, which declares the
options) and the console entry's fast path (cli/fastpath.py) both call these with the values
the typer command receives, by parameter name (the shared option groups it collects as
**query or **estimate under that name), and both exit with what they return."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llm_pick.cli.choices import OutputFormat
from llm_pick.cli.output import emit
from llm_pick.errors import ExitCode, InputError

if TYPE_CHECKING:  # pathlib is imported where a path is used (start-up)
    from pathlib import Path

Values = dict[str, Any]


def version() -> None:
    """`--version` (the root option's callback, cli/app.py)."""
    import sys

    from llm_pick import __version__
    from llm_pick.catalog.compiled import as_of

    dated = as_of()
    sys.stdout.write(
        f"llm-pick {__version__}"
        + (f" (catalog as of {dated.isoformat()})" if dated else "")
        + "\n"
    )


def load(catalogs: list[Path] | None) -> Any:
    from llm_pick.catalog.load import load_catalog

    return load_catalog(catalogs or ())


def split_estimate_options(given: Values) -> tuple[Any, Any]:
    """The hardware and the sizing from the estimate option group: parse.hardware takes the
    options it names (cli/options.py HARDWARE_OPTIONS, under test), parse.sizing the rest."""
    from llm_pick.cli.parse import hardware, sizing

    code = hardware.__code__
    named = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    machine = hardware(**{name: value for name, value in given.items() if name in named})
    return machine, sizing(**{name: value for name, value in given.items() if name not in named})


def list_models(given: Values) -> None:
    from llm_pick.cli.names import load_checked
    from llm_pick.cli.parse import constraints
    from llm_pick.reports.catalog import list_report
    from llm_pick.scoring.constraints import passing

    own = ("fmt", "output", "force", "catalog")
    wanted = constraints(**{name: value for name, value in given.items() if name not in own})
    catalog = given["catalog"]
    models, wanted = load_checked(catalog, wanted)
    report = list_report(passing(models, wanted), models.as_of)
    emit(report, given["fmt"], given["output"], catalog or (), force=given["force"])


def show(given: Values) -> None:
    from llm_pick.reports.catalog import show_report

    catalog = given["catalog"]
    report = show_report(load(catalog).get(given["model_id"]))
    emit(report, given["fmt"], given["output"], catalog or (), force=given["force"])


def memory(given: Values) -> None:
    from dataclasses import replace

    from llm_pick.cli.parse import training_mode
    from llm_pick.reports.memory import memory_report

    model_id, quant, mode = given["model_id"], given["quant"], given["mode"]
    fmt, output, force, catalog = (given[n] for n in ("fmt", "output", "force", "catalog"))
    hardware, sizing = split_estimate_options(given["estimate"])
    if model_id.lower().endswith(".gguf") or model_id.startswith("hf:"):
        from llm_pick.reports.memory import file_report

        if quant is not None or mode != "inference":
            raise InputError("a GGUF file has its own quantization: drop --quant and --mode")
        emit(file_report(model_id, sizing, hardware), fmt, output, [model_id], force=force)
        return
    model = load(catalog).get(model_id)
    lora_rank, text_only = given["lora_rank"], given["text_only"]
    sizing = replace(sizing, mode=training_mode(mode), lora_rank=lora_rank, text_only=text_only)
    report = memory_report(model, quant, sizing, hardware)
    emit(report, fmt, output, catalog or (), force=force)


def recommend(given: Values) -> int:
    """Exit codes: 0 ranked, 3 (ExitCode.NO_MATCH) when no model satisfies the constraints."""
    from llm_pick.cli.names import load_checked
    from llm_pick.cli.parse import build_query
    from llm_pick.ranking import pipeline
    from llm_pick.reports.recommend import recommend_report

    query, catalog, chart, fmt = (given[n] for n in ("query", "catalog", "chart", "fmt"))
    wanted = build_query(**query, top=given["top"])
    if given["installed"]:
        from llm_pick.cli.local import installed_catalog

        models, wanted = installed_catalog(wanted)
    else:
        models, wanted = load_checked(catalog, wanted)
    charted = chart is not None or fmt == OutputFormat.html  # a chart reads every ranked model
    if charted:
        result = pipeline.recommend(models, wanted)
    else:  # the shown top: the models below it are only checked to pass (ranking/topn.py)
        from llm_pick.ranking import topn

        result = topn.recommend(models, wanted)
    report = recommend_report(result, models, given["show_excluded"], chart)
    inputs = [*(catalog or ()), query["profile"]]
    emit(chart_note(report, chart, fmt), fmt, given["output"], inputs, force=given["force"])
    return ExitCode.OK if result.ranking else ExitCode.NO_MATCH


def explain(given: Values) -> None:
    from llm_pick.cli.names import load_checked
    from llm_pick.cli.parse import build_query
    from llm_pick.ranking import topn
    from llm_pick.reports.recommend import explain_report

    query, catalog = given["query"], given["catalog"]
    models, wanted = load_checked(catalog, build_query(**query, top=10))
    model = models.get(given["model_id"])
    wanted = wanted.replace(explained=model.id)
    # ranked down to the model explained (ranking/topn.py): its rank is exact, those below
    # it are only checked to pass
    report = explain_report(model, topn.recommend(models, wanted), models)
    inputs = [*(catalog or ()), query["profile"]]
    emit(report, given["fmt"], given["output"], inputs, force=given["force"])


def compare(given: Values) -> None:
    from llm_pick.reports.compare import compare_report

    estimate, quant, chart, fmt = (given[n] for n in ("estimate", "quant", "chart", "fmt"))
    auto_kv = estimate.get("kv_dtype") is None and estimate.get("v_dtype") is None
    hardware, sizing = split_estimate_options(estimate)
    models = load(given["catalog"])
    chosen = [models.get(i) for i in dict.fromkeys(given["model_ids"])]
    outcome = None
    if (chart is not None and fmt == OutputFormat.table) or fmt == OutputFormat.html:
        from llm_pick.ranking.pipeline import lineage
        from llm_pick.ranking.pipeline import recommend as ranked
        from llm_pick.ranking.query import Query

        wanted = Query(hardware=hardware, sizing=sizing, quant=quant, top=len(chosen))
        outcome = (ranked(models, wanted), lineage(models))
    by_id = {m.id: m for m in models}
    report = compare_report(
        chosen,
        quant,
        sizing,
        hardware,
        chart=chart,
        outcome=outcome,
        lineage=by_id,
        auto_kv=auto_kv,
    )
    inputs = given["catalog"] or ()
    emit(chart_note(report, chart, fmt), fmt, given["output"], inputs, force=given["force"])


def chart_note(report: Any, chart: str | None, fmt: str) -> Any:
    """--chart draws in the table; HTML always has the charts; other formats say so."""
    if chart is not None and fmt not in (OutputFormat.table, OutputFormat.html):
        report.notes.append(f"Note: --chart is drawn with --format table or html, not {fmt}.")
    return report


BODIES = {
    "list": list_models,
    "show": show,
    "memory": memory,
    "recommend": recommend,
    "explain": explain,
    "compare": compare,
}
