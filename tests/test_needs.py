"""`--needs` (capabilities from model cards) and the catalog's as-of date."""

from __future__ import annotations

from pathlib import Path

from conftest import entry, run, write_catalog

CAPS = {"input": ["text", "image"], "reasoning": "toggle", "tools": True, "source": "card"}


def _catalog(tmp_path: Path) -> Path:
    return write_catalog(
        tmp_path / "caps.yaml",
        entry(id="seeing-model", capabilities=CAPS),
        entry(id="plain-model", capabilities={"source": "card: text in, text out"}),
        entry(id="unrecorded-model"),
    )


def test_needs_filters_with_a_reason_for_each_excluded_model(tmp_path: Path) -> None:
    path = _catalog(tmp_path)
    args = ("recommend", "--catalog", str(path), "--vram", "80", "-f", "json", "--top", "500")
    data = run(*args, "--needs", "vision", "--needs", "tools").json()
    ranked = {item["model"] for item in data["ranking"]}
    assert "seeing-model" in ranked
    assert not ranked & {"plain-model", "unrecorded-model"}
    reasons = {e["model"]: " ".join(e["reasons"]) for e in data["excluded"]}
    assert "no image input" in reasons["plain-model"]
    assert "tool calling not stated" in reasons["plain-model"]
    assert "not recorded" in reasons["unrecorded-model"]
    assert data["query"]["constraints"]["needs"] == ["vision", "tools"]


def test_needs_reasoning_accepts_toggle_and_rejects_unknown_values(tmp_path: Path) -> None:
    path = _catalog(tmp_path)
    listed = run("list", "--catalog", str(path), "--needs", "reasoning", "-f", "json").json()
    ids = [m["id"] for m in listed["models"]]
    assert set(ids) & {"seeing-model", "plain-model", "unrecorded-model"} == {"seeing-model"}
    assert all(m["capabilities"]["reasoning"] != "none" for m in listed["models"])
    bad = run("list", "--needs", "telepathy")
    assert bad.code == 1 and bad.stderr.startswith("Error: --needs")


def test_capabilities_are_listed_and_shown(tmp_path: Path) -> None:
    path = _catalog(tmp_path)
    rows = run("list", "--catalog", str(path), "-f", "csv").stdout.splitlines()
    assert rows[0].split(",")[-1] == "capabilities"
    line = next(r for r in rows if r.startswith("seeing-model,"))
    assert line.endswith("vision reasoning tools")
    assert next(r for r in rows if r.startswith("plain-model,")).endswith(",text")
    shown = run("show", "seeing-model", "--catalog", str(path)).stdout
    assert "input text, image" in shown and "reasoning toggle" in shown


def test_as_of_date_in_version_list_and_recommend() -> None:
    import yaml

    root = Path(__file__).resolve().parents[1]
    as_of = yaml.load((root / "data" / "models.yaml").read_text(), Loader=yaml.CSafeLoader)[
        "as_of"
    ].isoformat()
    assert f"catalog as of {as_of}" in run("--version").stdout
    assert run("list", "-f", "json").json()["catalog"]["as_of"] == as_of
    assert f"catalog as of {as_of}" in run("list").stdout
    rec = run("recommend", "--vram", "24", "-f", "json").json()
    assert rec["catalog"]["as_of"] == as_of
    assert f"Catalog as of {as_of}" in " ".join(run("recommend", "--vram", "24").stdout.split())


def test_user_catalog_as_of_is_validated(tmp_path: Path) -> None:
    path = tmp_path / "dated.yaml"
    path.write_text("schema_version: 1\nas_of: 2026-02-30\nmodels: []\n")
    result = run("catalog", "validate", str(path))
    assert result.code == 1 and "as_of" in result.stderr
