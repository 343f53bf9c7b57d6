"""Split GGUF files (llama.cpp's gguf-split layout, written here by the `gguf` package's own
writer with split_max_tensors): read as one model by `memory`, `import`, `local` and
`recommend --installed`; a missing or foreign part is one clear error."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from gguf_files import write_gguf

from llm_pick.catalog import ggufsplit, stores
from llm_pick.catalog.gguf import read_gguf
from llm_pick.catalog.ggufsplit import read_model_gguf
from llm_pick.errors import CatalogError
from llm_pick.estimate.installed import read_installed

LAYERS = 6


def split_and_whole(folder: Path, per_part: int = 15) -> tuple[Path, Path]:
    """The same model written whole and split (the writer's seed makes the tensors equal)."""
    folder.mkdir(parents=True, exist_ok=True)
    whole = write_gguf(folder / "whole.gguf", layers=LAYERS)
    first = write_gguf(folder / "model.gguf", layers=LAYERS, split_max_tensors=per_part)
    return first, whole


def test_parts_are_llama_cpp_layout(tmp_path):
    first, _ = split_and_whole(tmp_path)
    parts = sorted(tmp_path.glob("model-*-of-*.gguf"))
    assert [p.name for p in parts] == [f"model-0000{i}-of-00004.gguf" for i in (1, 2, 3, 4)]
    later = read_gguf(parts[1])
    # the metadata is in the first part only; every part carries the split keys
    assert "general.architecture" not in later.metadata
    assert later.metadata["split.no"] == 1 and later.metadata["split.count"] == 4
    assert first == parts[0]


def test_split_reads_as_the_whole_file(tmp_path):
    first, whole = split_and_whole(tmp_path)
    split, one = read_model_gguf(first), read_gguf(whole)
    assert split.parts == 4 and one.parts == 1
    assert [t.name for t in split.tensors] == [t.name for t in one.tensors]
    assert split.tensor_bytes == one.tensor_bytes
    on_disk = sum(p.stat().st_size for p in tmp_path.glob("model-*-of-*.gguf"))
    assert split.file_size == on_disk
    # any part names the whole set
    third = first.with_name("model-00003-of-00004.gguf")
    assert read_model_gguf(third).tensors == split.tensors


def test_memory_of_a_split_file_is_its_parts_summed(tmp_path, cli):
    first, whole = split_and_whole(tmp_path)
    got = cli("memory", str(first), "--vram", "8", "-f", "json")
    ref = cli("memory", str(whole), "--vram", "8", "-f", "json")
    assert got.code == 0 and ref.code == 0, got.stderr
    data, base = got.json(), ref.json()
    assert data["file"]["parts"] == 4 and data["file"]["tensors"] == base["file"]["tensors"]
    assert data["weights_bytes"] == base["weights_bytes"] == read_gguf(whole).tensor_bytes
    assert data["total_bytes"] == base["total_bytes"]


def test_missing_part_is_one_error_line(tmp_path, cli):
    first, _ = split_and_whole(tmp_path)
    first.with_name("model-00003-of-00004.gguf").unlink()
    for command in (("memory", str(first)), ("import", str(first), "-o", str(tmp_path / "x.yaml"))):
        result = cli(*command)
        assert result.code != 0
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error:"), result.stderr
        assert "part 3 of 4" in lines[0] and "model-00003-of-00004.gguf" in lines[0]
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.yaml").exists()


def test_a_part_from_another_split_is_refused(tmp_path):
    first, _ = split_and_whole(tmp_path / "a")
    (tmp_path / "b").mkdir()
    other = write_gguf(tmp_path / "b" / "model.gguf", layers=LAYERS, split_max_tensors=30)
    assert other.name == "model-00001-of-00002.gguf"
    # a part 2 of 2 renamed into a 4-part set: its split keys disagree with its name
    foreign = other.with_name("model-00002-of-00002.gguf")
    shutil.copy(foreign, first.with_name("model-00002-of-00004.gguf"))
    with pytest.raises(CatalogError, match=r"split.count 2 in its header"):
        read_model_gguf(first)


def test_tensor_count_and_limit_are_checked(tmp_path, monkeypatch):
    first, _ = split_and_whole(tmp_path)
    monkeypatch.setattr(ggufsplit, "MAX_TENSORS", 30)  # the single-file limit, lowered
    with pytest.raises(CatalogError, match="more than 30 tensors"):
        read_model_gguf(first)


def test_split_keys_without_the_name_suffix(tmp_path):
    first, _ = split_and_whole(tmp_path)
    renamed = first.rename(tmp_path / "renamed.gguf")
    with pytest.raises(CatalogError, match=r"split\.count 4"):
        read_model_gguf(renamed)


def test_import_names_the_model_without_the_part_suffix(tmp_path, cli):
    first, _ = split_and_whole(tmp_path)
    out = tmp_path / "entry.yaml"
    result = cli("import", str(first), "-o", str(out))
    assert result.code == 0, result.stderr
    text = out.read_text()
    assert "id: model\n" in text and "(4 parts)" in text


def test_local_reads_split_files_in_a_folder_and_the_hf_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(stores, "SYSTEM_OLLAMA", ())
    first, whole = split_and_whole(tmp_path / "mine")
    whole.unlink()
    # the HF cache: snapshot links to content-addressed blobs, one per part
    repo = tmp_path / "hub" / "models--acme--Big-GGUF"
    snap = repo / "snapshots" / ("c" * 40) / "Q8_0"
    (repo / "blobs").mkdir(parents=True)
    snap.mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("c" * 40)
    for part in sorted(first.parent.glob("model-*")):
        sha = hashlib.sha256(part.read_bytes()).hexdigest()
        shutil.copy(part, repo / "blobs" / sha)
        os.symlink(f"../../../blobs/{sha}", snap / part.name)
    env = {"HOME": str(tmp_path / "home"), "HF_HUB_CACHE": str(tmp_path / "hub")}
    found = read_installed(stores.scan([first.parent], env))
    assert len(found) == 2 and all(f.problem is None for f in found), found
    expected = read_gguf(write_gguf(tmp_path / "ref.gguf", layers=LAYERS)).tensor_bytes
    for item in found:
        assert item.model is not None and item.model.weights.total == expected
        assert item.entry is not None and "00001" not in item.entry.id
    assert {f.entry.id for f in found if f.entry} == {"model", "acme-big-gguf-q8-0-model"}


def test_local_reports_a_missing_part_and_lists_the_rest(tmp_path, cli, monkeypatch):
    monkeypatch.setattr(stores, "SYSTEM_OLLAMA", ())
    first, _ = split_and_whole(tmp_path / "mine")
    first.with_name("model-00004-of-00004.gguf").unlink()
    result = cli("local", str(first.parent), "--vram", "8", "-f", "json")
    assert result.code == 0, result.stderr
    by_name = {m["name"]: m for m in result.json()["models"]}
    assert by_name["whole.gguf"]["problem"] is None
    assert "part 4 of 4" in by_name["model-00001-of-00004.gguf"]["problem"]


def test_hub_split_file_is_read_part_by_part(tmp_path, cli, monkeypatch):
    # a repository with a quant's parts in a folder, as large GGUF repos keep them
    pytest.importorskip("huggingface_hub")
    from hub_server import Replay

    _, whole = split_and_whole(tmp_path)
    files = {f"Q8_0/{p.name}": p.read_bytes() for p in tmp_path.glob("model-*-of-*.gguf")}
    with Replay({"acme/Big-GGUF": files}) as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        got = cli("memory", "hf:acme/Big-GGUF:Q8_0", "--vram", "8", "-f", "json")
        assert got.code == 0, got.stderr
        assert got.json()["weights_bytes"] == read_gguf(whole).tensor_bytes
        assert got.json()["file"]["parts"] == 4
        imported = cli("import", "hf:acme/Big-GGUF:Q8_0")
        assert imported.code == 0, imported.stderr
        assert "id: model\n" in imported.stdout and "(4 parts)" in imported.stdout
        part_gets = {r[1].split("?")[0].rsplit("/", 1)[-1] for r in server.requests}
        assert {p.name for p in tmp_path.glob("model-*-of-*.gguf")} <= part_gets
        del server.repos["acme/Big-GGUF"]["Q8_0/model-00004-of-00004.gguf"]
        missing = cli("memory", "hf:acme/Big-GGUF:Q8_0")
        assert missing.code != 0 and missing.stderr.count("\n") == 1
        assert missing.stderr.startswith("Error:") and "part 4 of 4" in missing.stderr
