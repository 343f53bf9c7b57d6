"""`recommend --installed` and `local` size each model from its installed file (the exact
bytes of its tensors, read from the GGUF header), not from the catalog entry's shapes, and
say so ("sized_from")."""

from __future__ import annotations

from pathlib import Path

import gguf
import pytest
from gguf_files import write_gguf

from llm_pick.catalog import stores
from llm_pick.catalog.gguf import read_gguf
from llm_pick.estimate.installed import read_installed
from llm_pick.estimate.memory import estimate_memory


@pytest.fixture
def pure_file(tmp_path, monkeypatch) -> Path:
    """A q4_0 file made with llama-quantize --pure: every matrix q4_0, the output head too
    (llama.cpp's default q4_0 mix keeps output.weight at q6_k, which the shapes assume)."""
    monkeypatch.setattr(stores, "SYSTEM_OLLAMA", ())
    monkeypatch.setenv("LLAMA_CACHE", str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    return write_gguf(
        tmp_path / "cache" / "pure-q4_0.gguf",
        layers=4,
        hidden=256,
        ffn=512,
        vocab=512,
        quant=gguf.GGMLQuantizationType.Q4_0,
        file_type=2,
    )


def test_recommend_installed_sizes_from_the_file(pure_file, cli):
    exact = read_gguf(pure_file).tensor_bytes
    result = cli("recommend", "--installed", "--vram", "8", "-f", "json")
    assert result.code == 0, result.stderr
    (ranked,) = result.json()["ranking"]
    assert ranked["quant"] == "q4_0"
    assert ranked["memory"]["weights_bytes"] == exact
    assert ranked["sized_from"].startswith("file:")
    assert "Memory from each installed file" in result.stderr
    # the catalog entry made from the same file, sized from its shapes, differs: the file
    # was sized, not the shapes
    (found,) = read_installed(stores.scan([pure_file.parent], {"HOME": str(pure_file)}))
    assert found.entry is not None
    shapes = estimate_memory(found.entry, "q4_0", context=ranked["context"]).weights_bytes
    assert shapes != exact


def test_local_sizes_from_the_file_and_says_so(pure_file, cli):
    result = cli("local", "--vram", "8", "-f", "json")
    assert result.code == 0, result.stderr
    (item,) = result.json()["models"]
    assert item["weights_bytes"] == read_gguf(pure_file).tensor_bytes
    assert item["sized_from"] == "file: the exact bytes of its 39 tensors"


def test_installed_figures_agree_between_local_and_recommend(pure_file, cli):
    local = cli("local", "--vram", "8", "-f", "json").json()["models"][0]
    ranked = cli("recommend", "--installed", "--vram", "8", "-f", "json").json()["ranking"][0]
    assert ranked["memory"]["total_bytes"] == local["total_bytes"]
