"""The figures a results table shows, as plain strings (no rich import: the plain table of
render/plain.py uses them without loading rich): speed ranges, contexts, placements, bars,
licence marks and each pick's headline."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llm_pick.estimate.hardware import GIB
from llm_pick.ranking.headline import Headline, headline
from llm_pick.ranking.serve import choose_runtime

if TYPE_CHECKING:
    from llm_pick.estimate.fit import Fit
    from llm_pick.estimate.speed import Speed
    from llm_pick.ranking.result import Candidate, Recommendation

COMMERCIAL_MARK = {"allowed": "yes", "conditional": "cond.", "prohibited": "no", "unknown": "?"}
COMMERCIAL_STYLE = {
    "allowed": "green",
    "conditional": "yellow",
    "prohibited": "red",
    "unknown": "magenta",
}


def speed_range(speed: Speed | None) -> str:
    """Decode tokens/s of one stream as 'expected (low-high)' (one decimal under 10), or '-'
    when unknown."""
    if speed is None or speed.decode_low is None or speed.decode_high is None:
        return "-"
    middle = getattr(speed, "decode_expected", None) or (speed.decode_low + speed.decode_high) / 2
    digits = 1 if speed.decode_high < 10 else 0
    low, high = f"{speed.decode_low:.{digits}f}", f"{speed.decode_high:.{digits}f}"
    return f"~{low}" if low == high else f"{middle:.{digits}f} ({low}-{high})"


def headlines(rec: Recommendation) -> list[Headline]:
    """The shown picks' headline figures, each under the runtime assumed for it."""
    assumed = choose_runtime(rec.query).name
    return [headline(c, assumed, rec.query.sizing.batch) for c in rec.shown]


def rate(cand: Candidate, head: Headline) -> str:
    """One stream's tokens/s under the pick's runtime: the llama.cpp range, or vLLM's figure."""
    if head.runtime != "vllm":
        return speed_range(cand.assessment.speed)
    return "-" if head.per_stream is None else _rate(head.per_stream)


def total(head: Headline) -> str:
    """All streams' tokens/s together, or '-'."""
    return "-" if head.aggregate is None else _rate(head.aggregate)


def _rate(value: float) -> str:
    return f"{value:.1f}" if value < 10 else f"{value:,.0f}"


def bar_parts(used: float, capacity: float, width: int = 10) -> tuple[str, str]:
    """A small bar of used/capacity and its style (red when over capacity); capacity > 0."""
    share = used / capacity
    filled = min(width, round(share * width))
    style = "red" if share > 1 else ("yellow" if share > 0.9 else "green")
    return "█" * filled + "░" * (width - filled), style


def context(tokens: int) -> str:
    return f"{tokens // 1024}K" if tokens % 1024 == 0 else f"{tokens:,}"


def languages(codes: list[str]) -> str:
    return " ".join(codes) if len(codes) <= 3 else f"{len(codes)} languages"


def placement(fit: Fit) -> str:
    """Where the model runs, in plain words."""
    if fit.verdict == "offload" and fit.cpu_moe_layers:
        return (
            f"{fit.needed_bytes / GIB:.1f} GiB GPU + {fit.cpu_bytes / GIB:.1f} GiB RAM, "
            f"experts of {fit.cpu_moe_layers} layers in RAM (--n-cpu-moe)"
        )
    if fit.verdict == "offload":
        return (
            f"{fit.needed_bytes / GIB:.1f} GiB GPU + {fit.cpu_bytes / GIB:.1f} GiB RAM, "
            f"{fit.gpu_layers}/{fit.layers} layers on GPU"
        )
    if fit.verdict == "cpu":
        return f"{fit.cpu_bytes / GIB:.1f} GiB RAM, CPU only"
    return f"{fit.needed_bytes / GIB:.1f} GiB GPU"
