"""Which inference runtimes support which model families (data/runtimes.yaml, sourced)."""

from __future__ import annotations

from functools import cache
from typing import Any


def _runtime_file() -> type:
    from llm_pick.catalog.filetypes import RuntimeFile

    return RuntimeFile


def _support(file: Any) -> dict[str, tuple[str, ...]]:
    return {runtime.id: tuple(runtime.supports) for runtime in file.runtimes}


@cache
def runtime_support() -> dict[str, tuple[str, ...]]:
    """Runtime id -> the families it supports."""
    from llm_pick.catalog import datafiles

    return datafiles.bundled("runtimes.yaml", _runtime_file, _support)  # type: ignore[no-any-return]
