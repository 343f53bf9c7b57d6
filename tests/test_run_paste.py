"""Issue 17, section 1: a printed run command, pasted into a shell, runs only the intended
program with the intended arguments, whatever the catalog holds; catalog fields that go into the
commands are refused at load unless they are plain ids."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from conftest import entry, run, spread, write_catalog
from gguf_files import write_gguf
from paste import MARKER, Shell, commands

from llm_pick.catalog.load import load_catalog
from llm_pick.catalog.types import GgufRepo, Model, OllamaTags, Runtimes
from llm_pick.render.safe import one_line, sanitize
from llm_pick.reports.run import Sized, run_commands

# Shell code in every form a catalog field could carry it.
PAYLOADS = [
    f"a/b;touch {MARKER};#",
    f"a/$(touch {MARKER})",
    f"a/`touch {MARKER}`",
    f"a/b\ntouch {MARKER}",
    f"a/b && touch {MARKER}",
    f"a/b || touch {MARKER}",
    f"a/b | touch {MARKER}",
    f"a/b > {MARKER}",
    f"a/b' ; touch {MARKER} ; '",
    f'a/b"; touch {MARKER}; "',
    f"a/b & touch {MARKER}",
    f"a/b\\\ntouch {MARKER}",
    f"a/b\rtouch {MARKER}",
    "a/${HOME}",
    "a/*",
    "~/x",
    "-hf x",
    "a/b #comment",
    "a/b\\",
    "a/\x1b[31mred",
]


def intended(item: dict[str, str], model: Model, sized: Sized) -> list[list[str]]:
    """The calls a command must make, from the catalog values as they are (never re-parsed)."""
    runtime = item["runtime"]
    if runtime == "ollama":
        tags = model.runtimes.ollama  # type: ignore[union-attr]
        spelled = next(q for q in tags.quants if q.lower() == sized.quant)
        return [["ollama", "run", tags.pattern.replace("{quant}", spelled)]]
    if runtime == "vllm":
        util = item["command"].rsplit(" ", 1)[1]
        return [
            [
                *("vllm", "serve", model.hf_repo or "", "--max-model-len", str(sized.context)),
                *("--tensor-parallel-size", str(sized.gpus), "--gpu-memory-utilization", util),
            ]
        ]
    layers = sized.layers + 1 if sized.gpu_layers is None else sized.gpu_layers
    flags = ["-c", str(sized.context), "-ngl", str(layers), "-fa", "on"]
    if sized.kv_dtype != "fp16":
        flags += ["--cache-type-k", sized.kv_dtype, "--cache-type-v", sized.kv_dtype]
    if sized.gpus > 1:
        flags += ["-sm", "layer", "-ts", ",".join(["1"] * sized.gpus)]
    gguf = model.runtimes.gguf if model.runtimes else None
    name = {"fp16": "f16", "fp32": "f32"}.get(sized.quant, sized.quant)
    if gguf is not None and name in gguf.quants:
        if gguf.hf_ready:
            return [["llama-server", "-hf", f"{gguf.repo}:{gguf.tag(name)}", *flags]]
        return [["llama-server", "-m", "MODEL.gguf", *flags]]
    quant = name.upper()
    weights = "./" + model.hf_repo.split("/")[-1] if model.hf_repo else "./MODEL-DIR"
    f16, out = f"{model.id}-f16.gguf", f"{model.id}-{quant}.gguf"
    return [
        ["python", "convert_hf_to_gguf.py", weights, "--outfile", f16],
        ["llama-quantize", f16, out, quant],
        ["llama-server", "-m", out, *flags],
    ]


def sizings(model: Model) -> list[Sized]:
    layers = model.architecture.layers
    out = [
        Sized("q4_k_m", 4096, None, layers),
        Sized("q8_0", 8192, layers // 2, layers, kv_dtype="q8_0", gpus=2),
        Sized("fp16", 2048, None, layers, gpus=2, memory_share=0.93),
        Sized("q5_k_m", 4096, 0, layers),
    ]
    tags = model.runtimes.ollama if model.runtimes else None
    if tags is not None:
        out += [Sized(q.lower(), 4096, None, layers) for q in tags.quants[:2]]
    return out


@pytest.mark.parametrize("every", [pytest.param(True, marks=pytest.mark.slow), False])
def test_every_bundled_command_runs_only_the_intended_programs(tmp_path: Path, every: bool) -> None:
    """Every bundled model under every sizing (the full run), or under one sizing each, in
    turn (the fast loop: every model, every sizing and every runtime still pasted)."""
    shell = Shell(tmp_path)
    pasted, runtimes = set(), set()
    for index, model in enumerate(load_catalog()):
        chosen = sizings(model)
        for sized in chosen if every else [chosen[index % len(chosen)]]:
            for item in run_commands(model, sized):
                runtimes.add(item["runtime"])
                if item["command"] in pasted:
                    continue
                pasted.add(item["command"])
                assert shell.paste(item["command"]) == intended(item, model, sized), item
    assert len(pasted) > (300 if every else 100)  # every bundled model
    assert runtimes == {"llama.cpp", "ollama", "vllm"}


# ---- quoting holds even for values validation would refuse (defense in depth) ---------------


def smuggled(value: str) -> Model:
    """A copy of a catalog model whose run fields hold `value`, as if validation had let it
    through (copies: the cached catalog stays as it is)."""
    model = copy.copy(load_catalog().get("llama-3.1-8b-instruct"))
    runtimes = copy.copy(model.runtimes)
    assert runtimes is not None and runtimes.gguf is not None and runtimes.ollama is not None
    gguf, tags = copy.copy(runtimes.gguf), copy.copy(runtimes.ollama)
    for target, field, text in (
        (gguf, "repo", value),
        (tags, "pattern", value + ":{quant}"),
        (runtimes, "gguf", gguf),
        (runtimes, "ollama", tags),
        (model, "runtimes", runtimes),
        (model, "hf_repo", value),
    ):
        object.__setattr__(target, field, text)  # frozen: past the validators on purpose
    return model


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_values_are_quoted_in_every_command(tmp_path: Path, payload: str) -> None:
    shell = Shell(tmp_path)
    model = smuggled(payload)
    for sized in sizings(model):
        for item in run_commands(model, sized):
            assert shell.paste(item["command"]) == intended(item, model, sized), item
    converted = copy.copy(model)
    object.__setattr__(converted, "runtimes", None)
    object.__setattr__(converted, "id", f"x;touch {MARKER}")  # ids are patterned too
    for item in run_commands(converted, Sized("q4_k_m", 4096, None, 32)):
        assert shell.paste(item["command"]) == intended(
            item, converted, Sized("q4_k_m", 4096, None, 32)
        )


def test_commands_for_a_model_imported_from_an_odd_file_name(tmp_path: Path) -> None:
    """An entry imported from a GGUF file named with spaces and ; : its commands paste."""
    gguf = write_gguf(tmp_path / f"my model;touch {MARKER}.gguf")
    catalog = tmp_path / "mine.yaml"
    result = run(
        "import", str(gguf), "-o", str(catalog), "--organization", "me", "--variant", "base",
        "--license", "mit", "--commercial-use", "allowed", "--license-url", "https://x",
        "--lang", "en",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    explained = run("explain", "my-model-touch-pwned", "--catalog", str(catalog), "-f", "json")
    assert explained.code == 0, explained.stderr
    shell = Shell(tmp_path)
    found = commands("json", explained.stdout)
    assert found
    programs = {  # the file runs as it is (issue 22 §1): no conversion
        runtime: [call[0] for call in shell.paste(command)] for runtime, command in found
    }
    assert programs == {"llama.cpp": ["llama-server"], "ollama": ["ollama", "ollama"]}
    (server,) = shell.paste(dict(found)["llama.cpp"])
    assert server[1:3] == ["-m", str(gguf.resolve())]


# ---- every output format, through the CLI ---------------------------------------------------

SURFACES = ["json", "table", "csv", "markdown"]


BUNDLED = ["llama-3.1-8b-instruct", "llama-1-7b", "llama-3.1-405b", "mistral-nemo-12b"]


@pytest.mark.parametrize(("model_id", "fmt"), spread(BUNDLED, SURFACES))
def test_printed_commands_of_bundled_models_paste_safely(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, model_id: str
) -> None:
    monkeypatch.setenv("COLUMNS", "1000")  # a command is one line of the table
    shell = Shell(tmp_path)
    result = run("explain", model_id, "--vram", "24", "--ram", "1024", "-f", fmt)
    assert result.code == 0, result.stderr
    found = commands(fmt, result.stdout)
    assert found and found[0][0] == "llama.cpp"
    programs = {"llama.cpp": "llama-server", "ollama": "ollama", "vllm": "vllm"}
    for runtime, command in found:
        calls = shell.paste(command)
        assert calls and calls[-1][0] == programs[runtime], (command, calls)


@pytest.mark.parametrize("fmt", SURFACES)
def test_recommend_commands_paste_safely(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.setenv("COLUMNS", "1000")
    shell = Shell(tmp_path)
    result = run("recommend", "--gpu", "4090", "-f", fmt)
    assert result.code == 0, result.stderr
    for _runtime, command in commands(fmt, result.stdout):
        assert shell.paste(command)


# What each format makes of a value's control characters: JSON keeps the value (escaped in
# the JSON text), the others show them as visible escapes; a table and CSV show newlines as \n,
# Markdown turns them into spaces.
DISPLAYED = {
    "json": lambda value: value,
    "csv": one_line,
    "markdown": lambda value: sanitize(value).replace("\n", " "),
    "table": one_line,
}


@pytest.mark.parametrize(("payload", "fmt"), spread(PAYLOADS, SURFACES))
def test_smuggled_values_paste_safely_from_every_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, payload: str, fmt: str
) -> None:
    """With the load-time checks switched off, every format still prints commands that run
    only the stand-in tools with the catalog value as one argument."""
    import llm_pick.catalog.types as types

    for name in ("check_repo", "check_quants", "check_ollama"):
        monkeypatch.setattr(types, name, lambda *args: None)
    monkeypatch.setenv("COLUMNS", "1000")
    path = write_catalog(tmp_path / "c.yaml", hostile_entry(payload))
    shell = Shell(tmp_path)
    result = run("explain", "evil-7b", "--catalog", str(path), "-q", "q4_k_m", "-f", fmt)
    assert result.code == 0, result.stderr
    found = commands(fmt, result.stdout)
    assert {runtime for runtime, _ in found} == {"llama.cpp", "ollama"}
    shown = DISPLAYED[fmt](payload)  # control characters stay visible, as text
    for runtime, command in found:
        calls = shell.paste(command)
        if runtime == "ollama":
            assert calls == [["ollama", "run", f"{shown}:q4_K_M"]]
        else:
            assert calls[0][:3] == ["llama-server", "-hf", f"{shown}:Q4_K_M"]


def hostile_entry(payload: str, **more: object) -> dict[str, object]:
    runtimes = {
        "gguf": {"repo": payload, "quants": ["q4_k_m"], "source": "test"},
        "ollama": {"pattern": payload + ":{quant}", "quants": ["q4_K_M"], "source": "test"},
    }
    return entry(id="evil-7b", hf_repo="org/evil", runtimes=runtimes, **more)


# ---- load-time validation -------------------------------------------------------------------


@pytest.mark.parametrize(("payload", "field"), spread(PAYLOADS, ["repo", "pattern", "hf_repo"]))
def test_hostile_run_fields_are_refused_at_load(tmp_path: Path, field: str, payload: str) -> None:
    fine = {"repo": "org/model-GGUF", "pattern": "model:7b-{quant}", "hf_repo": "org/model"}
    values = fine | {field: payload + (":{quant}" if field == "pattern" else "")}
    item = entry(
        id="evil-7b",
        hf_repo=values["hf_repo"],
        runtimes={
            "gguf": {"repo": values["repo"], "quants": ["q4_k_m"], "source": "test"},
            "ollama": {"pattern": values["pattern"], "quants": ["q4_K_M"], "source": "test"},
        },
    )
    path = write_catalog(tmp_path / "evil.yaml", item)
    result = run("catalog", "validate", str(path))
    assert result.code == 1 and result.stderr.startswith("Error: ")
    problem = result.stderr.splitlines()[1]
    assert problem.startswith(f"  {path}:") and f"{field} " in problem, result.stderr
    explained = run("explain", "evil-7b", "--catalog", str(path), "-q", "q4_k_m", "-f", "json")
    assert explained.code == 1 and explained.stdout == ""
    assert explained.stderr.startswith("Error: ") and "Traceback" not in explained.stderr
    assert not (tmp_path / MARKER).exists()


def test_hostile_catalog_from_the_environment_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_catalog(tmp_path / "team.yaml", hostile_entry(f"a/b;touch {MARKER};#"))
    monkeypatch.setenv("LLM_PICK_CATALOG", str(path))
    result = run("recommend", "--vram", "24", "-f", "json")
    assert result.code == 1 and result.stdout == "" and result.stderr.startswith("Error: ")
    assert "runtimes.gguf: repo" in result.stderr


@pytest.mark.parametrize(
    "repo",
    [
        "meta-llama/Llama-3.1-8B-Instruct",
        "RichardErkhov/bigscience_-_bloom-1b1-gguf",
        "a/b",
        "_x/y_",
        "0-hero/OIG-small-chip2",
        "user/Foo-BAR_foo.bar123",
        "o" * 96 + "/" + "n" * 96,
    ],
)
def test_real_hugging_face_ids_are_accepted(repo: str) -> None:
    assert GgufRepo(repo=repo, quants=["q4_k_m"], source="x").repo == repo


@pytest.mark.parametrize(
    "repo",
    ["", "model", "a/b/c", "-a/b", "a/b-", ".a/b", "a/.b", "a /b", "o" * 97 + "/n", "a/b\n"],
)
def test_malformed_hugging_face_ids_are_refused(repo: str) -> None:
    with pytest.raises(ValueError, match="repo"):
        GgufRepo(repo=repo, quants=["q4_k_m"], source="x")


@pytest.mark.parametrize(
    ("pattern", "quants", "ok"),
    [
        ("llama3.1:8b-instruct-{quant}", ["q4_K_M", "fp16"], True),
        ("user/model:{quant}", ["q8_0"], True),
        ("hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:{quant}", ["Q4_K_M"], True),
        ("model:7b", ["q4_0"], False),  # no placeholder
        ("model:{quant}-{quant}", ["q4_0"], False),  # two
        ("-model:{quant}", ["q4_0"], False),  # would read as an option
        ("model:{quant}", ["q4 0"], False),
        ("model:{quant}", ["q4;0"], False),
        ("a..b:{quant}", ["q4_0"], False),
        ("m" * 130 + ":{quant}", ["q4_0"], False),
    ],
)
def test_ollama_patterns(pattern: str, quants: list[str], ok: bool) -> None:
    def make() -> OllamaTags:
        return OllamaTags(pattern=pattern, quants=quants, source="x")

    if ok:
        assert make().pattern == pattern
    else:
        with pytest.raises(ValueError):
            make()


def test_gguf_quant_spellings_are_strict() -> None:
    with pytest.raises(ValueError, match="quants"):
        GgufRepo(repo="a/b", quants=["q4_k_m", "Q4;x"], source="x")
    assert Runtimes(gguf=GgufRepo(repo="a/b", quants=["q4_k_m", "f16"], source="x")).gguf
