"""The speed model (estimate/speed.py) and its bench (bench/speed.py): constants come from the
fit points, held-out errors meet the issue's targets, batch/offload/format rules hold."""

from __future__ import annotations

import statistics
import sys
from pathlib import Path
from types import ModuleType

import pytest
from conftest import script

from llm_pick.catalog.gpus import find_cpu, find_gpu
from llm_pick.catalog.load import load_catalog
from llm_pick.estimate import speed, speedkinds
from llm_pick.estimate.assess import assess
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.memory import estimate_memory

ROOT = Path(__file__).resolve().parents[1]


def bench() -> ModuleType:
    return script("bench/speed.py", "speed_bench")


@pytest.fixture(scope="module")
def points() -> list[object]:
    found: list[object] = bench().load_points()
    return found


def test_points_are_split_and_sourced(points: list[object]) -> None:
    sets = {p.set for p in points}  # type: ignore[attr-defined]
    assert sets == {"fit", "test", "apart"}  # apart: bench/prefill_rows.py's rules
    kept = [p for p in points if p.set != "apart"]  # type: ignore[attr-defined]
    test_share = sum(p.set == "test" for p in kept) / len(kept)  # type: ignore[attr-defined]
    assert 0.2 < test_share < 0.4


def test_constants_are_the_fit_of_the_fit_points(points: list[object]) -> None:
    fitted = bench().constants(points)
    for name, value in fitted.items():
        table, _, key = name.partition("[")
        current = vars(speed).get(table, getattr(speedkinds, table, None))
        if key:
            key = key.rstrip("]")
            current = current[tuple(key.split(",")) if "," in key else key]
        assert current == pytest.approx(value, rel=0.01, abs=1e-18), name


def test_held_out_errors_meet_the_targets(points: list[object]) -> None:
    module = bench()
    found = [(p, e) for p, e in module.errors(points) if p.set == "test"]
    decode = [abs(e) for p, e in found if p.kind == "decode"]
    prefill = [abs(e) for p, e in found if p.kind == "prefill"]
    assert len(decode) >= 100 and len(prefill) >= 8
    assert statistics.median(decode) <= 0.10
    assert statistics.median(prefill) <= 0.25
    by_class: dict[str, list[float]] = {}
    for p, e in found:
        if p.kind == "decode" and not p.id.endswith("-ikreadme"):  # next test: a known gap
            by_class.setdefault(p.hardware, []).append(abs(e))
    # Every class with held-out points meets the 10% median and 35% worst. CPU-only is
    # held to what it achieves since the Arm server fit rows, the Q8_0 path and the barrier term
    # (cpu20i: 8.8% / 30.4%; before, 10.9% / 35.4% with the EPYC 9175F rows up to 35% slow).
    limits = {"cpu": (0.09, 0.31)}
    assert {"apple", "consumer", "datacenter", "cpu", "multi-gpu", "amd"} <= set(by_class)
    for cls, errors in by_class.items():
        median, worst = limits.get(cls, (0.10, 0.35))
        assert statistics.median(errors) <= median, cls
        assert max(errors) <= worst, cls


def test_the_m2_max_cpu_format_sweep_shows_the_known_gap(points: list[object]) -> None:
    """cpu20's 32 rows (ik_llama.cpp README, mainline column; held out, never fitted): the
    shipped model holds them to 8.4% median, and misses by more than 35% exactly where the
    cores, not the bandwidth, set the pace: Q3_K_S (dequantisation) over-estimated and F16 at 2-4
    threads under-estimated (docs/methodology.md, CPU-only decode)."""
    module = bench()
    found = [(p, e) for p, e in module.errors(points) if p.id.endswith("-ikreadme")]
    assert len(found) == 32 and all(p.set == "test" for p, _ in found)
    assert statistics.median(abs(e) for _, e in found) <= 0.09
    misses = {p.id.split("-llama-2-7b-")[1] for p, e in found if abs(e) > 0.35}
    assert misses == {
        "q3_k_s-tg128-t2-ikreadme",
        "q3_k_s-tg128-t4-ikreadme",
        "q3_k_s-tg128-t8-ikreadme",
        "fp16-tg128-t2-ikreadme",
        "fp16-tg128-t4-ikreadme",
    }
    assert all(e > 0 for p, e in found if "q3_k_s" in p.id)  # too fast: cores limit


def test_cpu_decode_uses_its_own_constants(points: list[object]) -> None:
    """CPU-only points are fitted with CPU constants (threads share the compute side), not the
    GPU ones: more threads are faster, and the result stays under the RAM ceiling."""
    cpu = [p for p in points if p.backend == "cpu" and p.kind == "decode"]  # type: ignore[attr-defined]
    assert len(cpu) >= 12
    two = speed.step_seconds(4e9, 32, family="k-quant", backend="cpu", bandwidth_gbs=100, threads=2)
    eight = speed.step_seconds(
        4e9, 32, family="k-quant", backend="cpu", bandwidth_gbs=100, threads=8
    )
    assert two and eight and two > eight > 4e9 / 100e9
    assert (
        speed.inverse_efficiency("k-quant", "cpu") == speed.INVERSE_EFFICIENCY[("k-quant", "cpu")]
    )
    # The repacked Arm Q4_0 path is cheaper per byte and thread than the generic kernels, and
    # the product quotes the generic path (no CPU architecture is known): never the faster one.
    assert speed.PER_BYTE_THREAD["repacked"] < speed.PER_BYTE_THREAD["generic"]
    repacked = speed.step_seconds(
        4e9, 32, family="legacy", backend="cpu", bandwidth_gbs=100, threads=8, kernel="repacked"
    )
    generic = speed.step_seconds(4e9, 32, family="legacy", backend="cpu", bandwidth_gbs=100)
    assert repacked and generic and 4e9 / 100e9 < repacked < generic


def test_bench_prints_fit_and_test(capsys: pytest.CaptureFixture[str]) -> None:
    module = bench()
    sys.argv = ["speed.py"]
    assert module.main() == 0
    out = capsys.readouterr().out
    assert "decode   test  all" in out and "prefill  fit   all" in out


def test_scatter_is_the_fit_range(points: list[object]) -> None:
    module = bench()
    assert module.scatter(points, "decode") == pytest.approx(speed.DECODE_SCATTER, abs=0.01)
    assert module.scatter(points, "prefill") == pytest.approx(speed.PREFILL_SCATTER, abs=0.01)
    assert module.scatter(points, "cpu") == pytest.approx(speed.CPU_DECODE_SCATTER, abs=0.01)


def model(model_id: str):  # type: ignore[no-untyped-def]
    return next(m for m in load_catalog() if m.id == model_id)


def card(name: str, **extra: object) -> Hardware:
    gpu = find_gpu(name)
    return Hardware(
        label=gpu.name,
        vram_gib=gpu.usable_gib,
        gpu=gpu,
        bandwidth_gbs=gpu.memory_bandwidth_gbs,
        fp16_tflops=gpu.fp16_tflops,
        **extra,  # type: ignore[arg-type]
    )


def run(model_id: str, quant: str, hardware: Hardware, **sizing: int) -> speed.Speed:
    m = model(model_id)
    est = estimate_memory(m, quant, **sizing)
    result = assess(
        est, hardware, m.parameters.active_count, attention_width=speed.attention_width_of(m)
    )
    assert result.speed is not None
    return result.speed


def test_expected_sits_in_the_range_and_json_keeps_low_high() -> None:
    result = run("llama-3-8b", "q4_k_m", card("4090"))
    assert result.decode_low and result.decode_high and result.decode_expected
    assert result.decode_low < result.decode_expected < result.decode_high
    assert result.decode_mid == result.decode_expected
    data = result.as_dict()
    decode = data["decode_tokens_per_second"]
    assert isinstance(decode, dict) and set(decode) == {"low", "high", "expected"}
    assert data["context"] == 4096 and data["batch"] == 1 and data["per"] == "stream"
    assert data["time_to_first_token_seconds"] is not None


def test_batch_reads_weights_once_per_step() -> None:
    one = run("llama-3-8b", "q4_k_m", card("4090"), batch=1)
    eight = run("llama-3-8b", "q4_k_m", card("4090"), batch=8)
    assert one.decode_expected and eight.decode_expected and eight.aggregate_expected
    assert eight.decode_expected < one.decode_expected  # each stream is slower
    assert eight.aggregate_expected > 4 * one.decode_expected  # all together much faster


def test_longer_context_is_slower() -> None:
    short = run("llama-3-8b", "q4_k_m", card("4090"), context=512)
    long = run("llama-3-8b", "q4_k_m", card("4090"), context=8192)
    assert short.decode_expected and long.decode_expected
    assert long.decode_expected < short.decode_expected


def test_moe_reads_only_the_routed_experts() -> None:
    mixtral = run("mixtral-8x7b", "q4_k_m", card("a100-80gb-sxm"))
    dense = run("llama-2-70b", "q4_k_m", card("a100-80gb-sxm"))
    assert mixtral.decode_expected and dense.decode_expected
    assert mixtral.decode_expected > 2 * dense.decode_expected


def test_bitsandbytes_speed_is_unknown_not_llama_cpp() -> None:
    result = run("llama-2-7b", "bnb-nf4", card("4090"))
    assert result.decode_expected is None and result.prefill_expected is None
    assert "bitsandbytes" in result.note


def test_gptq_uses_its_runtime_only_on_cuda() -> None:
    assert run("llama-2-7b", "gptq-4bit", card("4090")).decode_expected
    assert run("llama-2-7b", "gptq-4bit", card("m2-max-96gb")).decode_expected is None


def test_cpu_only_speed_follows_ram_bandwidth() -> None:
    slow = Hardware(label="cpu", vram_gib=0, ram_gib=64, ram_bandwidth_gbs=51.2)
    fast = slow._replace(ram_bandwidth_gbs=find_cpu("ddr5-4800-12ch-genoa").memory_bandwidth_gbs)
    est = estimate_memory(model("llama-3-8b"), "q4_k_m")
    from llm_pick.estimate.fit import Fit

    cpu_fit = Fit("offload", 0, 0, 0, est.layers, est.total_bytes, 0)
    a = speed.estimate_speed(est, slow, cpu_fit, 8_000_000_000)
    b = speed.estimate_speed(est, fast, cpu_fit, 8_000_000_000)
    assert a.backend == "cpu" and a.decode_expected and b.decode_expected
    # More bandwidth is faster, but less than in proportion: the cores' side (shared by the
    # threads) does not scale with it; both stay under their RAM ceiling.
    assert 1.5 < b.decode_expected / a.decode_expected < 460.8 / 51.2
    assert a.ceiling and b.ceiling and b.ceiling / a.ceiling == pytest.approx(460.8 / 51.2)
    assert a.decode_expected < a.ceiling and b.decode_expected < b.ceiling
    # Prefill is compute bound (estimate/prefill.py): the RAM's bandwidth does not move it.
    assert a.prefill_expected and a.prefill_expected == pytest.approx(b.prefill_expected)


def test_driver_memory_is_what_fits_use() -> None:
    assert find_gpu("l4").usable_gib == pytest.approx(23034 / 1024)
    assert find_gpu("m2-max-96gb").usable_gib == pytest.approx(72.0)


def test_every_tensor_card_has_one_fp16_kind() -> None:
    from llm_pick.catalog.gpus import load_gpus

    kinds = {g.fp16_tflops_kind for g in load_gpus().values() if g.vendor == "nvidia"}
    assert kinds <= {"tensor-dense-fp16-accumulate", "shader"}
    for gpu in load_gpus().values():
        if gpu.fp16_tflops_kind == "shader":
            assert gpu.notes and "shader" in gpu.notes
