"""Catalog values that go into the printed run commands (reports/run.py): Hugging Face ids,
quantization spellings, Ollama names. Strict patterns, checked when a catalog is loaded, so a
shared catalog cannot smuggle shell code into a command (the commands are also shell-quoted).
No I/O."""

from __future__ import annotations

import re

# Hugging Face ids as huggingface_hub's validate_repo_id states them: owner/name, each 1-96 of
# letters, digits, _ . -, not starting or ending with . or - (REPO_ID_REGEX's word boundaries).
_HF_PART = "[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?"
HF_REPO_PATTERN = f"{_HF_PART}/{_HF_PART}"
_HF_REPO = re.compile(HF_REPO_PATTERN + r"\Z")
GGUF_QUANT_PATTERN = "[a-z0-9][a-z0-9_]{0,31}"  # llm-pick's names, lowercase: q4_k_m
OLLAMA_QUANT_PATTERN = "[A-Za-z0-9][A-Za-z0-9_]{0,31}"  # as the tags spell them: q4_K_M
# Ollama model names (ollama types/model/name.go): [host/][namespace/]model[:tag], parts of
# letters, digits, _ . - (no dot in a namespace), at most 128 characters; here every part also
# starts with a letter, digit or _ (a leading - would read as an option).
_OLLAMA_PART = "[A-Za-z0-9_][A-Za-z0-9_.-]*"
_OLLAMA_NAME = re.compile(
    f"(?:{_OLLAMA_PART}/)?(?:[A-Za-z0-9_][A-Za-z0-9_-]*/)?{_OLLAMA_PART}(?::{_OLLAMA_PART})?\\Z"
)
OLLAMA_NAME_MAX = 128


def check_repo(name: str, value: str) -> None:
    """ValueError unless `value` is a Hugging Face owner/name id."""
    if not _HF_REPO.match(value):
        raise ValueError(
            f"{name} {value!r} is not a Hugging Face id: owner/name, each 1-96 letters, digits, "
            "_ . - (not starting or ending with . or -)"
        )


def check_quants(quants: list[str], pattern: str) -> None:
    """ValueError unless every quantization spelling matches `pattern`."""
    for quant in quants:
        if not re.fullmatch(pattern, quant):
            raise ValueError(f"quants: {quant!r} must match {pattern}")


def check_ollama(pattern: str, quants: list[str]) -> None:
    """ValueError unless `pattern` holds `{quant}` once and, filled in with each spelling, is an
    Ollama model name."""
    if pattern.count("{quant}") != 1:
        raise ValueError(f"pattern {pattern!r} must hold {{quant}} exactly once")
    for quant in [*quants, "q"]:
        name = pattern.replace("{quant}", quant)
        if len(name) > OLLAMA_NAME_MAX or not _OLLAMA_NAME.match(name) or ".." in name:
            raise ValueError(
                f"pattern {pattern!r} with {{quant}} = {quant!r} is not an Ollama model name "
                f"([namespace/]model:tag of letters, digits, _ . -, at most {OLLAMA_NAME_MAX} "
                "characters)"
            )
