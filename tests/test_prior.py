"""The quality prior counts size (a mixture of experts' total too) and release date
(scoring/prior.py): checked against the base models it is fitted on, left out one at a time."""

from __future__ import annotations

import dataclasses
from datetime import date

from conftest import script

from llm_pick.catalog.load import load_catalog
from llm_pick.scoring import prior, quality_fit
from llm_pick.scoring.quality import ability

LINEAGE = {m.id: m for m in load_catalog(use_env=False)}


def test_the_prior_predicts_left_out_bases_better_than_active_size_alone() -> None:
    found = script("bench/quality.py", "bench_quality_prior").prior_check()
    shipped, before = found["size and date"], found["active parameters only"]
    assert shipped[2] >= 40  # base models with a date and their own scores
    assert shipped[0] <= 0.25 and shipped[0] < before[0] / 3
    assert shipped[1] < before[1]


def test_a_sparse_2026_model_is_not_priced_as_its_active_part() -> None:
    """Mistral Small 4 (119B, 6.5B active, 2026) was rated under Mistral 7B v0.3 (review 12 v54)."""
    small4 = ability(LINEAGE["mistral-small-4-119b-2603"], LINEAGE)
    assert small4.estimated and "prior from size and date" in small4.basis
    assert "sqrt" not in small4.basis and "6.5B active x 119.0B total" in small4.basis
    for older in ("mistral-7b-instruct-v0.3", "mistral-small-3.2-24b-instruct-2506"):
        assert small4.theta > ability(LINEAGE[older], LINEAGE).theta, older


def test_the_date_is_not_extended_past_the_newest_base_and_unknown_takes_the_median() -> None:
    small4 = LINEAGE["mistral-small-4-119b-2603"]
    newest, median = quality_fit.SIZE_PRIOR[3], quality_fit.SIZE_PRIOR[4]
    later = dataclasses.replace(small4, release_date=date(2030, 1, 1))
    theta_now, _ = prior.predict(small4, quality_fit.SIZE_PRIOR)
    theta_later, said = prior.predict(later, quality_fit.SIZE_PRIOR)
    assert theta_later == theta_now and "dated as the newest fitted base" in said
    assert prior.years(small4) > newest  # released after the newest base
    undated = dataclasses.replace(small4, release_date=None)
    theta_undated, said = prior.predict(undated, quality_fit.SIZE_PRIOR)
    a, b, c = quality_fit.SIZE_PRIOR[:3]
    assert theta_undated == a + b * prior.size_term(small4) + c * median
    assert "release date unknown" in said


def test_a_tuned_release_adds_the_fine_tune_delta_to_the_prior() -> None:
    base = LINEAGE["mistral-large-3-675b-base-2512"]
    chat = LINEAGE["mistral-large-3-675b-instruct-2512"]
    gap = ability(chat, LINEAGE).theta - ability(base, LINEAGE).theta
    assert abs(gap - quality_fit.TYPICAL_DELTA) < 1e-9


def test_a_speech_model_keeps_its_text_backbones_ability() -> None:
    """Voxtral Small's card: 'Retains the text understanding capabilities of its language
    model backbone, Mistral Small 3.1': its ability is the backbone's, not a size prior above
    it (it ranked above Mistral Small 3.1 once the prior counted the date)."""
    voxtral = ability(LINEAGE["voxtral-small-24b-2507"], LINEAGE)
    backbone = ability(LINEAGE["mistral-small-3.1-24b-instruct-2503"], LINEAGE)
    assert voxtral.theta == backbone.theta
    assert "as its language backbone mistral-small-3.1-24b-instruct-2503" in voxtral.basis


def test_multimodal_releases_keep_their_announced_text_backbones() -> None:
    """Pixtral Large is 'built on top of Mistral Large 2 ... maintaining [its] text-only
    understanding'; Pixtral 12B's decoder is 'based on Mistral Nemo' (Mistral's announcements)."""
    for model_id, backbone in (
        ("pixtral-large-instruct-2411", "mistral-large-instruct-2407"),
        ("pixtral-12b-base-2409", "mistral-nemo-12b"),
    ):
        found = ability(LINEAGE[model_id], LINEAGE)
        assert found.theta == ability(LINEAGE[backbone], LINEAGE).theta
        assert f"as its language backbone {backbone}" in found.basis
