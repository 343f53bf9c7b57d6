"""The command line: thin typer commands over the library, and the one error boundary."""

from pathlib import Path
from typing import Annotated, Any

import typer

from llm_pick.cli import commands
from llm_pick.cli.boundary import Boundary
from llm_pick.cli.calibrating import calibrate_command
from llm_pick.cli.catalog_commands import catalog_app, schema_app
from llm_pick.cli.local import local_command
from llm_pick.cli.options import (
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
        commands.version()
        raise typer.Exit()


@app.callback(epilog="--debug (anywhere before --) or LLM_PICK_DEBUG=1 shows tracebacks.")
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Pick an open-weight LLM that fits your GPU, licence and needs."""


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
    commands.list_models(locals())  # the values by parameter name


@app.command()
def show(
    model_id: Annotated[str, typer.Argument(metavar="ID", help="Model id, e.g. mixtral-8x7b.")],
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    force: ForceOpt = False,
    catalog: CatalogOpt = None,
) -> None:
    """Show every field of one model and its sources."""
    commands.show(locals())  # the values by parameter name


# ---- memory (the hardware and memory options are shared with recommend, explain, compare) ----


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
    commands.memory(locals())  # the values by parameter name


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
) -> int:
    """Rank the catalog against your hardware and needs, and say why.

    Exit codes: 0 ranked, 1 bad input, 2 usage, 3 no model satisfies the constraints."""
    return commands.recommend(locals())  # the values by parameter name


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
    commands.explain(locals())  # the values by parameter name


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
    commands.compare(locals())  # the values by parameter name


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
