"""Which format (and KV cache type) of one model to recommend, and why.

The score trades quality against speed, but once a format runs at a usable speed a faster,
smaller one buys little. So the choice is the format keeping the most quality among those that
decode at USABLE_TPS or more (placed as well as the best-placed format: no more layers in RAM),
unless a slower format keeping even more quality scores higher; when no format is that fast,
the best score wins. Formats keeping less quality than that one are never chosen, so the
search may stop there (ranking/pipeline.py). A quantized KV cache is weighed with the weights
(its loss is in the quality).
"""

from __future__ import annotations

from collections.abc import Sequence

from llm_pick.estimate.advice import tokens_per_second
from llm_pick.estimate.assess import Assessment
from llm_pick.estimate.hardware import Hardware
from llm_pick.ranking.result import Option
from llm_pick.scoring.criteria import SPEED_MIN, Value
from llm_pick.scoring.quant_tables import KV_KEPT, KV_SOURCE

FOUR_BIT = "q4_k_m"  # the 4-bit format users reach for first (llama.cpp's own default)
# Decode tokens/s from which more quality beats more speed: about twice a fast reader's pace
# (a chosen threshold, not a measurement; SPEED_COMFORT in scoring/criteria.py is 20).
USABLE_TPS = 10.0
AUTO_KV = "q8_0"  # the quantized cache tried with the weights (q4_0: no measured loss found)
# A quantized cache with the same weights is taken for speed alone only from this decode gain
# (a chosen threshold, not a measurement: below it the gain is inside the estimate's range, and
# an fp16 cache is llama.cpp's default and loses nothing). Fitting, placement and the usable
# speed still decide at any gain.
KV_GAIN = 1.05


def usable(item: Assessment, hardware: Hardware | None) -> bool:
    tps, _ = tokens_per_second(item, hardware)
    return tps is not None and tps >= USABLE_TPS


def placement(item: Assessment) -> int:
    """0 on the GPUs (or no hardware given), 1 with layers in RAM, 2 on the CPU alone."""
    return {"offload": 1, "cpu": 2}.get(item.fit.verdict if item.fit else "gpu", 0)


def with_kv(value: Value, kv_dtype: str) -> Value:
    """The quality criterion with a quantized KV cache's measured loss."""
    kept = KV_KEPT.get(kv_dtype)
    if kept == 1.0:
        return value
    if kept is None:
        note = f"; KV cache {kv_dtype}: no measured loss found, not adjusted"
    else:
        loss = (1 / kept - 1) * 100
        note = f"; KV cache {kv_dtype} x{kept:.5f} (perplexity +{loss:.3f}%, {KV_SOURCE})"
    kept = 1.0 if kept is None else kept
    old = value.describe
    basis = None if value.basis is None else value.basis + note
    return value._replace(value=value.value * kept, describe=lambda: old() + note, basis=basis)


def pick(options: Sequence[Option], hardware: Hardware | None) -> list[Option]:
    """The options with the chosen one first, the rest by score."""
    every = sorted(options, key=lambda o: (-round(o.score, 12), o.assessment.estimate.total_bytes))
    idle = _idle_caches(every, hardware)
    ranked = [o for o in every if id(o) not in idle]
    floor = min((placement(o.assessment) for o in ranked), default=0)
    fast = [
        o for o in ranked if usable(o.assessment, hardware) and placement(o.assessment) == floor
    ]
    if not fast:
        slow = crawling(ranked, hardware)
        best = ranked[0] if slow is None else slow
    else:
        most = max(fast, key=lambda o: (round(quality(o), 12), o.score))
        # the most quality at a usable speed, unless a slower format keeping more scores higher
        best = next(o for o in ranked if o is most or quality(o) > quality(most))
    return [best] + [o for o in every if o is not best]


def _idle_caches(options: Sequence[Option], hardware: Hardware | None) -> set[int]:
    """Quantized-cache options that change nothing that matters against the fp16 cache with
    the same weights: placed as well, as usable, and less than KV_GAIN faster."""
    plain = {
        o.assessment.estimate.quant: o for o in options if o.assessment.estimate.kv_dtype == "fp16"
    }
    idle: set[int] = set()
    for o in options:
        est = o.assessment.estimate
        twin = plain.get(est.quant) if est.kv_dtype != "fp16" else None
        if twin is None or placement(o.assessment) != placement(twin.assessment):
            continue
        mine, theirs = (tokens_per_second(x.assessment, hardware)[0] for x in (o, twin))
        if mine is None or theirs is None:
            continue
        if (mine >= USABLE_TPS) == (theirs >= USABLE_TPS) and mine < theirs * KV_GAIN:
            idle.add(id(o))
    return idle


def _most_usable(options: Sequence[Option], hardware: Hardware | None) -> Option | None:
    """The format keeping the most quality among those decoding at USABLE_TPS or more, placed
    as well as the best-placed one, idle caches left out (`pick`'s yardstick); None when none
    is that fast."""
    idle = _idle_caches(options, hardware)
    kept = [o for o in options if id(o) not in idle]
    floor = min((placement(o.assessment) for o in kept), default=0)
    fast = [o for o in kept if usable(o.assessment, hardware) and placement(o.assessment) == floor]
    return max(fast, key=lambda o: (round(quality(o), 12), o.score)) if fast else None


def crawling(ranked: Sequence[Option], hardware: Hardware | None) -> Option | None:
    """When the best-scoring format decodes at SPEED_MIN tokens/s or less, where speed earns
    nothing in the score and quality alone decides: the fastest format keeping at least
    FOUR_BIT's quality instead (each answer's wait is 1 / speed; above 4 bits the measured
    losses are small); None when that is the best-scoring one or no FOUR_BIT format runs."""
    top = ranked[0] if ranked else None
    rate = tokens_per_second(top.assessment, hardware)[0] if top else None
    if top is None or rate is None or rate > SPEED_MIN:
        return None
    four = [quality(o) for o in ranked if o.assessment.estimate.quant == FOUR_BIT]
    if not four:
        return None
    rates = {id(o): tokens_per_second(o.assessment, hardware)[0] or 0.0 for o in ranked}
    kept = [o for o in ranked if quality(o) >= min(four) - 1e-12]
    fastest = max(kept, key=lambda o: (rates[id(o)], o.score))
    return fastest if rates[id(fastest)] > rate else None


def quality(option: Option) -> float:
    return option.values["quality"].value


def _kv_because(chosen: Option, plain: Option | None, hardware: Hardware | None) -> str:
    """Why the quantized cache rather than fp16 with the same weights: it does not fit, it
    falls under the usable speed, or (nothing being usable) the smaller cache is faster."""
    if plain is None:
        return "with an fp16 cache it does not fit"
    mine, _ = tokens_per_second(chosen.assessment, hardware)
    theirs, _ = tokens_per_second(plain.assessment, hardware)
    if mine is None or theirs is None:
        return f"it scores higher than an fp16 cache ({chosen.score:.3f} vs {plain.score:.3f})"
    if mine >= USABLE_TPS > theirs:
        return (
            f"with an fp16 cache it runs under the usable {USABLE_TPS:.0f} tokens/s "
            f"({_rates(theirs, mine)})"
        )
    faster = f"its smaller cache is read faster ({_rates(mine, theirs)} tokens/s with fp16)"
    if chosen.score > plain.score:
        return f"{faster} and scores higher ({_pair(chosen.score, plain.score, ' vs ')})"
    # the fastest format keeping FOUR_BIT's quality (crawling): speed alone decided
    return (
        f"{faster}, and under {SPEED_MIN:.0f} tokens/s speed decides (the fp16 cache keeps a "
        f"little more: {_pair(plain.score, chosen.score, ' against ')})"
    )


def _rates(first: float, second: float) -> str:
    """Two decode rates with as many decimals as it takes to tell them apart (one to three):
    ~2.53 against ~2.46, never ~2.5 against ~2.5."""
    digits = next((d for d in range(1, 4) if f"{first:.{d}f}" != f"{second:.{d}f}"), 3)
    return f"~{first:.{digits}f} against ~{second:.{digits}f}"


def why(
    chosen: Option, options: Sequence[Option], hardware: Hardware | None, auto_kv: bool
) -> tuple[str, ...]:
    """The reasons a user needs about the format choice: the KV cache type when it was chosen
    here (`auto_kv`: the user left it open), and why a larger format that also runs was not
    taken."""
    out: list[str] = []
    est = chosen.assessment.estimate
    quality = chosen.values["quality"].value
    if auto_kv and est.kv_dtype in KV_KEPT and est.kv_dtype != "fp16":
        same = [o for o in options if o.assessment.estimate.quant == est.quant and o is not chosen]
        because = _kv_because(chosen, same[0] if same else None, hardware)
        out.append(
            f"KV cache {est.kv_dtype} chosen with {est.quant}: {because}; a {est.kv_dtype} cache "
            f"costs x{KV_KEPT[est.kv_dtype]:.5f} quality ({KV_SOURCE}), less than fewer weight "
            "bits (q4_0 KV: no measured loss found, not chosen)"
        )
    mine, _ = tokens_per_second(chosen.assessment, hardware)
    if mine is not None and round(mine, 1) < USABLE_TPS:  # said, not left to the figure
        rates = [tokens_per_second(o.assessment, hardware)[0] for o in options]
        none = all(r is None or round(r, 1) < USABLE_TPS for r in rates)
        out.append(
            f"{est.quant} decodes at ~{mine:.1f} tokens/s, under the usable {USABLE_TPS:.0f} "
            "tokens/s" + (": none of its formats that fit reaches it here" if none else "")
        )
    idle = _idle_caches(options, hardware)
    weighed = [o for o in options if id(o) not in idle]
    twin = max(  # the chosen format's own quantized-cache twin, left out as idle
        (o for o in options if id(o) in idle and o.assessment.estimate.quant == est.quant),
        key=lambda o: o.score,
        default=None,
    )
    if twin is not None and twin.score > chosen.score + 1e-12:
        out.append(_idle_reason(twin, chosen, hardware))
    top_score = max(weighed, key=lambda o: o.score)
    if chosen is crawling(sorted(weighed, key=lambda o: -o.score), hardware):
        return (*out, _crawl_reason(chosen, top_score, hardware))
    if top_score.score > chosen.score + 1e-12:
        faster = (
            f"the faster {_named(top_score, chosen)} scores "
            f"{_pair(top_score.score, chosen.score, ' against ')} but keeps less"
        )
        most = _most_usable(options, hardware)
        if most is None or most is chosen:
            out.append(
                f"{est.quant} keeps the most quality of the formats that decode at "
                f"{USABLE_TPS:.0f}+ tokens/s; {faster}"
            )
        else:  # slower than usable, kept for more quality than the most at a usable speed
            rate = tokens_per_second(most.assessment, hardware)[0] or 0.0
            out.append(
                f"{est.quant} keeps more quality than {_named(most, chosen)}, the most of the "
                f"formats that decode at {USABLE_TPS:.0f}+ tokens/s (~{rate:.1f}), and scores "
                f"higher ({_pair(chosen.score, most.score, ' vs ')}); {faster}"
            )
    better = [o for o in options if o.values["quality"].value > quality + 1e-12]
    out += _placed_worse(chosen, better, hardware)
    if better:
        top = max(better, key=lambda o: o.values["quality"].value)
        tps, _ = tokens_per_second(top.assessment, hardware)
        # one decimal: 9.7 tokens/s is not "~10, under the usable 10"
        speed = "an unknown speed" if tps is None else f"~{tps:.1f} tokens/s"
        out.append(
            f"{_named(top, chosen)} keeps more quality and fits but decodes at {speed}, "
            f"under the usable {USABLE_TPS:.0f} tokens/s: {est.quant} scores higher "
            f"({_pair(chosen.score, top.score, ' vs ')})"
        )
    return tuple(out)


def _idle_reason(idle: Option, chosen: Option, hardware: Hardware | None) -> str:
    """Why a quantized cache that scores a little higher was not taken."""
    mine = tokens_per_second(idle.assessment, hardware)[0] or 0.0
    theirs = tokens_per_second(chosen.assessment, hardware)[0] or 0.0
    est = idle.assessment.estimate
    return (
        f"an fp16 KV cache: {est.quant} with a {est.kv_dtype} cache would decode only "
        f"{_rates(mine, theirs)} tokens/s (scoring {_pair(idle.score, chosen.score, ' vs ')}), "
        f"under the {(KV_GAIN - 1) * 100:.0f}% gain that pays for a quantized cache when it "
        "changes neither the fit nor the usable speed"
    )


def _crawl_reason(chosen: Option, top: Option, hardware: Hardware | None) -> str:
    mine = tokens_per_second(chosen.assessment, hardware)[0] or 0.0
    theirs = tokens_per_second(top.assessment, hardware)[0] or 0.0
    return (
        f"{_named(top, chosen)} scores higher ({_pair(top.score, chosen.score, ' vs ')}) on "
        f"quality alone, but at ~{theirs:.1f} tokens/s speed earns nothing in the score (under "
        f"{SPEED_MIN:.0f} tokens/s): {chosen.assessment.estimate.quant} is the fastest format "
        f"keeping at least {FOUR_BIT}'s quality (~{mine:.1f} tokens/s; each answer takes "
        f"{mine / theirs:.1f}x as long with {top.assessment.estimate.quant})"
    )


def _placed_worse(chosen: Option, better: Sequence[Option], hardware: Hardware | None) -> list[str]:
    """The format keeping the most quality at a usable speed that was passed over because it
    is placed worse (layers or experts in RAM, or the CPU alone) than the chosen one."""
    mine = placement(chosen.assessment)
    passed = [
        o for o in better if usable(o.assessment, hardware) and placement(o.assessment) > mine
    ]
    if not passed:
        return []
    top = max(passed, key=lambda o: (quality(o), o.score))
    fit, tps = top.assessment.fit, tokens_per_second(top.assessment, hardware)[0]
    if fit is None or tps is None:
        return []
    if fit.verdict == "cpu":
        where = "runs on the CPU alone"
    elif fit.cpu_moe_layers:
        where = f"keeps the experts of {fit.cpu_moe_layers} layers in RAM"
    else:
        where = f"keeps {fit.layers - fit.gpu_layers} of {fit.layers} layers in RAM"
    here = "all on the GPUs" if mine == 0 else "with fewer parts in RAM"
    return [
        f"{_named(top, chosen)} keeps more quality ({quality(top):.3f} vs {quality(chosen):.3f}) "
        f"at ~{tps:.1f} tokens/s but {where}; {chosen.assessment.estimate.quant} runs {here}, "
        "which comes first (a usable format is placed as well as the best-placed one: prompt "
        "processing and speed stay on the GPUs)"
    ]


def _named(option: Option, chosen: Option) -> str:
    """An option by its format, and by its KV cache too when the format is the chosen one's
    ("q6_k with an fp16 cache", never "q6_k keeps more quality ...: q6_k scores higher")."""
    est = option.assessment.estimate
    if est.quant != chosen.assessment.estimate.quant:
        return est.quant
    article = "an" if est.kv_dtype.startswith("fp") else "a"
    return f"{est.quant} with {article} {est.kv_dtype} cache"


def _pair(first: float, second: float, joint: str) -> str:
    """Two scores with as many decimals as it takes to tell them apart (up to six)."""
    digits = next((d for d in range(3, 7) if f"{first:.{d}f}" != f"{second:.{d}f}"), 6)
    return f"{first:.{digits}f}{joint}{second:.{digits}f}"
