"""The public library API: what `from llm_pick import ...` gives, used as a user would."""

from __future__ import annotations

import subprocess
import sys


def test_public_api_is_functions_and_types() -> None:
    from llm_pick import Catalog, Hardware, Query, estimate_memory, load_catalog, recommend

    catalog = load_catalog()
    assert isinstance(catalog, Catalog) and "llama-3-8b" in catalog
    estimate = estimate_memory(catalog.get("llama-3-8b"), "q4_k_m", context=8192)
    assert estimate.total_bytes > estimate.weights_bytes > 4 * 2**30
    result = recommend(catalog, Query(hardware=Hardware("24 GiB", 24.0)))
    assert callable(recommend) and result.ranking
    best = result.ranking[0]
    assert best.assessment.fit is not None and best.assessment.fit.verdict == "gpu"


def test_import_is_cheap_and_lazy() -> None:
    code = "import sys, llm_pick; print(sorted(m for m in sys.modules if m.startswith('llm_pick')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['llm_pick']"


def test_unknown_attribute_is_an_attribute_error() -> None:
    import llm_pick

    try:
        llm_pick.nothing_here  # noqa: B018
    except AttributeError as error:
        assert "nothing_here" in str(error)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")
