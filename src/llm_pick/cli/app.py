"""The command line: thin typer commands over the library, and the one error boundary."""

import gc
import os
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer import Abort, Exit
from typer.core import TyperGroup

from llm_pick import __version__
from llm_pick.cli.params import (
    HARDWARE_OPTIONS,
    SIZING_OPTIONS,
    CatalogOpt,
    FormatOpt,
    OutputFormat,
    OutputOpt,
    QuantOpt,
    TopOpt,
    with_estimate_options,
    with_query_options,
)
from llm_pick.errors import CatalogError, ExitCode, LlmPickError, OutputError
from llm_pick.reports.report import Report, render_text, write_atomic

try:  # typer vendors click since 0.2x; before, it used click's exceptions
    from typer.exceptions import TyperException as ClickException
except ImportError:  # pragma: no cover
    from click.exceptions import ClickException  # type: ignore[no-redef,import-not-found]


class Boundary(TyperGroup):
    """Turns every known failure into one `Error: ...` line on stderr and an exit code."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        argv = kwargs.get("args") if "args" in kwargs else (args[0] if args else None)
        debug = "--debug" in (sys.argv[1:] if argv is None else argv) or bool(
            os.environ.get("LLM_PICK_DEBUG")
        )
        # A short run allocates many small objects and frees few cycles: collect rarely (as
        # mypy does) instead of re-scanning a large catalog every 700 allocations.
        thresholds = gc.get_threshold()
        gc.set_threshold(100_000, 50, 100)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[misc]
        except LlmPickError as error:
            if debug:
                raise
            code = _fail(str(error), error.exit_code, getattr(error, "problems", ()))
        except ClickException as error:
            if type(error).__name__ == "NoArgsIsHelpError":  # `llm-pick` alone: the help
                sys.stdout.write(error.format_message() + "\n")
                code = ExitCode.OK
            else:
                code = _fail(_one_line(error.format_message()), ExitCode.USAGE)
        except Exit as error:
            code = error.exit_code
        except (Abort, KeyboardInterrupt):
            code = _fail("interrupted", ExitCode.INTERRUPTED)
        except BrokenPipeError:
            _silence_stdout()
            code = ExitCode.ERROR
        except Exception as error:
            if debug:
                raise
            code = _fail(
                f"internal error: {type(error).__name__}: {_one_line(str(error))} "
                "(please report it; --debug shows the traceback)",
                ExitCode.ERROR,
            )
        finally:
            gc.set_threshold(*thresholds)
        code = int(code or 0)
        if standalone_mode:
            sys.exit(code)
        return code


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _fail(message: str, code: int, problems: Any = ()) -> int:
    err = sys.stderr
    err.write(f"Error: {_one_line(message)}\n")
    for problem in problems:
        err.write(f"  {_one_line(problem)}\n")
    err.flush()
    return code


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


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
catalog_app = typer.Typer(
    help="Validate catalog files and print the catalog's JSON Schema.", no_args_is_help=True
)
app.add_typer(catalog_app, name="catalog")


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"llm-pick {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks for errors (for bug reports).")
    ] = False,
) -> None:
    """Pick an open-weight LLM that fits your GPU, licence and needs."""


def load(catalogs: list[Path] | None) -> Any:
    from llm_pick.catalog.load import load_catalog

    return load_catalog(catalogs or ())


def emit(report: Report, fmt: OutputFormat, output: Path | None, inputs: Any = ()) -> None:
    """Write the report to stdout or to --output; notes go to stderr."""
    if output is None:
        if fmt is OutputFormat.table:
            from rich.console import Console

            if report.table is not None:
                # NO_COLOR: plain text, no styles at all (rich alone would keep bold)
                plain: dict[str, Any] = {"color_system": None} if os.environ.get("NO_COLOR") else {}
                console = Console(
                    soft_wrap=False, markup=False, emoji=False, highlight=False, **plain
                )
                console.print(report.table())
        else:
            pretty = sys.stdout.isatty()  # JSON: indented on a terminal, compact when piped
            sys.stdout.write(render_text(report, fmt, pretty=pretty))
            sys.stdout.flush()
    else:
        _guard_output(output, inputs)
        existed = output.exists()
        write_atomic(output, render_text(report, fmt, pretty=False))
        report.notes.append(f"{'Replaced' if existed else 'Wrote'} {output}")
    for note in report.notes:
        sys.stderr.write(note + "\n")


def _guard_output(output: Path, inputs: Any) -> None:
    from llm_pick.catalog.load import bundled_path, env_paths

    target = output.resolve()
    for path in [bundled_path(), *env_paths(), *inputs]:
        if Path(path).resolve() == target:
            raise OutputError(f"{output}: refusing to overwrite an input catalog file")


@app.command("list")
def list_models(
    family: Annotated[
        list[str] | None,
        typer.Option(help="Only these families (llama, mistral, ...); repeatable."),
    ] = None,
    variant: Annotated[
        list[str] | None,
        typer.Option(help="Only these variants (base, chat, instruct, fine-tune)."),
    ] = None,
    commercial: Annotated[
        bool, typer.Option("--commercial", help="Commercial use allowed (conditions may apply).")
    ] = False,
    unconditional: Annotated[
        bool, typer.Option("--unconditional", help="Commercial use allowed without conditions.")
    ] = False,
    min_context: Annotated[
        str | None, typer.Option(metavar="TOKENS", help="Minimum context, e.g. 8192 or 32k.")
    ] = None,
    lang: Annotated[
        list[str] | None, typer.Option(metavar="CODE", help="Required language; repeatable.")
    ] = None,
    min_params: Annotated[
        float | None, typer.Option(metavar="BILLIONS", help="Minimum total parameters.")
    ] = None,
    max_params: Annotated[
        float | None, typer.Option(metavar="BILLIONS", help="Maximum total parameters.")
    ] = None,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    catalog: CatalogOpt = None,
) -> None:
    """List catalog models, optionally filtered."""
    from llm_pick.cli import parse as options
    from llm_pick.reports import catalog as views
    from llm_pick.scoring.constraints import Constraints, passing

    wanted = Constraints(
        commercial=commercial,
        unconditional=unconditional,
        min_context=options.tokens("--min-context", min_context),
        languages=options.languages(lang),
        min_params=options.billions("--min-params", min_params),
        max_params=options.billions("--max-params", max_params),
        families=options.families(family),
        variants=options.variants(variant),
    )
    models = views.display_order(passing(load(catalog), wanted))

    def table() -> Any:
        from llm_pick.render.format import model_list

        return model_list(models, f"{len(models)} models")

    report = Report(
        data={"models": [views.model_dict(m) for m in models]},
        columns=views.LIST_COLUMNS,
        rows=[views.list_row(m) for m in models],
        table=table,
    )
    emit(report, fmt, output, catalog or ())


@app.command()
def show(
    model_id: Annotated[str, typer.Argument(metavar="ID", help="Model id, e.g. mixtral-8x7b.")],
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    catalog: CatalogOpt = None,
) -> None:
    """Show every field of one model and its sources."""
    from llm_pick.reports import catalog as views

    model = load(catalog).get(model_id)
    data = views.model_dict(model)

    def table() -> Any:
        from llm_pick.render.format import model_detail

        return model_detail(model)

    flat = views.flatten(data)
    report = Report(data=data, columns=("field", "value"), rows=flat, table=table)
    emit(report, fmt, output, catalog or ())


# ---- hardware and memory options shared by memory, recommend, explain and compare ----


def split_estimate_options(given: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The hardware and the checked sizing arguments from the estimate option group."""
    from llm_pick.cli import parse as options
    from llm_pick.estimate.hardware import resolve

    hardware = resolve(**{name: given[name] for name, _, _ in HARDWARE_OPTIONS})
    return hardware, options.sizing(**{name: given[name] for name, _, _ in SIZING_OPTIONS})


@app.command()
@with_estimate_options
def memory(
    model_id: Annotated[str, typer.Argument(metavar="ID", help="Model id, e.g. llama-3-8b.")],
    quant: Annotated[
        str | None,
        typer.Option("--quant", "-q", metavar="Q", help="One quantization (default: all)."),
    ] = None,
    mode: Annotated[
        str, typer.Option("--mode", help="inference, lora, qlora or full (fine-tuning).")
    ] = "inference",
    lora_rank: Annotated[int, typer.Option("--lora-rank", help="LoRA/QLoRA rank.")] = 16,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    catalog: CatalogOpt = None,
    **estimate: Any,
) -> None:
    """Estimate memory (and fit and speed on given hardware) for one model."""
    from llm_pick.cli import parse as options
    from llm_pick.reports.memory import memory_report

    hardware, sizing = split_estimate_options(estimate)
    model = load(catalog).get(model_id)
    report = memory_report(
        model,
        quant=quant,
        mode=options.mode(mode),
        lora_rank=options.count("--lora-rank", lora_rank, 4096) or 16,
        hardware=hardware,
        **sizing,
    )
    emit(report, fmt, output, catalog or ())


@app.command("gpus")
def list_gpus(fmt: FormatOpt = OutputFormat.table, output: OutputOpt = None) -> None:
    """List the GPU presets usable with --gpu (memory, bandwidth, fp16 TFLOPS, sources)."""
    import dataclasses

    from llm_pick.catalog.gpus import load_gpus

    gpus = list(load_gpus().values())

    def table() -> Any:
        from llm_pick.render.memory import gpu_table

        return gpu_table(gpus)

    columns = (
        "id",
        "name",
        "vendor",
        "memory_gib",
        "usable_gib",
        "memory_bandwidth_gbs",
        "fp16_tflops",
        "fp16_tflops_kind",
    )
    rows = [
        [
            g.id,
            g.name,
            g.vendor,
            g.memory_gib,
            round(g.usable_gib, 2),
            g.memory_bandwidth_gbs,
            g.fp16_tflops,
            g.fp16_tflops_kind,
        ]
        for g in gpus
    ]
    data = {"gpus": [dataclasses.asdict(g) | {"usable_gib": g.usable_gib} for g in gpus]}
    emit(Report(data=data, columns=columns, rows=rows, table=table), fmt, output)


# ---- recommend / explain / compare ------------------------------------------------------


@app.command()
@with_query_options
def recommend(
    top: TopOpt = 10,
    show_excluded: Annotated[
        bool, typer.Option("--show-excluded", help="List excluded models with their reasons.")
    ] = False,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    catalog: CatalogOpt = None,
    **query: Any,
) -> None:
    """Rank the catalog against your hardware and needs, and say why.

    Exit codes: 0 ranked, 1 bad input, 2 usage, 3 no model satisfies the constraints."""
    from llm_pick.cli.parse import build_query
    from llm_pick.ranking import recommend as run_recommend
    from llm_pick.reports.recommend import recommend_report

    wanted = build_query(**query, top=top)
    models = load(catalog)
    result = run_recommend(models, wanted)
    emit(recommend_report(result, models, show_excluded), fmt, output, catalog or ())
    if not result.ranking:
        raise Exit(ExitCode.NO_MATCH)


@app.command()
@with_query_options
def explain(
    model_id: Annotated[str, typer.Argument(metavar="ID", help="Model id.")],
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    catalog: CatalogOpt = None,
    **query: Any,
) -> None:
    """Show, for one model, each constraint passed or failed and each criterion's share."""
    from llm_pick.cli.parse import build_query
    from llm_pick.ranking import recommend as run_recommend
    from llm_pick.reports.recommend import explain_report

    wanted = build_query(**query, top=10)
    models = load(catalog)
    model = models.get(model_id)
    emit(explain_report(model, run_recommend(models, wanted)), fmt, output, catalog or ())


@app.command()
@with_estimate_options
def compare(
    model_ids: Annotated[list[str], typer.Argument(metavar="ID...", help="Two or more model ids.")],
    quant: QuantOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    catalog: CatalogOpt = None,
    **estimate: Any,
) -> None:
    """Put models side by side; the best value in each row is marked."""
    from llm_pick.reports.compare import compare_report

    hardware, sizing = split_estimate_options(estimate)
    models = load(catalog)
    chosen = [models.get(i) for i in dict.fromkeys(model_ids)]
    emit(
        compare_report(chosen, quant=quant, hardware=hardware, **sizing), fmt, output, catalog or ()
    )


schema_app = typer.Typer(help="Print JSON Schemas of llm-pick's outputs.", no_args_is_help=True)
app.add_typer(schema_app, name="schema")


@schema_app.command("recommend")
def schema_recommend() -> None:
    """The JSON Schema of `recommend --format json`."""
    from llm_pick.reports.report import to_json
    from llm_pick.reports.schemas import recommend_schema

    sys.stdout.write(to_json(recommend_schema()))


@catalog_app.command("validate")
def catalog_validate(
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="Catalog files to check.")],
) -> None:
    """Check catalog files; print every problem with file, line and field path."""
    from llm_pick.catalog.load import validate_files

    problems = validate_files(files)
    if problems:
        raise CatalogError(f"{len(problems)} problem(s) in {len(files)} file(s)", problems)
    sys.stderr.write(f"OK: {len(files)} file(s) valid\n")


@catalog_app.command("schema")
def catalog_schema(output: OutputOpt = None) -> None:
    """Print the JSON Schema of the catalog format."""
    from llm_pick.catalog.load import dump_json_schema

    text = dump_json_schema() + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text)


def main() -> NoReturn:
    app()
    raise SystemExit(0)  # pragma: no cover - app() always exits
