"""Issue 22 §1: the file you have runs as it is. `memory FILE.gguf`, an imported GGUF and
`recommend --installed` print `llama-server -m FILE` and an Ollama Modelfile FROM the file,
never a conversion recipe; a copy of a catalog model is named and takes its catalog facts,
and never outranks the original."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from conftest import run
from gguf_files import write_gguf
from paste import Shell
from shaped_gguf import write_shaped

from llm_pick.catalog.gguf import read_gguf
from llm_pick.catalog.load import load_catalog
from llm_pick.catalog.match import catalog_match, file_names
from llm_pick.estimate.modelfile import file_model

LLAMA_FILE = "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf"


def commands(result_json: dict) -> dict[str, str]:
    return {item["runtime"]: item["command"] for item in result_json["run"]}


def test_memory_of_a_file_prints_the_file_run_as_it_is(tmp_path: Path) -> None:
    path = write_gguf(tmp_path / "tiny.gguf")
    result = run("memory", str(path), "--vram", "8", "--context", "2k", "-f", "json")
    assert result.code == 0, result.stderr
    runs = commands(result.json())
    assert runs["llama.cpp"] == f"llama-server -m {path} -c 2048 -ngl 3 -fa on"
    assert runs["ollama"].startswith("printf ")
    assert "convert_hf_to_gguf" not in result.stdout
    table = run("memory", str(path), "--vram", "8", "--context", "2k")
    assert f"llama.cpp: llama-server -m {path} -c 2048 -ngl 3 -fa on" in table.stdout
    assert "Run this file as it is:" in table.stdout


def test_the_sizing_reaches_the_flags(tmp_path: Path) -> None:
    path = write_gguf(tmp_path / "tiny.gguf")
    result = run("memory", str(path), "--vram", "8", "--context", "1k", "--kv-dtype", "q8_0",
                 "--batch", "4", "-f", "json")  # fmt: skip
    assert result.code == 0, result.stderr
    flags = commands(result.json())["llama.cpp"].split()
    assert flags[flags.index("-c") + 1] == "4096"  # 4 streams of 1,024 tokens
    assert flags[flags.index("-np") + 1] == "4"
    assert flags[flags.index("--cache-type-k") + 1] == "q8_0"


def test_pasted_commands_run_the_file_and_write_its_modelfile(tmp_path: Path) -> None:
    folder = tmp_path / "my models $(touch PWNED)"
    folder.mkdir()
    path = write_gguf(folder / "tiny model.gguf")
    result = run("memory", str(path), "--vram", "8", "--context", "2k", "-f", "json")
    runs = commands(result.json())
    shell = Shell(tmp_path)
    (llama,) = shell.paste(runs["llama.cpp"])
    assert llama[:3] == ["llama-server", "-m", str(path)]
    calls = shell.paste(runs["ollama"])
    assert [c[:2] for c in calls] == [["ollama", "create"], ["ollama", "run"]]
    modelfile = (tmp_path / "Modelfile").read_text()
    assert modelfile == f'FROM "{path}"\nPARAMETER num_ctx 2048\n'


def test_a_path_that_cannot_be_written_into_a_modelfile_gets_none(tmp_path: Path) -> None:
    path = write_gguf(tmp_path / 'say "hi".gguf')
    result = run("memory", str(path), "--vram", "8", "-f", "json")
    assert result.code == 0, result.stderr
    assert set(commands(result.json())) == {"llama.cpp"}


def test_a_copy_of_a_catalog_model_is_matched(tmp_path: Path) -> None:
    path = write_shaped(tmp_path / LLAMA_FILE)
    result = run("memory", str(path), "--vram", "12", "-f", "json")
    assert result.code == 0, result.stderr
    assert result.json()["matches"] == "llama-3.1-8b-instruct"
    table = run("memory", str(path), "--vram", "12")
    assert "Matches catalog model llama-3.1-8b-instruct" in table.stdout


def _match(path: Path) -> str | None:
    file = read_gguf(path)
    found = file_model(file)
    original = catalog_match(found.model, file_names(path.name, file.metadata), load_catalog([]))
    return original.id if original else None


def test_matching_needs_shapes_count_and_name(tmp_path: Path) -> None:
    assert _match(write_shaped(tmp_path / LLAMA_FILE)) == "llama-3.1-8b-instruct"
    # the base model's name picks the base (the shapes are the same)
    base = write_shaped(tmp_path / "Llama-3.1-8B-Q8_0.gguf", name="Llama 3.1 8B")
    assert _match(base) == "llama-3.1-8b"
    # a fine-tune of the same shapes under another name is no copy
    other = write_shaped(tmp_path / "Hermes-3-Q4_K_M.gguf", name="Hermes 3")
    assert _match(other) is None
    # the name but other shapes (a pruned model: 30 layers) is no copy either
    pruned = tmp_path / "pruned"
    pruned.mkdir()
    assert _match(write_shaped(pruned / LLAMA_FILE, layers=30)) is None


def test_import_takes_the_catalog_facts_and_records_the_file(tmp_path: Path) -> None:
    path = write_shaped(tmp_path / LLAMA_FILE)
    result = run("import", str(path))
    assert result.code == 0, result.stderr
    assert "Matches catalog model llama-3.1-8b-instruct" in result.stderr
    assert "marked unknown" not in result.stderr
    (entry,) = yaml.safe_load(result.stdout)["models"]
    assert entry["license"]["id"] == "llama3.1"
    assert entry["license"]["commercial_use"] == "conditional"
    assert "en" in entry["languages"] and entry["variant"] == "instruct"
    assert entry["benchmarks"]  # the original's, with their sources
    assert entry["runtimes"]["file"] == {
        "path": str(path.resolve()), "quant": "q4_k_m", "matches": "llama-3.1-8b-instruct"
    }  # fmt: skip
    assert "base_model" not in entry  # a copy, not a fine-tune: no fine-tune bonus


def test_an_imported_copy_never_outranks_its_original(tmp_path: Path) -> None:
    path = write_shaped(tmp_path / LLAMA_FILE)
    catalog = tmp_path / "mine.yaml"
    assert run("import", str(path), "-o", str(catalog)).code == 0
    for extra in (["--quant", "q4_k_m"], []):
        result = run("recommend", "--catalog", str(catalog), "--vram", "12", "--family",
                     "llama", "--top", "40", *extra, "-f", "json")  # fmt: skip
        assert result.code == 0, result.stderr
        ranking = result.json()["ranking"]
        ids = [c["model"] for c in ranking]
        copy = ranking[ids.index("meta-llama-3.1-8b-instruct-q4-k-m")]
        original = ranking[ids.index("llama-3.1-8b-instruct")]
        assert ids.index(original["model"]) < ids.index(copy["model"])
        assert copy["score"] <= original["score"]
        assert copy["quant"] == "q4_k_m"  # the file's own format
        run_it = commands(copy)
        assert run_it["llama.cpp"].startswith(f"llama-server -m {path.resolve()} -c 4096 -ngl ")
        assert "convert_hf_to_gguf" not in " ".join(run_it.values())
        assert "FROM" in run_it["ollama"]


def test_an_unmatched_import_runs_its_file_too(tmp_path: Path) -> None:
    path = write_gguf(tmp_path / "tiny.gguf")
    catalog = tmp_path / "mine.yaml"
    assert run("import", str(path), "-o", str(catalog)).code == 0
    result = run("recommend", "--catalog", str(catalog), "--vram", "8", "--family", "llama",
                 "--top", "200", "-f", "json")  # fmt: skip
    (tiny,) = [c for c in result.json()["ranking"] if c["model"] == "tiny"]
    assert commands(tiny)["llama.cpp"].startswith(f"llama-server -m {path.resolve()} ")


def test_recommend_installed_names_the_original_and_writes_a_modelfile(
    tmp_path: Path, monkeypatch
) -> None:
    folder = tmp_path / "llama-cache"
    folder.mkdir()
    write_shaped(folder / LLAMA_FILE)
    monkeypatch.setenv("LLAMA_CACHE", str(folder))
    result = run("recommend", "--installed", "--vram", "12", "--commercial", "-f", "json")
    assert result.code == 0, result.stderr
    (pick,) = result.json()["ranking"]
    assert pick["license"]["id"] == "llama3.1"  # the original's licence: --commercial passes
    runs = commands(pick)
    assert runs["llama.cpp"].startswith(f"llama-server -m {folder / LLAMA_FILE} ")
    assert runs["ollama"].startswith('printf \'FROM "%s"')
    table = run("recommend", "--installed", "--vram", "12", "--commercial").stdout
    assert "It is your copy of catalog model llama-3.1-8b-instruct." in " ".join(table.split())
    assert shutil.which("bash")
