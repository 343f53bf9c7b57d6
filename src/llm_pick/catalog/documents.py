"""Parse catalog and data documents safely: YAML (safe loader, chunked for large catalogs,
alias bombs refused) or JSON, into plain Python data; and find the line of a field path.

Imported only when a file is not in the cache: yaml stays off the hot path.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from llm_pick.catalog.yamlbuild import build
from llm_pick.errors import CatalogError

try:  # libyaml is several times faster; both loaders are the safe ones
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - pyyaml built without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

from yaml.constructor import ConstructorError

MAX_EXPANDED_NODES = 20_000_000


class _Loader(_SafeLoader):
    """The safe loader, stricter: a repeated mapping key is an error (PyYAML keeps the last
    value silently), and a bad scalar (a 5000-digit integer, 2024-02-30) is an error at its
    line instead of a ValueError from deep inside the constructor. Documents of plain maps,
    lists and safe scalars are built in one pass (yamlbuild.py); any other, and any error,
    goes through the constructor below."""

    def construct_document(self, node: Any) -> Any:
        try:
            return build(self, node)
        except Exception:  # PyYAML's constructor builds it, or reports the error
            return super().construct_document(node)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key, _ in node.value:
                if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    marker = (key.tag, key.value)
                    if marker in seen:
                        raise ConstructorError(
                            None, None, f"duplicate key {key.value!r}", key.start_mark
                        )
                    seen.add(marker)
        return super().construct_mapping(node, deep=deep)


def _checked(construct: Any, what: str) -> Any:
    def wrapper(loader: Any, node: Any) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, OverflowError, LookupError, AttributeError) as error:
            value = str(node.value)
            shown = value if len(value) <= 40 else f"{value[:20]}...({len(value)} characters)"
            reason = str(error).split(";")[0].split(" (")[0]
            if not isinstance(error, ValueError | OverflowError):  # `!!int ` with no digits
                shown, reason = repr(value), f"not {'an' if what[0] == 'i' else 'a'} {what}"
            if "Exceeds the limit" in reason:
                reason = "more than 4300 digits"
            raise ConstructorError(
                None, None, f"invalid {what} {shown}: {reason}", node.start_mark
            ) from None

    return wrapper


for _tag, _what in (
    ("int", "integer"),
    ("float", "number"),
    ("timestamp", "date"),
    ("bool", "boolean"),
):
    _name = f"tag:yaml.org,2002:{_tag}"
    _Loader.add_constructor(_name, _checked(_Loader.yaml_constructors[_name], _what))


def parse_document(name: str, raw: bytes) -> Any:
    """bytes -> plain Python data. JSON for *.json, YAML otherwise (safe loader only)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CatalogError(f"{name}: not UTF-8 text (byte {error.start})") from None
    if not text.strip():
        raise CatalogError(f"{name}: the file is empty")
    if name.lower().endswith(".json"):
        return parse_json(name, text)
    try:
        data = _load_yaml(text)
    except yaml.YAMLError as error:
        line = _yaml_error_line(error)
        reason = _yaml_error_reason(error, text)
        where = f"{name}:{line}" if line else name
        raise CatalogError(f"{where}: not valid YAML: {reason}") from None
    except RecursionError:
        raise CatalogError(f"{name}: YAML nesting is too deep") from None
    except (ValueError, OverflowError) as error:  # what the checked constructors missed
        raise CatalogError(f"{name}: not valid YAML: {str(error).split(';')[0]}") from None
    if "&" in text:  # without an anchor there is no alias to expand
        _check_expansion(name, data)
    return data


def parse_json(name: str, text: str) -> Any:
    """JSON text -> data; a repeated key, a huge number or deep nesting is one clear error."""
    try:
        return json.loads(text, object_pairs_hook=_unique_pairs)
    except json.JSONDecodeError as error:
        raise CatalogError(f"{name}:{error.lineno}: not valid JSON: {error.msg}") from None
    except _DuplicateKey:
        key, line = duplicate_line(text)
        raise CatalogError(f"{name}:{line}: duplicate key {key!r}") from None
    except RecursionError:
        raise CatalogError(f"{name}: the JSON is nested too deeply") from None
    except ValueError:  # int() refuses more than 4300 digits
        found = re.search(r"\d{4300}", text)
        line = text.count("\n", 0, found.start()) + 1 if found else 1
        raise CatalogError(f"{name}:{line}: a number has more than 4300 digits") from None


class _DuplicateKey(Exception):
    pass


_JSON_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[{}\[\]:\n]')


def duplicate_line(text: str) -> tuple[str, int]:
    """The first repeated key of a JSON text and its line (the error path only)."""
    stack: list[set[str] | None] = []  # keys seen per open object; None for an array
    line, last = 1, None
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token == "\n":
            line += 1
        elif token == ":" and last is not None and stack and stack[-1] is not None:
            key = json.loads(last)
            if key in stack[-1]:
                return key, line
            stack[-1].add(key)
        elif token in "{[":
            stack.append(set() if token == "{" else None)
        elif token in "}]" and stack:
            stack.pop()
        last = token if token.startswith('"') else None
    return "?", 1


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        raise _DuplicateKey
    return data


def _load_yaml(text: str, chunked_from: int | None = None, chunk: int | None = None) -> Any:
    """The document's data, parsed with the safe loader.

    PyYAML holds a node (with two position marks) for every scalar of the document until it
    has built the data: about 20x the file in memory. A large catalog's `models` list is
    therefore parsed a chunk of entries at a time; anything unusual (anchors, document
    markers, flow style, a parse error anywhere) falls back to parsing the whole document,
    which also gives the exact error."""
    if len(text) >= (CHUNKED_FROM if chunked_from is None else chunked_from) and "&" not in text:
        split = _split_models(text)
        if split is not None:
            try:
                return _load_chunks(*split, chunk or CHUNK_ENTRIES)
            except yaml.YAMLError:
                pass
    return yaml.load(text, Loader=_Loader)


CHUNKED_FROM = 1 << 20  # characters
CHUNK_ENTRIES = 100


def _load_chunks(head: str, items: list[str], tail: str, size: int) -> Any:
    data = yaml.load(f"{head}models: []\n{tail}", Loader=_Loader)
    if not isinstance(data, dict) or data.get("models") != []:
        raise yaml.YAMLError("unexpected document shape")
    models: list[Any] = []
    for start in range(0, len(items), size):
        part = yaml.load("".join(items[start : start + size]), Loader=_Loader)
        if not isinstance(part, list):
            raise yaml.YAMLError("unexpected chunk shape")
        models += part
    data["models"] = models
    return data


def _split_models(text: str) -> tuple[str, list[str], str] | None:
    """(text before `models:`, one text per entry of its block sequence, text after), or None
    when the document is not a plain block-style catalog. Regular expressions anchored on
    newlines do the scan (`^` in MULTILINE mode is several times slower on large texts)."""
    text = text if text.startswith("\n") else "\n" + text
    if _MARKERS.search(text):
        return None
    key = _MODELS_KEY.search(text)
    if key is None:
        return None
    first = _FIRST_ENTRY.match(text, key.end() - 1)
    if first is None:
        return None
    indent = len(first.group(1))
    # Lines that start within the sequence's indentation are entry starts, comments, or the
    # end of the sequence; every other line belongs to the entry above it.
    shallow = re.compile(rf"\n {{0,{indent}}}[^ \n]")
    starts: list[int] = []
    end = len(text)
    for match in shallow.finditer(text, first.start(1) - 1):
        char, after = text[match.end() - 1], text[match.end() : match.end() + 1]
        if char == "#":
            continue
        if char == "-" and match.end() - 2 - match.start() == indent and after in (" ", "\n", ""):
            starts.append(match.start() + 1)
            continue
        end = match.start() + 1
        break
    items = [text[a:b] for a, b in zip(starts, [*starts[1:], end], strict=True)]
    return text[1 : key.start() + 1], items, text[end:]


_MARKERS = re.compile(r"\n(?:---|\.\.\.|%)")
_MODELS_KEY = re.compile(r"\nmodels:[ \t]*(?:#[^\n]*)?\n")
# blank and comment lines, then the first entry's dash: its indentation is the sequence's
_FIRST_ENTRY = re.compile(r"\n(?:[ \t]*(?:#[^\n]*)?\n)*( *)-(?: |\n|$)")


def _yaml_error_line(error: yaml.YAMLError) -> int | None:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    return mark.line + 1 if mark is not None else None


def _yaml_error_reason(error: yaml.YAMLError, text: str) -> str:
    problem = getattr(error, "problem", None)
    context = getattr(error, "context", None)
    mark = getattr(error, "problem_mark", None)
    if mark is not None:
        lines = text.splitlines()
        if mark.line < len(lines) and lines[mark.line][mark.column : mark.column + 1] == "\t":
            return "a tab character: YAML indentation must use spaces"
    if problem and "could not determine a constructor" in problem:
        tag = problem.split("for the tag")[-1].strip()
        return f"YAML tags that construct objects are refused ({tag})"
    parts = [p for p in (context, problem) if p]
    return "; ".join(parts) if parts else str(error).splitlines()[0]


def _check_expansion(name: str, data: Any) -> None:
    """Refuse alias bombs and recursive aliases: count nodes as validation would see them."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Any) -> int:
        if not isinstance(node, dict | list):
            return 1
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise CatalogError(f"{name}: a YAML alias refers to itself (recursive structure)")
        active.add(key)
        children = node.items() if isinstance(node, dict) else enumerate(node)
        total = 1
        for _, child in children:
            total += size(child)
            if total > MAX_EXPANDED_NODES:
                raise CatalogError(
                    f"{name}: YAML aliases expand to more than {MAX_EXPANDED_NODES:,} nodes "
                    "(an alias bomb?); refusing to process it"
                )
        active.discard(key)
        sizes[key] = total
        return total

    try:
        size(data)
    except RecursionError:
        raise CatalogError(f"{name}: the document is nested too deeply") from None


class Locator:
    """Finds the line of a field path in a YAML document (composed lazily, errors only)."""

    def __init__(self, name: str, raw: bytes):
        self.name, self.raw = name, raw
        self._root: Any = None
        self._composed = False

    def where(self, loc: tuple[Any, ...]) -> str:
        line = self._line(loc)
        return f"{self.name}:{line}" if line else self.name

    def _line(self, loc: tuple[Any, ...]) -> int | None:
        if not self._composed:
            self._composed = True
            try:
                self._root = yaml.compose(self.raw.decode("utf-8-sig"), Loader=_Loader)
            except Exception:  # location is best effort
                self._root = None
        node, line = self._root, None
        for part in loc:
            if node is None:
                break
            line = node.start_mark.line + 1
            node = self._child(node, part)
        if node is not None:
            line = node.start_mark.line + 1
        return line

    @staticmethod
    def _child(node: Any, part: Any) -> Any:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if getattr(key, "value", None) == str(part):
                    return value
            return None
        if isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            return node.value[part] if 0 <= part < len(node.value) else None
        return None
