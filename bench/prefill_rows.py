"""Which prefill rows measure what the speed model models (docs/methodology.md, "Prefill rows set
apart"). Two rules, applied by bench/speed.py to every prefill row alike; the rows they set apart
are neither fitted nor counted in the fit/test figures, and are reported on their own line.

- superseded_build: the row measures a kernel state that current builds no longer have. Each
  entry of SUPERSEDED names the backend group, what the row runs (a mixture-of-experts model), the
  pull request that replaced the kernel and the day it was opened; a row posted before that day
  is superseded. Such rows must carry `date` (the rule refuses to guess).
- rising_sweep: on one card and one micro-batch, a longer prompt only adds attention work per
  token, so a compute-bound rate cannot rise with it. A single-card sweep (a pp512 row and the rows
  naming it in `sweep`) whose rate at some longer prompt exceeds the rate at a shorter one by more
  than RISE measured something else (a stalled or throttled run): all its rows are set apart.

Rows at depth and rows with flash attention take their set from `split_of` (never by hand).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

SUPERSEDED: tuple[tuple[str, str, str, str], ...] = (
    (
        "metal",
        "moe",
        "2024-01-01",
        "llama.cpp PR #4725, 'metal : optimize ggml_mul_mat_id (faster Mixtral PP)': the first "
        "mat-mat kernel for the experts' matmuls on Metal",
    ),
)
RISE = 0.10


def superseded(raw: Mapping[str, Any], group: str, moe: bool) -> str:
    """The PR that superseded the row's kernels, or "" (raw: the row as in the data file)."""
    for backend, needs, day, pull in SUPERSEDED:
        if raw["kind"] == "prefill" and group == backend and needs == "moe" and moe:
            if "date" not in raw:
                raise ValueError(f"{raw['id']}: a Metal MoE prefill row needs `date` ({pull})")
            if str(raw["date"]) < day:
                return pull
    return ""


def rising_sweeps(raws: Iterable[Mapping[str, Any]]) -> set[str]:
    """Ids of every row of each single-card sweep whose rate rises with the prompt by > RISE."""
    sweeps: dict[str, list[Mapping[str, Any]]] = {}
    for raw in raws:
        if raw["kind"] == "prefill" and raw["gpus"] == 1:
            sweeps.setdefault(str(raw.get("sweep", raw["id"])), []).append(raw)
    apart: set[str] = set()
    for rows in sweeps.values():
        ordered = sorted(rows, key=lambda r: r.get("depth", 0) + r["prompt"] / 2)
        rates = [r["tokens_per_second"] for r in ordered]
        if any(
            later > earlier * (1 + RISE)
            for i, earlier in enumerate(rates)
            for later in rates[i + 1 :]
        ):
            apart |= {str(r["id"]) for r in rows}
    return apart


def split_of(source: str) -> str:
    """`test` when int(sha256 of the source's first word, its URL) % 3 == 0, else `fit`: every
    row of one thread or table lands on the same side."""
    url = source.strip("'\" ").split()[0]
    return "test" if int(hashlib.sha256(url.encode()).hexdigest(), 16) % 3 == 0 else "fit"
