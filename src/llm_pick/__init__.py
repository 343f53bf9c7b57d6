"""llm-pick: choose an open-weight LLM for your hardware, licence and needs.

The library is usable without the CLI:

    from llm_pick import load_catalog, estimate_memory, recommend

    catalog = load_catalog()
    estimate_memory(catalog.get("llama-3-8b"), "q4_k_m", context=8192).total_bytes
    recommend(catalog, Query(hardware=Hardware("24 GiB", 24))).ranking[0].model.id
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_catalog": "catalog.load",
    "Catalog": "catalog.load",
    "estimate_memory": "estimate.memory",
    "Estimate": "estimate.memory",
    "Hardware": "estimate.hardware",
    "Query": "ranking.query",
    "recommend": "ranking.pipeline",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:  # lazy: keep `import llm_pick` cheap
    if name in _EXPORTS:
        from importlib import import_module

        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(name)
