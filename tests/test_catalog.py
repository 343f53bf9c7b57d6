from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import yaml
from conftest import entry, write_catalog

from llm_pick.catalog.load import bundled_path, load_catalog, read_file, validate_files
from llm_pick.errors import CatalogError, UnknownNameError

REQUIRED_IDS = [
    "llama-1-7b",
    "llama-1-13b",
    "llama-1-33b",
    "llama-1-65b",
    "llama-2-7b",
    "llama-2-13b",
    "llama-2-70b",
    "llama-2-7b-chat",
    "llama-2-13b-chat",
    "llama-2-70b-chat",
    "llama-3-8b",
    "llama-3-70b",
    "llama-3.1-8b",
    "llama-3.1-70b",
    "llama-3.1-405b",
    "llama-3.2-1b",
    "llama-3.2-3b",
    "llama-3.3-70b-instruct",
    "mistral-7b-v0.1",
    "mistral-7b-instruct-v0.2",
    "mistral-7b-v0.3",
    "mixtral-8x7b",
    "mixtral-8x7b-instruct",
    "mixtral-8x22b",
    "bloom-560m",
    "bloom-1b1",
    "bloom-1b7",
    "bloom-3b",
    "bloom-7b1",
    "bloom-176b",
    "bloomz-7b1",
    "bloomz-176b",
    "falcon-7b",
    "falcon-40b",
    "falcon-180b",
    "alpaca-7b",
    "vicuna-7b-v1.5",
    "vicuna-13b-v1.5",
    "koala-13b",
]


def problems_of(path: Path) -> list[str]:
    with pytest.raises(CatalogError) as info:
        read_file(path)
    return info.value.problems or [str(info.value)]


# ---- the bundled catalog ----------------------------------------------------------------


def test_bundled_catalog_validates_and_has_every_required_id() -> None:
    assert validate_files([bundled_path()]) == []
    catalog = load_catalog()
    missing = sorted(set(REQUIRED_IDS) - set(catalog.ids))
    assert missing == []


def test_bundled_entries_carry_sources_and_licence_words() -> None:
    for model in load_catalog():
        assert model.sources, model.id
        assert model.parameters.source, model.id
        if model.license.commercial_use != "allowed":
            assert len(model.license.conditions or "") > 20, model.id
        for name, bench in model.benchmarks.items():
            assert bench.source.strip(), (model.id, name)


def test_derived_attention_types_follow_kv_heads() -> None:
    catalog = load_catalog()
    assert catalog.get("llama-2-7b").attention == "mha"
    assert catalog.get("llama-2-70b").attention == "gqa"
    assert catalog.get("falcon-7b").attention == "mqa"
    assert catalog.get("mixtral-8x7b").moe and not catalog.get("mistral-7b-v0.1").moe


def test_popular_mistakes_are_corrected() -> None:
    catalog = load_catalog()
    mixtral = catalog.get("mixtral-8x7b")
    assert mixtral.context_length == 32768  # not 8K
    assert mixtral.parameters.total < 50e9  # experts share attention: not 8 x 7B = 56B
    assert mixtral.architecture.experts == 8 and mixtral.architecture.experts_per_token == 2
    assert "32" in (mixtral.notes or "")


def test_lineage_licences_in_bundled_catalog() -> None:
    catalog = load_catalog()
    for model_id in ("alpaca-7b", "koala-13b", "koala-7b", "llama-1-7b"):
        assert catalog.get(model_id).license.commercial_use == "prohibited"
    assert catalog.get("vicuna-13b-v1.5").base_model == "llama-2-13b"
    assert catalog.get("vicuna-13b-v1.5").license.commercial_use != "allowed"
    for size in ("7b", "13b", "33b"):  # Vicuna v1.3 is LLaMA-1 based, unlike v1.5
        vicuna = catalog.get(f"vicuna-{size}-v1.3")
        assert vicuna.base_model == f"llama-1-{size}"
        assert vicuna.license.commercial_use == "prohibited"
        assert vicuna.parameters.total == catalog.get(f"llama-1-{size}").parameters.total


# ---- loading user catalogs --------------------------------------------------------------


def test_user_catalog_adds_and_overrides(tmp_path: Path) -> None:
    path = write_catalog(
        tmp_path / "mine.yaml",
        entry(id="mine-7b"),
        entry(id="llama-2-7b", name="My override", license={"commercial_use": "allowed"}),
    )
    bundled = load_catalog()
    merged = load_catalog([path])
    assert len(merged) == len(bundled) + 1
    assert merged.get("llama-2-7b").name == "My override"
    assert [s.path for s in merged.sources][-1] == str(path)


def test_env_var_adds_catalogs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = write_catalog(tmp_path / "a.yaml", entry(id="env-a"))
    second = write_catalog(tmp_path / "b.json", entry(id="env-b"), as_json=True)
    monkeypatch.setenv("LLM_PICK_CATALOG", os.pathsep.join([str(first), str(second)]))
    catalog = load_catalog()
    assert "env-a" in catalog and "env-b" in catalog


def test_json_catalogs_are_accepted(tmp_path: Path) -> None:
    path = write_catalog(tmp_path / "c.json", entry(id="json-7b"), as_json=True)
    assert [m.id for m in read_file(path).models] == ["json-7b"]


def test_unknown_id_suggests_nearest() -> None:
    with pytest.raises(UnknownNameError, match="Did you mean mixtral-8x7b"):
        load_catalog().get("mixtral-8x7")


def test_a_bad_user_catalog_is_rejected_whole(tmp_path: Path) -> None:
    good = entry(id="good-7b")
    bad = entry(id="bad-7b", context_length=-1)
    path = write_catalog(tmp_path / "mixed.yaml", good, bad)
    with pytest.raises(CatalogError) as info:
        load_catalog([path])
    assert any("models[1].context_length" in p for p in info.value.problems)


# ---- validation problems, with file, line and field path -------------------------------


def test_unknown_field_reports_line_and_path(tmp_path: Path) -> None:
    path = write_catalog(tmp_path / "x.yaml", entry(colour="blue"))
    (problem,) = problems_of(path)
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "colour" in t)
    assert problem == f"{path}:{line}: models[0].colour: unknown field"


def test_wrong_types_and_impossible_values_all_reported(tmp_path: Path) -> None:
    bad = entry(
        context_length="long",
        architecture={"kv_heads": 3},
        parameters={"total": 10, "active": 20},
        languages=["English"],
    )
    problems = problems_of(write_catalog(tmp_path / "x.yaml", bad))
    text = "\n".join(problems)
    assert "models[0].context_length" in text
    assert "kv_heads (3) must divide attention_heads (32)" in text
    assert "active (20) exceeds total (10)" in text
    assert len(problems) >= 3


def test_negative_and_missing_values(tmp_path: Path) -> None:
    bad = entry(architecture={"layers": -2})
    del bad["license"]
    text = "\n".join(problems_of(write_catalog(tmp_path / "x.yaml", bad)))
    assert "models[0].architecture.layers: Input should be greater than 0 (got -2)" in text
    assert "models[0].license: required field is missing" in text


def test_duplicate_ids_in_one_file(tmp_path: Path) -> None:
    path = write_catalog(tmp_path / "x.yaml", entry(), entry())
    (problem,) = problems_of(path)
    assert "models[1].id: duplicate id 'test-7b' (first at models[0])" in problem


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "the file is empty"),
        ("schema_version: 1\nmodels: [\n", "not valid YAML"),
        ("schema_version: 1\nmodels:\n\t- id: x\n", "tab character"),
        ("- just a list\n", "expected a mapping"),
        ("schema_version: 2\nmodels: []\n", "schema_version"),
        ("!!python/object/apply:os.system ['echo hacked']\n", "tags that construct objects"),
        (b"\xff\xfe\x00bad", "not UTF-8"),
    ],
)
def test_unreadable_documents(tmp_path: Path, content: str | bytes, expected: str) -> None:
    path = tmp_path / "x.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    assert expected in "\n".join(problems_of(path))


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert "no such file" in problems_of(tmp_path / "nope.yaml")[0]
    assert "is a directory" in problems_of(tmp_path)[0]


def test_alias_bomb_fails_fast(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    lines.append("schema_version: 1\nmodels: *a9")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    started = time.perf_counter()
    problem = problems_of(path)[0]
    assert "alias" in problem
    assert time.perf_counter() - started < 5


def test_recursive_alias_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("schema_version: 1\nmodels: &m [*m]\n")
    assert "refers to itself" in problems_of(path)[0]


def test_anchors_for_shared_blocks_still_work(tmp_path: Path) -> None:
    doc = {"schema_version": 1, "models": [entry(id="a-7b"), entry(id="b-7b")]}
    text = yaml.safe_dump(doc, sort_keys=False)
    text = text.replace("  architecture:\n", "  architecture: &arch\n", 1)
    path = tmp_path / "anchors.yaml"
    path.write_text(text)
    assert yaml.safe_load(text)["models"][0]["architecture"]
    assert len(read_file(path).models) == 2


# ---- lineage ----------------------------------------------------------------------------


def test_derivative_cannot_be_freer_than_base(tmp_path: Path) -> None:
    path = write_catalog(
        tmp_path / "x.yaml",
        entry(id="alpaca-clone", variant="fine-tune", base_model="llama-1-7b"),
    )
    with pytest.raises(CatalogError) as info:
        load_catalog([path])
    (problem,) = info.value.problems
    assert (
        "license.commercial_use: 'allowed' is freer than its base llama-1-7b ('prohibited')"
        in problem
    )
    assert validate_files([path]) == info.value.problems


def test_base_model_must_exist_and_not_loop(tmp_path: Path) -> None:
    path = write_catalog(
        tmp_path / "x.yaml",
        entry(id="orphan", variant="fine-tune", base_model="no-such-model"),
        entry(id="loop-a", base_model="loop-b"),
        entry(id="loop-b", base_model="loop-a"),
    )
    problems = validate_files([path])
    assert any("unknown id 'no-such-model'" in p for p in problems)
    assert any("lineage loops" in p for p in problems)


def test_fine_tune_must_name_its_base(tmp_path: Path) -> None:
    path = write_catalog(tmp_path / "x.yaml", entry(variant="fine-tune"))
    assert "a fine-tune must name its base_model" in problems_of(path)[0]


# ---- no cache: nothing is written or unpickled -----------------------------------------


def test_nothing_is_written_to_the_cache_folder(tmp_path: Path, isolated_env: Path) -> None:
    load_catalog([write_catalog(tmp_path / "mine.yaml", entry(id="mine"))])
    from llm_pick.catalog import gpus

    gpus._load.cache_clear()
    gpus.load_gpus()
    assert not list(isolated_env.rglob("*"))


def test_a_planted_pickle_is_never_loaded(tmp_path: Path, isolated_env: Path) -> None:
    """Issue 9 item 2: files in the cache folder whose names can be predicted ran code."""
    import pickle

    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {marker}",))

    folder = isolated_env / "llm-pick"
    folder.mkdir()
    payload = pickle.dumps(Evil())
    raw = bundled_path().read_bytes()
    import zlib

    for stem in ("catalog", "gpus", "profiles", "runtimes"):
        for fingerprint in ("00000000", "ffffffff"):
            name = f"{stem}-{len(raw)}-{zlib.crc32(raw):08x}-{fingerprint}.pickle"
            (folder / name).write_bytes(payload)
    assert len(load_catalog()) >= 40
    assert not marker.exists()
    import llm_pick.catalog as package

    assert not (Path(package.__file__).parent / "cache.py").exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "the file is empty"),
        ('{"schema_version": 1, "models": [', "not valid JSON"),
        ("[1, 2]", "expected a mapping"),
        ('{"schema_version": 1, "models": [{"id": "x"}]}', "models[0].name: required field"),
    ],
)
def test_json_catalog_problems(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "c.json"
    path.write_text(content)
    assert expected in "\n".join(problems_of(path))


def test_json_problem_lines(tmp_path: Path) -> None:
    import json

    path = tmp_path / "c.json"
    doc = {"schema_version": 1, "models": [entry(context_length=-5)]}
    path.write_text(json.dumps(doc, indent=2))
    (problem,) = problems_of(path)
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "context_length" in t)
    assert problem.startswith(f"{path}:{line}: models[0].context_length")
