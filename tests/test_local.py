"""`llm-pick local` and `recommend --installed` on the stores' real layouts
(tests/store_layouts.py), built under a temporary HOME: never the user's own stores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gguf_files import write_gguf
from store_layouts import (
    hf_cache,
    licensed,
    llama_flat_cache,
    lmstudio_store,
    ollama_store,
)

from llm_pick.catalog import stores


@pytest.fixture
def home(monkeypatch, tmp_path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(stores, "SYSTEM_OLLAMA", ())  # never /usr/share/ollama here
    return home


def names(environ: dict[str, str], folders: tuple[Path, ...] = ()) -> dict[str, str]:
    return {item.name: item.store for item in stores.scan(list(folders), environ)}


def test_every_store_in_its_default_place(home):
    blob = ollama_store(home / ".ollama" / "models")
    lmstudio_store(home)
    hf_cache(home / ".cache" / "huggingface" / "hub")
    llama_flat_cache(home / ".cache" / "llama.cpp")
    found = stores.scan([], {"HOME": str(home)})
    by_name = {item.name: item for item in found}
    assert {n: i.store for n, i in by_name.items()} == {
        "tinyllama:1b": "ollama",
        "lmstudio-community/Tiny-GGUF/Tiny-Q8_0.gguf": "lm-studio",
        "acme/Tiny-GGUF/tiny-q8_0.gguf": "hf-cache",
        "ggml-org/tiny-it-GGUF:Q8_0": "llama.cpp",
    }
    assert by_name["tinyllama:1b"].path == blob and by_name["tinyllama:1b"].ollama_tag
    lms = by_name["lmstudio-community/Tiny-GGUF/Tiny-Q8_0.gguf"]
    assert lms.mmproj is not None and lms.mmproj.name == "mmproj-model-f16.gguf"


def test_overrides_are_honoured(home, tmp_path):
    ollama_store(tmp_path / "ollama", model="mine", tag="q8")
    hf_cache(tmp_path / "hfhome" / "hub", repo="org/other")
    llama_flat_cache(tmp_path / "llamacache")
    env = {
        "HOME": str(home),
        "OLLAMA_MODELS": str(tmp_path / "ollama"),
        "HF_HOME": str(tmp_path / "hfhome"),
        "LLAMA_CACHE": str(tmp_path / "llamacache"),
    }
    assert names(env) == {
        "mine:q8": "ollama",
        "org/other/tiny-q8_0.gguf": "hf-cache",
        "ggml-org/tiny-it-GGUF:Q8_0": "llama.cpp",
    }
    # HF_HUB_CACHE beats HF_HOME; nothing is found under the default HOME paths
    assert (
        names(env | {"HF_HUB_CACHE": str(tmp_path / "none")}).get("org/other/tiny-q8_0.gguf")
        is None
    )


def test_lmstudio_pointer_and_downloads_folder(home, tmp_path):
    studio = tmp_path / "studio"
    (studio / "models" / "pub" / "m").mkdir(parents=True)
    write_gguf(studio / "models" / "pub" / "m" / "a.gguf")
    (home / ".lmstudio-home-pointer").write_text(str(studio) + "\n")
    assert names({"HOME": str(home)}) == {"pub/m/a.gguf": "lm-studio"}
    elsewhere = tmp_path / "J" / "pub2" / "m2"
    elsewhere.mkdir(parents=True)
    write_gguf(elsewhere / "b.gguf")
    (studio / "settings.json").write_text(json.dumps({"downloadsFolder": str(tmp_path / "J")}))
    assert names({"HOME": str(home)}) == {"pub2/m2/b.gguf": "lm-studio"}


def test_llama_cpp_current_layout_and_split_files(home, tmp_path):
    hf_cache(tmp_path / "lc", repo="ggml-org/new-GGUF")
    part = tmp_path / "mine" / "big-00002-of-00002.gguf"
    part.parent.mkdir()
    part.write_bytes(b"GGUF")  # a later part is never read
    write_gguf(tmp_path / "mine" / "big-00001-of-00002.gguf")
    found = stores.scan(
        [tmp_path / "mine"], {"HOME": str(home), "LLAMA_CACHE": str(tmp_path / "lc")}
    )
    assert {i.name: (i.store, i.parts) for i in found} == {
        "ggml-org/new-GGUF/tiny-q8_0.gguf": ("llama.cpp", 1),
        "big-00001-of-00002.gguf": ("folder", 2),
    }


def test_broken_store_entries_are_skipped(home):
    root = home / ".ollama" / "models"
    ollama_store(root)
    bad = root / "manifests" / "registry.ollama.ai" / "library" / "bad" / "latest"
    bad.parent.mkdir(parents=True)
    bad.write_text("{not json")
    missing = root / "manifests" / "registry.ollama.ai" / "library" / "gone" / "latest"
    missing.parent.mkdir(parents=True)
    layer = {"mediaType": stores.MODEL_LAYER, "digest": "sha256:" + "a" * 64, "size": 1}
    missing.write_text(json.dumps({"layers": [layer]}))
    escape = root / "manifests" / "registry.ollama.ai" / "library" / "esc" / "latest"
    escape.parent.mkdir(parents=True)
    escape.write_text(json.dumps({"layers": [layer | {"digest": "../../etc/passwd"}]}))
    assert names({"HOME": str(home)}) == {"tinyllama:1b": "ollama"}


def test_local_lists_exact_memory_fit_and_the_installed_copy(home, cli):
    blob = ollama_store(home / ".ollama" / "models")
    lms = lmstudio_store(home)
    result = cli("local", "--vram", "8", "--context", "1024", "--format", "json")
    assert result.code == 0, result.stderr
    items = {m["name"]: m for m in result.json()["models"]}
    ollama = items["tinyllama:1b"]
    assert ollama["run"][0]["command"] == "ollama run tinyllama:1b"
    assert ollama["weights_bytes"] == sum_tensors(blob) and ollama["context"] == 1024
    assert ollama["fit"]["verdict"] == "gpu" and ollama["speed"]["estimated"] is True
    studio = items["lmstudio-community/Tiny-GGUF/Tiny-Q8_0.gguf"]
    assert studio["run"][0]["command"].startswith(f"llama-server -m {lms} --mmproj ")
    assert "-c 1024" in studio["run"][0]["command"]
    table = cli("local", "--vram", "8")
    assert "tinyllama:1b" in table.stdout and "ollama run tinyllama:1b" in table.stdout


def sum_tensors(path: Path) -> int:
    from llm_pick.catalog.gguf import read_gguf

    return read_gguf(path).tensor_bytes


def test_local_keeps_going_past_a_bad_file(home, tmp_path, cli):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "broken.gguf").write_bytes(b"GGUF\x03\x00\x00\x00")
    write_gguf(folder / "good.gguf")
    data = cli("local", str(folder), "--vram", "8", "--format", "json").json()
    by_name = {m["name"]: m for m in data["models"]}
    assert by_name["good.gguf"]["problem"] is None
    assert by_name["broken.gguf"]["problem"] and "run" not in by_name["broken.gguf"]
    assert cli("local", str(tmp_path / "nope")).stderr.startswith("Error: ")


def test_no_gpu_detected_still_lists(home, cli, monkeypatch):
    from llm_pick.errors import InputError
    from llm_pick.estimate.hardware import Hardware

    def no_gpu(*_args: object) -> None:
        raise InputError("--vram auto: no GPU detected")

    monkeypatch.setattr(Hardware, "detect", staticmethod(no_gpu))
    ollama_store(home / ".ollama" / "models")
    result = cli("local", "--format", "json")
    assert result.code == 0 and "no GPU detected" in result.stderr
    assert result.json()["models"][0]["fit"] is None


def test_recommend_installed_ranks_only_installed_copies(home, cli):
    ollama_store(home / ".ollama" / "models")
    hf = hf_cache(home / ".cache" / "huggingface" / "hub", card=CARD)
    result = cli("recommend", "--installed", "--vram", "8", "--format", "json")
    assert result.code == 0, result.stderr
    ranking = result.json()["ranking"]
    assert sorted(c["model"] for c in ranking) == ["acme-tiny-gguf-tiny-q8-0", "tinyllama-1b"]
    assert all(c["quant"] == "q8_0" for c in ranking)  # each file's own format
    runs = {c["model"]: c["run"][0]["command"] for c in ranking}
    assert runs["tinyllama-1b"] == "ollama run tinyllama:1b"
    assert runs["acme-tiny-gguf-tiny-q8-0"].startswith(f"llama-server -m {hf} ")
    # the card's YAML header states apache-2.0 and English: --commercial keeps only that one
    commercial = cli("recommend", "--installed", "--vram", "8", "--commercial", "--lang", "en",
                     "--format", "json", "--show-excluded")  # fmt: skip
    data = commercial.json()
    assert [c["model"] for c in data["ranking"]] == ["acme-tiny-gguf-tiny-q8-0"]
    (excluded,) = data["excluded"]
    assert any("licence unknown" in r for r in excluded["reasons"])
    assert any("languages unknown" in r for r in excluded["reasons"])


def test_recommend_installed_with_nothing_installed(home, cli):
    result = cli("recommend", "--installed", "--vram", "8")
    assert result.code == 1 and "no installed GGUF model found" in result.stderr


CARD = "---\nlicense: apache-2.0\nlanguage:\n- en\nbase_model: acme/tiny-base\n---\n# Tiny\n"


def test_licensed_gguf_states_its_facts(tmp_path, cli):
    model = licensed(tmp_path / "acme-tiny.gguf")
    result = cli("import", str(model))
    assert result.code == 0 and result.stderr == ""
    import yaml

    (entry,) = yaml.safe_load(result.stdout)["models"]
    assert entry["organization"] == "Acme" and entry["variant"] == "instruct"
    assert entry["license"]["id"] == "apache-2.0"
    assert entry["license"]["commercial_use"] == "allowed"
    assert entry["languages"] == ["en", "fr"]
    assert "Acme Tiny Base (https://huggingface.co/acme/tiny-base)" in entry["notes"]
