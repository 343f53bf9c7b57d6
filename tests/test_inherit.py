"""Open families and fine-tunes that inherit from their base (catalog/load.py inherit)."""

from __future__ import annotations

from pathlib import Path

from conftest import entry, write_catalog

from llm_pick.catalog.load import load_catalog

ROOT = Path(__file__).resolve().parents[1]


def fine_tune(**overrides):
    data = {
        "id": "acme-7b",
        "name": "ACME 7B",
        "organization": "ACME",
        "variant": "fine-tune",
        "base_model": "mistral-7b-v0.1",
        "license": {
            "id": "apache-2.0",
            "name": "Apache 2.0",
            "url": "https://www.apache.org/licenses/LICENSE-2.0",
            "commercial_use": "allowed",
        },
        "sources": ["internal"],
    }
    data.update(overrides)
    return data


def test_example_fine_tune_is_eight_lines_and_inherits(cli):
    example = ROOT / "docs" / "examples" / "my-models.yaml"
    lines = [ln for ln in example.read_text().splitlines() if ln.startswith("    ") or "- id" in ln]
    assert len(lines) <= 8
    assert cli("catalog", "validate", str(example)).code == 0
    catalog = load_catalog([example])
    mine, base = catalog.get("acme-support-7b"), catalog.get("mistral-7b-v0.1")
    assert mine.architecture == base.architecture
    assert (mine.family, mine.context_length, mine.languages) == (
        base.family,
        base.context_length,
        base.languages,
    )
    assert mine.parameters is base.parameters


def test_fine_tune_may_override_and_chains_inherit(tmp_path):
    path = write_catalog(
        tmp_path / "c.yaml",
        fine_tune(context_length=4096, languages=["en", "de"]),
        fine_tune(id="acme-7b-v2", base_model="acme-7b"),
    )
    catalog = load_catalog([path])
    first, second = catalog.get("acme-7b"), catalog.get("acme-7b-v2")
    assert first.context_length == 4096 and first.languages == ["en", "de"]
    assert second.context_length == 4096 and second.family == "mistral"


def test_missing_fields_without_base_are_named(tmp_path, cli):
    bad = entry(id="lonely")
    del bad["architecture"], bad["family"]
    path = write_catalog(tmp_path / "c.yaml", bad)
    result = cli("catalog", "validate", str(path))
    assert result.code == 1
    assert "family, architecture: required (only an entry with base_model" in result.stderr
    assert "c.yaml:" in result.stderr


def test_lineage_licence_rule_still_applies(tmp_path, cli):
    path = write_catalog(tmp_path / "c.yaml", fine_tune(base_model="llama-1-7b"))
    result = cli("catalog", "validate", str(path))
    assert result.code == 1 and "freer than its base llama-1-7b" in result.stderr


def test_unknown_base_and_chains_through_it(tmp_path, cli):
    path = write_catalog(
        tmp_path / "c.yaml",
        fine_tune(base_model="nope"),
        fine_tune(id="acme-child", base_model="acme-7b"),
    )
    result = cli("catalog", "validate", str(path))
    assert result.code == 1
    assert "unknown id 'nope'" in result.stderr
    assert "acme-child" in result.stderr and "cannot inherit" in result.stderr


def test_inherited_values_are_checked(tmp_path, cli):
    # a dense override of a MoE base's parameters is rejected once inherited
    path = write_catalog(
        tmp_path / "c.yaml",
        fine_tune(
            base_model="mixtral-8x7b",
            parameters={"total": 46702792704, "active": 46702792704},
        ),
    )
    result = cli("catalog", "validate", str(path))
    assert result.code == 1 and "inherited from mixtral-8x7b" in result.stderr


def test_open_family_and_runtime_support(tmp_path, cli):
    qwen = entry(id="qwen-test", family="qwen")
    listed = entry(id="qwen-listed", family="qwen", runtimes={"supported": ["llama.cpp", "vllm"]})
    path = write_catalog(tmp_path / "c.yaml", qwen, listed)
    assert cli("catalog", "validate", str(path)).code == 0
    data = cli(
        "recommend", "--catalog", str(path), "--family", "qwen", "--vram", "80", "-f", "json"
    ).json()
    eco = {r["model"]: r["criteria"]["ecosystem"] for r in data["ranking"]}
    assert eco["qwen-test"]["value"] == 0
    assert "no runtime support assumed (default)" in eco["qwen-test"]["note"]
    assert eco["qwen-listed"]["value"] > 0 and "runtimes.supported" in eco["qwen-listed"]["note"]
    explained = cli("explain", "qwen-test", "--catalog", str(path), "--vram", "80")
    assert "no runtime support assumed" in explained.stdout


def test_family_must_be_lowercase_id(tmp_path, cli):
    path = write_catalog(tmp_path / "c.yaml", entry(family="Qwen 2"))
    result = cli("catalog", "validate", str(path))
    assert result.code == 1 and "family 'Qwen 2' must match" in result.stderr
