"""The cores' side of a CPU decode step (docs/methodology.md, "CPU-only decode"). Pure.

    cpu seconds = bytes x PER_BYTE_THREAD[path] / threads     dequantise and dot products
                + layers x threads x CPU_SYNC                 the barriers every operation ends in

Both are costs (fitted with a floor of 0 by bench/speed.py), added to the bandwidth part, so no
CPU step beats bytes / RAM bandwidth. More threads share the first term and pay more of the
second: a step is fastest at some thread count, and past it more threads are slower.
"""

from __future__ import annotations

# ---- fitted constants (bench/speed.py --fit prints them; tests/test_speed.py refits) ------
# Seconds per byte and thread, by kernel path: "repacked" is Q4_0/IQ4_NL on Arm after llama.cpp's
# runtime repacking (PR #9921, Nov 2024; KleidiAI's too); "8-bit" is Q8_0's int8 dot product (half
# the weights of a 4-bit format per byte, no unpacking); "generic" is every other format and build.
PER_BYTE_THREAD: dict[str, float] = {"generic": 5.28e-11, "repacked": 2.17e-11, "8-bit": 4.29e-11}
# Seconds per layer and thread: a step's operations each end at a barrier that all threads reach,
# and meeting costs more the more threads there are (the fit: 0.18 ms a layer at 96 threads).
CPU_SYNC = 1.87e-06
# 10th / 90th percentiles of measured / expected on the CPU-only fit points: the printed range.
CPU_DECODE_SCATTER = (0.43, 1.14)
# ---------------------------------------------------------------------------------------------


def thread_path(family: str, kernel: str = "generic") -> str:
    """The key of PER_BYTE_THREAD for a format family on a CPU kernel path."""
    return "8-bit" if kernel == "generic" and family == "8-bit" else kernel


def cores_seconds(read_bytes: float, layers: int, threads: int, family: str, kernel: str) -> float:
    """The cores' side of a CPU step: the threads' share of the per-byte work, plus barriers."""
    path = thread_path(family, kernel)
    return read_bytes * PER_BYTE_THREAD[path] / threads + layers * threads * CPU_SYNC
