"""Prefill (the prompt's compute) on the cards, on the CPU, and with layers in RAM
(docs/methodology.md, "CPU prefill"). Pure functions.

On the CPU, compute bound:

    seconds per prompt token = FLOPs / min(CPU_PREFILL_RATE x CPU_KERNEL_FACTOR[kernel]
                                           x threads ^ CPU_THREAD_EXPONENT,
                                           threads x CPU_PEAK_OPS_PER_THREAD[peak of the kernel])

FLOPs as on a card (speedkinds.prefill_flops); kernel is llama.cpp's CPU matmul path for the
format (cpu_kernel). The rate, exponent and factors are fitted by bench/cpu_prefill.py on published
llama-bench ppN rows (bench/data/speed_points_cpu_prefill*.yaml); the peak is physics, not fitted.
GPU-only formats (GPTQ, AWQ, bitsandbytes) and ternary get no CPU figure.

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
from llm_pick.estimate.speedkinds import (
    DEFAULT_CPU_THREADS,
    Work,
    device_prefill_seconds,
    format_family,
)

# ---- fitted (bench/cpu_prefill.py prints them; tests/test_prefill.py refits) ------------------
CPU_PREFILL_RATE = 2.12e11  # FLOP/s of one thread on the k-quant kernels
CPU_THREAD_EXPONENT = 0.494  # rate grows as threads ^ this (across the measured CPUs)
# By kernel, x the k-quant rate: "tiled" is Q4_0, Q8_0 and IQ4_NL (llamafile's tinyBLAS since
# llama.cpp PR #6414, and the runtime repacking of PR #9921), "i-quant" the IQ1-IQ3 codebook
# formats (a table lookup per weight), "16-bit" F16/BF16/F32 weights.
CPU_KERNEL_FACTOR: dict[str, float] = {
    "k-quant": 1.0,
    "tiled": 1.54,
    "i-quant": 0.547,
    "16-bit": 1.53,
}
CPU_PREFILL_SCATTER = (0.61, 1.78)  # 10th / 90th percentiles of measured / expected (fit rows)
# ---------------------------------------------------------------------------------------------
# Physics: no CPU core multiplies faster than Intel AMX: 2048 INT8 or 1024 BF16 operations per
# cycle per core (4th Gen Xeon; Wikipedia "Advanced Matrix Extensions", citing Intel), at 6.2 GHz
# (the Core i9-14900KS's boost clock out of the box, Ars Technica 2024-03). llama.cpp multiplies
# quantized weights as int8 dot products (the activations quantized to 8 bits) and 16-bit weights
# in 16-bit or wider floats: no estimate passes threads x the peak of its kind.
CPU_PEAK_OPS_PER_THREAD: dict[str, float] = {"int8": 2048 * 6.2e9, "16-bit": 1024 * 6.2e9}

CPU_BASIS = (
    "CPU prefill at {threads} threads{assumed}, {kernel} kernels: fitted on published "
    "llama-bench pp rows (estimated, bench/cpu_prefill.py); at most {peak:.3g} TFLOPS "
    "(threads x the AMX peak for the format)"
)
OFFLOAD_BASIS = (
    "; layers in RAM prefilled on the CPU (llama.cpp --no-op-offload); by default llama.cpp "
    "copies their weights to the GPU for batches of 32+ tokens, not modelled"
)


class Prefill(NamedTuple):
    seconds: float | None  # per prompt token
    scatter: tuple[float, float]  # low / high of measured / expected
    basis: str  # "" when the card alone prefills
    ceiling: float | None = None  # prompt tokens/s with the CPU part at its peak (None: no CPU)

    def capped(self, rate: float) -> float:
        """`rate` (prompt tokens/s), at most the ceiling."""
        return rate if self.ceiling is None else min(rate, self.ceiling)


def cpu_kernel(quant: str) -> str | None:
    """llama.cpp's CPU matmul path for a format name (estimate/quant.py), or None when
    llama.cpp does not run the format on the CPU (GPU-only formats, ternary)."""
    if quant in ("fp16", "bf16", "fp32"):
        return "16-bit"
    if quant in ("q4_0", "q8_0", "iq4_nl"):
        return "tiled"
    if quant.startswith(("iq1", "iq2", "iq3")):
        return "i-quant"
    if quant.startswith(("q", "iq")):
        return "k-quant"
    return None


def cpu_peak_ops(kernel: str) -> float:
    """Operations per second of one thread at the physical peak of the kernel's kind."""
    return CPU_PEAK_OPS_PER_THREAD["16-bit" if kernel == "16-bit" else "int8"]


def cpu_prefill_rate(threads: int, kernel: str) -> float:
    """FLOP/s of the CPU at `threads` threads (llama.cpp -t) on a kernel, under its peak."""
    fitted = CPU_PREFILL_RATE * CPU_KERNEL_FACTOR[kernel] * math.pow(threads, CPU_THREAD_EXPONENT)
    return min(fitted, threads * cpu_peak_ops(kernel))


def cpu_prefill_seconds(flops: float, threads: int, kernel: str = "k-quant") -> float:
    """Seconds of CPU compute for `flops` at `threads` threads on a kernel."""
    return flops / cpu_prefill_rate(threads, kernel)


def prefill_step(
    flops: float | Work, hardware: Hardware, share: float, quant: str, backend: str
) -> Prefill:
    """Seconds per prompt token of `flops`, a share `share` of them on the cards (0: CPU only);
    `quant` is the format's name (estimate/quant.py): its CPU kernel and its GPU family."""
    family = format_family(quant)
    total = flops.flops if isinstance(flops, Work) else flops
    gpu_scatter = (0.0, 0.0)  # the caller's (speed.PREFILL_SCATTER) when basis is ""
    device = None
    if share > 0:
        device = device_prefill_seconds(flops, hardware.fp16_tflops, family, backend, hardware.gpu)
        if share >= 1 or device is None:
            return Prefill(device, gpu_scatter, "")
    kernel = cpu_kernel(quant)
    if kernel is None:
        return Prefill(None, gpu_scatter, "")
    threads = hardware.threads or DEFAULT_CPU_THREADS
    cpu = cpu_prefill_seconds(total * (1 - share), threads, kernel)
    peak = threads * cpu_peak_ops(kernel)
    basis = CPU_BASIS.format(
        threads=threads,
        assumed="" if hardware.threads else " (assumed)",
        kernel=kernel,
        peak=peak / 1e12,
    )
    # tokens/s with the CPU part's FLOPs at the peak, floored to 0.1 (still a bound, as printed)
    ceiling = peak / (total * (1 - share))
    ceiling = math.floor(ceiling * 10) / 10 or ceiling
    if device is None:
        return Prefill(cpu, CPU_PREFILL_SCATTER, basis, ceiling)
    return Prefill(device * share + cpu, CPU_PREFILL_SCATTER, basis + OFFLOAD_BASIS, ceiling)
