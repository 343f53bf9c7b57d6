"""`compare`'s speed terms beside each format's decode rate, as `memory` and `recommend` give
them (issue 20 §1, issue 19 §4): the bandwidth ceiling of one stream and the share of it the
rate assumes, and the time to first token at the prompt length asked. An assumed rate (--vram
with no card) shows the ceiling and share it was quoted with, and no time to first token."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llm_pick.estimate.assess import Assessment
    from llm_pick.estimate.speed import Speed

Rows = list[tuple[str, dict[str, Any], str, dict[str, str]]]


def _terms(speed: Speed | None, assumed: dict[str, Any] | None) -> tuple[Any, Any, Any]:
    """(ceiling tok/s, share of it, first-token seconds) of one model in one format."""
    if speed is not None and speed.decode_mid is not None:
        first: Any = speed.as_dict()["time_to_first_token_seconds"]
        ceiling, share = speed.ceiling, speed.ceiling_share
        return (
            None if ceiling is None else round(ceiling, 1),
            None if share is None else round(share, 3),
            None if not first else first["expected"],
        )
    if assumed:
        return assumed["decode_ceiling_tokens_per_second"], assumed["share_of_ceiling"], None
    return None, None, None


def speed_rows(
    name: str,
    results: dict[str, Assessment | None],
    assumed: dict[str, dict[str, Any] | None],
) -> Rows:
    """(field, values, better, shown) rows for the format `name`."""
    terms = {i: _terms(r.speed if r else None, assumed.get(i)) for i, r in results.items()}
    ceiling = {i: t[0] for i, t in terms.items()}
    share = {i: t[1] for i, t in terms.items()}
    first = {i: t[2] for i, t in terms.items()}

    def shown(values: dict[str, Any], fmt: str) -> dict[str, str]:
        return {i: "-" if v is None else fmt.format(v) for i, v in values.items()}

    return [
        (f"decode ceiling tok/s {name}", ceiling, "", shown(ceiling, "{:.0f}")),
        (f"share of ceiling {name}", share, "", shown(share, "{:.0%}")),
        (f"time to first token s {name}", first, "min", shown(first, "{:.2f}")),
    ]
