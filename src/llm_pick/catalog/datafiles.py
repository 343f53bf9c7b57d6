"""The small data files shipped beside the catalog (gpus, runtimes, profiles): located in the
installed package (or data/ in a checkout), validated with pydantic once, cached by content."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from llm_pick.catalog import cache
from llm_pick.errors import CatalogError


def path(name: str) -> Path:
    """A data file inside the installed package (the wheel puts data/ there), or in the data/
    folder of a source checkout (editable installs)."""
    package = Path(__file__).parents[1]
    shipped = package / "data" / name
    if shipped.is_file():
        return shipped
    return package.parents[1] / "data" / name


def load(
    file: Path,
    kind: Callable[[], type],
    convert: Callable[[Any], Any] = lambda value: value,
    *,
    use_cache: bool = True,
) -> Any:
    """Parse `file`, validate it as `kind()` (a dataclass, imported only on a cache miss) and
    return `convert(validated)`, which is what the cache keeps. CatalogError with reasons."""
    try:
        raw = file.read_bytes()
    except OSError as error:
        raise CatalogError(f"{file}: cannot read: {error.strerror or error}") from None
    if use_cache:
        cached = cache.get(file.stem, raw)
        if cached is not None:
            return cached
    from pydantic import TypeAdapter, ValidationError

    from llm_pick.catalog.parse import parse_document

    data = parse_document(str(file), raw)
    try:
        value = convert(TypeAdapter(kind()).validate_python(data))
    except ValidationError as error:
        problems = [
            f"{file}: {'.'.join(str(p) for p in e['loc']) or '(document)'}: {e['msg']}"
            for e in error.errors(include_url=False)
        ]
        raise CatalogError(f"{file}: {len(problems)} problem(s)", problems) from None
    if use_cache:
        cache.put(file.stem, raw, value)
    return value
