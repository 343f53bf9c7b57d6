"""Chunked parsing of large YAML catalogs gives exactly what a whole-document parse gives."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import entry
from hypothesis import given, settings
from hypothesis import strategies as st

from llm_pick.catalog.documents import _load_yaml, _split_models

ROOT = Path(__file__).resolve().parents[1]

PIECES = st.sampled_from(
    ["\n", "- ", "-", "#", ": ", "models:", "  ", "'", '"', "|", ">", "[", "]", "{", "}", "é", "\t"]
)
TEXT = st.lists(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=6)
    | PIECES,
    max_size=8,
).map("".join)


@st.composite
def documents(draw: st.DrawFn) -> str:
    entries = []
    for i in range(draw(st.integers(0, 12))):
        item = entry(id=f"m{i}", name=draw(TEXT), notes=draw(TEXT))
        item["sources"] = draw(st.lists(TEXT, min_size=1, max_size=3))
        entries.append(item)
    doc = {"schema_version": 1, "models": entries}
    if draw(st.booleans()):
        doc["extra_after"] = draw(TEXT)
    style = draw(st.sampled_from([False, None]))  # block style, or PyYAML's mixed default
    indent = draw(st.sampled_from([2, 4]))
    text = yaml.safe_dump(
        doc,
        sort_keys=False,
        default_flow_style=style,
        indent=indent,
        allow_unicode=draw(st.booleans()),
        width=draw(st.sampled_from([20, 80, 1000])),
    )
    if draw(st.booleans()):
        text = "# a comment\n" + text.replace("\nmodels:", "\n# between\nmodels:  # the list")
    return text


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(text=documents(), chunk=st.integers(1, 5))
def test_chunked_parse_equals_whole_parse(text: str, chunk: int) -> None:
    assert _load_yaml(text, chunked_from=0, chunk=chunk) == yaml.safe_load(text)


def test_chunked_parse_of_the_bundled_catalog() -> None:
    text = (ROOT / "data" / "models.yaml").read_text()
    assert _split_models(text) is not None
    assert _load_yaml(text, chunked_from=0, chunk=3) == yaml.load(text, Loader=yaml.CSafeLoader)


@pytest.mark.parametrize(
    "text",
    [
        "schema_version: 1\nmodels: [{id: a}, {id: b}]\n",  # flow style
        "---\nschema_version: 1\nmodels:\n- id: a\n",  # document marker
        "schema_version: 1\nmodels:\n- &x {id: a}\n- *x\n",  # anchors
        "schema_version: 1\nmodels:\n  - id: a\n    notes: [x,\ny]\n",  # flow continuation
    ],
)
def test_unusual_documents_fall_back_to_a_whole_parse(text: str) -> None:
    try:
        expected = yaml.safe_load(text)
    except yaml.YAMLError:
        with pytest.raises(yaml.YAMLError):
            _load_yaml(text, chunked_from=0)
        return
    assert _load_yaml(text, chunked_from=0) == expected
