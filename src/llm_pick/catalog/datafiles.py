"""The small data files shipped beside the catalog (gpus, runtimes, profiles), and users'
profile files: located in the installed package (or data/ in a checkout), read with a size
cap, and validated (bundled files come ready-validated from compiled.json)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from llm_pick.catalog.read import read_input

if TYPE_CHECKING:  # pathlib is imported where a Path is asked for (start-up)
    from pathlib import Path

MAX_DATA_BYTES = 1024 * 1024  # data and profile files are a few KiB


def path(name: str) -> Path:
    """A data file inside the installed package (the wheel puts data/ there), or in the data/
    folder of a source checkout (editable installs)."""
    from pathlib import Path

    return Path(location(name))


def location(name: str) -> str:
    """`path` as a string, as a command's start reads it (no pathlib)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    shipped = os.path.join(package, "data", name)
    if os.path.isfile(shipped):
        return shipped
    return os.path.join(os.path.dirname(os.path.dirname(package)), "data", name)


def folder() -> Path:
    return path("models.yaml").parent


def bundled(name: str, kind: Callable[[], type], convert: Callable[[Any], Any]) -> Any:
    """A bundled data file: from compiled.json when it was compiled from the file as it is,
    else validated now. Returns convert(validated file)."""
    from llm_pick.catalog import compiled

    file = location(name)
    found = compiled.shipped(name, file)
    if found is not None:
        return convert(compiled.file_of(name, found[1]))
    raw = read_input(file, 16 * MAX_DATA_BYTES)
    data = compiled.entry(name, raw)
    if data is not None:
        return convert(compiled.file_of(name, data))
    from llm_pick.catalog.validate import validate_file

    return convert(validate_file(path(name), raw, kind()))


def user_file(file: Path, kind: Callable[[], type], convert: Callable[[Any], Any]) -> Any:
    """A user's file (e.g. --profile FILE), read with the MAX_DATA_BYTES cap and validated."""
    from llm_pick.catalog.validate import validate_file

    return convert(validate_file(file, read_input(str(file), MAX_DATA_BYTES), kind()))
