"""The tenth expert review's own checks (tests/data/expert_review10.yaml): personas judging the
top pick, not only the fields. Each question states, before its answer was seen, what an
experienced engineer would accept as the top pick (size, bits, placement, runtime); these checks
hold the answer to it, to the physics of the card (rate under its ceiling, memory within the
card) and to the runner-ups' order. Each reads one answer's JSON and returns the problems found;
the checks of tests/expert_checks.py, expert_checks8.py and expert_checks9.py run beside them."""

from __future__ import annotations

import re
from typing import Any

from expert_checks import CATALOG, Check, entries

from llm_pick.estimate.quant import QUANTS

Json = dict[str, Any]


def _bits(quant: str) -> float:
    found = QUANTS.get(quant)
    return 16.0 if found is None else float(found.nominal_bits)


def top_pick(
    kind: str,
    answer: Json,
    params: tuple[float, float] = (0.0, 1e4),
    bits: float = 4.0,
    places: tuple[str, ...] = ("gpu",),
    runtime: str | None = None,
    usable: float = 0.0,
) -> list[str]:
    """The top pick is of a size the persona's engineer accepts (total parameters, billions),
    at `bits` or more per weight, placed where it runs well, under the runtime expected, and at
    least `usable` tokens/s (written before the answer was seen)."""
    top = next(entries(kind, answer), None)
    if top is None:
        return ["no pick"]
    model = CATALOG.get(top["model"])
    size = model.parameters.total / 1e9
    out = []
    if not params[0] <= size <= params[1]:
        out.append(f"top pick {top['model']} is {size:.1f}B, not {params[0]}-{params[1]}B")
    if _bits(top["quant"]) < bits:
        out.append(f"top pick at {top['quant']}, under {bits} bits")
    fit = top.get("fit")
    verdict = fit["verdict"] if isinstance(fit, dict) else fit
    if verdict not in places:
        out.append(f"top pick placed {verdict}, not {'/'.join(places)}")
    if runtime and top.get("runtime") != runtime:
        out.append(f"top pick runs under {top.get('runtime')}, not {runtime}")
    rate = top.get("tokens_per_second") or 0.0
    if rate < usable:
        out.append(f"top pick at {rate} tokens/s, under {usable}")
    return out


def fits_card(kind: str, answer: Json) -> list[str]:
    """A pick said to fit the cards holds, card by card, within each card's memory less its
    headroom (llama.cpp placements; vLLM plans size their own pool)."""
    out = []
    for entry in entries(kind, answer):
        placement = entry.get("placement") if kind == "recommend" else entry.get("fit")
        if entry.get("serving") or not isinstance(placement, dict):
            continue
        if placement.get("verdict") != "gpu":
            continue
        for card in placement.get("cards") or []:
            room = card["capacity_bytes"] - card["headroom_bytes"]
            if card["total_bytes"] > room:
                out.append(f"{entry['model']}: {card['total_bytes']} bytes on a {room}-byte card")
    return out


def _ability(entry: Json) -> float | None:
    """The model's MMLU-equivalent before its format's loss, as its quality note states it."""
    found = re.search(r"MMLU-equivalent ([\d.]+)", entry["criteria"]["quality"]["note"])
    return None if found is None else float(found.group(1))


def shared_benchmark_order(kind: str, answer: Json, gap: float = 5.0) -> list[str]:
    """Two picks of one family that publish the same benchmark: the one ahead on it by `gap`
    points or more is not rated well below the other (MMLU-equivalent, before the format's
    loss): a newer release of a line is not ranked as a model of unknown ability under the
    release it outscores. Written after the answers were seen."""
    picks = list(entries(kind, answer))
    out = []
    for a in picks:
        for b in picks:
            ma, mb = CATALOG.get(a["model"]), CATALOG.get(b["model"])
            if ma.family != mb.family or a["model"] == b["model"]:
                continue
            qa, qb = _ability(a), _ability(b)
            if qa is None or qb is None:
                continue
            for key in set(ma.benchmarks or {}) & set(mb.benchmarks or {}):
                ahead = ma.benchmarks[key].value - mb.benchmarks[key].value
                if ahead >= gap and qa < qb - 3.0:
                    out.append(
                        f"{a['model']} leads {b['model']} on {key} by {ahead:.1f} but is rated "
                        f"MMLU-eq. {qa} against {qb}"
                    )
    return out


def runner_ups_sane(kind: str, answer: Json, bits: float = 3.0) -> list[str]:
    """No runner-up in the top five under `bits` per weight while a pick at 4+ bits keeps as
    much quality at a usable speed below it."""
    ranking = answer.get("ranking", [])[:5]
    out = []
    for i, above in enumerate(ranking):
        if _bits(above["quant"]) >= bits:
            continue
        for below in ranking[i + 1 :]:
            usable = (below.get("tokens_per_second") or 0) >= 10
            same = below["criteria"]["quality"]["value"] >= above["criteria"]["quality"]["value"]
            if _bits(below["quant"]) >= 4 and usable and same:
                out.append(f"{above['model']} {above['quant']} above {below['model']}")
    return out


CHECKS10: dict[str, Check] = {
    f.__name__: f for f in (top_pick, fits_card, shared_benchmark_order, runner_ups_sane)
}
