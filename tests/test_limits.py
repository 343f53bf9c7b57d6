"""Issue 9: input limits and every malformed input as one clear error (catalogs, profiles)."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest
import yaml
from conftest import Result, entry, run, write_catalog

from llm_pick.catalog import compiled
from llm_pick.catalog.load import MAX_FILE_BYTES, MAX_YAML_BYTES, check_lineage


def one_error(result: Result, *expected: str) -> str:
    assert result.code == 1, (result.code, result.stdout[:200], result.stderr)
    assert result.stderr.startswith("Error: "), result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr
    return result.stderr


# ---- item 4: read limits apply to what is read; non-regular files are refused ----------------


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_endless_devices_are_refused_as_catalogs_and_profiles(device: str) -> None:
    start = time.perf_counter()
    one_error(run("list", "--catalog", device), "not a regular file", "character device")
    one_error(run("recommend", "--vram", "24", "--profile", device), "not a regular file")
    assert time.perf_counter() - start < 10


def test_a_fifo_catalog_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "catalog.yaml"
    os.mkfifo(fifo)
    outcome: list[Result] = []
    worker = threading.Thread(target=lambda: outcome.append(run("list", "--catalog", str(fifo))))
    worker.start()
    worker.join(timeout=20)
    if not outcome:  # unblock the test before failing it
        fifo.open("w").close()
        worker.join(timeout=5)
        pytest.fail("reading a FIFO blocked")
    one_error(outcome[0], "a FIFO")


def test_the_cap_counts_bytes_read_not_st_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that grows (or lies about its size) is cut off at the cap."""
    path = write_catalog(tmp_path / "c.yaml", entry())
    real_fstat = os.fstat

    def tiny(fd: int) -> os.stat_result:
        info = list(real_fstat(fd))
        info[6] = 10  # st_size
        return os.stat_result(info)

    monkeypatch.setattr(os, "fstat", tiny)
    monkeypatch.setattr("llm_pick.catalog.load.MAX_YAML_BYTES", 100)
    one_error(run("list", "--catalog", str(path)), "larger than the")


def test_a_large_profile_file_is_refused(tmp_path: Path) -> None:
    profile = tmp_path / "big.yaml"
    profile.write_text("# padding\n" * 200_000)
    one_error(run("recommend", "--vram", "24", "--profile", str(profile)), "1 MiB limit")


# ---- item 5: plausible maximums, huge numbers --------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("layers", 10**8),
        ("layers", 10**18),
        ("hidden_size", 10**9),
        ("attention_heads", 10**6),
        ("vocab_size", 10**12),
        ("experts", 10**7),
    ],
)
def test_implausible_architecture_numbers_are_refused_fast(
    tmp_path: Path, field: str, value: int
) -> None:
    arch = dict(entry()["architecture"])
    arch[field] = value
    if field == "experts":
        arch["experts_per_token"] = 2
    path = write_catalog(tmp_path / "c.yaml", entry(architecture=arch))
    start = time.perf_counter()
    one_error(run("memory", "test-7b", "--catalog", str(path)), f"architecture.{field}")
    assert time.perf_counter() - start < 5


def test_context_and_parameter_counts_have_maximums(tmp_path: Path) -> None:
    path = write_catalog(
        tmp_path / "c.yaml", entry(context_length=10**12, parameters={"total": 10**20})
    )
    stderr = one_error(run("list", "--catalog", str(path)))
    assert "context_length" in stderr and "parameters.total" in stderr


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_integers_over_4300_digits_are_a_clear_error(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"c{suffix}"
    text = json.dumps({"schema_version": 1, "models": [entry()]}, indent=1)
    path.write_text(text.replace('"layers": 32', '"layers": ' + "9" * 5000))
    line = 1 + path.read_text().split('"layers"')[0].count("\n")
    one_error(run("list", "--catalog", str(path)), "4300 digits", f"{path}:{line}")


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_infinite_numbers_are_refused(tmp_path: Path, suffix: str) -> None:
    arch = dict(entry()["architecture"], rope_theta="INF")
    path = tmp_path / f"c{suffix}"
    text = json.dumps({"schema_version": 1, "models": [entry(architecture=arch)]})
    path.write_text(text.replace('"INF"', "1e400" if suffix == ".json" else ".inf"))
    one_error(run("list", "--catalog", str(path)), "rope_theta")


def test_a_very_long_name_is_refused_at_validation(tmp_path: Path) -> None:
    path = write_catalog(tmp_path / "c.json", entry(name="n" * 4_000_000), as_json=True)
    start = time.perf_counter()
    one_error(run("explain", "test-7b", "--catalog", str(path)), "name")
    assert time.perf_counter() - start < 5


# ---- item 6: lineage in linear time --------------------------------------------------------------


@pytest.mark.slow
def test_a_20000_deep_lineage_is_checked_in_linear_time() -> None:
    template = compiled.entry("models.yaml", compiled_models_yaml())
    assert template is not None
    base = template[0]
    chain = {}
    for i in range(20_000):
        item = dict(base, id=f"m{i}", base_model=f"m{i - 1}" if i else None)
        item["variant"] = "fine-tune" if i else "base"
        chain[item["id"]] = compiled.model(item)
    start = time.perf_counter()
    assert check_lineage(chain) == []
    chain["m0"] = compiled.model(dict(base, id="m0", base_model="m19999", variant="fine-tune"))
    problems = check_lineage(chain)
    assert len(problems) == 20_000 and all("lineage loops" in p for _, p in problems)
    assert time.perf_counter() - start < 2


def compiled_models_yaml() -> bytes:
    from llm_pick.catalog.load import bundled_path

    return bundled_path().read_bytes()


# ---- item 9: large catalogs stay within budget ---------------------------------------------


def test_the_size_caps_are_printed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert MAX_FILE_BYTES <= 64 * 1024 * 1024 and MAX_YAML_BYTES <= 16 * 1024 * 1024
    big = tmp_path / "big.json"
    with big.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk used
    one_error(run("recommend", "--vram", "24", "--catalog", str(big)), "64 MiB limit")
    big_yaml = tmp_path / "big.yaml"
    with big_yaml.open("wb") as handle:
        handle.truncate(MAX_YAML_BYTES + 1)
    one_error(run("list", "--catalog", str(big_yaml)), "16 MiB limit")


# ---- items 11 and 12: repeated keys, the chunked parser --------------------------------------


def test_a_second_models_key_past_the_chunk_threshold_is_refused(tmp_path: Path) -> None:
    item = yaml.safe_dump([entry(id="a-ID")])
    items = "".join(item.replace("a-ID", f"a{i}") for i in range(2000))
    first = "schema_version: 1\nmodels:\n" + items
    assert len(first) > 1 << 20  # the chunked parser's threshold
    second = yaml.safe_dump({"models": [entry(id="sneaky")]})
    path = tmp_path / "two.yaml"
    path.write_text(first + second)
    line = first.count("\n") + 1
    one_error(run("list", "--catalog", str(path)), "duplicate key 'models'", f"{path}:{line}")


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_duplicate_keys_are_errors_with_their_line(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"c{suffix}"
    text = json.dumps({"schema_version": 1, "models": [entry()]}, indent=2)
    text = text.replace('"layers": 32,', '"layers": 32,\n        "layers": 40,')
    path.write_text(text)
    line = 1 + text.split('"layers": 40')[0].count("\n")
    one_error(run("list", "--catalog", str(path)), "duplicate key 'layers'", f"{path}:{line}")


def test_duplicate_keys_in_a_profile_are_errors(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "schema_version: 1\nprofiles:\n- name: p\n  description: d\n"
        "  weights: {quality: 1, quality: 2}\n"
    )
    one_error(run("recommend", "--vram", "24", "--profile", str(profile)), "duplicate key")


# ---- item 16: each malformed input has its own message ---------------------------------------


@pytest.mark.parametrize("where", ["catalog", "profile"])
def test_100k_deep_json_is_one_error(tmp_path: Path, where: str) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    if where == "catalog":
        one_error(run("list", "--catalog", str(path)), "nested too deeply")
    else:
        one_error(run("recommend", "--vram", "24", "--profile", str(path)), "nested too deeply")


def test_an_invalid_yaml_date_is_one_error(tmp_path: Path) -> None:
    path = write_catalog(tmp_path / "c.yaml", entry())
    path.write_text(path.read_text().replace("'2024-01-01'", "2024-02-30"))
    assert "2024-02-30" in path.read_text()
    one_error(run("list", "--catalog", str(path)), "invalid date 2024-02-30")


def test_a_yaml_syntax_error_is_printed_once(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("schema_version: 1\nmodels: [\n")
    stderr = one_error(run("list", "--catalog", str(path)), "not valid YAML")
    assert stderr.count("not valid YAML") == 1


@pytest.mark.parametrize("how", ["option", "env"])
def test_urls_are_not_read(how: str, monkeypatch: pytest.MonkeyPatch) -> None:
    url = "https://example.com/models.yaml"
    if how == "env":
        monkeypatch.setenv("LLM_PICK_CATALOG", url)
        result = run("list")
    else:
        result = run("list", "--catalog", url)
    one_error(result, "URLs are not read")


def test_a_profile_name_over_255_characters_is_one_error(tmp_path: Path) -> None:
    one_error(
        run("recommend", "--vram", "24", "--profile", str(tmp_path / ("p" * 300 + ".yaml"))),
        "file name too long",
    )
