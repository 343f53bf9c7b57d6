"""Shared fixtures. Every test gets its own cache dir and no user catalog from the environment,
so tests never touch the user's real config or cache."""

from __future__ import annotations

import copy
import gc
import importlib.util
import io
import itertools
import json
import os
import sys
from collections.abc import Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from known_digests import remember_digests
from pycache_dir import use_private_pycache

use_private_pycache()  # before the imports below: hypothesis is assertion-rewritten on import
remember_digests()  # the bundled catalog is hashed once per process, not once per CLI run

import pytest  # noqa: E402
import yaml  # noqa: E402
from hypothesis import settings  # noqa: E402

# Property tests (hypothesis): the full run (`pytest`, what CI runs) uses every example each
# test asks for; the fast loop (`pytest -m "not slow"`) a fifth of them, at least 5.
# LLM_PICK_PROPERTIES=full or =fast chooses either way. A test's examples: `examples(n)`.
settings.register_profile("full", settings.get_profile("default"))
settings.register_profile("fast", max_examples=20)
FAST_SHARE = 5
_profile = {"name": "full"}


def pytest_configure(config: pytest.Config) -> None:
    chosen = os.environ.get("LLM_PICK_PROPERTIES", "")
    if chosen not in ("", "fast", "full"):
        raise pytest.UsageError(f"LLM_PICK_PROPERTIES={chosen}: use fast or full")
    fast_loop = " ".join(str(config.getoption("markexpr", "")).split()) == "not slow"
    _profile["name"] = chosen or ("fast" if fast_loop else "full")
    settings.load_profile(_profile["name"])


# The collector's thresholds of a CLI run (cli/guard.py, __main__.py) for the whole test process:
# the tests allocate many small objects and free few cycles, as a run does; at the default
# thresholds its passes took about 6% of the library-heavy tests' CPU (docs/performance.md).
gc.set_threshold(100_000, 50, 100)


def pytest_collection_finish(session: pytest.Session) -> None:
    # What exists now (the modules, the collected tests, the data they read at import) lives
    # to the end of the run: the garbage collector need not scan it again in each of its
    # full passes, which took about 7 s of a 73 s fast loop (docs/performance.md).
    gc.freeze()


def examples(full: int) -> int:
    """The examples a property test runs: `full` in the full run, a fifth in the fast loop."""
    return full if _profile["name"] == "full" else max(5, full // FAST_SHARE)


ROOT = Path(__file__).resolve().parents[1]


def script(relative: str, name: str) -> Any:
    """A bench/ or tools/ script loaded as module `name` (registered in sys.modules, which
    dataclasses defined in it need)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / relative)
    assert spec is not None and spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def spread(*axes: Sequence[Any]) -> list[Any]:
    """Every combination of the axes' values, as pytest parameters: the full run (CI) runs them
    all; the fast loop runs a diagonal that takes every value of every axis at least once (the
    i-th combination: value i of each axis, cycling), and the rest are marked `slow`."""
    longest = max(map(len, axes))
    diagonal = {tuple(i % len(axis) for axis in axes) for i in range(longest)}
    return [
        pytest.param(*(axis[i] for axis, i in zip(axes, at, strict=True)), marks=mark)
        for at in itertools.product(*(range(len(axis)) for axis in axes))
        for mark in [() if at in diagonal else pytest.mark.slow]
    ]


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path_factory.mktemp("env")  # one numbered folder per test, three inside it
    cache, home, config = folder / "cache", folder / "home", folder / "config"
    for made in (cache, home, config):
        made.mkdir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    # the model stores `local` reads (stores.md): never the user's own
    stores = ("OLLAMA_MODELS", "HF_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "LLAMA_CACHE")
    hub = ("HF_ENDPOINT", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_OFFLINE")
    for name in (
        "LLM_PICK_CATALOG",
        "LLM_PICK_DEBUG",
        "LLM_PICK_NO_CACHE",
        "NO_COLOR",
        *stores,
        *hub,
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    return cache


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run(*args: str) -> Result:
    """Run the CLI in-process as the console entry does: the fast path (cli/fastpath.py) for
    the plain cases of the common commands, else the typer app, through the same boundary."""
    import typer

    from llm_pick.cli.entry import app_for
    from llm_pick.cli.fastpath import run as fast

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = fast(list(args))
        if code is None:
            command = typer.main.get_command(app_for(list(args)))
            code = command.main(args=list(args), prog_name="llm-pick", standalone_mode=False)
    return Result(int(code or 0), out.getvalue(), err.getvalue())


@pytest.fixture
def cli():
    return run


BASE_ENTRY: dict[str, Any] = {
    "id": "test-7b",
    "name": "Test 7B",
    "family": "llama",
    "organization": "Tests Inc",
    "release_date": "2024-01-01",
    "variant": "base",
    "parameters": {"total": 6738415616, "exact": True, "source": "computed"},
    "architecture": {
        "layers": 32,
        "hidden_size": 4096,
        "intermediate_size": 11008,
        "attention_heads": 32,
        "kv_heads": 32,
        "head_dim": 128,
        "vocab_size": 32000,
    },
    "context_length": 4096,
    "license": {
        "id": "apache-2.0",
        "name": "Apache License 2.0",
        "url": "https://www.apache.org/licenses/LICENSE-2.0",
        "commercial_use": "allowed",
    },
    "languages": ["en"],
    "sources": ["test fixture"],
}


def entry(**overrides: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE_ENTRY)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key].update(value)
        else:
            data[key] = value
    return data


def write_catalog(path: Path, *entries: dict[str, Any], as_json: bool = False) -> Path:
    doc = {"schema_version": 1, "models": list(entries)}
    path.write_text(json.dumps(doc) if as_json else yaml.safe_dump(doc, sort_keys=False))
    return path
