"""The code ability: theta from a model's code benchmarks only, on the quality scale's axis
(each code key's fitted line maps its score onto the same theta; docs/scoring.md "Coding").

1. own code scores (CODE_KEYS with a fitted line): their least-squares theta, measured;
2. none, but its base (or the base's base) has them: the base's code ability, estimated
   (a fine-tune is assumed to keep its base's code ability: no gain, no loss);
3. none in its lineage: the code ability of the most able model of its family that it matches
   or beats on every benchmark both publish (Devstral Small 2 over Devstral Small 2505 on
   SWE-bench Verified), where that is above its general ability: a newer release is at least
   as able at code as the release it outscores, as quality.py's general "at least as" rule;
4. else the general ability, labelled as a fallback.
"""

from __future__ import annotations

from llm_pick.catalog.types import Model
from llm_pick.scoring import quality_fit
from llm_pick.scoring.quality import CODE_ONLY, Ability, ability, observations, solve

# Pass@1 code benchmarks with a fitted line. Left out: SWE-bench Verified and Terminal-Bench
# (agentic, scaffold-dependent; no catalog model has them beside another code score, so no
# line can be fitted), pass@5 and thinking-mode LiveCodeBench runs (other protocols).
CODE_KEYS = frozenset({"humaneval", "mbpp"} | CODE_ONLY)
# Every code benchmark, fitted or not (the agentic ones too): the benchmarks a newer release
# must match or beat to be held at least as able at code as another (rule 3); general
# benchmarks (MT-Bench, Arena-Hard) say nothing of code.
CODE_WORDS = ("humaneval", "mbpp", "livecodebench", "multipl_e", "swe_bench", "terminal_bench")


def _code_benchmark(key: str) -> bool:
    return key in CODE_KEYS or key.startswith(CODE_WORDS)


def own_code(
    model: Model, calibration: dict[str, tuple[float, float]]
) -> tuple[float, tuple[str, ...]] | None:
    obs = [(k, y) for k, y in observations(model, None) if k in CODE_KEYS and k in calibration]
    theta = solve(obs, calibration, None)
    return None if theta is None else (theta, tuple(k for k, _ in obs))


def code_ability(
    model: Model,
    lineage: dict[str, Model],
    calibration: dict[str, tuple[float, float]] | None = None,
    memo: dict[str, Ability] | None = None,
    _seen: frozenset[str] = frozenset(),
) -> Ability:
    """The model's code ability and its basis (see the module docstring)."""
    cal = quality_fit.CALIBRATION if calibration is None else calibration
    found = own_code(model, cal)
    if found is not None:
        theta, used = found
        return Ability(theta, False, f"code: {len(used)} benchmark(s): {', '.join(used)}", used)
    seen = {model.id}
    base = lineage.get(model.base_model or "")
    while base is not None and base.id not in seen:
        inherited = own_code(base, cal)
        if inherited is not None:
            return Ability(
                inherited[0],
                True,
                f"estimated: code ability of its base {base.id} ({', '.join(inherited[1])})",
                (),
            )
        seen.add(base.id)
        base = lineage.get(base.base_model or "")
    general = ability(model, lineage, cal, memo=memo)
    floor = _outscored_code(model, lineage, cal, memo, _seen | seen)
    if floor is not None and floor[1].theta > general.theta:
        ref_id, ref, keys = floor
        return Ability(
            ref.theta,
            True,
            f"estimated: code ability at least as {ref_id} (it scores as well or better on "
            f"every code benchmark both publish: {', '.join(keys)}; {ref_id}: {ref.basis})",
            (),
        )
    return general._replace(
        estimated=True, basis=f"no code score published: general ability ({general.basis})"
    )


def _outscored_code(
    model: Model,
    lineage: dict[str, Model],
    cal: dict[str, tuple[float, float]],
    memo: dict[str, Ability] | None,
    seen: frozenset[str],
) -> tuple[str, Ability, tuple[str, ...]] | None:
    """The model of the same family with the highest code ability that this one (no fitted
    code score of its own or its bases') matches or beats on every code benchmark both publish
    (at least one); None when there is none. `seen`: models already on this path (two models
    tying on their shared benchmarks would otherwise refer to each other)."""
    best: tuple[str, Ability, tuple[str, ...]] | None = None
    mine = model.benchmarks or {}
    for other in lineage.values() if mine else ():
        if other.id in seen or other.family != model.family or not other.benchmarks:
            continue
        shared = set(mine) & set(other.benchmarks)
        keys = tuple(sorted(k for k in shared if _code_benchmark(k)))
        if not keys or any(mine[k].value < other.benchmarks[k].value for k in keys):
            continue
        found = code_ability(other, lineage, cal, memo, seen)
        if best is None or found.theta > best[1].theta:
            best = (other.id, found, keys)
    return best
