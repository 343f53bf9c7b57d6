"""The command line: thin typer commands over the library, and the one error boundary."""

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer import Exit

from llm_pick import __version__
from llm_pick.cli.boundary import Boundary
from llm_pick.cli.calibrating import calibrate_command
from llm_pick.cli.catalog_commands import catalog_app, schema_app
from llm_pick.cli.local import installed_catalog, local_command
from llm_pick.cli.options import (
    HARDWARE_OPTIONS,
    SIZING_OPTIONS,
    CatalogOpt,
    ChartOpt,
    CommercialOpt,
    FamilyOpt,
    ForceOpt,
    FormatOpt,
    InstalledOpt,
    LangOpt,
    MaxParamsOpt,
    MinContextOpt,
    MinParamsOpt,
    NeedsOpt,
    OutputFormat,
    OutputOpt,
    QuantOpt,
    TopOpt,
    UnconditionalOpt,
    VariantOpt,
    with_estimate_options,
    with_query_options,
)
from llm_pick.cli.output import emit
from llm_pick.errors import ExitCode, InputError

app = typer.Typer(
    cls=Boundary,
    name="llm-pick",
    help="Pick an open-weight LLM that fits your GPU, licence and needs. Facts are sourced; "
    "memory and speed are estimates and say so.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(catalog_app, name="catalog")
app.command("local")(local_command)


def _version(value: bool) -> None:
    if value:
        from llm_pick.catalog.compiled import as_of

        dated = as_of()
        sys.stdout.write(
            f"llm-pick {__version__}"
            + (f" (catalog as of {dated.isoformat()})" if dated else "")
            + "\n"
        )
        raise typer.Exit()


@app.callback(epilog="--debug (anywhere before --) or LLM_PICK_DEBUG=1 shows tracebacks.")
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Pick an open-weight LLM that fits your GPU, licence and needs."""


def load(catalogs: list[Path] | None) -> Any:
    from llm_pick.catalog.load import load_catalog

    return load_catalog(catalogs or ())


@app.command("list")
def list_models(
    family: FamilyOpt = None,
    variant: VariantOpt = None,
    needs: NeedsOpt = None,
    commercial: CommercialOpt = False,
    unconditional: UnconditionalOpt = False,
    min_context: MinContextOpt = None,
    lang: LangOpt = None,
    min_params: MinParamsOpt = None,
    max_params: MaxParamsOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    force: ForceOpt = False,
    catalog: CatalogOpt = None,
) -> None:
    """List catalog models, optionally filtered."""
    from llm_pick.cli.names import load_checked
    from llm_pick.cli.parse import constraints
    from llm_pick.reports.catalog import list_report
    from llm_pick.scoring.constraints import passing

    wanted = constraints(
        family=family,
        variant=variant,
        needs=needs,
        commercial=commercial,
        unconditional=unconditional,
        min_context=min_context,
        lang=lang,
        min_params=min_params,
        max_params=max_params,
    )
    models, wanted = load_checked(catalog, wanted)
    report = list_report(passing(models, wanted), models.as_of)
    emit(report, fmt, output, catalog or (), force=force)


@app.command()
def show(
    model_id: Annotated[str, typer.Argument(metavar="ID", help="Model id, e.g. mixtral-8x7b.")],
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    force: ForceOpt = False,
    catalog: CatalogOpt = None,
) -> None:
    """Show every field of one model and its sources."""
    from llm_pick.reports.catalog import show_report

    emit(show_report(load(catalog).get(model_id)), fmt, output, catalog or (), force=force)


# ---- hardware and memory options shared by memory, recommend, explain and compare ----


def split_estimate_options(given: dict[str, Any]) -> tuple[Any, Any]:
    """The hardware and the sizing from the estimate option group."""
    from llm_pick.cli.parse import hardware, sizing

    machine = hardware(**{name: given[name] for name, _, _ in HARDWARE_OPTIONS})
    return machine, sizing(**{name: given[name] for name, _, _ in SIZING_OPTIONS})


@app.command()
@with_estimate_options
def memory(
    model_id: Annotated[
        str,
        typer.Argument(
            metavar="ID|FILE.gguf|hf:REPO", help="Model id, GGUF file or hf:ORG/REPO:QUANT."
        ),
    ],
    quant: Annotated[
        str | None,
        typer.Option("--quant", "-q", metavar="Q", help="One quantization (default: all)."),
    ] = None,
    mode: Annotated[
        str, typer.Option("--mode", help="inference, lora, qlora or full (fine-tuning).")
    ] = "inference",
    lora_rank: Annotated[int, typer.Option("--lora-rank", help="LoRA/QLoRA rank.")] = 16,
    text_only: Annotated[
        bool,
        typer.Option(
            "--text-only", help="Leave out a vision/audio encoder (llama.cpp --no-mmproj)."
        ),
    ] = False,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    force: ForceOpt = False,
    catalog: CatalogOpt = None,
    **estimate: Any,
) -> None:
    """Estimate memory (and fit and speed on given hardware) for one model or GGUF file."""
    from dataclasses import replace

    from llm_pick.cli.parse import training_mode
    from llm_pick.reports.memory import memory_report

    hardware, sizing = split_estimate_options(estimate)
    if model_id.lower().endswith(".gguf") or model_id.startswith("hf:"):
        from llm_pick.reports.memory import file_report

        if quant is not None or mode != "inference":
            raise InputError("a GGUF file has its own quantization: drop --quant and --mode")
        emit(file_report(model_id, sizing, hardware), fmt, output, [model_id], force=force)
        return
    model = load(catalog).get(model_id)
    sizing = replace(sizing, mode=training_mode(mode), lora_rank=lora_rank, text_only=text_only)
    report = memory_report(model, quant, sizing, hardware)
    emit(report, fmt, output, catalog or (), force=force)


@app.command("gpus")
def list_gpus(
    fmt: FormatOpt = OutputFormat.table, output: OutputOpt = None, force: ForceOpt = False
) -> None:
    """List the GPU presets usable with --gpu (memory, bandwidth, fp16 TFLOPS, sources)."""
    from llm_pick.catalog.gpus import load_gpus
    from llm_pick.reports.catalog import gpus_report

    emit(gpus_report(list(load_gpus().values())), fmt, output, force=force)


@app.command("hardware")
def hardware_command(
    fmt: FormatOpt = OutputFormat.table, output: OutputOpt = None, force: ForceOpt = False
) -> None:
    """Show the detected GPUs and RAM: which tool, usable memory per card, matched preset."""
    from llm_pick.reports.hardware import hardware_report

    emit(hardware_report(), fmt, output, force=force)


# ---- recommend / explain / compare ------------------------------------------------------


@app.command()
@with_query_options
def recommend(
    top: TopOpt = 10,
    show_excluded: Annotated[
        bool, typer.Option("--show-excluded", help="List excluded models with their reasons.")
    ] = False,
    chart: ChartOpt = None,
    installed: InstalledOpt = False,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    force: ForceOpt = False,
    catalog: CatalogOpt = None,
    **query: Any,
) -> None:
    """Rank the catalog against your hardware and needs, and say why.

    Exit codes: 0 ranked, 1 bad input, 2 usage, 3 no model satisfies the constraints."""
    from llm_pick.cli.names import load_checked
    from llm_pick.cli.parse import build_query
    from llm_pick.ranking import pipeline
    from llm_pick.reports.recommend import recommend_report

    wanted = build_query(**query, top=top)
    if installed:
        models, wanted = installed_catalog(wanted)
    else:
        models, wanted = load_checked(catalog, wanted)
    result = pipeline.recommend(models, wanted)
    report = recommend_report(result, models, show_excluded, chart)
    inputs = [*(catalog or ()), query["profile"]]
    emit(chart_note(report, chart, fmt), fmt, output, inputs, force=force)
    if not result.ranking:
        raise Exit(ExitCode.NO_MATCH)


@app.command()
@with_query_options
def explain(
    model_id: Annotated[str, typer.Argument(metavar="ID", help="Model id.")],
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    force: ForceOpt = False,
    catalog: CatalogOpt = None,
    **query: Any,
) -> None:
    """Show, for one model, each constraint passed or failed and each criterion's share."""
    from llm_pick.cli.names import load_checked
    from llm_pick.cli.parse import build_query
    from llm_pick.ranking import pipeline
    from llm_pick.reports.recommend import explain_report

    models, wanted = load_checked(catalog, build_query(**query, top=10).replace(all_formats=True))
    model = models.get(model_id)
    report = explain_report(model, pipeline.recommend(models, wanted), models)
    inputs = [*(catalog or ()), query["profile"]]
    emit(report, fmt, output, inputs, force=force)


@app.command()
@with_estimate_options
def compare(
    model_ids: Annotated[list[str], typer.Argument(metavar="ID...", help="Two or more model ids.")],
    quant: QuantOpt = None,
    chart: ChartOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    force: ForceOpt = False,
    catalog: CatalogOpt = None,
    **estimate: Any,
) -> None:
    """Put models side by side; the best value in each row is marked."""
    from llm_pick.reports.compare import compare_report

    hardware, sizing = split_estimate_options(estimate)
    models = load(catalog)
    chosen = [models.get(i) for i in dict.fromkeys(model_ids)]
    outcome = None
    if (chart is not None and fmt == OutputFormat.table) or fmt == OutputFormat.html:
        from llm_pick.ranking.pipeline import lineage, recommend
        from llm_pick.ranking.query import Query

        wanted = Query(hardware=hardware, sizing=sizing, quant=quant, top=len(chosen))
        outcome = (recommend(models, wanted), lineage(models))
    by_id = {m.id: m for m in models}
    report = compare_report(
        chosen, quant, sizing, hardware, chart=chart, outcome=outcome, lineage=by_id
    )
    emit(chart_note(report, chart, fmt), fmt, output, catalog or (), force=force)


def chart_note(report: Any, chart: str | None, fmt: str) -> Any:
    """--chart draws in the table; HTML always has the charts; other formats say so."""
    if chart is not None and fmt not in (OutputFormat.table, OutputFormat.html):
        report.notes.append(f"Note: --chart is drawn with --format table or html, not {fmt}.")
    return report


@app.command("import")
def import_model(
    path: Annotated[
        Path, typer.Argument(metavar="PATH", help="A .gguf file, a config.json or a model folder.")
    ],
    model_id: Annotated[str | None, typer.Option("--id", help="Catalog id to give it.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Display name.")] = None,
    organization: Annotated[str | None, typer.Option("--organization")] = None,
    variant: Annotated[str | None, typer.Option("--variant", help="base, chat, ...")] = None,
    base_model: Annotated[str | None, typer.Option("--base-model", metavar="ID")] = None,
    license_id: Annotated[str | None, typer.Option("--license", metavar="ID")] = None,
    commercial_use: Annotated[
        str | None, typer.Option("--commercial-use", help="allowed, conditional or prohibited.")
    ] = None,
    conditions: Annotated[str | None, typer.Option("--conditions")] = None,
    license_url: Annotated[str | None, typer.Option("--license-url", metavar="URL")] = None,
    lang: Annotated[list[str] | None, typer.Option("--lang", help="Language codes.")] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Catalog to write; an existing one gets the entry added or replaced (atomically).",
        ),
    ] = None,
) -> None:
    """Make a catalog entry from a GGUF file, a config.json or a model folder."""
    from llm_pick.cli.importing import import_command

    import_command(
        path,
        output,
        {
            "id": model_id,
            "name": name,
            "organization": organization,
            "variant": variant,
            "base_model": base_model,
        },
        {
            "id": license_id,
            "commercial_use": commercial_use,
            "conditions": conditions,
            "url": license_url,
        },
        lang,
    )


app.command("calibrate")(calibrate_command)
app.add_typer(schema_app, name="schema")
