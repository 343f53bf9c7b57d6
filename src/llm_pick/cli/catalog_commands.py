"""`llm-pick catalog validate|schema` and `llm-pick schema recommend`: the catalog format and
the JSON Schemas of the outputs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from llm_pick.cli.options import ForceOpt, OutputOpt
from llm_pick.errors import CatalogError

schema_app = typer.Typer(help="Print JSON Schemas of llm-pick's outputs.", no_args_is_help=True)
catalog_app = typer.Typer(
    help="Validate catalog files and print the catalog's JSON Schema.", no_args_is_help=True
)


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
def catalog_schema(output: OutputOpt = None, force: ForceOpt = False) -> None:
    """Print the JSON Schema of the catalog format."""
    from llm_pick.catalog.load import dump_json_schema
    from llm_pick.cli.output import stdout_errors, write_output

    text = dump_json_schema() + "\n"
    if output is None:
        with stdout_errors():
            sys.stdout.write(text)
            sys.stdout.flush()
    else:
        write_output(output, text, force=force)
