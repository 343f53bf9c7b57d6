"""The one-pass YAML builder (catalog/yamlbuild.py) gives exactly what PyYAML's safe
constructor gives, data or error, and a plain catalog never needs the constructor."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import examples, run
from hypothesis import given, settings
from hypothesis import strategies as st

from llm_pick.catalog import documents
from llm_pick.catalog.yamlbuild import Unusual, build

ROOT = Path(__file__).resolve().parents[1]


class Reference(documents._Loader):
    """The project's loader with PyYAML's own construction (no one-pass builder)."""

    construct_document = yaml.constructor.BaseConstructor.construct_document


def outcome(text: str, loader: type) -> tuple[str, str]:
    """The data's repr (key order, types, and recursive aliases shown as `...`) or the error."""
    try:
        return "data", repr(yaml.load(text, Loader=loader))
    except Exception as error:  # any: the two must fail alike
        return "error", f"{type(error).__name__}: {error}"


KEYS = st.text(alphabet="abcxyz_-1 ", min_size=1, max_size=4)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False)
    | st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1))
    | st.text(max_size=8)
)
DATA = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=20,
)
# what the constructor handles and the builder hands back to it
PIECES = st.sampled_from(
    [
        "&a ", "*a", "<<: ", "<<: *a", "!!str ", "!!int ", "!!binary ", "!!set ",
        "!!python/object:os.system ", "? ", "[1, 2]: x", "1: ", "yes: ", "~: ",
        "2024-02-30", "1" * 5000, "a: 1\na: 2", "x: &a {y: *a}", "\n", "  ", "- ", ": ", "a",
        "{", "}", "[", "]", ",", "'", "=", "0x1F", "1_000", "1e3", ".inf", "!x ",
    ]
)  # fmt: skip


@settings(max_examples=examples(300), deadline=None)
@given(DATA, st.booleans())
def test_dumped_data_is_built_as_pyyaml_builds_it(data: Any, flow: bool) -> None:
    text = yaml.safe_dump({"top": data}, default_flow_style=flow, sort_keys=False)
    assert outcome(text, documents._Loader) == outcome(text, Reference)


@settings(max_examples=examples(500), deadline=None)
@given(st.lists(PIECES | st.text(alphabet="ab: -\n", max_size=4), max_size=12).map("".join))
def test_odd_documents_give_pyyamls_data_or_error(text: str) -> None:
    assert outcome(text, documents._Loader) == outcome(text, Reference)


@pytest.mark.parametrize(
    "text",
    [
        "base: &b {x: 1}\nchild:\n  <<: *b\n  y: 2\n",  # a merge key
        "a: 1\nb: 2\na: 3\n",  # a repeated key: the constructor's error, at its line
        "x: !!python/object/apply:os.system [echo]\n",  # refused, never run
        "x: &a [*a]\n",  # a recursive alias
        "1: one\n2: two\n",  # keys that are not strings
        "x: !!binary aGk=\n",
        "d: 2024-02-30\n",  # a bad date: the checked constructor's error
    ],
)
def test_unusual_documents_go_through_pyyamls_constructor(text: str) -> None:
    loader = documents._Loader(text)
    try:
        with pytest.raises((Unusual, yaml.YAMLError)):  # the error: the constructor's again
            build(loader, loader.get_single_node())
    finally:
        loader.dispose()
    assert outcome(text, documents._Loader) == outcome(text, Reference)


def test_the_bundled_catalog_is_built_in_one_pass() -> None:
    text = (ROOT / "data" / "models.yaml").read_text()
    loader = documents._Loader(text)
    try:
        data = build(loader, loader.get_single_node())  # no fallback: Unusual would raise
    finally:
        loader.dispose()
    assert data == yaml.load(text, Loader=Reference)
    assert len(data["models"]) > 100


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("!!int", "invalid integer '': not an integer"),
        ("!!float", "invalid number '': not a number"),
        ("!!timestamp", "invalid date '': not a date"),
        ("!!bool maybe", "invalid boolean 'maybe': not a boolean"),
    ],
)
def test_an_explicit_tag_without_its_value_is_one_error_line(
    tmp_path: Path, value: str, said: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(f"schema_version: 1\nmodels: {value}\n")
    result = run("catalog", "validate", str(path))
    assert result.code == 1 and result.stdout == ""
    assert result.stderr.startswith("Error: ") and "internal error" not in result.stderr
    assert f"bad.yaml:2: not valid YAML: {said}" in result.stderr
