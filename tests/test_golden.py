"""Golden output of every command, table and JSON: a refactor must leave them byte-identical.

When a change is meant to alter output, regenerate and review the diff:

    LLM_PICK_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import run

GOLDEN = Path(__file__).parent / "golden"
CASES: dict[str, tuple[str, ...]] = {
    "list-table": ("list",),
    "list-json": ("list", "-f", "json"),
    "list-csv": ("list", "--family", "falcon", "-f", "csv"),
    "show-table": ("show", "mixtral-8x7b"),
    "show-json": ("show", "falcon-40b", "-f", "json"),
    "memory-table": ("memory", "llama-3-8b", "--gpu", "rtx-3060-12gb"),
    "memory-json": ("memory", "llama-3-8b", "--gpu", "rtx-3060-12gb", "-f", "json"),
    "memory-one-table": ("memory", "llama-3.1-8b", "-q", "q4_k_m", "--vram", "24"),
    "memory-qlora-json": ("memory", "llama-2-7b", "--mode", "qlora", "-q", "bnb-nf4-dq"),
    "memory-offload-table": ("memory", "mixtral-8x7b", "--gpu", "3090", "--ram", "32"),
    "gpus-table": ("gpus",),
    "gpus-json": ("gpus", "-f", "json"),
    "recommend-table": ("recommend", "--vram", "24", "--commercial"),
    "recommend-json": ("recommend", "--vram", "24", "--commercial", "-f", "json"),
    "recommend-gpu-json": ("recommend", "--gpu", "4090", "--lang", "de", "-f", "json"),
    "recommend-32k-table": (
        "recommend",
        "--gpu",
        "rtx-3090",
        "--gpus",
        "2",
        "--min-context",
        "32k",
    ),
    "recommend-nofit-table": ("recommend", "--vram", "2", "--min-params", "60"),
    "recommend-excluded-table": ("recommend", "--vram", "8", "--show-excluded"),
    "recommend-csv": ("recommend", "--vram", "12", "-f", "csv"),
    "explain-table": ("explain", "mixtral-8x7b", "--gpu", "4090"),
    "explain-json": ("explain", "falcon-180b", "--vram", "24", "-f", "json"),
    "compare-table": ("compare", "mistral-7b-v0.1", "llama-2-13b", "mixtral-8x7b"),
    "compare-json": ("compare", "alpaca-7b", "llama-2-7b", "--gpu", "4090", "-f", "json"),
    "compare-markdown": ("compare", "falcon-7b", "bloom-7b1", "-f", "markdown"),
    "schema-recommend": ("schema", "recommend"),
    "catalog-schema": ("catalog", "schema"),
}


def normalize(text: str) -> str:
    """Bundled-catalog paths differ between a checkout and an installed wheel."""
    return re.sub(r"/[^\s\"']*/models\.yaml", "<bundled>/models.yaml", text)


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str) -> None:
    result = run(*CASES[name])
    assert "Traceback" not in result.stderr
    got = normalize(f"exit {result.code}\n--- stdout\n{result.stdout}--- stderr\n{result.stderr}")
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("LLM_PICK_UPDATE_GOLDEN"):
        path.write_text(got)
    assert path.read_text() == got, f"{name} changed; see the module docstring to regenerate"
