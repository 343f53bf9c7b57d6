"""The run commands in the order of the runtime the answer assumes (--runtime, or the one
ranking/serve.py chose): its command first; for Ollama, a GGUF file the catalog records is run
from Hugging Face when the Ollama library has no tag for it. MLX, which llm-pick does not
model, gets no command, and the answer's runtime note says so.

Ollama runs any GGUF file on the Hub as `ollama run hf.co/{username}/{repository}:{quant}`
(Hugging Face Hub docs, "Use Ollama with any GGUF Model on Hugging Face Hub",
https://huggingface.co/docs/hub/ollama)."""

from __future__ import annotations

from shlex import join as shell
from shlex import split
from typing import Any

from llm_pick.reports.ollama_env import server_settings

OLLAMA_HF_SOURCE = (
    "https://huggingface.co/docs/hub/ollama: 'ollama run hf.co/{username}/{repository}:"
    "{quantization}' runs a GGUF file of the Hub"
)
MLX_NOTE = (
    "MLX is not modelled: llm-pick prints no mlx_lm command and its memory and speed figures "
    "are llama.cpp's on Metal (the same Apple GPU)"
)


RUNTIME_NOTES = {
    "mlx": MLX_NOTE,
    "ollama": "Ollama runs llama.cpp's engine: memory and speed are llama.cpp's",
}


def runtime_info(name: str, reason: str) -> dict[str, str]:
    """The runtime the answer assumes, why, and what that means for its figures."""
    note = RUNTIME_NOTES.get(name)
    return {"name": name, "reason": reason} | ({"note": note} if note else {})


def in_runtime_order(commands: list[dict[str, Any]], runtime: str) -> list[dict[str, Any]]:
    """`commands` with the assumed runtime's first (for Ollama, one added from a recorded
    GGUF repository when the library has no tag)."""
    if runtime == "ollama" and not any(c["runtime"] == "ollama" for c in commands):
        found = _ollama_from_hub(commands)
        if found is not None:
            commands = [*commands, found]
    first = [c for c in commands if c["runtime"] == runtime]
    return first + [c for c in commands if c["runtime"] != runtime]


def _ollama_from_hub(commands: list[dict[str, Any]]) -> dict[str, Any] | None:
    """`ollama run hf.co/REPO:QUANT` for the file `llama-server -hf REPO:QUANT` downloads."""
    llama = next((c for c in commands if c["runtime"] == "llama.cpp"), None)
    if llama is None or not llama.get("command"):
        return None
    words = split(llama["command"])
    if words[:2] != ["llama-server", "-hf"] or len(words) < 3:
        return None  # converted or joined by hand: no file on the Hub to pull
    flags = dict(zip(words[3::2], words[4::2], strict=False))
    context, parallel = flags.get("-c"), flags.get("-np")
    per_stream = int(context) // int(parallel or 1) if context else None
    note = "the GGUF file llama.cpp's -hf fetches, run by Ollama from Hugging Face"
    if per_stream:
        note += f"; Ollama sizes the context itself: set num_ctx to {per_stream} to match"
    # the streams and the cache types llama-server runs, as Ollama's server settings
    keys = flags.get("--cache-type-k") or flags.get("-ctk") or "f16"
    values = flags.get("--cache-type-v") or flags.get("-ctv") or "f16"
    note += server_settings(int(parallel or 1), keys, values)
    return {
        "runtime": "ollama",
        "command": shell(["ollama", "run", f"hf.co/{words[2]}"]),
        "source": OLLAMA_HF_SOURCE,
        "note": note,
    }
