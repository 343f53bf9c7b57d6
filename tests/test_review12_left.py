"""What the twelfth expert review (tests/data/expert_review12.yaml) noticed and left alone: a
runtime fixed on a CPU-only machine (vLLM, MLX), ZeRO-Offload for a full fine-tune that does
not fit the cards, and the time to first token of a long prompt on the CPU."""

from __future__ import annotations

import pytest
from conftest import run


@pytest.mark.parametrize(
    ("runtime", "said"),
    [
        ("vllm", "Error: --runtime vllm is sized on a CUDA or ROCm GPU only"),
        ("mlx", "Error: --runtime mlx is sized on an Apple silicon GPU only"),
    ],
)
@pytest.mark.parametrize("command", [["recommend"], ["explain", "llama-3.1-8b-instruct"]])
def test_gpu_runtime_refused_without_a_gpu(command: list[str], runtime: str, said: str) -> None:
    """--vram 0 with --runtime vllm or mlx is refused in one Error line, as vLLM on Apple
    silicon and MLX off it are: vLLM would run its CPU backend, MLX its CPU build, neither
    modelled (no answer with llama.cpp's figures under their name)."""
    argv = [*command, "--vram", "0", "--ram", "64", "--runtime", runtime, "-f", "json"]
    result = run(*argv)
    assert result.code == 1 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(said), lines
    assert "CPU" in lines[0] and "--runtime llama.cpp or ollama" in lines[0]


def test_cpu_only_runtimes_that_run_there_still_answer() -> None:
    for runtime in ("llama.cpp", "ollama"):
        result = run("recommend", "--vram", "0", "--ram", "64", "--runtime", runtime, "--top", "1")
        assert result.code == 0, result.stderr
