"""The sixteenth expert review's own checks (tests/data/expert_review16.yaml): a unified-memory
preset states the share of the chip's memory its GPU is given, with its source; reasons read
as English ("an instruct model", "1 stream"); a model more able than the picks that runs at a
usable speed here is among them. Written after the answers of review 16 had been run once and
read (each question using one says so). Each check reads one answer (ranks_when_better runs
explain once for the named model on the question's hardware) and returns the problems it
finds."""

from __future__ import annotations

import re
from typing import Any

from expert_checks import CATALOG, Check, entries
from test_expert_review12 import _answer

Json = dict[str, Any]
USABLE = 10.0  # tokens/s: the speed the format rule calls usable (docs/methodology.md)


def _hardware(data: Json) -> Json:
    found: Json = (data.get("query") or {}).get("hardware") or data.get("hardware") or {}
    return found


def unified_share(kind: str, data: Json) -> list[str]:
    """On a unified-memory chip sized by its preset, the JSON says which share of its memory
    the GPU is given, from what source, and the usable figure is that share of the total."""
    hardware = _hardware(data)
    share = hardware.get("unified_memory")
    if not share:
        return [f"{hardware.get('gpu')}: no unified_memory share stated"]
    out = []
    if not share.get("basis"):
        out.append("unified_memory without a basis")
    want = share["total_gib"] * share["gpu_share"]
    if abs(want - hardware["vram_gib_per_gpu"]) > 0.02 * want:
        out.append(f"{hardware['vram_gib_per_gpu']} GiB usable, {want:.2f} by the share stated")
    return out


def plain_words(kind: str, data: Json) -> list[str]:
    """No reason says "a instruct model" or "1 streams"."""
    bad = re.compile(r"\ba (?=[aeiou]\w*\b)|\b1 streams\b")
    texts = [r for e in entries(kind, data) for r in e.get("reasons") or []]
    return [t[:120] for t in texts if bad.search(t)]


def ranks_when_better(kind: str, data: Json, model: str, flags: list[str]) -> list[str]:
    """`model` is among the picks when one of its formats that fits and decodes at a usable
    speed here scores above the last pick (explain's format table with the same `flags`)."""
    picks = data["ranking"]
    if any(p["model"] == model for p in picks):
        return []
    found = _answer(["explain", model, *flags])
    rows = [r for r in found.get("formats") or [] if (r["tokens_per_second"] or 0) >= USABLE]
    best = max(rows, key=lambda r: r["score"], default=None)
    last = picks[-1]["score"]
    if best is None or best["score"] <= last:
        return []
    chosen = next(r["quant"] for r in found["formats"] if r["chosen"])
    return [
        f"{model} at {best['quant']} scores {best['score']:.3f} at {best['tokens_per_second']}"
        f" tokens/s, above the last pick's {last:.3f}, but ranks {found.get('rank')} at {chosen}"
    ]


def tp_divides_heads(kind: str, data: Json) -> list[str]:
    """Every `vllm serve` command's --tensor-parallel-size divides the model's attention heads
    (vLLM refuses the model otherwise: 'Total number of attention heads (64) must be
    divisible by tensor parallel size (3)'), and a plan leaving cards idle says why."""
    heads = {m.id: m.architecture.attention_heads for m in CATALOG}
    out = []
    picks = [data] if kind == "explain" else list(entries(kind, data))
    for pick in picks:
        for run in pick.get("run") or []:
            words = run["command"].split()
            if words[:2] != ["vllm", "serve"] or "--tensor-parallel-size" not in words:
                continue
            tp = int(words[words.index("--tensor-parallel-size") + 1])
            model = pick.get("model") or data["model"]
            if heads[model] and heads[model] % tp:
                out.append(f"{model}: --tensor-parallel-size {tp} of {heads[model]} heads")
        plan = pick.get("serving") or {}
        cards = _hardware(data).get("gpus") or 1
        used = plan.get("tensor_parallel", cards) * plan.get("data_parallel", 1)
        if plan and used < cards and not plan.get("cards_note"):
            out.append(f"{pick.get('model')}: {used} of {cards} cards used, no word why")
    return out


CHECKS16: dict[str, Check] = {
    f.__name__: f for f in (unified_share, plain_words, ranks_when_better, tp_divides_heads)
}
