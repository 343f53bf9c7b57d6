"""Issue 19 §8: the CUDA context allowance per card (estimate/cudactx.py), checked against
measured context sizes (bench/cuda_context.py) and carried with its basis in the JSON."""

from __future__ import annotations

from conftest import script

from llm_pick.catalog.gpus import load_gpus
from llm_pick.catalog.load import load_catalog
from llm_pick.estimate.cudactx import context_mib, context_of
from llm_pick.estimate.fit import check_fit
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.memory import CUDA_CONTEXT_BYTES, estimate_memory

MIB = 2**20
CATALOG = load_catalog(use_env=False)


def _bench_rows() -> list[dict[str, object]]:
    module = script("bench/cuda_context.py", "cuda_context")
    rows: list[dict[str, object]] = module.rows()
    return rows


def test_allowance_meets_the_measured_contexts() -> None:
    rows = _bench_rows()
    fit = [r for r in rows if r["set"] == "fit"]
    test = [r for r in rows if r["set"] == "test"]
    assert len(fit) == 2 and len(test) >= 3
    assert all(abs(float(str(r["error"]))) < 0.001 for r in fit)
    # held aside: an A40, a Max-Q RTX PRO 6000, a B200 (2048 threads per SM) within 6%
    assert max(abs(float(str(r["error"]))) for r in test) < 0.06


def test_allowance_grows_with_the_cards_sms_and_threads() -> None:
    assert context_mib(34) < context_mib(82) < context_mib(128) < context_mib(188)
    assert context_mib(108, 2048) > context_mib(108, 1536)
    size, basis = context_of(Hardware.from_gpu("rtx-3090").gpu)
    assert size == round(context_mib(82) * MIB)
    assert "82 SMs" in basis and "#23604" in basis
    # the 51 presets with an SM count (data/gpus.yaml) are CUDA cards
    counted = [g for g in load_gpus().values() if g.sm_count is not None]
    assert len(counted) >= 51
    for found in counted:
        assert found.backend == "cuda", found.id
        assert 40 * MIB < context_of(found)[0] < 600 * MIB, found.id


def test_unknown_card_keeps_512_mib_and_says_why() -> None:
    assert context_of(None) == (CUDA_CONTEXT_BYTES, context_of(None)[1])
    assert "unknown" in context_of(None)[1]
    metal = Hardware.from_gpu("m2-max-96gb").gpu
    size, basis = context_of(metal)
    assert size == CUDA_CONTEXT_BYTES and "metal" in basis


def test_json_gives_the_context_of_the_card_and_its_basis(cli) -> None:
    args = ("memory", "llama-3.1-8b-instruct", "-q", "q4_k_m", "-f", "json")
    on_3090 = cli(*args, "--gpu", "rtx-3090").json()
    assert on_3090["cuda_context_bytes"] == round(context_mib(82) * MIB)
    assert "82 SMs" in on_3090["cuda_context_basis"]
    assert on_3090["overhead_bytes"] == (
        on_3090["cuda_context_bytes"] + on_3090["compute_buffer_bytes"]
    )
    on_vram = cli(*args, "--vram", "24").json()
    assert on_vram["cuda_context_bytes"] == CUDA_CONTEXT_BYTES
    assert "unknown" in on_vram["cuda_context_basis"]
    # the smaller allowance is what the per-card figures hold
    card = on_3090["fit"]["cards"][0]
    assert card["overhead_bytes"] == on_3090["overhead_bytes"]


def test_mixed_cards_each_carry_their_own_context() -> None:
    model = CATALOG.get("llama-3.1-8b-instruct")
    est = estimate_memory(model, "q4_k_m", context=8192)
    hardware = Hardware.from_gpus(["rtx-3090", "rtx-4090"])
    from llm_pick.estimate.cudactx import on_hardware

    fit = check_fit(on_hardware(est, hardware), hardware)
    assert fit.verdict == "gpu"
    small, large = (context_of(card)[0] for card in hardware.mixed)
    head = fit.cards[-1]
    first = fit.cards[0]
    assert first.overhead_bytes == small + est.layer_compute_bytes
    assert head.overhead_bytes == large + est.compute_buffer_bytes


def test_cpu_only_needs_no_context() -> None:
    model = CATALOG.get("llama-3.1-8b-instruct")
    est = estimate_memory(model, "q4_k_m", context=8192)
    fit = check_fit(est, Hardware.cpu_only(64))
    assert fit.needed_bytes == est.total_bytes - est.cuda_context_bytes
