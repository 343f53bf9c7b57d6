"""Bad input never crashes, hangs, or damages files; user strings are shown as text."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
import string
from pathlib import Path

import pytest
import yaml
from conftest import Result, entry, examples, run, write_catalog
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from llm_pick.catalog.runfields import HF_REPO_PATTERN
from llm_pick.cli.output import write_atomic
from llm_pick.errors import OutputError

DOCUMENTED_CODES = {0, 1, 2, 3}
HOSTILE = "[bold red]boom[/] \x1b[31mred\x1b[0m \x07\x9b"


def clean(result: Result) -> None:
    assert result.code in DOCUMENTED_CODES, (result.code, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    if result.code not in (0, 3):
        assert result.stderr.startswith("Error: "), result.stderr


# ---- strings from a user catalog are text, not markup or terminal commands -------------


@pytest.fixture
def hostile_catalog(tmp_path: Path) -> Path:
    item = entry(
        id="hostile-7b",
        name=HOSTILE,
        organization=HOSTILE,
        notes=HOSTILE,
        sources=[HOSTILE],
        license={"id": "x[red]", "name": HOSTILE},
    )
    return write_catalog(tmp_path / "hostile.yaml", item)


@pytest.mark.parametrize(
    "command", [["show", "hostile-7b"], ["list"], ["recommend", "--vram", "80"]]
)
@pytest.mark.parametrize("fmt", ["table", "csv", "markdown"])
def test_markup_and_escapes_are_shown_literally(
    hostile_catalog: Path, command: list[str], fmt: str
) -> None:
    result = run(*command, "--catalog", str(hostile_catalog), "-f", fmt)
    clean(result)
    assert (
        "\x1b" not in result.stdout and "\x07" not in result.stdout and "\x9b" not in result.stdout
    )
    if command[0] == "show":
        shown = result.stdout
        if fmt == "markdown":  # as a Markdown viewer shows it: backslash escapes removed
            shown = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", shown)
        assert "[bold red]boom[/]" in shown
        assert "\\x1b[31mred" in shown


def test_json_escapes_control_characters(hostile_catalog: Path) -> None:
    result = run("show", "hostile-7b", "--catalog", str(hostile_catalog), "-f", "json")
    clean(result)
    assert "\x1b" not in result.stdout and json.loads(result.stdout)["name"] == HOSTILE


# ---- hostile catalog files ----------------------------------------------------------------


def test_yaml_tags_construct_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.yaml"
    path.write_text(f"!!python/object/apply:os.system ['touch {marker}']\n")
    result = run("catalog", "validate", str(path))
    clean(result)
    assert result.code == 1 and "construct objects are refused" in result.stderr
    assert not marker.exists()


def test_alias_bomb_is_refused_through_the_cli(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 12)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\nschema_version: 1\nmodels: *a11\n")
    result = run("list", "--catalog", str(path))
    clean(result)
    assert "alias" in result.stderr


def test_unreadable_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_catalog(tmp_path / "secret.yaml", entry())

    real_open = os.open

    def denied(name: str, *args: object, **kwargs: object) -> int:
        if str(name) == str(path):
            raise PermissionError(13, "Permission denied")
        return real_open(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", denied)
    result = run("list", "--catalog", str(path))
    clean(result)
    assert "permission denied" in result.stderr


# ---- output files -----------------------------------------------------------------------


def test_output_into_a_file_that_is_not_a_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("keep")
    result = run("list", "-f", "json", "-o", str(blocker / "out.json"))
    clean(result)
    assert "is not a folder" in result.stderr and blocker.read_text() == "keep"


def test_output_write_failure_leaves_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "ranking.json"
    target.write_text("old")

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(OutputError, match="no space left"):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["ranking.json"]


def test_read_only_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    result = run("list", "-f", "csv", "-o", str(tmp_path / "out.csv"))
    clean(result)
    assert "cannot write" in result.stderr and not list(tmp_path.iterdir())


# ---- conventions ------------------------------------------------------------------------


def test_no_color_gives_plain_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    colored = run("list", "--family", "mixtral")
    assert "\x1b[" in colored.stdout
    monkeypatch.setenv("NO_COLOR", "1")
    plain = run("list", "--family", "mixtral")
    assert "\x1b[" not in plain.stdout and "mixtral-8x7b" in plain.stdout


def test_tables_fit_narrow_terminals(monkeypatch: pytest.MonkeyPatch) -> None:
    # run commands are one line at any width (issue 22): the terminal wraps them, not us
    ranked = run("recommend", "--gpu", "4090", "--commercial", "-f", "json").json()["ranking"]
    commands = tuple(item["command"] for item in ranked[0]["run"])
    for width in (60, 80, 120):
        monkeypatch.setenv("COLUMNS", str(width))
        out = run("recommend", "--gpu", "4090", "--commercial").stdout
        assert max(len(line) for line in out.splitlines() if not line.endswith(commands)) <= width


def test_messages_go_to_stderr_data_to_stdout(tmp_path: Path) -> None:
    result = run("recommend", "--vram", "24", "-f", "json", "-o", str(tmp_path / "r.json"))
    assert result.stdout == "" and "Wrote" in result.stderr


def test_debug_shows_the_traceback() -> None:
    from llm_pick.errors import UnknownNameError

    with pytest.raises(UnknownNameError):
        run("--debug", "show", "no-such-model")


def test_shell_completion_is_offered() -> None:
    assert "--install-completion" in run("--help").stdout


# ---- fuzzing ----------------------------------------------------------------------------

NUMBERS = st.sampled_from(
    [
        "0",
        "-1",
        "-5",
        "nan",
        "inf",
        "-inf",
        "1e308",
        "1e-308",
        "24",
        "2.5",
        "",
        " ",
        "x",
        "32k",
        "128K",
        "1m",
        "0x10",
        "1_000",
        "99999999999",
    ]
)
WORDS = st.sampled_from(
    [
        "q4_k_m",
        "Q8_0",
        "fp16",
        "bnb-nf4",
        "q9",
        "",
        "4090",
        "rtx 3090",
        "h100",
        "balanced",
        "edge",
        "nope",
        "quality=2",
        "quality",
        "=3",
        "speed=-1",
        "en",
        "de",
        "english",
        "llama",
        "gpt",
        "mixtral-8x7b",
        "llama-1-7b",
        "apache-2.0",
        "[bold]",
        "\x1b[31m",
    ]
)
OPTIONS = {
    "--vram": NUMBERS | st.just("auto"),
    "--gpu": WORDS,
    "--gpus": NUMBERS,
    "--ram": NUMBERS,
    "--context": NUMBERS,
    "--batch": NUMBERS,
    "--min-context": NUMBERS,
    "--lang": WORDS,
    "--min-params": NUMBERS,
    "--max-params": NUMBERS,
    "--license": WORDS,
    "--family": WORDS,
    "--exclude": WORDS,
    "--quant": WORDS,
    "--min-bits": NUMBERS,
    "--profile": WORDS,
    "--weight": WORDS,
    "--top": NUMBERS,
    "--kv-dtype": WORDS,
    "--format": st.sampled_from(["table", "json", "csv", "markdown", "xml"]),
}
FLAGS = ["--commercial", "--unconditional", "--show-excluded"]


@st.composite
def recommend_args(draw: st.DrawFn) -> list[str]:
    args = ["recommend"]
    for name in draw(st.lists(st.sampled_from(sorted(OPTIONS)), max_size=6)):
        args += [name, draw(OPTIONS[name])]
    args += draw(st.lists(st.sampled_from(FLAGS), max_size=2, unique=True))
    return args


def parseable(result: Result, args: list[str]) -> None:
    at = [i for i, arg in enumerate(args) if arg == "--format"]  # the last one wins
    fmt = args[at[-1] + 1] if at else "table"
    if result.code not in (0, 3):
        return
    if fmt == "json":
        json.loads(result.stdout)
    elif fmt == "csv":
        assert next(csv.reader(io.StringIO(result.stdout)))[0] == "rank"
    elif fmt == "markdown" and result.stdout.strip():
        assert all(line.startswith("|") for line in result.stdout.strip().splitlines())


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recommend_args())
def test_fuzzed_recommend_options(args: list[str]) -> None:
    result = run(*args)
    clean(result)
    parseable(result, args)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(
    command=st.sampled_from(
        [
            ["memory", "llama-3-8b"],
            ["explain", "mixtral-8x7b"],
            ["compare", "llama-2-7b", "falcon-7b"],
            ["list"],
        ]
    ),
    extra=st.lists(
        st.sampled_from(
            [
                "--quant",
                "--context",
                "--batch",
                "--vram",
                "--gpu",
                "--mode",
                "--kv-dtype",
                "--lora-rank",
            ]
        ),
        max_size=3,
    ),
    value=st.one_of(NUMBERS, WORDS),
)
def test_fuzzed_other_commands(command: list[str], extra: list[str], value: str) -> None:
    args = list(command)
    for option in extra:
        args += [option, value]
    clean(run(*args))


FIELD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.lists(st.text(alphabet=string.ascii_lowercase, max_size=3), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@st.composite
def mutated_catalogs(draw: st.DrawFn) -> dict[str, object]:
    item = entry(id=draw(st.sampled_from(["fuzz-7b", "Fuzz", "fuzz 7b", "llama-2-7b"])))
    for _ in range(draw(st.integers(0, 4))):
        sections = [item] + [
            item[k]
            for k in ("architecture", "parameters", "license")
            if isinstance(item.get(k), dict)
        ]
        section = draw(st.sampled_from(sections))
        key = draw(st.sampled_from([*sorted(section), "unknown_field"]))
        if draw(st.booleans()):
            section[key] = draw(FIELD_VALUES)
        else:
            section.pop(key, None)
    return {"schema_version": draw(st.sampled_from([1, 1, 2, "1"])), "models": [item]}


@pytest.mark.slow
@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(doc=mutated_catalogs(), as_json=st.booleans())
def test_fuzzed_catalogs(tmp_path: Path, doc: dict[str, object], as_json: bool) -> None:
    path = tmp_path / ("fuzz.json" if as_json else "fuzz.yaml")
    text = json.dumps(doc) if as_json else yaml.safe_dump(doc)
    path.write_text(text)
    for args in (
        ["catalog", "validate", str(path)],
        ["list", "--catalog", str(path), "-f", "json"],
        ["recommend", "--vram", "24", "--catalog", str(path), "-f", "json"],
    ):
        result = run(*args)
        clean(result)
        assert result.code in (0, 1, 3)
        if result.code == 1:
            assert len(result.stderr.splitlines()) >= 1
        parseable(result, args)


@pytest.mark.parametrize("args", [[], ["catalog"], ["schema"]])
def test_no_command_shows_the_help(args: list[str]) -> None:
    result = run(*args)
    assert result.code == 0 and result.stdout.startswith("Usage: llm-pick")
    assert "Commands:" in result.stdout


# ---- fuzzing paths, environment variables and terminal widths (issue 9) -------------------

NAMES = st.one_of(
    st.sampled_from(
        ["out.json", "x" * 300, "a\x1b]0;t\x07.csv", "\u202eevil", ".", "..", "", " ", "-", "--"]
    ),
    st.text(alphabet=st.characters(blacklist_characters="/\x00"), min_size=1, max_size=20),
)
INPUT_PATHS = st.one_of(
    NAMES,
    st.sampled_from(
        [
            "/dev/null",
            "/dev/zero",
            "/dev/urandom",
            "/etc/passwd",
            "/",
            "https://example.com/c.yaml",
            "file:///etc/passwd",
            "loop",
            "fifo",
        ]
    ),
)
ENV = {
    "LLM_PICK_CATALOG": st.one_of(INPUT_PATHS, st.just("a:b::c")),
    "LLM_PICK_DEBUG": st.sampled_from(["", "0", "false", "no", "off", "FALSE", " 0 "]),
    "NO_COLOR": st.sampled_from(["", "1"]),
    "COLUMNS": st.one_of(
        st.integers(-10, 300).map(str), st.sampled_from(["", "x", "1e9", "99999999999999999999"])
    ),
    "LINES": st.integers(-5, 100).map(str),
}


@st.composite
def hostile_runs(draw: st.DrawFn) -> tuple[list[str], dict[str, str], str | None]:
    command = draw(
        st.sampled_from(
            [
                ["list"],
                ["show", "llama-2-7b"],
                ["recommend", "--vram", "24"],
                ["explain", "mixtral-8x7b"],
                ["memory", "llama-3-8b", "-q", "q4_k_m"],
                ["compare", "llama-2-7b", "falcon-7b"],
                ["gpus"],
                ["catalog", "schema"],
                ["catalog", "validate"],
            ]
        )
    )
    args = list(command)
    if command[0] == "catalog" and command[1] == "validate":
        args.append(draw(INPUT_PATHS))
    elif command[0] not in ("gpus", "catalog") and draw(st.booleans()):
        args += ["--catalog", draw(INPUT_PATHS)]
    if command[0] in ("recommend", "explain") and draw(st.booleans()):
        args += ["--profile", draw(INPUT_PATHS)]
    if command[0] != "catalog" and draw(st.booleans()):
        args += ["--format", draw(st.sampled_from(["table", "json", "csv", "markdown"]))]
    output = draw(st.none() | NAMES | st.sampled_from(["/dev/null", "loop", "fifo-out"]))
    if output is not None and args[:2] != ["catalog", "validate"]:
        args += ["--force"] if draw(st.booleans()) else []
    else:
        output = None
    env = draw(st.dictionaries(st.sampled_from(sorted(ENV)), st.nothing(), max_size=0))
    for name in draw(st.lists(st.sampled_from(sorted(ENV)), unique=True, max_size=4)):
        env[name] = draw(ENV[name])
    return args, env, output


@pytest.mark.slow
@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=hostile_runs())
def test_fuzzed_paths_environment_and_widths(tmp_path: Path, case: tuple) -> None:  # type: ignore[type-arg]
    args, env, output = case
    folder = tmp_path / "work"
    if not folder.exists():
        folder.mkdir()
        (folder / "loop").symlink_to(folder / "loop")
        os.mkfifo(folder / "fifo")
    from llm_pick.catalog import compiled
    from llm_pick.catalog.datafiles import path as data_path

    protected = [data_path(n) for n in compiled.FILES] + [compiled.COMPILED, *compiled.PARTS]
    before = {p: p.read_bytes() for p in protected}
    cwd = os.getcwd()
    saved = {name: os.environ.get(name) for name in ENV}
    try:
        os.chdir(folder)
        for name, value in env.items():
            os.environ[name] = value
        full = list(args)
        if output is not None:
            if output == "fifo-out":
                output = "/dev/null"  # a FIFO without a reader would wait, by design
            full += ["--output", output]
        result = run(*full)
    finally:
        os.chdir(cwd)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    clean(result)
    if result.code in (0, 3) and output is None and args[:2] != ["catalog", "validate"]:
        assert result.stdout.strip(), "a successful command printed nothing"
    for line in result.stderr.splitlines():
        assert "\x1b" not in line and "\u202e" not in line and "internal error" not in line
    assert {p: p.read_bytes() for p in protected} == before
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


# ---- fuzzing the catalog fields that go into run commands (issue 17) ----------------------

SHELL_CHARS = ";&|$`'\"\\ \n\t\r()<>*?~#!{}[]=%^,+@"
RUN_VALUES = st.one_of(
    st.sampled_from(
        [
            "org/model-GGUF",
            "TheBloke/Llama-2-7B-GGUF",
            "a/b;touch PWNED;#",
            "a/$(touch PWNED)",
            "a/`touch PWNED`",
            "a/b\ntouch PWNED",
            "a/b && touch PWNED",
            "a/b | touch PWNED",
            "a/b > PWNED",
            "-a/b",
            "a/b/c",
        ]
    ),
    st.text(alphabet=string.ascii_letters + string.digits + "._-/:" + SHELL_CHARS, max_size=30),
)


VALID_REPOS = st.from_regex(HF_REPO_PATTERN, fullmatch=True)
VALID_TAGS = st.from_regex(r"[a-z0-9_][a-z0-9_-]{0,12}:[a-z0-9]{1,4}-", fullmatch=True)


@st.composite
def run_field_catalogs(draw: st.DrawFn) -> tuple[dict[str, object], dict[str, str]]:
    values = {
        # each field valid about two times in three, so both paths are exercised
        "repo": draw(st.one_of(VALID_REPOS, VALID_REPOS, RUN_VALUES)),
        "pattern": draw(st.one_of(VALID_TAGS, VALID_TAGS, RUN_VALUES))
        + draw(st.sampled_from(["{quant}"] * 6 + [":{quant}", "", "-x"])),
        "hf_repo": draw(st.one_of(VALID_REPOS, VALID_REPOS, RUN_VALUES)),
        "gguf_quant": draw(st.sampled_from(["q4_k_m"] * 5 + ["q8_0"] * 3 + ["Q4_K_M", "q4;x"])),
        "ollama_quant": draw(st.sampled_from(["q4_K_M"] * 8 + ["q4_K_M$(x)", "q4-K", ""])),
    }
    item = entry(
        id="fuzz-7b",
        hf_repo=values["hf_repo"],
        runtimes={
            "gguf": {"repo": values["repo"], "quants": [values["gguf_quant"]], "source": "x"},
            "ollama": {
                "pattern": values["pattern"],
                "quants": [values["ollama_quant"]],
                "source": "x",
            },
        },
    )
    return {"schema_version": 1, "models": [item]}, values


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=run_field_catalogs(), as_json=st.booleans())
def test_fuzzed_run_fields_are_refused_or_paste_safely(
    tmp_path: Path,
    case: tuple[dict[str, object], dict[str, str]],
    as_json: bool,
) -> None:
    """A catalog with arbitrary run-command fields is refused with one Error line and prints
    nothing, or loads and prints commands that, pasted into bash, run only the stand-in tools
    with the catalog values as whole arguments."""
    from paste import MARKER, Shell, commands

    doc, values = case
    path = tmp_path / ("fuzz.json" if as_json else "fuzz.yaml")
    path.write_text(json.dumps(doc) if as_json else yaml.safe_dump(doc))
    result = run("explain", "fuzz-7b", "--catalog", str(path), "-q", "q4_k_m", "-f", "json")
    clean(result)
    if result.code != 0:
        assert result.code == 1 and result.stdout == ""
        assert result.stderr.startswith("Error: ") and "fuzz" in result.stderr
        return
    event("loaded")  # hypothesis statistics: how often the accepted path is exercised
    shell = Shell(tmp_path)
    found = dict(commands("json", result.stdout))
    calls = shell.paste(found["llama.cpp"])
    if values["gguf_quant"] == "q4_k_m":
        assert calls[0][:3] == ["llama-server", "-hf", values["repo"] + ":Q4_K_M"]
    else:
        weights = "./" + values["hf_repo"].split("/")[-1]
        assert calls[0][:3] == ["python", "convert_hf_to_gguf.py", weights]
    if "ollama" in found:
        tag = values["pattern"].replace("{quant}", values["ollama_quant"])
        assert shell.paste(found["ollama"]) == [["ollama", "run", tag]]
    assert not (tmp_path / MARKER).exists()


@settings(max_examples=examples(80), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    value=st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
        min_size=1,
        max_size=40,
    )
)
def test_fuzzed_values_past_validation_are_still_quoted(value: str) -> None:
    """Defense in depth: whatever text reaches the run fields (validation bypassed), each
    pasted command runs its one program with that text as one argument."""
    import copy
    import tempfile

    from paste import Shell

    from llm_pick.catalog.load import load_catalog
    from llm_pick.reports.run import Sized, run_commands

    # the pattern holds {quant} exactly once by construction (a second one is not text that
    # reached the field: it is a second placeholder; hypothesis found value='{quant}')
    assume("{quant}" not in value)
    model = copy.copy(load_catalog().get("llama-3.1-8b-instruct"))
    runtimes = copy.copy(model.runtimes)
    assert runtimes is not None and runtimes.gguf and runtimes.ollama
    gguf, tags = copy.copy(runtimes.gguf), copy.copy(runtimes.ollama)
    object.__setattr__(gguf, "repo", value)
    object.__setattr__(tags, "pattern", value + ":{quant}")
    object.__setattr__(runtimes, "gguf", gguf)
    object.__setattr__(runtimes, "ollama", tags)
    object.__setattr__(model, "runtimes", runtimes)
    object.__setattr__(model, "hf_repo", value)
    with tempfile.TemporaryDirectory() as folder:
        shell = Shell(Path(folder))
        for sized in (Sized("q4_k_m", 4096, None, 32), Sized("fp16", 4096, None, 32)):
            for item in run_commands(model, sized):
                calls = shell.paste(item["command"])
                if item["runtime"] == "ollama":
                    spelled = {"q4_k_m": "q4_K_M", "fp16": "fp16"}[sized.quant]
                    assert calls == [["ollama", "run", f"{value}:{spelled}"]]
                elif item["runtime"] == "vllm":
                    assert calls[0][:3] == ["vllm", "serve", value]
                elif "-hf" in item["command"]:
                    assert calls[0][:3] == ["llama-server", "-hf", value + ":Q4_K_M"]
                else:
                    assert calls[0][2] == "./" + value.split("/")[-1]
