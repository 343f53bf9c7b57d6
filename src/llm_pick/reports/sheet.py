"""The flat rows of `recommend` for CSV and Markdown: what a spreadsheet user needs to choose
and run a model, one row each (memory in bytes and GiB, the longest context that fits, the
chosen format and KV cache, the command that runs it); long prose (reasons, notes) stays in
the JSON output."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, overload

from llm_pick.estimate.hardware import GIB
from llm_pick.ranking.result import Recommendation

COLUMNS = (
    "rank",
    "model",
    "name",
    "score",
    "quant",
    "kv_dtype",
    "total_bytes",
    "total_gib",
    "available_bytes",
    "available_gib",
    "fit",
    "tokens_per_second",
    "max_context",
    "context_length",
    "license",
    "commercial_use",
    "run_command",
)


class LazyRows(Sequence[Sequence[Any]]):
    """The rows, built when CSV, Markdown or an HTML page first reads them: a table or JSON
    run never sizes the longest contexts and commands a second time for them."""

    def __init__(self, build: Callable[[], list[list[Any]]]) -> None:
        self._build = build
        self._rows: list[list[Any]] | None = None

    def _built(self) -> list[list[Any]]:
        if self._rows is None:
            self._rows = self._build()
        return self._rows

    @overload
    def __getitem__(self, index: int) -> Sequence[Any]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Sequence[Any]]: ...
    def __getitem__(self, index: int | slice) -> Sequence[Any] | Sequence[Sequence[Any]]:
        return self._built()[index]

    def __len__(self) -> int:
        return len(self._built())


def pick_headline(cand: Any, rec: Recommendation) -> Any:
    from llm_pick.reports.headline_json import pick_headline as headline

    return headline(cand, rec)


def gib(count: int | None) -> float | None:
    return None if count is None else round(count / GIB, 2)


def rows(
    rec: Recommendation, run_commands_for: Callable[..., list[dict[str, Any]]]
) -> list[list[Any]]:
    """One row per shown candidate; `run_commands_for(cand, rec)` gives its commands."""
    out = []
    for rank, cand in enumerate(rec.shown, 1):
        est, fit = cand.assessment.estimate, cand.assessment.fit
        commands = run_commands_for(cand, rec)
        head = pick_headline(cand, rec)  # the figures of the runtime assumed for it
        speed, available = head.per_stream, head.available_bytes
        out.append(
            [
                rank,
                cand.model.id,
                cand.model.name,
                round(cand.score, 4),
                head.quant,
                est.kv_dtype,
                head.memory_bytes if head.per_card else est.total_bytes,
                gib(head.memory_bytes if head.per_card else est.total_bytes),
                available,
                gib(available),
                "gpu" if head.per_card else fit.verdict if fit else None,
                None if speed is None else round(speed, 1),
                head.max_context,
                cand.model.context_length,
                cand.model.license.id,
                cand.model.license.commercial_use,
                commands[0]["command"] if commands else None,
            ]
        )
    return out
