"""The run commands in the order of the runtime the answer assumes (--runtime, or the one
ranking/serve.py chose): its command first; for Ollama, a GGUF file the catalog records is run
from Hugging Face when the Ollama library has no tag for it. MLX, which llm-pick does not
model, gets no command, and the answer's runtime note says so.

Ollama runs any GGUF file on the Hub as `ollama run hf.co/{username}/{repository}:{quant}`
(Hugging Face Hub docs, "Use Ollama with any GGUF Model on Hugging Face Hub",
https://huggingface.co/docs/hub/ollama)."""

from __future__ import annotations

from shlex import join as shell
from shlex import quote, split
from typing import Any

from llm_pick.reports.ollama_env import server_settings

OLLAMA_HF_SOURCE = (
    "https://huggingface.co/docs/hub/ollama: 'ollama run hf.co/{username}/{repository}:"
    "{quantization}' runs a GGUF file of the Hub"
)
OLLAMA_IMPORT_SOURCE = (
    "https://github.com/ollama/ollama/blob/fb30760996871fa9460115c753afd2c60d4ab0f7/docs/"
    "import.mdx 'Importing a GGUF based model': a Modelfile 'FROM /path/to/file.gguf', then "
    "'ollama create my-model'"
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


def in_runtime_order(
    commands: list[dict[str, Any]], runtime: str, ollama_loads: bool = True
) -> list[dict[str, Any]]:
    """`commands` with the assumed runtime's first (for Ollama, one added when the library
    has no tag: from a recorded GGUF repository, else an import of the file the llama.cpp
    steps make; none for a model whose architecture Ollama cannot load)."""
    ollama = ollama_loads and runtime == "ollama"
    if ollama and not any(c["runtime"] == "ollama" for c in commands):
        found = _ollama_from_hub(commands) or _ollama_import(commands)
        if found is not None:
            commands = [*commands, found]
    first = [c for c in commands if c["runtime"] == runtime]
    return first + [c for c in commands if c["runtime"] != runtime]


def _llama_words(commands: list[dict[str, Any]]) -> list[str] | None:
    llama = next((c for c in commands if c["runtime"] == "llama.cpp"), None)
    if llama is None or not llama.get("command"):
        return None
    return split(llama["command"])


def _sized_note(flags: dict[str, str]) -> str:
    """num_ctx per stream, and the streams and cache types llama-server runs as Ollama's
    server settings."""
    context, parallel = flags.get("-c"), flags.get("-np")
    per_stream = int(context) // int(parallel or 1) if context else None
    note = f"; Ollama sizes the context itself: set num_ctx to {per_stream} to match"
    keys = flags.get("--cache-type-k") or flags.get("-ctk") or "f16"
    values = flags.get("--cache-type-v") or flags.get("-ctv") or "f16"
    return (note if per_stream else "") + server_settings(int(parallel or 1), keys, values)


def _ollama_from_hub(commands: list[dict[str, Any]]) -> dict[str, Any] | None:
    """`ollama run hf.co/REPO:QUANT` for the file `llama-server -hf REPO:QUANT` downloads."""
    words = _llama_words(commands)
    if words is None or words[:2] != ["llama-server", "-hf"] or len(words) < 3:
        return None  # converted or joined by hand: no file on the Hub to pull
    flags = dict(zip(words[3::2], words[4::2], strict=False))
    return {
        "runtime": "ollama",
        "command": shell(["ollama", "run", f"hf.co/{words[2]}"]),
        "source": OLLAMA_HF_SOURCE,
        "note": "the GGUF file llama.cpp's -hf fetches, run by Ollama from Hugging Face"
        + _sized_note(flags),
    }


def _ollama_import(commands: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The llama.cpp steps that make a GGUF file (convert, quantize, join), then Ollama's
    import of that file: a Modelfile `FROM ./FILE` and `ollama create` (Ollama docs/import.mdx,
    'Importing a GGUF based model'), in place of the llama-server they end with."""
    words = _llama_words(commands)
    if words is None or "llama-server" not in words or "&&" not in words:
        return None
    at = words.index("llama-server")
    server = words[at + 1 :]
    flags = dict(zip(server[::2], server[1::2], strict=False))
    made = flags.get("-m")
    if not made or words[at - 1] != "&&":
        return None
    name = made.removesuffix(".gguf").lower()
    steps = words[: at - 1]
    command = " && ".join(
        [
            _joined(steps),
            f"echo {quote('FROM ./' + made)} > Modelfile",
            shell(["ollama", "create", name, "-f", "Modelfile"]),
            shell(["ollama", "run", name]),
        ]
    )
    return {
        "runtime": "ollama",
        "command": command,
        "source": OLLAMA_IMPORT_SOURCE,
        "note": f"the llama.cpp steps make {made}; Ollama imports it from a Modelfile"
        + _sized_note(flags),
    }


def _joined(words: list[str]) -> str:
    """Shell words joined back, `&&` between steps left unquoted."""
    parts: list[list[str]] = [[]]
    for word in words:
        if word == "&&":
            parts.append([])
        else:
            parts[-1].append(word)
    return " && ".join(shell(p) for p in parts if p)
