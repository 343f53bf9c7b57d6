"""Which catalog model a model file is a copy of (`import`, `memory FILE.gguf`).

A match needs all three: the same architecture (layers, widths, heads, KV heads, vocabulary,
experts: a fine-tune that adds tokens or a pruned model differs), a parameter count within
TOLERANCE of the catalog's, and the name: every word of the catalog id (or of its Hugging Face
repository name) appears in the file's name, general.name or source repository. Base, instruct
and fine-tunes share their shapes, so the shapes alone never decide; the longest id that fits
the name wins (llama-3.1-8b-instruct over llama-3.1-8b), and two equally long ones match none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from llm_pick.catalog.types import Model

# Exact counts of the same weights agree to within a few hundred parameters: llama.cpp adds
# small tensors (Llama 3.1's rope_freqs: 64 values), and a catalog count rounded from a model
# card to 3 significant figures is off by at most 0.5%. 1% stays far below the gap between two
# sizes of one family (7B/8B: 13%), so a different size never matches.
TOLERANCE = 0.01
SHAPE = (
    "layers",
    "hidden_size",
    "intermediate_size",
    "attention_heads",
    "kv_heads",
    "vocab_size",
    "experts",
    "experts_per_token",
)
NAME_KEYS = ("general.name", "general.basename", "general.source.repo_url", "general.url")


def words(text: str) -> set[str]:
    """Lowercase words of a name: letters and digits, dots kept inside versions (3.1)."""
    return {w.strip(".") for w in re.split(r"[^a-z0-9.]+", text.lower()) if w.strip(".")}


def file_names(file_name: str, metadata: dict[str, Any]) -> set[str]:
    """The words a file gives for its name: the file name and the GGUF naming keys."""
    found = words(re.sub(r"\.gguf$", "", file_name, flags=re.I))
    for key in NAME_KEYS:
        if isinstance(value := metadata.get(key), str):
            found |= words(value)
    return found


def same_shape(a: Model, b: Model) -> bool:
    first, second = a.architecture, b.architecture
    return all(getattr(first, k) == getattr(second, k) for k in SHAPE)


def close_count(a: Model, b: Model) -> bool:
    total, other = a.parameters.total, b.parameters.total
    return abs(total - other) <= TOLERANCE * other


def catalog_match(found: Model, names: set[str], catalog: Iterable[Model]) -> Model | None:
    """The catalog model `found` (read from a file) is a copy of, or None."""
    fits: list[tuple[int, Model]] = []
    for model in catalog:
        if model.architecture is None or model.parameters is None:
            continue
        if not (same_shape(found, model) and close_count(found, model)):
            continue
        spellings = [words(model.id)]
        if model.hf_repo:
            spellings.append(words(model.hf_repo.split("/")[-1]))
        best = max((len(s) for s in spellings if s <= names), default=0)
        if best:
            fits.append((best, model))
    if not fits:
        return None
    fits.sort(key=lambda item: -item[0])
    if len(fits) > 1 and fits[0][0] == fits[1][0]:
        return None
    return fits[0][1]
