"""Issue 22: a newcomer's first ten minutes (forgiving input, inferred formats, help)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run, script

from llm_pick.cli.amounts import read_gib


@pytest.mark.parametrize(
    ("text", "gib"),
    [
        ("24", 24.0),
        ("24GB", 24.0),
        ("24G", 24.0),
        ("24g", 24.0),
        ("24GiB", 24.0),
        ("24 GiB", 24.0),
        ("24000MB", 24000 / 1024),
        ("1TB", 1024.0),
        ("25769803776B", 24.0),
    ],
)
def test_vram_units_are_read(text: str, gib: float) -> None:
    assert read_gib("--vram", text)[0] == pytest.approx(gib)


def test_vram_unit_reading_is_printed_before_the_report() -> None:
    plain = run("memory", "llama-3.1-8b", "-q", "q4_k_m", "--vram", "24", "-f", "json")
    unit = run("memory", "llama-3.1-8b", "-q", "q4_k_m", "--vram", "24GB", "-f", "json")
    assert plain.code == unit.code == 0
    assert json.loads(plain.stdout) == json.loads(unit.stdout)
    assert unit.stderr.startswith("Note: --vram 24GB read as 24 GiB (GB is read as GiB")
    assert "read as" not in plain.stderr


def test_a_byte_count_says_what_to_write() -> None:
    result = run("recommend", "--vram", "25769803776")
    assert result.code == 1
    assert result.stderr == (
        "Error: --vram: 25769803776 looks like a byte count; write GiB, e.g. --vram 24 "
        "(or 25769803776B to give bytes)\n"
    )


def test_a_bad_unit_is_one_error_line() -> None:
    result = run("recommend", "--vram", "24XB")
    assert result.code == 1
    assert result.stderr.startswith("Error: --vram: '24XB' is not")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("name", "starts"),
    [
        ("picks.csv", "rank,model,"),
        ("x.json", '{"schema_version"'),
        ("x.md", "| rank |"),
        ("report.html", "<!DOCTYPE html>"),
    ],
)
def test_output_format_from_the_extension(tmp_path: Path, name: str, starts: str) -> None:
    target = tmp_path / name
    result = run("recommend", "--vram", "24", "--top", "2", "-o", str(target))
    assert result.code == 0, result.stderr
    assert target.read_text(encoding="utf-8").startswith(starts)


def test_md_is_markdown_and_a_contradiction_is_an_error(tmp_path: Path) -> None:
    short = run("list", "--family", "falcon", "-f", "md")
    assert short.code == 0
    assert short.stdout == run("list", "--family", "falcon", "-f", "markdown").stdout
    target = tmp_path / "y.csv"
    clash = run("recommend", "--vram", "24", "-f", "json", "-o", str(target))
    assert clash.code == 1
    assert clash.stderr.startswith("Error: --format json contradicts --output")
    assert not target.exists()


def test_import_output_is_not_given_a_format(tmp_path: Path) -> None:
    """import's -o is a catalog file: no --format is added to a command without one."""
    from llm_pick.cli.formats import infer_format

    argv = ["import", "model.gguf", "-o", str(tmp_path / "c.json")]
    import typer

    from llm_pick.cli.app import app

    assert infer_format(argv, typer.main.get_command(app)) == argv


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--exclude", "llama-3.1-8b-instruc"),
            "Error: --exclude: unknown model 'llama-3.1-8b-instruc'. Did you mean "
            "llama-3.1-8b-instruct",
        ),
        (
            ("--license", "apache2"),
            "Error: --license: no catalog model has 'apache2'. Did you mean apache-2.0?",
        ),
        (("--family", "lama"), "Error: --family: no catalog model has 'lama'. Did you mean llama?"),
    ],
)
def test_unknown_names_are_errors_with_a_suggestion(args: tuple[str, ...], message: str) -> None:
    result = run("recommend", "--vram", "24", *args)
    assert result.code == 1
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1


def test_licence_ids_are_matched_without_case() -> None:
    result = run("recommend", "--vram", "24", "--license", "APACHE-2.0", "-f", "json")
    assert result.code == 0
    ranked = json.loads(result.stdout)["ranking"]
    assert ranked and all(r["license"]["id"] == "apache-2.0" for r in ranked)


@pytest.mark.parametrize(
    "name",
    ["meta-llama/Llama-3.1-8B-Instruct", "llama3.1:8b", "llama3.1:8b-instruct-q4_K_M"],
)
def test_repo_ids_and_ollama_tags_are_model_ids(name: str) -> None:
    shown = run("show", name, "-f", "json")
    assert shown.code == 0, shown.stderr
    assert json.loads(shown.stdout)["id"] == "llama-3.1-8b-instruct"
    ranked = run("recommend", "--vram", "24", "--exclude", name, "--top", "100", "-f", "json")
    ids = [r["model"] for r in json.loads(ranked.stdout)["ranking"]]
    assert "llama-3.1-8b-instruct" not in ids and "llama-3.1-8b" in ids


def test_text_tag_is_the_base_model_and_an_unknown_tag_is_an_error() -> None:
    assert json.loads(run("show", "llama3.1:8b-text", "-f", "json").stdout)["id"] == "llama-3.1-8b"
    wrong = run("memory", "llama3.1:8b-instruct-q9")
    assert wrong.code == 1 and wrong.stderr.startswith("Error: unknown model")


def _commands() -> list[tuple[str, ...]]:
    import typer

    from llm_pick.cli.app import app

    root = typer.main.get_command(app)
    found: list[tuple[str, ...]] = []
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        subs = getattr(command, "commands", None)
        found += [(name, sub) for sub in subs] if subs else [(name,)]
    return found


@pytest.mark.parametrize("path", _commands(), ids=" ".join)
def test_every_command_help_has_two_or_three_examples(path: tuple[str, ...]) -> None:
    shown = run(*path, "--help")
    assert shown.code == 0
    examples = shown.stdout.split("Examples:", 1)[1].split("\n")
    lines = [line.strip() for line in examples if line.strip()]
    assert 2 <= len(lines) <= 3, lines
    assert all(line.startswith("llm-pick ") for line in lines)


def test_help_examples_run() -> None:
    """Each example that needs no file, no detection and no shell runs as printed."""
    import shlex

    from llm_pick.cli.helptext import EXAMPLES

    ran = 0
    for lines in EXAMPLES.values():
        for line in lines:
            words = shlex.split(line)[1:]
            if any(w in ("auto", "hardware", ">", "import", "validate") for w in words):
                continue
            if "-o" in words or any(w.startswith("./") for w in words) or "--catalog" in words:
                continue
            result = run(*words)
            assert result.code in (0, 3), (line, result.stderr)
            ran += 1
    assert ran >= 12


def test_commands_are_listed_by_importance_and_options_grouped() -> None:
    top = run("--help").stdout
    listed = [line.split()[0] for line in top.split("Commands:")[1].splitlines() if line.strip()]
    assert listed[:3] == ["recommend", "memory", "explain"]
    helped = run("recommend", "--help").stdout
    titles = [
        t + ":" for t in ("Hardware", "Needs", "Sizing", "Ranking", "Output and other options")
    ]
    places = [helped.index("\n" + title + "\n") for title in titles]
    assert places == sorted(places)
    hardware = helped.split("Hardware:")[1].split("Needs:")[0]
    assert "--vram" in hardware and "--commercial" not in hardware


def test_no_hardware_is_said_first() -> None:
    result = run("recommend", "--top", "1", "-f", "json")
    assert result.code == 0
    assert result.stderr.startswith("Note: no hardware given")
    assert "--vram auto" in result.stderr.splitlines()[0]
    given = run("recommend", "--vram", "24", "--top", "1", "-f", "json")
    assert "no hardware given" not in given.stderr


def test_cli_reference_covers_every_command() -> None:

    root = Path(__file__).parents[1]
    module = script("tools/gendocs.py", "gendocs_nc")
    assert sorted(tuple(p) for p in module.COMMANDS) == sorted(_commands())
    cli = (root / "docs" / "cli.md").read_text(encoding="utf-8")
    assert "## llm-pick hardware" in cli and "## llm-pick import" in cli


@pytest.mark.parametrize("width", [40, 80, 200])
def test_run_commands_are_one_line_at_any_width(width: int) -> None:
    from llm_pick.catalog.load import load_catalog
    from llm_pick.cli.parse import hardware
    from llm_pick.ranking import pipeline
    from llm_pick.ranking.query import Query
    from llm_pick.reports.recommend import recommend_report
    from llm_pick.reports.report import render_text

    models = load_catalog()
    result = pipeline.recommend(models, Query(hardware=hardware(vram="24"), top=3))
    report = recommend_report(result, models, False, None)
    shown = render_text(report, "table", width=width)
    commands = [r["command"] for r in json.loads(render_text(report, "json"))["ranking"][0]["run"]]
    assert commands
    for command in commands:
        assert any(line.endswith(command) for line in shown.splitlines()), command


def test_a_gpu_name_with_memory_variants_says_which_was_taken_first() -> None:
    result = run("memory", "llama-3-8b", "--gpu", "a100", "-q", "q4_k_m", "-f", "json")
    assert result.code == 0
    first = result.stderr.splitlines()[0]
    assert first.startswith("Note: --gpu a100 read as a100-40gb (40 GB)")
    assert "a100-80gb-pcie" in first and "a100-80gb-sxm" in first
    apple = run("recommend", "--gpu", "m2 max", "--top", "1", "-f", "json").stderr
    assert apple.startswith("Note: --gpu m2 max read as m2-max-96gb") and "--vram" in apple
    for exact in (("--gpu", "4090"), ("--gpu", "a100-80gb-sxm"), ("--gpu", "a100", "--vram", "40")):
        quiet = run("memory", "llama-3-8b", *exact, "-q", "q4_k_m", "-f", "json")
        assert quiet.code == 0 and "read as" not in quiet.stderr
