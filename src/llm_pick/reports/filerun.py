"""The commands that run a GGUF file as it is: `llama-server -m FILE` with the sizing's flags
(reports/run.py builds them), and an Ollama Modelfile whose `FROM` is the file. Never a
conversion recipe: the file is already the model.

Every argument is quoted for a POSIX shell (shlex). The Modelfile is written by `printf` with the
path as an argument (never inside the format), and its FROM value quoted (Ollama's Modelfile
parser reads "..." values); a path with a double quote, a backslash or a line break gets no
Modelfile line, since it could not be written unambiguously."""

from __future__ import annotations

from shlex import join as shell
from typing import Any

from llm_pick.reports.ollama_env import ollama_settings

MODELFILE = 'FROM "%s"\\nPARAMETER num_ctx %s\\n'


def file_commands(
    path: str, sized: Any, name: str, flags: list[str], mmproj: str | None = None
) -> list[dict[str, Any]]:
    """[llama.cpp, Ollama]: the file run as it is; `flags` are llama-server's sizing flags."""
    projector = ["--mmproj", mmproj] if mmproj and not sized.text_only else []
    out: list[dict[str, Any]] = [
        {"runtime": "llama.cpp", "command": shell(["llama-server", "-m", path, *projector, *flags])}
    ]
    if modelfile_safe(path):
        printf = shell(["printf", MODELFILE, path, str(sized.context)])
        out.append(
            {
                "runtime": "ollama",
                "command": f"{printf} > Modelfile && "
                + " && ".join(
                    [
                        shell(["ollama", "create", name, "-f", "Modelfile"]),
                        shell(["ollama", "run", name]),
                    ]
                ),
                "modelfile": f'FROM "{path}"\nPARAMETER num_ctx {sized.context}',
                "note": f"the Modelfile's FROM is this file; num_ctx {sized.context} as sized"
                + ollama_settings(sized),
            }
        )
    return out


def modelfile_safe(path: str) -> bool:
    return not any(ch in path for ch in '"\\\n\r\0')
