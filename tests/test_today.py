"""Issue 18's done-when: today's catalog ranked the way an expert would (the expectations, not
exact scores), fine-tunes of instruct models without an assumed bonus, and the coding profile."""

from __future__ import annotations

import dataclasses
import datetime as dt

from llm_pick.catalog.load import load_catalog
from llm_pick.catalog.types import Benchmark
from llm_pick.estimate.hardware import Hardware
from llm_pick.ranking.pipeline import recommend
from llm_pick.ranking.query import Query
from llm_pick.scoring.code import code_ability
from llm_pick.scoring.constraints import Constraints, specialties
from llm_pick.scoring.profiles import get_profile
from llm_pick.scoring.quality import ability

CATALOG = load_catalog()
LINEAGE = {m.id: m for m in CATALOG}
SMALL_32 = "mistral-small-3.2-24b-instruct-2506"


def ranked(query: Query) -> list[str]:
    return [c.model.id for c in recommend(CATALOG, query).ranking]


def commercial_24() -> Query:
    return Query(hardware=Hardware.from_vram(24), constraints=Constraints(commercial=True))


def chat_4090() -> Query:
    return Query(hardware=Hardware.from_gpu("rtx-4090"), profile=get_profile("chat"))


def test_general_use_ranks_a_current_general_instruct_model_first() -> None:
    for query in (commercial_24(), chat_4090()):
        result = recommend(CATALOG, query)
        top = result.ranking[0].model
        assert top.variant == "instruct" and not specialties(top)
        assert top.release_date is not None and top.release_date >= dt.date(2025, 1, 1)
        ids = [c.model.id for c in result.ranking]
        assert SMALL_32 in ids[:3]
        # 2023-24 models no longer lead: the first three are 2025 or later
        assert all(
            c.model.release_date and c.model.release_date.year >= 2025 for c in result.ranking[:3]
        )


def test_specialists_are_left_out_of_general_use_with_the_reason_shown() -> None:
    result = recommend(CATALOG, commercial_24())
    assert not any(specialties(c.model) for c in result.ranking)
    reasons = {e.model.id: e.reasons for e in result.excluded}
    for model_id in ("devstral-small-2507", "magistral-small-2509"):
        assert any("specialist" in r and "--needs" in r for r in reasons[model_id])


def test_specialists_are_ranked_when_asked() -> None:
    query = commercial_24()
    code = ranked(query.replace(constraints=Constraints(commercial=True, needs=("code",))))
    assert code[0].startswith("devstral-small") and "mistral-small-3.2" not in " ".join(code)
    thinking = query.replace(constraints=Constraints(commercial=True, needs=("reasoning",)))
    assert ranked(thinking)[0].startswith(("magistral-small", "ministral-3-14b-reasoning"))
    coding = ranked(Query(hardware=Hardware.from_vram(24), profile=get_profile("coding")))
    assert "devstral-small-2507" in coding[:5]


def test_a_fine_tune_of_an_instruct_model_gets_no_assumed_bonus() -> None:
    small_31 = ability(LINEAGE["mistral-small-3.1-24b-instruct-2503"], LINEAGE)
    for model_id in ("devstral-small-2505", "devstral-small-2507", "magistral-small-2506"):
        found = ability(LINEAGE[model_id], LINEAGE)
        assert found.estimated and found.theta == small_31.theta, model_id
        assert "no further gain" in found.basis
    # a fine-tune of a pretrained base still gets the typical instruction-tuning delta
    base = ability(LINEAGE["ministral-3-8b-base-2512"], LINEAGE)
    tuned = ability(LINEAGE["ministral-3-8b-instruct-2512"], LINEAGE)
    assert tuned.theta > base.theta and "median fine-tune delta" in tuned.basis


def test_a_ternary_retraining_is_at_most_its_16_bit_base() -> None:
    """Falcon3 1.58-bit: no own score on the scale, so its base's theta as an upper bound,
    labelled so; a ternary re-training of a pretrained base gets no fine-tune delta either."""
    for size in ("1b", "3b", "7b", "10b"):
        model = LINEAGE[f"falcon3-{size}-instruct-1.58bit"]
        found = ability(model, LINEAGE)
        base = ability(LINEAGE[f"falcon3-{size}-instruct"], LINEAGE)
        assert found.estimated and found.theta == base.theta and "at most its base" in found.basis
    pretrained = LINEAGE["falcon3-7b-base"]
    ternary = LINEAGE["falcon3-7b-instruct-1.58bit"]
    again = dataclasses.replace(ternary, id="t", base_model=pretrained.id)
    lineage = dict(LINEAGE, t=again)
    assert ability(lineage["t"], lineage).theta == ability(pretrained, lineage).theta


def test_code_ability_reads_code_scores_only_and_says_what_it_rests_on() -> None:
    small = LINEAGE["mistral-small-3.1-24b-instruct-2503"]
    found = code_ability(small, LINEAGE)
    assert not found.estimated and "humaneval_instruct_mistral" in found.used
    # a better HumanEval alone raises the code ability, never the general one
    better = dict(small.benchmarks)
    better["humaneval_instruct_mistral"] = dataclasses.replace(
        small.benchmarks["humaneval_instruct_mistral"], value=97.0
    )
    stronger = dataclasses.replace(small, benchmarks=better)
    lineage = {**LINEAGE, small.id: stronger}
    assert code_ability(stronger, lineage).theta > found.theta
    assert ability(stronger, lineage).theta == ability(small, LINEAGE).theta
    # no code score of its own: its base's, labelled
    devstral = code_ability(LINEAGE["devstral-small-2505"], LINEAGE)
    assert devstral.estimated and devstral.theta == found.theta
    assert "code ability of its base" in devstral.basis
    # none in the lineage: the general ability, labelled as the fallback
    ministral = LINEAGE["ministral-3-14b-instruct-2512"]
    fallback = code_ability(ministral, LINEAGE)
    assert fallback.estimated and fallback.basis.startswith("no code score published")
    assert fallback.theta == ability(ministral, LINEAGE).theta


def test_thinking_mode_scores_never_enter_the_general_ability() -> None:
    model = LINEAGE["magistral-small-2509"]
    weaker = {
        k: Benchmark(**{**dataclasses.asdict(b), "value": 1.0}) for k, b in model.benchmarks.items()
    }
    assert model.benchmarks and all(k.startswith(("aime", "gpqa", "livecodebench")) for k in weaker)
    changed = dataclasses.replace(model, benchmarks=weaker)
    assert ability(changed, LINEAGE).theta == ability(model, LINEAGE).theta
