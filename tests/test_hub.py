"""`import hf:ORG/REPO` and `memory hf:ORG/REPO:QUANT` against a local replay of the Hub
(tests/hub_server.py, 127.0.0.1 only): no test needs the internet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from gguf_files import write_gguf
from hub_server import Replay
from test_import import CONFIG

CARD = b"---\nlicense: apache-2.0\nlanguage:\n- en\n---\n# Tiny\n"


@pytest.fixture
def hub(tmp_path, monkeypatch):
    big = write_gguf(tmp_path / "tiny-Q8_0.gguf", layers=3).read_bytes()
    repos = {
        "acme/Tiny-GGUF": {"tiny-Q8_0.gguf": big, "tiny-F16.gguf": big, "README.md": CARD},
        "acme/Tiny": {"config.json": json.dumps(CONFIG).encode()},
    }
    with Replay(repos) as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        yield server


def test_import_gguf_repo_reads_only_the_header(hub, cli):
    result = cli("import", "hf:acme/Tiny-GGUF:Q8_0")
    assert result.code == 0, result.stderr
    (entry,) = yaml.safe_load(result.stdout)["models"]
    assert entry["hf_repo"] == "acme/Tiny-GGUF" and entry["architecture"]["layers"] == 3
    assert entry["license"]["commercial_use"] == "allowed" and entry["languages"] == ["en"]
    assert "range requests" in entry["sources"][0]
    gguf_gets = [r for r in hub.requests if "gguf" in r[1] and r[0] == "GET"]
    assert gguf_gets and all("Range" in headers for _, _, headers in gguf_gets)


def test_two_ggufs_need_a_quant(hub, cli):
    result = cli("import", "hf:acme/Tiny-GGUF")
    assert (
        result.code == 1 and "2 GGUF files; name one with hf:acme/Tiny-GGUF:QUANT" in result.stderr
    )


def test_config_repo_and_token(hub, cli, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", "hf_" + "a" * 34)
    result = cli("import", "hf:acme/Tiny")
    assert result.code == 0, result.stderr
    (entry,) = yaml.safe_load(result.stdout)["models"]
    assert entry["family"] == "qwen" and entry["parameters"]["exact"] is False
    # the repo's requests; huggingface_hub may also ask for its own `/api/agent-harnesses` list,
    # once per process and without the token (so only in the first hub test a worker runs)
    auth = [
        {k.lower(): v for k, v in h.items()}.get("authorization")
        for _, path, h in hub.requests
        if "acme/Tiny" in path
    ]
    assert auth and set(auth) == {"Bearer hf_" + "a" * 34}, auth


def test_memory_of_a_hub_gguf(hub, cli):
    result = cli("memory", "hf:acme/Tiny-GGUF:F16", "--vram", "8", "--format", "json")
    assert result.code == 0, result.stderr
    assert result.json()["weights_exact"] is True and result.json()["fit"]["verdict"] == "gpu"


def test_offline_missing_repo_and_bad_refs(hub, cli, monkeypatch):
    assert "404" in cli("import", "hf:acme/Nope").stderr
    assert cli("import", "hf:bad").stderr.startswith("Error: hf:bad: give hf:ORG/REPO")
    before = len(hub.requests)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    result = cli("import", "hf:acme/Tiny")
    assert result.code == 1 and "HF_HUB_OFFLINE" in result.stderr
    assert len(hub.requests) == before  # nothing was asked


def test_without_the_extra_the_message_says_how(monkeypatch, cli):
    import sys

    monkeypatch.setitem(sys.modules, "huggingface_hub", None)  # import fails
    result = cli("import", "hf:acme/Tiny")
    assert result.code == 1 and "pip install 'llm-pick[hub]'" in result.stderr


def test_nothing_else_reaches_the_network(tmp_path, cli, monkeypatch):
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network used")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    model = write_gguf(Path(tmp_path / "t.gguf"))
    assert cli("import", str(model)).code == 0
    assert cli("memory", str(model), "--vram", "8").code == 0
