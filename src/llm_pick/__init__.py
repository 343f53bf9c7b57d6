"""llm-pick: choose an open-weight LLM for your hardware, licence and needs.

The library is usable without the CLI (docs/api.md has a worked example):

    from llm_pick import Hardware, Query, estimate_memory, load_catalog, recommend

    catalog = load_catalog()
    estimate_memory(catalog.get("llama-3-8b"), "q4_k_m", context=8192).total_bytes
    recommend(catalog, Query(hardware=Hardware.from_gpu("4090"))).ranking[0].model.id
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_catalog": "reports.notebook",  # catalog.load's, drawn as a table in Jupyter
    "Catalog": "catalog.load",
    "find_gpu": "catalog.gpus",
    "load_gpus": "catalog.gpus",
    "estimate_memory": "estimate.memory",
    "Estimate": "estimate.memory",
    "Hardware": "estimate.hardware",
    "Sizing": "estimate.sizing",
    "assess_model": "estimate.assess",
    "Assessment": "estimate.assess",
    "Constraints": "scoring.constraints",
    "get_profile": "scoring.profiles",
    "Profile": "scoring.profiles",
    "Query": "ranking.query",
    "recommend": "reports.notebook",  # ranking.pipeline's, drawn as a table in Jupyter
    "Recommendation": "ranking.result",
    "Candidate": "ranking.result",
    "Exclusion": "ranking.result",
    "run_commands_for": "reports.recommend",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:  # lazy: keep `import llm_pick` cheap
    if name in _EXPORTS:
        from importlib import import_module

        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(name)
