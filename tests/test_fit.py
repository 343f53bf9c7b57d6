"""Fit verdicts and the partial-offload arithmetic (estimate/fit.py)."""

from __future__ import annotations

from llm_pick.catalog.load import load_catalog
from llm_pick.estimate.fit import CUDA_CONTEXT_BYTES, check_fit
from llm_pick.estimate.hardware import GIB, Hardware
from llm_pick.estimate.memory import estimate_memory
from llm_pick.estimate.speed import decode_rate

CATALOG = load_catalog(bundled=True, use_env=False)


def test_offload_puts_whole_layers_on_the_gpu_and_the_rest_in_ram() -> None:
    est = estimate_memory(CATALOG.get("mixtral-8x7b"), "q4_k_m", context=4096)
    hw = Hardware("24 GiB", 24.0, ram_gib=64.0)
    fit = check_fit(est, hw)
    assert fit.verdict == "offload"
    headroom = int(24 * GIB * 0.05)  # 1.2 GiB: more than the 0.5 GiB floor
    per_layer = (est.layer_weight_bytes + est.kv_cache_bytes) / est.layers
    expected_layers = int((24 * GIB - headroom - est.overhead_bytes) // per_layer)
    assert fit.gpu_layers == expected_layers == 26
    (card,) = fit.cards
    assert fit.needed_bytes == card.total_bytes <= 24 * GIB - headroom
    assert card.overhead_bytes == est.overhead_bytes and card.layers == expected_layers
    outside = est.weights_bytes - est.layer_weight_bytes  # embeddings and output head in RAM
    in_ram = outside + int((est.layers - expected_layers) * per_layer) + est.compute_buffer_bytes
    assert fit.cpu_bytes == in_ram
    assert fit.margin_bytes == 64 * GIB - int(64 * GIB * 0.10) - in_ram


def test_every_extra_card_carries_its_own_cuda_context_and_buffer() -> None:
    est = estimate_memory(CATALOG.get("llama-3-70b"), "q4_k_m", context=4096)
    two = check_fit(est, Hardware("2 x 48", 48.0, gpus=2))
    assert two.verdict == "gpu"
    assert est.overhead_bytes == CUDA_CONTEXT_BYTES + est.compute_buffer_bytes
    # the second card: its own CUDA context and a compute buffer without the logits (one
    # row per slot in llama-server since llama.cpp PR #23861: no larger than the layer set
    # here); the token embeddings in RAM (llama-model.cpp keeps the input layer on the CPU)
    extra = CUDA_CONTEXT_BYTES + est.layer_compute_bytes
    assert 0 < est.layer_compute_bytes <= est.compute_buffer_bytes
    assert est.input_bytes > 0
    assert two.needed_bytes == est.total_bytes - est.input_bytes + extra
    assert [c.layers for c in two.cards] == [40, 40]
    assert sum(c.total_bytes for c in two.cards) == two.needed_bytes


def test_no_ram_means_no_offload() -> None:
    est = estimate_memory(CATALOG.get("llama-3-70b"), "q4_k_m", context=4096)
    fit = check_fit(est, Hardware("24 GiB", 24.0))
    assert fit.verdict == "none" and fit.gpu_layers == 0


def test_decode_rate_splits_the_bytes_by_where_they_live() -> None:
    # 1 GB per token at 100 GB/s on the GPU and 10 GB/s in RAM, half each, 100% efficiency
    assert decode_rate(10**9, 1.0, 100.0, 10.0, 1.0) == 100.0
    assert abs(decode_rate(10**9, 0.5, 100.0, 10.0, 1.0) - 1 / (0.005 + 0.05)) < 1e-9
