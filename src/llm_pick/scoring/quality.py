"""The quality scale: one ability per model from every benchmark it has, on the scale of a
chance-corrected 5-shot MMLU. docs/scoring.md gives every formula and source.

Each benchmark key names one protocol (`mmlu` is 5-shot log-likelihood MMLU, `mmlu_generative`
Meta's instruct re-run, ...; SCALES lists them). A score becomes a chance-corrected fraction

    z = (score - chance) / (top - chance), clipped to [0.02, 0.98]

and each key maps logit(z) onto the shared ability theta by a fitted line,

    logit(z) = alpha_key + beta_key * theta      (mmlu: alpha 0, beta 1, the anchor)

(tools/fit_quality.py fits alpha and beta on the bundled catalog; quality_fit.py holds them).
A model's theta is the least-squares solution over its own scores; a fine-tune adds its base's
theta as one more observation (weight BASE_WEIGHT), so chat scores move it away from the base.
Without own scores, theta is estimated and labelled: the base's theta plus the published delta
of a sibling fine-tune (same organisation's recipe), or a predecessor's theta, or a prior from
size, raised to the theta of a model of its family it matches or beats on every benchmark both
publish. The value is sigmoid(theta): 0 = chance, 1 = a perfect MMLU-equivalent score.
"""

from __future__ import annotations

import math

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.catalog.types import Model
from llm_pick.scoring import prior, quality_fit
from llm_pick.scoring.references import REFERENCES

BASE_WEIGHT = 1.0  # the base's theta counts as one benchmark in a fine-tune's estimate
CLIP = 0.02
HUBER = 0.5  # theta units: beyond this distance a score is down-weighted
HUBER_ROUNDS = 5


class Scale(NamedTuple):
    chance: float
    top: float
    weight: float
    label: str


# key -> chance level, top of scale, weight in a model's estimate, protocol the key stands for
SCALES: dict[str, Scale] = {
    "mmlu": Scale(25, 100, 1, "MMLU 5-shot, log-likelihood scoring"),
    "mmlu_generative": Scale(25, 100, 1, "MMLU 5-shot, instruct dialogue, generated answer"),
    "mmlu_lmsys": Scale(25, 100, 1, "MMLU 5-shot as run by LMSYS (InstructEval)"),
    "mmlu_cot": Scale(25, 100, 1, "MMLU 0-shot chain-of-thought, generated"),
    "mmlu_pro": Scale(10, 100, 1, "MMLU-Pro 5-shot, log-likelihood scoring"),
    "mmlu_pro_cot": Scale(10, 100, 1, "MMLU-Pro 5-shot chain-of-thought, generated"),
    "arc_challenge": Scale(25, 100, 1, "ARC-Challenge 0-shot"),
    "arc_challenge_25shot": Scale(25, 100, 1, "ARC-Challenge 25-shot"),
    "arc_challenge_instruct": Scale(25, 100, 1, "ARC-Challenge 0-shot, instruct prompt"),
    "arc_challenge_harness": Scale(25, 100, 1, "ARC-Challenge 0-shot, lm-eval-harness acc"),
    "arc_challenge_tii": Scale(25, 100, 1, "ARC-Challenge 0-shot, TII's harness run"),
    "hellaswag": Scale(25, 100, 1, "HellaSwag 0-shot"),
    "hellaswag_10shot": Scale(25, 100, 1, "HellaSwag 10-shot"),
    "hellaswag_harness": Scale(25, 100, 1, "HellaSwag 0-shot, lm-eval-harness acc"),
    "hellaswag_tii": Scale(25, 100, 1, "HellaSwag 0-shot, TII's harness run"),
    "winogrande": Scale(50, 100, 1, "WinoGrande 0-shot"),
    "winogrande_5shot": Scale(50, 100, 1, "WinoGrande 5-shot"),
    "winogrande_harness": Scale(50, 100, 1, "WinoGrande 0-shot, lm-eval-harness acc"),
    "winogrande_tii": Scale(50, 100, 1, "WinoGrande 0-shot, TII's harness run"),
    "piqa": Scale(50, 100, 1, "PIQA 0-shot"),
    "piqa_harness": Scale(50, 100, 1, "PIQA 0-shot, lm-eval-harness acc"),
    "commonsenseqa": Scale(20, 100, 1, "CommonsenseQA 7-shot"),
    "bbh": Scale(25, 100, 1, "BIG-Bench Hard 3-shot"),
    "agieval": Scale(20, 100, 1, "AGIEval English 3-5-shot"),
    "gsm8k": Scale(0, 100, 0.5, "GSM8K 8-shot maj@1"),
    "gsm8k_maj8": Scale(0, 100, 0.5, "GSM8K 8-shot maj@8"),
    "gsm8k_5shot": Scale(0, 100, 0.5, "GSM8K 5-shot maj@1"),
    "humaneval": Scale(0, 100, 0.5, "HumanEval 0-shot pass@1"),
    "mbpp": Scale(0, 100, 0.5, "MBPP 3-shot pass@1"),
    "mt_bench": Scale(1, 10, 2, "MT-Bench, GPT-4 single-answer grading"),
    "ifeval": Scale(0, 100, 2, "IFEval (Meta: mean of strict/loose prompt/instruction accuracy)"),
    # 2024-26 releases (docs/scoring.md "Keys of the 2024-26 releases" gives each choice)
    "mmlu_redux": Scale(25, 100, 1, "MMLU-Redux 5-shot, Mistral AI's run"),
    "mmlu_instruct_mistral": Scale(25, 100, 1, "MMLU, instruct model, Mistral AI's harness"),
    "mmlu_pro_em": Scale(10, 100, 1, "MMLU-Pro 5-shot, generative exact match (Meta)"),
    "mmlu_pro_0shot": Scale(10, 100, 1, "MMLU-Pro 0-shot, generative, instruct (Meta)"),
    "mmlu_pro_tii": Scale(10, 100, 1, "MMLU-Pro, TII's pipeline"),
    "gpqa_main_cot_5shot": Scale(25, 100, 1, "GPQA main 5-shot chain-of-thought (Mistral AI)"),
    "agieval_5shot": Scale(20, 100, 1, "AGIEval 5-shot, Mistral AI's run (subset not stated)"),
    "bbh_3shot_logprobs": Scale(25, 100, 1, "BIG-Bench Hard 3-shot, log-likelihood (TII)"),
    "math_lvl5_4shot": Scale(0, 100, 0.5, "MATH level 5, 4-shot, math-verify (TII)"),
    "humaneval_tii": Scale(0, 100, 0.5, "HumanEval pass@1, TII's pipeline"),
    "humaneval_instruct_mistral": Scale(0, 100, 0.5, "HumanEval, instruct, Mistral AI's pipeline"),
    "mbpp_pass1_mistral": Scale(0, 100, 0.5, "MBPP, Mistral AI's pipeline (shots not stated)"),
    "livecodebench_tii": Scale(0, 100, 0.5, "LiveCodeBench, TII's pipeline, no thinking mode"),
    "ifeval_tii": Scale(0, 100, 1, "IFEval, TII's pipeline (metric not stated)"),
    "ifeval_mistral": Scale(0, 100, 1, "IFEval, Mistral AI's pipeline (metric not stated)"),
    "mt_bench_tii": Scale(1, 10, 1, "MT-Bench average, TII's pipeline (judge not stated)"),
}

# Human-judged or instruction-following scales: a sibling's delta is read on these when it has
# them, since they measure what the fine-tune changed.
CHAT_KEYS = frozenset({"mt_bench", "ifeval", "mt_bench_tii", "ifeval_tii", "ifeval_mistral"})

# Keys read only for the code ability (scoring/code.py), never for the general one: a code
# score says what a model does with code, and a code specialist's high score would otherwise
# lift its general ability. The older humaneval/mbpp keys stay in both (published beside MMLU
# for general models since 2023, they were part of the general scale before).
CODE_ONLY = frozenset(
    {"humaneval_tii", "humaneval_instruct_mistral", "mbpp_pass1_mistral", "livecodebench_tii"}
)


class Ability(NamedTuple):
    theta: float
    estimated: bool
    basis: str  # what the value rests on, in words
    used: tuple[str, ...]  # own benchmark keys that entered the estimate


def logit(z: float) -> float:
    z = min(1 - CLIP, max(CLIP, z))
    return math.log(z / (1 - z))


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def observations(model: Model, code: bool | None = False) -> list[tuple[str, float]]:
    """(key, logit of the chance-corrected score) for every score on a known scale: the
    general keys (code False), the code-only keys (True) or all (None)."""
    found = []
    for key, bench in sorted(model.benchmarks.items()):
        scale = SCALES.get(key)
        if scale is None or (code is not None and (key in CODE_ONLY) != code):
            continue
        found.append((key, logit((bench.value - scale.chance) / (scale.top - scale.chance))))
    return found


def solve(
    obs: list[tuple[str, float]],
    calibration: dict[str, tuple[float, float]],
    prior: float | None,
) -> float | None:
    """Weighted least-squares theta from the observations (and a prior observation of weight
    BASE_WEIGHT), made robust: a score whose own theta lies more than HUBER from the consensus
    counts with weight HUBER / distance (one benchmark a model never trained for, such as
    code for Falcon, does not outvote the rest)."""
    thetas, weights = [], []
    for key, y in obs:
        if key in calibration:
            alpha, beta = calibration[key]
            thetas.append((y - alpha) / beta)
            weights.append(SCALES[key].weight * beta * beta)
    if prior is not None:
        thetas.append(prior)
        weights.append(BASE_WEIGHT)
    if not thetas:
        return None
    # the same sums in the same order as over (theta, weight) pairs, from lists (start-up)
    theta = sum([t * w for t, w in zip(thetas, weights, strict=True)]) / sum(weights)
    for _ in range(HUBER_ROUNDS):
        # w * min(1.0, HUBER / max(distance, 1e-9)), the same floats: w itself up to HUBER
        robust = [
            w * (HUBER / far) if (far := abs(t - theta)) > HUBER else w
            for t, w in zip(thetas, weights, strict=True)
        ]
        before, theta = (
            theta,
            sum([t * w for t, w in zip(thetas, robust, strict=True)]) / sum(robust),
        )
        if theta == before:  # the weights depend on theta only: the later rounds repeat it
            break
    return theta


def ability(
    model: Model,
    lineage: dict[str, Model],
    calibration: dict[str, tuple[float, float]] | None = None,
    _seen: frozenset[str] = frozenset(),
    memo: dict[str, Ability] | None = None,
) -> Ability:
    """The model's theta and how it was obtained (see the module docstring). `memo` keeps
    the abilities found (bases are shared by many fine-tunes) for one catalog."""
    if memo is not None:
        found = memo.get(model.id)
        if found is None:
            found = memo[model.id] = _ability(model, lineage, calibration, _seen, memo)
        return found
    return _ability(model, lineage, calibration, _seen, None)


def _ternary_of_float(model: Model, base: Model) -> bool:
    """A ternary (BitNet b1.58) model re-trained from a base with 16-bit weights (Falcon3
    1.58-bit from Falcon3 Instruct): its own scores, not its base's, would say what it keeps."""
    return model.architecture.ternary and not base.architecture.ternary


def _ability(
    model: Model,
    lineage: dict[str, Model],
    calibration: dict[str, tuple[float, float]] | None,
    _seen: frozenset[str],
    memo: dict[str, Ability] | None,
) -> Ability:
    cal = quality_fit.CALIBRATION if calibration is None else calibration
    seen = _seen | {model.id}
    base = lineage.get(model.base_model or "")
    parent = ability(base, lineage, cal, seen, memo) if base and base.id not in seen else None
    obs = [(k, y) for k, y in observations(model) if k in cal]
    own = solve(obs, cal, None if parent is None else parent.theta) if obs else None
    used = tuple(k for k, _ in obs)
    if own is not None:
        basis = f"{len(obs)} benchmark(s): {', '.join(used)}"
        if parent is not None:
            basis += f"; with its base {model.base_model}"
        return Ability(own, False, basis, used)
    reference = REFERENCES.get(model.id)
    if reference is not None and reference[1] in lineage and reference[1] not in seen:
        kind, ref_id, words = reference
        ref = lineage[ref_id]
        ref_ability = ability(ref, lineage, cal, seen, memo)
        if kind in ("predecessor", "backbone"):
            said = "its predecessor" if kind == "predecessor" else "its language backbone"
            return Ability(ref_ability.theta, True, f"estimated: as {said} {ref_id} ({words})", ())
        ref_base = lineage.get(ref.base_model or "")
        if parent is not None and ref_base is not None:
            chat = [(k, y) for k, y in observations(ref) if k in CHAT_KEYS and k in cal]
            ref_theta = solve(chat, cal, None) if chat else ref_ability.theta
            delta = (ref_theta or 0.0) - ability(ref_base, lineage, cal, seen, memo).theta
            return Ability(
                parent.theta + delta,
                True,
                f"estimated: base {model.base_model} {delta:+.2f} (the published delta "
                f"of {ref_id} over {ref_base.id}; {words})",
                (),
            )
    if parent is not None and base is not None and _ternary_of_float(model, base):
        return Ability(
            parent.theta,
            True,
            f"estimated: at most its base {base.id} (a ternary 1.58-bit re-training of its "
            "16-bit weights; what that loses is not published on this scale, so nothing is "
            "subtracted and no fine-tune gain is added)",
            (),
        )
    if parent is not None and base is not None and base.variant != "base":
        return Ability(
            parent.theta,
            True,
            f"estimated: as its base {base.id} (a fine-tune of {_article(base.variant)} "
            f"{base.variant} model: "
            "no further gain assumed)",
            (),
        )
    if parent is not None:
        delta = quality_fit.TYPICAL_DELTA
        return Ability(
            parent.theta + delta,
            True,
            f"estimated: base {model.base_model} {delta:+.2f} (median fine-tune delta)",
            (),
        )
    theta, said = prior.predict(model, quality_fit.SIZE_PRIOR)
    if model.variant != "base":  # the prior is a base model's: a tuned release adds the delta
        delta = quality_fit.TYPICAL_DELTA
        theta += delta
        article = "an" if model.variant[0] in "aeiou" else "a"
        said += f" {delta:+.2f} (median fine-tune delta: {article} {model.variant} release)"
    matched = _outscored(model, lineage, cal, seen, memo)
    if matched is not None and matched[1].theta > theta:
        ref_id, found, keys = matched
        return Ability(
            found.theta,
            True,
            f"estimated: at least as {ref_id} (it scores as well or better on every benchmark "
            f"both publish: {', '.join(keys)}; its own are not on the general scale)",
            (),
        )
    return Ability(theta, True, said, ())


def _outscored(
    model: Model,
    lineage: dict[str, Model],
    cal: dict[str, tuple[float, float]],
    seen: frozenset[str],
    memo: dict[str, Ability] | None,
) -> tuple[str, Ability, tuple[str, ...]] | None:
    """The most able model of the same family that this one (with no score on the general
    scale and no base) matches or beats on every benchmark both publish (agentic coding
    scores, say): a newer release of a line is then at least as able as the release it
    outscores, rather than a size prior fitted on base models. None when there is none."""
    best: tuple[str, Ability, tuple[str, ...]] | None = None
    mine = model.benchmarks or {}
    if not mine:  # nothing to compare (a user's catalog of bare models: no pass over it each)
        return None
    for other in lineage.values():
        if other.id in seen or other.family != model.family or not other.benchmarks:
            continue
        keys = tuple(sorted(set(mine) & set(other.benchmarks)))
        if not keys or any(mine[k].value < other.benchmarks[k].value for k in keys):
            continue
        found = ability(other, lineage, cal, seen, memo)
        if best is None or found.theta > best[1].theta:
            best = (other.id, found, keys)
    return best


def value(theta: float) -> float:
    """The quality value in 0..1: the MMLU-equivalent chance-corrected fraction."""
    return sigmoid(theta)


def mmlu_equivalent(theta: float) -> float:
    """theta as a 5-shot MMLU percentage (25 = chance)."""
    return 25 + 75 * sigmoid(theta)


def _article(word: str) -> str:
    """'an instruct model', 'a chat model'."""
    return "an" if word[:1] in "aeiou" else "a"
