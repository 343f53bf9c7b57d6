"""Load, validate and merge catalogs: the bundled one, LLM_PICK_CATALOG and --catalog files.

Nothing is half-loaded: any problem in any file raises CatalogError listing every problem.
The bundled catalog comes ready-validated from compiled.json (no parse, no pydantic); user
catalogs are read with a size cap and validated on every run (nothing is cached).
"""

from __future__ import annotations

import operator
import os
from collections.abc import Iterator, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from llm_pick.catalog.dates import date
from llm_pick.catalog.read import is_url, read_input
from llm_pick.catalog.tuples import NamedTuple
from llm_pick.catalog.types import COMMERCIAL_RANK, INHERITED, Model
from llm_pick.errors import CatalogError, UnknownNameError

if TYPE_CHECKING:  # pathlib is imported where a Path is asked for (start-up)
    from pathlib import Path

ENV_VAR = "LLM_PICK_CATALOG"
MAX_FILE_BYTES = 64 * 1024 * 1024  # JSON: ~2 s and ~0.3 GiB; see docs/usage.md
MAX_YAML_BYTES = 16 * 1024 * 1024  # YAML parses ~8x slower than JSON


class Origin(NamedTuple):
    """Where an entry came from, for error messages."""

    path: str
    position: int  # index in the file's models list ("index" would shadow tuple.index)


class SourceFile(NamedTuple):
    path: str
    sha256: str
    models: int
    as_of: date | None = None  # the file's as-of date, when it states one


class LoadedFile(NamedTuple):
    source: SourceFile
    models: tuple[Model, ...]


class Catalog:
    """An immutable, merged set of models keyed by id (sorted by id)."""

    def __init__(self, models: dict[str, Model], sources: Sequence[SourceFile]):
        self._models = dict(sorted(models.items()))
        self.sources = tuple(sources)
        dates = [source.as_of for source in self.sources if source.as_of is not None]
        self.as_of: date | None = max(dates) if dates else None
        """The newest as-of date of the files (the bundled catalog's, unless a file is newer)."""
        self._memos: dict[str, dict[Any, Any]] | None = None

    def memo(self, name: str) -> dict[Any, Any]:
        """A cache for figures derived from this catalog's frozen models alone (ranking/
        passes.py), shared by the catalogs of the very same records (each load of the bundled
        catalog in one process: catalog/load.py _built)."""
        if self._memos is None:
            records = tuple(self._models.values())
            for kept, memos in _MEMOS:
                if len(kept) == len(records) and all(map(operator.is_, kept, records)):
                    self._memos = memos
                    break
            else:
                self._memos = {}
                _MEMOS.insert(0, (records, self._memos))
                del _MEMOS[4:]  # the last few catalogs' (their records kept alive with them)
        return self._memos.setdefault(name, {})

    def __iter__(self) -> Iterator[Model]:
        return iter(self._models.values())

    def __repr__(self) -> str:
        shown = ", ".join(list(self._models)[:3]) + (", ..." if len(self) > 3 else "")
        return f"<Catalog: {len(self)} models [{shown}] from {len(self.sources)} file(s)>"

    def __len__(self) -> int:
        return len(self._models)

    def __contains__(self, model_id: object) -> bool:
        return model_id in self._models

    @property
    def ids(self) -> list[str]:
        return list(self._models)

    def get(self, model_id: str) -> Model:
        try:
            return self._models[model_id]
        except KeyError:
            lowered = model_id.strip().lower()
            if lowered in self._models:
                return self._models[lowered]
            from llm_pick.catalog.aliases import resolve

            alias = resolve(self._models.values(), model_id)  # an HF repo or Ollama tag
            if alias is not None:
                return self._models[alias]
            raise UnknownNameError("model", model_id, self._models) from None

    @property
    def sha256(self) -> str:
        from llm_pick.catalog.digest import sha256

        digest = sha256()
        for source in self.sources:
            digest.update(source.sha256.encode())
        found: str = digest.hexdigest()
        return found


_MEMOS: list[tuple[tuple[Model, ...], dict[str, dict[Any, Any]]]] = []  # Catalog.memo


def bundled_path() -> Path:
    """The catalog shipped in the wheel, or data/models.yaml of a source checkout."""
    from llm_pick.catalog.datafiles import path

    return path("models.yaml")


def bundled_location() -> str:
    """`bundled_path` as a string, as a command's start reads it (no pathlib)."""
    from llm_pick.catalog.datafiles import location

    return location("models.yaml")


def env_paths(environ: dict[str, str] | None = None) -> list[str]:
    value = (os.environ if environ is None else environ).get(ENV_VAR, "")
    if "://" in value:  # before splitting on ':', which would cut a URL in two
        raise CatalogError(f"{ENV_VAR}={value}: URLs are not read (llm-pick works offline)")
    return [part for part in value.split(os.pathsep) if part.strip()]


def load_catalog(
    paths: Sequence[str | Path] = (),
    *,
    bundled: bool = True,
    use_env: bool = True,
) -> Catalog:
    """Bundled catalog, then LLM_PICK_CATALOG files, then `paths`; later ids override earlier."""
    loaded = [read_bundled()] if bundled else []
    extra: list[str | Path] = [*env_paths()] if use_env else []
    loaded += [read_file(path) for path in [*extra, *paths]]
    return merge(loaded)


def merge(loaded: Sequence[LoadedFile]) -> Catalog:
    """Later files' entries replace earlier ones with the same id; lineage is checked on the
    result, and any problem rejects the whole set."""
    alone = len(loaded) == 1 and any(loaded[0].models is b for b in _BUILT.values())
    if alone and _COMPLETED and _COMPLETED[0][0] is loaded[0].models:
        return Catalog(dict(_COMPLETED[0][1]), [loaded[0].source])  # the bundled one again
    models: dict[str, Model] = {}
    for item in loaded:
        for model in item.models:
            models[model.id] = model
    problems = inherit(models)
    problems += check_lineage(models)
    if alone and not problems:  # its fine-tunes completed once per process, as it is built
        _COMPLETED[:] = [(loaded[0].models, dict(models))]
    if problems:
        origins = {
            model.id: Origin(item.source.path, index)
            for item in loaded
            for index, model in enumerate(item.models)
        }
        lines = [
            f"{origins[mid].path}: models[{origins[mid].position}] ({mid}): {message}"
            for mid, message in problems
        ]
        raise CatalogError(f"{len(lines)} problem(s) in the catalog", lines)
    return Catalog(models, [item.source for item in loaded])


def inherit(models: dict[str, Model]) -> list[tuple[str, str]]:
    """Fill in, in place, the fields a fine-tune left out (family, parameters, architecture,
    context_length, languages) from its base, bases first. Unknown bases and loops are left
    to check_lineage; anything else that stops a model from being completed is a problem."""

    def missing(model: Model) -> list[str]:
        return [name for name in INHERITED if getattr(model, name) is None]

    problems: list[tuple[str, str]] = []
    done: set[str] = set()
    for start in list(models):
        chain: list[str] = []
        cursor: str | None = start
        while cursor in models and cursor not in done and cursor not in chain:
            chain.append(cursor)
            cursor = models[cursor].base_model
        for mid in reversed(chain):  # the base first, so a chain inherits all the way down
            done.add(mid)
            model = models[mid]
            base = models.get(model.base_model or "")
            gaps = missing(model)
            if not gaps or base is None or missing(base):
                continue
            try:
                models[mid] = _completed(model, {name: getattr(base, name) for name in gaps})
            except ValueError as error:
                problems.append((mid, f"inherited from {base.id}: {error}"))
    failed = {mid for mid, _ in problems}
    for model in models.values():  # an unknown base itself is reported by check_lineage
        if missing(model) and model.id not in failed and (model.base_model or "") in models:
            problems.append(
                (
                    model.id,
                    f"cannot inherit {', '.join(missing(model))}: its base "
                    f"{model.base_model} is not complete (a loop, or an unknown base above it)",
                )
            )
    return problems


def _completed(model: Model, gaps: dict[str, Any]) -> Model:
    """dataclasses.replace(model, **gaps) (the same checks: __post_init__), without its
    per-call field bookkeeping: large catalogs are mostly fine-tunes completed this way."""
    made = object.__new__(Model)
    for name in _fields():
        object.__setattr__(made, name, gaps[name] if name in gaps else getattr(model, name))
    if len(gaps) < len(INHERITED):
        # Model.__post_init__ checked every field but these when the entry was built; what it
        # checks once they are filled in (languages, moe against parameters) reads only these.
        # Taken together from one complete base, they passed the same checks there.
        made.__post_init__()
    return made


@cache
def _fields() -> tuple[str, ...]:
    import dataclasses

    return tuple(item.name for item in dataclasses.fields(Model))


def check_lineage(models: dict[str, Model]) -> list[tuple[str, str]]:
    """(model id, problem): base_model must exist, lineage must not loop, and a derivative is
    never freer than its base. Linear in the catalog: each chain is walked once."""
    problems = []
    loops = _lineage_loops(models)
    for model in models.values():
        if model.base_model is None:
            continue
        base = models.get(model.base_model)
        if base is None:
            problems.append((model.id, f"base_model: unknown id {model.base_model!r}"))
            continue
        if loops.get(model.id):
            problems.append((model.id, f"base_model: lineage loops through {loops[model.id]!r}"))
        mine, theirs = model.license.commercial_use, base.license.commercial_use
        if COMMERCIAL_RANK[mine] > COMMERCIAL_RANK[theirs]:
            problems.append(
                (
                    model.id,
                    f"license.commercial_use: {mine!r} is freer than its base {base.id} "
                    f"({theirs!r}); a derivative can never be more permissive than its base",
                )
            )
    return problems


def _lineage_loops(models: dict[str, Model]) -> dict[str, str | None]:
    """id -> the id where its base_model chain loops, or None. Every id is visited once: a
    walk stops at the first id whose answer is known and gives its answer to the whole path."""
    loops: dict[str, str | None] = {}
    for start in models:
        path: list[str] = []
        on_path: set[str] = set()
        cursor: str | None = start
        result: str | None = None
        while cursor is not None and cursor in models:
            if cursor in loops:
                result = loops[cursor]
                break
            if cursor in on_path:
                result = cursor
                break
            on_path.add(cursor)
            path.append(cursor)
            cursor = models[cursor].base_model
        for node in path:
            loops[node] = result
    return loops


def read_bundled() -> LoadedFile:
    """The bundled catalog: from compiled.json when it was compiled from models.yaml as it is
    (the normal case: no YAML parse, no pydantic), else validated from the YAML."""
    from llm_pick.catalog import compiled

    path = bundled_location()
    found = compiled.shipped("models.yaml", path)
    if found is not None:
        digest, plain = found
        built = _built(digest, plain)
        return LoadedFile(SourceFile(path, digest, len(built), compiled.as_of()), built)
    raw = read_input(path, MAX_FILE_BYTES)
    data = compiled.entry("models.yaml", raw)
    if data is not None:
        from llm_pick.catalog.digest import hexdigest

        built = _built(hexdigest(raw), data)
        return _loaded(str(path), raw, built, compiled.as_of())
    return _loaded(str(path), raw, *_validate(str(path), raw))


_BUILT: dict[str, tuple[Model, ...]] = {}
_COMPLETED: list[tuple[tuple[Model, ...], dict[str, Model]]] = []  # merge of _BUILT alone


def _built(digest: str, plain: Any) -> tuple[Model, ...]:
    """The bundled models compiled from the file with this sha256, built once per process
    (the records are frozen; a process that loads the catalog again gets the same ones)."""
    if digest not in _BUILT:
        from llm_pick.catalog import compiled

        _BUILT.clear()
        _BUILT[digest] = compiled.models(plain)
    return _BUILT[digest]


def read_file(path: str | Path) -> LoadedFile:
    """Read and validate one catalog file (YAML, or JSON by .json suffix), every run."""
    name = str(path)
    if is_url(name):
        raise CatalogError(f"{name}: URLs are not read (llm-pick works offline): give a file path")
    limit = MAX_FILE_BYTES if name.lower().endswith(".json") else MAX_YAML_BYTES
    raw = read_input(name, limit)
    return _loaded(name, raw, *_validate(name, raw))


def _loaded(
    name: str, raw: bytes, models: tuple[Model, ...], as_of: date | None = None
) -> LoadedFile:
    from llm_pick.catalog.digest import hexdigest

    digest = hexdigest(raw)
    return LoadedFile(SourceFile(name, digest, len(models), as_of), models)


def validate_files(paths: Sequence[str | Path]) -> list[str]:
    """Every problem in the given files (each on its own, then merged on top of the bundled
    catalog so base_model and lineage are checked). Empty list when all is well."""
    problems: list[str] = []
    loaded = []
    for path in paths:
        try:
            loaded.append(read_file(path))
        except CatalogError as error:
            problems += error.problems or [str(error)]
    if problems:
        return problems
    from pathlib import Path

    bundled = bundled_path()
    base = [] if any(Path(p).resolve() == bundled.resolve() for p in paths) else [bundled]
    try:
        merge([read_bundled() for _ in base] + loaded)
    except CatalogError as error:
        problems += error.problems
    return problems


def _validate(name: str, raw: bytes) -> tuple[tuple[Model, ...], date | None]:
    from llm_pick.catalog.validate import load_file

    models, as_of = load_file(name, raw)
    return tuple(models), as_of


def catalog_json_schema() -> dict[str, Any]:
    from llm_pick.catalog.validate import json_schema

    return json_schema()


def dump_json_schema() -> str:
    import json

    return json.dumps(catalog_json_schema(), indent=2, sort_keys=False)
