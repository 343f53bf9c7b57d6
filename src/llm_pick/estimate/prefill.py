"""Prefill (the prompt's compute) on the cards, on the CPU, and with layers in RAM
(docs/methodology.md, "CPU prefill"). Pure functions.

On the CPU, seconds per prompt token = FLOPs / (CPU_PREFILL_RATE x threads ^ CPU_THREAD_EXPONENT),
FLOPs as on a card (speedkinds.prefill_flops). Both constants are fitted by bench/cpu_prefill.py on
published llama-bench ppN rows (bench/data/speed_points_cpu_prefill.yaml); the rows are llama.cpp
quantized formats only, so 16-bit and GPU-only formats get no CPU figure.

With layers in RAM, the layers' share of the FLOPs (the share of the weights read, as for decode)
runs at the CPU's rate, the rest at the card's: the figure of llama.cpp --no-op-offload. By default
llama.cpp copies a CPU layer's weights to the card for a batch of 32 tokens or more and multiplies
there (ggml-cuda.cu, ggml_backend_cuda_device_offload_op: min_batch_size = 32), at the PCIe link's
speed, which llm-pick does not know: that path is not modelled, and the basis says so.
"""

from __future__ import annotations

import math

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.speedkinds import DEFAULT_CPU_THREADS, Work, device_prefill_seconds

# ---- fitted (bench/cpu_prefill.py prints them; tests/test_prefill.py refits) ------------------
CPU_PREFILL_RATE = 2.3e11  # FLOP/s of one thread (llama.cpp's quantized CPU matmul)
CPU_THREAD_EXPONENT = 0.432  # rate grows as threads ^ this (across the measured CPUs)
CPU_PREFILL_SCATTER = (0.76, 1.39)  # 10th / 90th percentiles of measured / expected (fit rows)
# ---------------------------------------------------------------------------------------------
# Physics: no CPU thread multiplies faster than Intel AMX's 2048 INT8 operations per cycle per
# core (4th Gen Xeon; Wikipedia "Advanced Matrix Extensions", citing Intel) at 6.2 GHz (the
# Core i9-14900KS's boost clock out of the box, Ars Technica 2024-03): no estimate passes it.
CPU_PEAK_OPS_PER_THREAD = 2048 * 6.2e9
CPU_FAMILIES = ("k-quant", "legacy", "8-bit")  # the formats of the fitted rows

CPU_BASIS = (
    "CPU prefill at {threads} threads{assumed}: fitted on published llama-bench pp rows "
    "(estimated, bench/cpu_prefill.py)"
)
OFFLOAD_BASIS = (
    "; layers in RAM prefilled on the CPU (llama.cpp --no-op-offload); by default llama.cpp "
    "copies their weights to the GPU for batches of 32+ tokens, not modelled"
)


class Prefill(NamedTuple):
    seconds: float | None  # per prompt token
    scatter: tuple[float, float]  # low / high of measured / expected
    basis: str  # "" when the card alone prefills


def cpu_prefill_seconds(flops: float, threads: int) -> float:
    """Seconds of CPU compute for `flops` at `threads` threads (llama.cpp -t)."""
    return flops / (CPU_PREFILL_RATE * math.pow(threads, CPU_THREAD_EXPONENT))


def prefill_step(
    flops: float | Work, hardware: Hardware, share: float, family: str, backend: str
) -> Prefill:
    """Seconds per prompt token of `flops`, a share `share` of them on the cards (0: CPU only)."""
    total = flops.flops if isinstance(flops, Work) else flops
    gpu_scatter = (0.0, 0.0)  # the caller's (speed.PREFILL_SCATTER) when basis is ""
    device = None
    if share > 0:
        device = device_prefill_seconds(flops, hardware.fp16_tflops, family, backend, hardware.gpu)
        if share >= 1 or device is None:
            return Prefill(device, gpu_scatter, "")
    if family not in CPU_FAMILIES:
        return Prefill(None, gpu_scatter, "")
    threads = hardware.threads or DEFAULT_CPU_THREADS
    cpu = cpu_prefill_seconds(total * (1 - share), threads)
    basis = CPU_BASIS.format(threads=threads, assumed="" if hardware.threads else " (assumed)")
    if device is None:
        return Prefill(cpu, CPU_PREFILL_SCATTER, basis)
    return Prefill(device * share + cpu, CPU_PREFILL_SCATTER, basis + OFFLOAD_BASIS)
