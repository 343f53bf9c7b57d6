"""What a release's files let runtimes do: a weight diff no runtime loads as a model, and a
runtime of the family that cannot load the model's architecture. Catalog data, each sourced."""

from __future__ import annotations

from typing import Any

from llm_pick.catalog.constrained import Text
from llm_pick.catalog.record import record

_STRICT: Any = {"extra": "forbid", "use_attribute_docstrings": True}


@record(eq=False)
class WeightDiff:
    """A release that ships only the difference from its base model's weights (LLaMA 1's
    licence did not allow sharing the weights): no runtime loads the diff as a model."""

    __pydantic_config__ = _STRICT

    base: Text
    """The weights the diff is added to."""
    recover: Text
    """How the weights are recovered, as the release documents it."""
    source: Text
    """Where the release documents it."""


@record(eq=False)
class NotLoaded:
    """A runtime that lists the model's family but cannot load its architecture (llama.cpp
    and Llama 3.2 Vision's mllama): no command for it, and it does not count as support."""

    __pydantic_config__ = _STRICT

    runtime: Text
    """The runtime id (data/runtimes.yaml)."""
    reason: Text
    """What fails, as the runtime's own issue or docs say."""
    source: Text
    """Where it is said."""
