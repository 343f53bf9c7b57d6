"""A GGUF file on this machine that a catalog entry stands for (written by `import`): the
copy runs as it is (`llama-server -m PATH`, an Ollama Modelfile `FROM PATH`), in its own format,
and when it is a copy of a catalog model, that model's quality is its quality."""

from __future__ import annotations

from typing import Any

from llm_pick.catalog.constrained import Note, Text
from llm_pick.catalog.record import record

_STRICT: Any = {"extra": "forbid", "use_attribute_docstrings": True}


@record(eq=False)
class LocalFile:
    """The file an imported entry was read from."""

    __pydantic_config__ = _STRICT

    path: Text
    """The file's path as `import` was given it (absolute when written by llm-pick)."""
    quant: Note | None = None
    """Its format (llm-pick name, e.g. q4_k_m); null when llm-pick does not know the type mix."""
    matches: Note | None = None
    """Id of the catalog model this file is a copy of (same architecture, a parameter count
    within 1%, and the name): its catalog facts and quality are used, never a fine-tune bonus."""

    def __post_init__(self) -> None:
        if any(ch in self.path for ch in "\n\r\0"):
            raise ValueError("path: no line breaks or NUL characters")
