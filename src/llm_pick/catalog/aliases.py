"""Other names of a catalog model: its Hugging Face repo id (meta-llama/Llama-3.1-8B-Instruct)
and its Ollama tags (llama3.1:8b-instruct-q4_K_M, llama3.1:8b-instruct, llama3.1:8b), so a
name copied from either site works wherever a model id does."""

from __future__ import annotations

from collections.abc import Iterable

from llm_pick.catalog.types import Model

# Ollama's short tag (llama3.1:8b) is the library's instruct/chat build.
_SHORT_TAG_VARIANTS = ("instruct", "chat")


def _tag_prefix(model: Model) -> str | None:
    """The Ollama tag without its quantization: llama3.1:8b-instruct-{quant} -> ...instruct."""
    runtimes = getattr(model, "runtimes", None)
    ollama = getattr(runtimes, "ollama", None)
    if ollama is None:
        return None
    return str(ollama.pattern).split("{quant}")[0].rstrip("-_").lower()


def resolve(models: Iterable[Model], name: str) -> str | None:
    """The catalog id `name` refers to as a repo id or an Ollama tag; None when none or
    more than one model does."""
    wanted = name.strip().lower().removesuffix(":latest")
    if not wanted or ("/" not in wanted and ":" not in wanted):
        return None
    everything = list(models)
    repo = [m.id for m in everything if m.hf_repo and m.hf_repo.lower() == wanted]
    if len(repo) == 1:
        return repo[0]
    exact, short = [], []
    for model in everything:
        prefix = _tag_prefix(model)
        if prefix is None:
            continue
        tail = wanted.removeprefix(prefix)
        if wanted == prefix or (tail != wanted and tail[:1] in "-_" and _is_quant(model, tail)):
            exact.append(model.id)
        elif prefix.startswith(wanted + "-") and model.variant in _SHORT_TAG_VARIANTS:
            short.append(model.id)
    for found in (exact, short):
        if len(found) == 1:
            return found[0]
    return None


def _is_quant(model: Model, tail: str) -> bool:
    quants = model.runtimes.ollama.quants if model.runtimes and model.runtimes.ollama else []
    return tail[1:] in {q.lower() for q in quants}
