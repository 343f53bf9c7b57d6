"""CLI tests through the real error boundary: exit codes, stdout parseable, no tracebacks."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import Result, entry, run, write_catalog

FORMATS = ("table", "json", "csv", "markdown")


def ok(result: Result) -> Result:
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def error(result: Result, code: int = 1) -> str:
    assert result.code == code, (result.code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert lines and lines[0].startswith("Error: ")
    return result.stderr


def parse(result: Result, fmt: str) -> object:
    if fmt == "json":
        return json.loads(result.stdout)
    if fmt == "csv":
        return list(csv.reader(io.StringIO(result.stdout)))
    if fmt == "markdown":
        lines = result.stdout.strip().splitlines()
        assert all(line.startswith("|") and line.endswith("|") for line in lines)
        assert len(lines) >= 3 and set(lines[1]) <= set("|- ")
        return lines
    lines = result.stdout.splitlines()  # a table: a title or header, a rule, rows
    assert len(lines) >= 3 and any(set(line.strip()) == {"─"} for line in lines), result.stdout
    return result.stdout


# ---- list / show -------------------------------------------------------------------------


def test_list_json_shape_and_derived_fields() -> None:
    data = ok(run("list", "--format", "json")).json()
    models = {m["id"]: m for m in data["models"]}
    assert set(data) == {"catalog", "models"}
    falcon = models["falcon-7b"]
    assert falcon["attention"] == "mqa" and falcon["moe"] is False
    assert models["mixtral-8x7b"]["moe"] is True
    for key in (
        "id",
        "name",
        "family",
        "organization",
        "release_date",
        "variant",
        "base_model",
        "parameters",
        "architecture",
        "context_length",
        "license",
        "languages",
        "benchmarks",
        "sources",
    ):
        assert key in falcon


@pytest.mark.parametrize("fmt", FORMATS)
def test_list_every_format(fmt: str) -> None:
    result = ok(run("list", "--family", "mixtral", "--format", fmt))
    parsed = parse(result, fmt)
    assert "mixtral-8x7b" in result.stdout
    if fmt == "csv":
        assert parsed[0][0] == "id" and len(parsed) > 2  # type: ignore[index]


def test_list_filters() -> None:
    data = ok(
        run("list", "--commercial", "--min-context", "32k", "--lang", "de", "-f", "json")
    ).json()
    ids = {m["id"] for m in data["models"]}
    assert "mixtral-8x7b" in ids and "llama-3.1-8b" in ids
    assert "llama-1-7b" not in ids and "llama-2-7b" not in ids
    for m in data["models"]:
        assert m["license"]["commercial_use"] != "prohibited"
        assert m["context_length"] >= 32768 and "de" in m["languages"]


def test_show_json_is_the_entry() -> None:
    data = ok(run("show", "mixtral-8x7b", "--format", "json")).json()
    assert data["id"] == "mixtral-8x7b" and data["context_length"] == 32768
    assert data["sources"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_show_every_format(fmt: str) -> None:
    result = ok(run("show", "llama-2-70b", "-f", fmt))
    if fmt != "table":  # the detail view is a key-value sheet, not a ruled table
        parse(result, fmt)
    assert "llama-2-70b" in result.stdout and "68.9" in result.stdout  # its MMLU


def test_show_unknown_id_suggests() -> None:
    stderr = error(run("show", "mixtral-8x7"))
    assert "Did you mean mixtral-8x7b" in stderr


# ---- catalog validate / schema -----------------------------------------------------------


def test_catalog_validate_ok_and_problems(tmp_path: Path) -> None:
    good = write_catalog(tmp_path / "good.yaml", entry(id="mine"))
    assert "OK" in ok(run("catalog", "validate", str(good))).stderr
    bad = write_catalog(tmp_path / "bad.yaml", entry(colour="red", context_length=0))
    stderr = error(run("catalog", "validate", str(bad)))
    assert f"{bad}:" in stderr and "models[0].colour: unknown field" in stderr
    assert "models[0].context_length" in stderr


def test_catalog_schema_validates_the_bundled_catalog() -> None:
    import jsonschema
    import yaml

    from llm_pick.catalog.load import bundled_path

    schema = ok(run("catalog", "schema")).json()
    data = yaml.load(bundled_path().read_text(), Loader=yaml.CSafeLoader)
    data = json.loads(json.dumps(data, default=str))  # dates as strings, as in JSON
    jsonschema.validate(data, schema)
    bad = {"schema_version": 1, "models": [{"id": "UPPER"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_user_catalog_option_and_errors(tmp_path: Path) -> None:
    mine = write_catalog(tmp_path / "mine.yaml", entry(id="my-model"))
    assert "my-model" in ok(run("list", "--catalog", str(mine), "-f", "csv")).stdout
    bad = write_catalog(tmp_path / "bad.yaml", entry(id="Bad Id"))
    stderr = error(run("list", "--catalog", str(bad)))
    assert "bad.yaml" in stderr
    error(run("list", "--catalog", str(tmp_path / "missing.yaml")))


# ---- memory / gpus -----------------------------------------------------------------------


def test_memory_json_single_quant() -> None:
    data = ok(run("memory", "llama-2-7b", "--quant", "q4_k_m", "--format", "json")).json()
    for key in (
        "model",
        "quant",
        "context",
        "batch",
        "kv_dtype",
        "mode",
        "weights_bytes",
        "kv_cache_bytes",
        "overhead_bytes",
        "total_bytes",
    ):
        assert key in data
    assert data["context"] == 4096 and data["kv_cache_bytes"] == 2 * 32 * 32 * 128 * 4096 * 2
    assert (
        data["total_bytes"]
        == data["weights_bytes"] + data["kv_cache_bytes"] + data["overhead_bytes"]
    )
    assert all(isinstance(data[k], int) for k in data if k.endswith("_bytes"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_memory_every_format(fmt: str) -> None:
    result = ok(run("memory", "mixtral-8x7b", "--gpu", "rtx 4090", "--ram", "64", "-f", fmt))
    parse(result, fmt)
    for quant in ("q8_0", "q4_k_m", "q2_k"):
        assert quant in result.stdout


def test_memory_table_without_quant_lists_every_quant() -> None:
    out = ok(run("memory", "llama-3-8b", "--context", "8k")).stdout
    for quant in ("fp16", "q8_0", "q4_k_m", "q2_k", "bnb-nf4", "gptq-4bit", "awq-4bit"):
        assert quant in out
    assert "8192 tokens" in out


def test_memory_fit_and_speed_moe_faster_than_dense() -> None:
    def decode(model_id: str) -> float:
        data = run(
            "memory", model_id, "-q", "q4_k_m", "--gpu", "h100-sxm", "--gpus", "2", "-f", "json"
        )
        speed = ok(data).json()["speed"]["decode_tokens_per_second"]
        return (speed["low"] + speed["high"]) / 2

    assert decode("mixtral-8x7b") > 3 * decode("llama-2-70b")


def test_memory_training_modes() -> None:
    data = ok(
        run("memory", "llama-2-7b", "--mode", "qlora", "-q", "bnb-nf4-dq", "-f", "json")
    ).json()
    assert data["mode"] == "qlora" and data["optimizer_bytes"] > 0 and data["activation_bytes"] > 0


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["memory", "llama-2-7b", "-q", "q9"], "Valid:"),
        (["memory", "llama-2-7b", "--context", "-1"], "--context"),
        (["memory", "llama-2-7b", "--batch", "0"], "--batch"),
        (["memory", "llama-2-7b", "--vram", "-5"], "--vram"),
        (["memory", "llama-2-7b", "--vram", "nan"], "--vram"),
        (["memory", "llama-2-7b", "--vram", "1e308"], "--vram"),
        (["memory", "llama-2-7b", "--vram", "x", "--gpu", "4090"], "--vram"),
        (["memory", "llama-2-7b", "--ram-bandwidth", "60", "--cpu", "ddr4"], "conflict"),
        (["memory", "llama-2-7b", "--vram", "8", "--ram", "8", "--cpu", "ddr9"], "CPU preset"),
        (["memory", "llama-2-7b", "--gpu", "rtx 9999"], "GPU"),
        (["memory", "llama-2-7b", "--kv-dtype", "q3"], "--kv-dtype"),
        (["memory", "llama-2-7b", "--mode", "pretrain"], "--mode"),
    ],
)
def test_memory_bad_input_one_line(args: list[str], needle: str) -> None:
    stderr = error(run(*args))
    assert needle in stderr


def test_gpus_json_and_forgiving_match() -> None:
    data = ok(run("gpus", "-f", "json")).json()
    ids = {g["id"] for g in data["gpus"]}
    assert {"rtx-4090", "a100-80gb-sxm", "h100-sxm", "mi300x"} <= ids
    from llm_pick.catalog.gpus import find_gpu

    assert find_gpu("RTX4090").id == "rtx-4090"
    assert find_gpu("NVIDIA GeForce RTX 4090").id == "rtx-4090"


def test_usage_errors_are_one_line_exit_2() -> None:
    result = run("list", "--no-such-option")
    assert result.code == 2 and result.stderr.startswith("Error: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_version() -> None:
    assert ok(run("--version")).stdout.startswith("llm-pick ")


# ---- recommend / explain / compare / schema ---------------------------------------------


def test_recommend_json_validates_against_its_schema() -> None:
    import jsonschema

    schema = ok(run("schema", "recommend")).json()
    data = ok(run("recommend", "--vram", "24", "--commercial", "--format", "json")).json()
    jsonschema.validate(data, schema)
    assert len(data["ranking"]) == 10 and data["query"]["hardware"]["vram_gib_per_gpu"] == 24
    ranked = {r["model"] for r in data["ranking"]}
    excluded = {e["model"] for e in data["excluded"]}
    assert not ranked & excluded and "llama-1-7b" in excluded
    for item in data["ranking"]:
        total = sum(c["contribution"] for c in item["criteria"].values())
        assert abs(total - item["score"]) < 1e-5


def test_recommend_output_is_byte_identical_across_runs() -> None:
    args = ("recommend", "--gpu", "4090", "--commercial", "--lang", "fr", "-f", "json")
    assert ok(run(*args)).stdout == ok(run(*args)).stdout


@pytest.mark.parametrize("fmt", FORMATS)
def test_recommend_every_format(fmt: str) -> None:
    result = ok(run("recommend", "--vram", "24", "--commercial", "--format", fmt, "--top", "3"))
    parsed = parse(result, fmt)
    if fmt == "csv":
        assert parsed[0][:3] == ["rank", "model", "name"] and len(parsed) == 4  # type: ignore[index]
    if fmt == "markdown":
        assert len(parsed) == 5  # type: ignore[arg-type]
    if fmt == "table":
        assert "Top pick" in result.stdout and " 3 " in result.stdout


def test_recommend_show_excluded_table() -> None:
    out = ok(run("recommend", "--vram", "8", "--commercial", "--show-excluded")).stdout
    assert "Excluded" in out and "licence prohibits commercial use" in out


def test_recommend_nothing_fits_exit_3_with_closest() -> None:
    result = run("recommend", "--vram", "2", "--family", "mixtral", "-f", "json")
    assert result.code == 3 and "Traceback" not in result.stderr
    data = result.json()
    assert data["ranking"] == [] and data["closest"]
    assert data["closest"][0].startswith("--vram ") and "admits mixtral-8x7b" in data["closest"][0]
    assert data["closest_changes"][0]["change"].startswith("--vram ")
    table = run("recommend", "--vram", "2", "--family", "mixtral")
    assert table.code == 3 and "Closest" in table.stdout


def test_recommend_profile_and_weights() -> None:
    data = ok(
        run("recommend", "--vram", "24", "--profile", "edge", "--weight", "speed=5", "-f", "json")
    ).json()
    weights = data["query"]["weights"]
    assert data["query"]["profile"] == "edge"
    assert weights["speed"] == max(weights.values())


def test_recommend_user_profile_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "schema_version: 1\nprofiles:\n  - name: mine\n    description: x\n"
        "    weights: {context: 1}\n"
    )
    # sized for 32K tokens, so the context value (0.2 a doubling, capped at 32x) separates
    # 128K from 256K models
    args = ("recommend", "--vram", "80", "--context", "32768", "--profile", str(path))
    data = ok(run(*args, "-f", "json")).json()
    assert data["query"]["weights"]["context"] == 1.0
    # context alone decides: the top pick has the longest context of every ranked model
    top = data["ranking"][0]["context_length"]
    assert top == max(item["context_length"] for item in data["ranking"]) >= 131072


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--weight", "quality"], "NAME=VALUE"),
        (["--weight", "quality=x"], "not a number"),
        (["--weight", "=3"], "NAME=VALUE"),
        (["--weight", "taste=1"], "unknown criterion"),
        (["--weight", "quality=-1"], "from 0"),
        (["--profile", "gaming"], "unknown profile"),
        (["--quant", "q9"], "quantization"),
        (["--min-bits", "nan"], "--min-bits"),
        (["--lang", "english"], "--lang"),
        (["--family", "gpt/4"], "--family"),
        (["--min-params", "70", "--max-params", "7"], "above"),
        (["--top", "0"], "--top"),
        (["--vram", "auto"], "nvidia-smi"),
        (["--gpus", "2"], "--gpus needs"),
    ],
)
def test_recommend_bad_input_one_line(args: list[str], needle: str) -> None:
    stderr = error(
        run("recommend", "--vram", "24", *args)
        if "--vram" not in args and "--gpus" not in args
        else run("recommend", *args)
    )
    assert needle in stderr


def test_output_file_is_written_atomically(tmp_path: Path) -> None:
    target = tmp_path / "ranking.json"
    result = ok(run("recommend", "--vram", "24", "--commercial", "-f", "json", "-o", str(target)))
    assert result.stdout == "" and "Wrote" in result.stderr
    assert json.loads(target.read_text())["ranking"]
    target.write_text("precious")
    bad = run("recommend", "--vram", "-1", "-f", "json", "-o", str(target))
    error(bad)
    assert target.read_text() == "precious"
    error(run("recommend", "--vram", "24", "-o", str(tmp_path / "missing" / "x.json")))
    assert not (tmp_path / "missing").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ranking.json"]


def test_output_never_overwrites_an_input_catalog(tmp_path: Path) -> None:
    mine = write_catalog(tmp_path / "mine.yaml", entry(id="mine"))
    before = mine.read_text()
    stderr = error(run("list", "--catalog", str(mine), "-o", str(mine)))
    assert "input file" in stderr and mine.read_text() == before


def test_explain_pass_and_fail() -> None:
    data = ok(run("explain", "mixtral-8x7b", "--gpu", "4090", "--commercial", "-f", "json")).json()
    assert data["passed"] and data["rank"] >= 1
    assert {c["constraint"] for c in data["constraints"]} == {"commercial", "specialist", "memory"}
    total = sum(c["contribution"] for c in data["criteria"].values())
    assert abs(total - data["score"]) < 1e-5
    failed = ok(run("explain", "llama-1-7b", "--vram", "24", "--commercial", "-f", "json")).json()
    assert not failed["passed"] and failed["rank"] is None
    assert any(not c["passed"] and "prohibits" in c["detail"] for c in failed["constraints"])


@pytest.mark.parametrize("fmt", FORMATS)
def test_explain_and_compare_every_format(fmt: str) -> None:
    explained = ok(run("explain", "llama-3-8b", "--vram", "12", "-f", fmt))
    parse(explained, fmt)
    for word in ("memory", "quality", "speed"):
        assert word in explained.stdout
    ids = ("mistral-7b-v0.1", "llama-2-13b", "mixtral-8x7b")
    compared = ok(run("compare", *ids, "-f", fmt))
    parse(compared, fmt)
    assert all(i in compared.stdout for i in ids) and "context" in compared.stdout


def test_compare_marks_best_values() -> None:
    data = ok(
        run(
            "compare",
            "mistral-7b-v0.1",
            "llama-2-13b",
            "mixtral-8x7b",
            "--gpu",
            "4090",
            "-q",
            "q4_k_m",
            "-f",
            "json",
        )
    ).json()
    rows = {r["field"]: r for r in data["rows"]}
    assert rows["context"]["best"] == ["mixtral-8x7b"]
    assert rows["memory q4_k_m (GiB)"]["best"] == ["mistral-7b-v0.1"]
    assert rows["mmlu"]["best"] == ["mixtral-8x7b"]
    assert rows["fit q4_k_m"]["values"]["mixtral-8x7b"] == "none"
    md = ok(run("compare", "mistral-7b-v0.1", "mixtral-8x7b", "-f", "markdown")).stdout
    assert "**32,768**" in md


def test_compare_licence_and_language_rows_hold_their_words() -> None:
    """The JSON holds what the licence says and the languages, not a rank or a count; the
    best is still the freest licence and the most languages."""
    data = ok(run("compare", "mistral-7b-v0.1", "llama-2-13b", "bloom-7b1", "-f", "json")).json()
    rows = {r["field"]: r for r in data["rows"]}
    assert rows["commercial use"]["values"] == {
        "mistral-7b-v0.1": "allowed",
        "llama-2-13b": "conditional",
        "bloom-7b1": "conditional",
    }
    assert rows["commercial use"]["best"] == ["mistral-7b-v0.1"]
    assert rows["languages"]["values"]["llama-2-13b"] == ["en"]
    assert {"en", "fr", "zh"} <= set(rows["languages"]["values"]["bloom-7b1"])
    assert rows["languages"]["best"] == ["bloom-7b1"]


def test_compare_needs_two_models() -> None:
    error(run("compare", "mixtral-8x7b"))
    assert "Did you mean" in error(run("compare", "mixtral-8x7b", "lama-2-7b"))


def test_vram_auto_reads_nvidia_smi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "nvidia-smi"
    fake.write_text(
        "#!/bin/sh\necho 'NVIDIA GeForce RTX 4090, 24564'\necho 'NVIDIA GeForce RTX 4090, 24564'\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    data = ok(run("memory", "llama-2-13b", "-q", "q4_k_m", "--vram", "auto", "-f", "json")).json()
    assert data["hardware"]["gpus"] == 2 and data["hardware"]["source"] == "nvidia-smi"
    assert data["hardware"]["vram_gib_per_gpu"] == pytest.approx(24564 / 1024)


def test_each_extra_gpu_adds_its_own_cuda_context() -> None:
    one = ok(run("memory", "llama-2-70b", "-q", "q4_k_m", "--vram", "48", "-f", "json")).json()
    two = ok(
        run("memory", "llama-2-70b", "-q", "q4_k_m", "--vram", "24", "--gpus", "2", "-f", "json")
    ).json()
    # the second card holds its own CUDA context and compute buffer; layers split whole
    assert two["fit"]["needed_bytes"] - one["fit"]["needed_bytes"] == one["overhead_bytes"]
    cards = two["fit"]["cards"]
    assert [c["layers"] for c in cards] == [40, 40]
    assert sum(c["total_bytes"] for c in cards) == two["fit"]["needed_bytes"]
