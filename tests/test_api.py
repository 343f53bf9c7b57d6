"""The public library API: what `from llm_pick import ...` gives, used as a user would."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path


def test_public_api_is_functions_and_types() -> None:
    from llm_pick import Catalog, Hardware, Query, estimate_memory, load_catalog, recommend

    catalog = load_catalog()
    assert isinstance(catalog, Catalog) and "llama-3-8b" in catalog
    estimate = estimate_memory(catalog.get("llama-3-8b"), "q4_k_m", context=8192)
    assert estimate.total_bytes > estimate.weights_bytes > 4 * 2**30
    result = recommend(catalog, Query(hardware=Hardware.from_vram(24)))
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


API_DOC = Path(__file__).resolve().parents[1] / "docs" / "api.md"


def test_the_worked_example_in_docs_api_runs() -> None:
    blocks = re.findall(r"```python\n(.*?)```", API_DOC.read_text(), flags=re.S)
    assert len(blocks) >= 2
    namespace: dict[str, object] = {}
    out = io.StringIO()
    with redirect_stdout(out):
        for block in blocks:
            exec(compile(block, str(API_DOC), "exec"), namespace)
    printed = out.getvalue().splitlines()
    result = namespace["result"]
    assert printed[0] == repr(result) and len(printed[0]) < 2048
    assert printed[0].startswith("<Recommendation: ") and "excluded" in printed[0]
    top = result.ranking[0]  # type: ignore[attr-defined]
    assert printed[1].startswith(f"{top.model.id} {top.assessment.estimate.quant} ")
    assert top.model.variant in ("chat", "instruct", "fine-tune")  # the chat profile's variants
    assert top.model.context_length >= 16384 and "de" in top.model.languages
    assert any(line.startswith("llama.cpp -> ") for line in printed)


def test_reprs_are_short_and_say_what_they_are() -> None:
    code = (
        "import llm_pick\n"
        "catalog = llm_pick.load_catalog()\n"
        "query = llm_pick.Query(hardware=llm_pick.Hardware.from_gpu('4090'))\n"
        "result = llm_pick.recommend(catalog, query)\n"
        "print(repr(result)); print(repr(catalog)); print(repr(result.ranking[0]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result, catalog, first = done.stdout.splitlines()
    assert len(done.stdout) < 2048
    assert result.startswith("<Recommendation: ") and "NVIDIA GeForce RTX 4090" in result
    assert catalog.startswith("<Catalog: ") and " models " in catalog
    assert first.startswith("Candidate(") and " at " in first


def test_what_a_query_needs_is_exported() -> None:
    import llm_pick

    for name in ("Constraints", "Sizing", "get_profile", "find_gpu", "load_gpus", "Query"):
        assert name in llm_pick.__all__ and getattr(llm_pick, name) is not None


def test_results_and_catalogs_draw_as_html_tables_in_notebooks() -> None:
    import llm_pick
    from llm_pick.ranking.pipeline import recommend as plain_recommend

    catalog = llm_pick.load_catalog()
    query = llm_pick.Query(hardware=llm_pick.Hardware.from_gpu("4090"), top=3)
    result = llm_pick.recommend(catalog, query)
    assert isinstance(result, llm_pick.Recommendation) and isinstance(catalog, llm_pick.Catalog)
    plain = plain_recommend(catalog, query)  # the same record, only drawn
    assert [(c.model.id, c.score) for c in result.ranking] == [
        (c.model.id, c.score) for c in plain.ranking
    ]
    assert [(e.model.id, e.reasons) for e in result.excluded] == [
        (e.model.id, e.reasons) for e in plain.excluded
    ]
    page = result._repr_html_()
    assert page.count("<table>") == 2 and page.count('<tr data-model="') == 3 + len(result.excluded)
    for cand in result.shown:
        assert f'<th scope="row">{cand.model.id}</th>' in page
    listing = catalog._repr_html_()
    assert (
        listing.startswith("<table><caption>Catalog: ")
        and listing.count("<tr>") == len(catalog) + 1
    )
    nothing = llm_pick.recommend(catalog, query.replace(hardware=llm_pick.Hardware.from_vram(1)))
    assert "No model satisfies every constraint" in nothing._repr_html_()
