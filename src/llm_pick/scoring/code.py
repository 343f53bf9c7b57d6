"""The code ability: theta from a model's code benchmarks only, on the quality scale's axis
(each code key's fitted line maps its score onto the same theta; docs/scoring.md "Coding").

1. own code scores (CODE_KEYS with a fitted line): their least-squares theta, measured;
2. none, but its base (or the base's base) has them: the base's code ability, estimated
   (a fine-tune is assumed to keep its base's code ability: no gain, no loss);
3. none in its lineage: the general ability, labelled as a fallback.
"""

from __future__ import annotations

from llm_pick.catalog.types import Model
from llm_pick.scoring import quality_fit
from llm_pick.scoring.quality import CODE_ONLY, Ability, ability, observations, solve

# Pass@1 code benchmarks with a fitted line. Left out: SWE-bench Verified and Terminal-Bench
# (agentic, scaffold-dependent; no catalog model has them beside another code score, so no
# line can be fitted), pass@5 and thinking-mode LiveCodeBench runs (other protocols).
CODE_KEYS = frozenset({"humaneval", "mbpp"} | CODE_ONLY)


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
    return general._replace(
        estimated=True, basis=f"no code score published: general ability ({general.basis})"
    )
