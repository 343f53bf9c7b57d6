"""--split-mode (issue 20 §2): llm-pick estimates llama.cpp's layer split only. Row split is
refused with its reason (llama.cpp's multi-GPU guide marks it deprecated; the paired runs found
go both ways, so no rule fits them), and the JSON of a multi-GPU estimate says which split it
assumed."""

from __future__ import annotations

import json

import pytest
from conftest import run

from llm_pick.errors import InputError
from llm_pick.estimate.splitmode import LAYER, check_split_mode

TWO_CARDS = ("--gpu", "rtx-3090", "--gpus", "2")


@pytest.mark.parametrize("command", [("memory", "llama-3-70b"), ("recommend",)])
@pytest.mark.parametrize("mode", ["row", "ROW", "tensor"])
def test_row_and_tensor_split_are_one_clear_error(command: tuple[str, ...], mode: str) -> None:
    result = run(*command, *TWO_CARDS, "--split-mode", mode)
    assert result.code == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: --split-mode {mode.lower()} is not")
    assert "layer split (-sm layer) only" in lines[0] and "Traceback" not in result.stderr


def test_an_unknown_split_names_the_choice() -> None:
    result = run("memory", "llama-3-8b", "--split-mode", "diagonal")
    assert result.code == 1
    assert result.stderr == (
        "Error: --split-mode 'diagonal': choose layer (row and tensor are not modelled)\n"
    )


def test_layer_split_is_the_default_and_the_json_says_so() -> None:
    args = ("memory", "llama-3-70b", "-q", "q4_k_m", "-f", "json", *TWO_CARDS)
    given, default = run(*args, "--split-mode", "layer"), run(*args)
    assert given.code == 0 and default.code == 0, given.stderr + default.stderr
    assert given.stdout == default.stdout  # layer is what is assumed without the option
    assert json.loads(default.stdout)["hardware"]["split_mode"] == "layer"
    one = run("memory", "llama-3-8b", "-q", "q4_k_m", "-f", "json", "--gpu", "rtx-3090")
    assert "split_mode" not in json.loads(one.stdout)["hardware"]  # one card: no split


def test_the_check_itself() -> None:
    assert check_split_mode(None) == check_split_mode(" Layer ") == LAYER
    with pytest.raises(InputError, match="deprecated"):
        check_split_mode("row")
