"""The notebook face of the library: `load_catalog` and `recommend` as the top-level package
exports them. They return the same records (catalog/load.py, ranking/result.py), which in
Jupyter also draw themselves as tables (`_repr_html_`) with the HTML report's renderer."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from llm_pick.catalog import load
from llm_pick.ranking import pipeline, result
from llm_pick.ranking.query import Query
from llm_pick.render.html import paragraph, table


class Catalog(load.Catalog):
    """A `Catalog` that shows as a table of its models in Jupyter."""

    def _repr_html_(self) -> str:
        from llm_pick.reports.catalog import LIST_COLUMNS, list_report

        report = list_report(self)
        caption = f"Catalog: {len(self)} models from {len(self.sources)} file(s)"
        return table(caption, LIST_COLUMNS, report.rows)


class Recommendation(result.Recommendation):
    """A `Recommendation` that shows as the HTML report's ranking table in Jupyter."""

    __slots__ = ()

    def _repr_html_(self) -> str:
        from llm_pick.reports.html import excluded_table, ranking_table
        from llm_pick.reports.recommend import candidate_dict

        ranked = [candidate_dict(i, c, self) for i, c in enumerate(self.shown, 1)]
        if ranked:
            top = ranking_table(ranked, len(self.ranking))
        else:
            hints = "; ".join(self.hints) or "none"
            top = paragraph("No model satisfies every constraint. Closest: " + hints)
        excluded = [{"model": e.model.id, "reasons": list(e.reasons)} for e in self.excluded]
        return f"<div>{paragraph(repr(self.query))}{top}{excluded_table(excluded)}</div>"


def load_catalog(
    paths: Sequence[str | Path] = (), *, bundled: bool = True, use_env: bool = True
) -> Catalog:
    """The bundled catalog, then LLM_PICK_CATALOG files, then `paths` (catalog/load.py)."""
    found = load.load_catalog(paths, bundled=bundled, use_env=use_env)
    return Catalog({m.id: m for m in found}, found.sources)


def recommend(catalog: load.Catalog, query: Query) -> Recommendation:
    """Rank every catalog model against the query (ranking/pipeline.py)."""
    return Recommendation(*pipeline.recommend(catalog, query))
