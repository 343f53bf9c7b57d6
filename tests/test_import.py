"""`llm-pick import` on real formats: a GGUF file (gguf writer), a config.json, and a model
folder whose safetensors headers are written by hand (8-byte length + JSON header + data)."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import yaml
from gguf_files import write_gguf

from llm_pick.catalog.load import load_catalog

LICENCE = [
    "--license",
    "apache-2.0",
    "--commercial-use",
    "allowed",
    "--license-url",
    "https://www.apache.org/licenses/LICENSE-2.0",
    "--lang",
    "en",
    "--organization",
    "Tests",
    "--variant",
    "base",
]
CONFIG = {
    "model_type": "qwen2",
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "num_hidden_layers": 2,
    "vocab_size": 96,
    "max_position_embeddings": 4096,
    "rope_theta": 1000000.0,
    "tie_word_embeddings": True,
}


def safetensors(path: Path, shapes: dict[str, list[int]]) -> Path:
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, shape in shapes.items():
        size = 2
        for n in shape:
            size *= n
        header[name] = {"dtype": "BF16", "shape": shape, "data_offsets": [offset, offset + size]}
        offset += size
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + b"\0" * offset)
    return path


def test_import_gguf_validates_and_loads(tmp_path, cli):
    model = write_gguf(tmp_path / "tiny-q8.gguf")
    out = tmp_path / "mine.yaml"
    result = cli("import", str(model), *LICENCE, "-o", str(out))
    assert result.code == 0, result.stderr
    assert cli("catalog", "validate", str(out)).code == 0
    entry = load_catalog([out]).get("tiny-q8")
    assert entry.parameters.exact and entry.architecture.kv_heads == 2
    assert any("GGUF header of tiny-q8.gguf" in s for s in entry.sources)


def test_missing_facts_are_named(tmp_path, cli):
    model = write_gguf(tmp_path / "tiny.gguf")
    result = cli("import", str(model))
    assert result.code == 0
    assert result.stderr == (
        "Not stated in the file, marked unknown: organization: --organization; "
        "licence (commercial_use: unknown): --license and --commercial-use; "
        "languages (und): --lang; variant (assumed base): --variant\n"
    )
    path = tmp_path / "out.yaml"
    path.write_text(result.stdout)
    assert cli("catalog", "validate", str(path)).code == 0
    entry = load_catalog([path]).get("tiny")
    assert entry.license.commercial_use == "unknown" and entry.languages == ["und"]


def test_import_folder_with_safetensors_headers(tmp_path, cli):
    folder = tmp_path / "Tiny-Qwen"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(CONFIG))
    safetensors(folder / "model-1.safetensors", {"a": [96, 64], "b": [2, 64, 128]})
    safetensors(folder / "model-2.safetensors", {"c": [64]})
    out = tmp_path / "c.yaml"
    result = cli("import", str(folder), *LICENCE, "-o", str(out))
    assert result.code == 0, result.stderr
    entry = load_catalog([out]).get("tiny-qwen")
    assert entry.family == "qwen"
    assert entry.parameters.total == 96 * 64 + 2 * 64 * 128 + 64 and entry.parameters.exact
    assert entry.architecture.attention_bias and entry.architecture.tied_embeddings


def test_config_json_alone_computes_parameters(tmp_path, cli):
    config = tmp_path / "config.json"
    config.write_text(json.dumps(CONFIG | {"model_type": "llama", "tie_word_embeddings": False}))
    data = yaml.safe_load(cli("import", str(config), "--id", "cfg").stdout)
    params = data["models"][0]["parameters"]
    assert params["exact"] is False and "computed by llm-pick" in params["source"]
    assert data["models"][0]["id"] == "cfg"


def test_output_adds_or_replaces_the_entry(tmp_path, cli):
    model = write_gguf(tmp_path / "tiny.gguf")
    out = tmp_path / "c.yaml"
    assert cli("import", str(model), *LICENCE, "-o", str(out)).code == 0
    assert cli("import", str(model), *LICENCE, "--id", "other", "-o", str(out)).code == 0
    assert cli("import", str(model), *LICENCE, "--name", "Renamed", "-o", str(out)).code == 0
    models = yaml.safe_load(out.read_text())["models"]
    assert [m["id"] for m in models] == ["tiny", "other"]
    assert models[0]["name"] == "Renamed"


def test_bad_inputs_are_one_error_and_write_nothing(tmp_path, cli):
    out = tmp_path / "c.yaml"
    empty = tmp_path / "empty"
    empty.mkdir()
    bad_config = tmp_path / "bad" / "config.json"
    bad_config.parent.mkdir()
    bad_config.write_text(json.dumps({"model_type": "llama", "hidden_size": 64}))
    truncated = tmp_path / "trunc"
    truncated.mkdir()
    (truncated / "config.json").write_text(json.dumps(CONFIG))
    (truncated / "model.safetensors").write_bytes(struct.pack("<Q", 10**9) + b"{}")
    weird = tmp_path / "weird" / "config.json"
    weird.parent.mkdir()
    weird.write_text(json.dumps(CONFIG | {"model_type": "rwkv"}))
    gguf_bad = tmp_path / "bad.gguf"
    gguf_bad.write_bytes(b"GGUF\x03\0\0\0" + b"\xff" * 16)
    cases = {
        empty: "no config.json",
        bad_config: "no num_attention_heads",
        truncated: "header length",
        weird: "model_type 'rwkv' is not supported",
        gguf_bad: "tensor count of",
        tmp_path / "none": "no such file",
    }
    for path, message in cases.items():
        result = cli("import", str(path), "-o", str(out))
        assert result.code != 0, path
        assert result.stderr.startswith("Error: ") and message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    assert not out.exists()


def test_output_catalog_is_read_with_the_catalog_caps(tmp_path, cli):
    """`-o` onto a FIFO or an oversized catalog: one error, no hang, nothing written."""
    import os

    model = write_gguf(tmp_path / "tiny.gguf")
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    result = cli("import", str(model), *LICENCE, "-o", str(fifo))
    assert result.code == 1 and result.stderr.startswith("Error: ")
    assert "Traceback" not in result.stderr
    huge = tmp_path / "huge.yaml"
    huge.write_text("schema_version: 1\nmodels: []\n" + "#" * (17 * 2**20))
    before = huge.stat().st_size
    result = cli("import", str(model), *LICENCE, "-o", str(huge))
    assert result.code == 1 and "MiB" in result.stderr
    assert huge.stat().st_size == before


def test_one_step_import_ranks_and_unknowns_fail_only_their_constraint(tmp_path, cli):
    out = tmp_path / "mine.yaml"
    assert cli("import", str(write_gguf(tmp_path / "tiny.gguf")), "-o", str(out)).code == 0
    ranked = cli("recommend", "--catalog", str(out), "--vram", "8", "--max-params", "0.001",
                 "--format", "json")  # fmt: skip
    assert [c["model"] for c in ranked.json()["ranking"]] == ["tiny"]
    explained = cli("explain", "tiny", "--catalog", str(out), "--vram", "8", "--commercial",
                    "--lang", "fr", "--format", "json").json()  # fmt: skip
    failed = {c["constraint"]: c["detail"] for c in explained["constraints"] if not c["passed"]}
    assert set(failed) == {"commercial", "languages"}
    assert "licence unknown" in failed["commercial"] and "--license" in failed["commercial"]
    assert "languages unknown" in failed["languages"] and "--lang" in failed["languages"]


def test_model_card_header_and_license_option(tmp_path, cli):
    folder = tmp_path / "Tiny-Chat"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(CONFIG))
    card = "---\nlicense: llama3.1\nlanguage: [en, de]\nbase_model: meta/x\n---\n# Card\n"
    (folder / "README.md").write_text(card)
    result = cli("import", str(folder))
    (entry,) = yaml.safe_load(result.stdout)["models"]
    assert entry["languages"] == ["en", "de"] and entry["variant"] == "chat"
    catalog_terms = load_catalog().get("llama-3.1-8b").license
    assert entry["license"]["commercial_use"] == catalog_terms.commercial_use == "conditional"
    assert "model card header (README.md)" in entry["sources"]
    assert result.stderr.startswith("Not stated in the file, marked unknown: organization")
    # --license alone takes the bundled terms of that id; an unknown id stays unknown
    tiny = write_gguf(tmp_path / "tiny.gguf")
    apache = yaml.safe_load(cli("import", str(tiny), "--license", "apache-2.0").stdout)
    assert apache["models"][0]["license"]["commercial_use"] == "allowed"
    odd = yaml.safe_load(cli("import", str(tiny), "--license", "odd-1.0").stdout)
    assert odd["models"][0]["license"]["commercial_use"] == "unknown"


def test_lineage_with_unknown_commercial_use(tmp_path):
    import pytest
    from conftest import entry, write_catalog

    from llm_pick.errors import CatalogError

    unknown = {"id": "x", "name": "x", "url": "-", "commercial_use": "unknown"}
    child = entry(id="child", base_model="test-7b", license=unknown, variant="fine-tune")
    ok = write_catalog(tmp_path / "ok.yaml", entry(), child)
    assert load_catalog([ok], bundled=False).get("child").license.commercial_use == "unknown"
    base = entry(license=unknown)
    freer = entry(id="child", base_model="test-7b", variant="fine-tune")
    bad = write_catalog(tmp_path / "bad.yaml", base, freer)
    with pytest.raises(CatalogError) as error:
        load_catalog([bad], bundled=False)
    assert "'allowed' is freer than its base test-7b ('unknown')" in error.value.problems[0]
