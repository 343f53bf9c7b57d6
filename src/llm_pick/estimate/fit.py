"""Fit verdicts (GPU / partial CPU offload / no fit) and speed estimates. Pure functions.

Decode is memory-bandwidth bound: each generated token reads the active weights and the
whole KV cache once, so tokens/s ~= efficiency x bandwidth / bytes per token. Prefill is
compute bound: about 2 x active parameters FLOPs per prompt token. Efficiencies are ranges
measured by others (docs/methodology.md), so every speed is a range and an estimate.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from llm_pick.estimate.hardware import GIB, Hardware
from llm_pick.estimate.memory import CUDA_CONTEXT_BYTES, Estimate

# Share of peak memory bandwidth llama.cpp reaches decoding one stream: measured 45-91% on
# Apple M2/M4 (llama.cpp discussion #4167) and 48-82% on RTX 3090/3090 Ti/4090 (PR #4766,
# #4812); small quantized models sit at the low end.
DECODE_EFFICIENCY = (0.45, 0.85)
# Share of peak fp16 FLOPS reached in prompt processing: Llama-3-8B Q6_K at 4668 tokens/s on
# an RTX 4090 is 45% of its 165 TFLOPS (dmatora/LLM-inference-speed-benchmarks#10); the range
# around that single measurement is an assumption.
PREFILL_EFFICIENCY = (0.3, 0.6)

Verdict = Literal["gpu", "offload", "none"]


class Fit(NamedTuple):
    verdict: Verdict
    needed_bytes: int  # on the GPUs when everything is there
    available_bytes: int  # usable GPU memory, all cards
    gpu_layers: int  # decoder layers on the GPU (all when verdict is gpu)
    layers: int
    cpu_bytes: int  # bytes left in system RAM (offload)
    margin_bytes: int  # available - needed (GPU), or RAM left after offload

    def as_dict(self) -> dict[str, object]:
        return {
            "verdict": self.verdict,
            "needed_bytes": self.needed_bytes,
            "available_bytes": self.available_bytes,
            "margin_bytes": self.margin_bytes,
            "gpu_layers": self.gpu_layers,
            "layers": self.layers,
            "cpu_bytes": self.cpu_bytes,
        }


def needed_on_gpus(estimate: Estimate, hardware: Hardware) -> int:
    """Everything on the GPUs: each extra card holds its own CUDA context."""
    return estimate.total_bytes + (hardware.gpus - 1) * CUDA_CONTEXT_BYTES


def check_fit(estimate: Estimate, hardware: Hardware) -> Fit:
    available = hardware.vram_bytes * hardware.gpus
    needed = needed_on_gpus(estimate, hardware)
    layers = estimate.layers
    if needed <= available:
        return Fit("gpu", needed, available, layers, layers, 0, available - needed)
    ram = int(hardware.ram_gib * GIB)
    if estimate.mode != "inference" or ram <= 0:
        return Fit("none", needed, available, 0, layers, 0, available - needed)
    # Partial offload (llama.cpp -ngl): whole decoder layers with their KV cache go to the
    # GPU; the rest (and the embedding/output tensors) stays in system RAM.
    per_layer = (estimate.layer_weight_bytes + estimate.kv_cache_bytes) / layers
    fixed = estimate.overhead_bytes + (hardware.gpus - 1) * CUDA_CONTEXT_BYTES
    gpu_layers = max(0, min(layers - 1, int((available - fixed) // per_layer)))
    on_gpu = fixed + int(gpu_layers * per_layer)
    cpu = estimate.total_bytes - estimate.overhead_bytes - int(gpu_layers * per_layer)
    if cpu <= ram:
        return Fit("offload", on_gpu, available, gpu_layers, layers, cpu, ram - cpu)
    return Fit("none", needed, available, gpu_layers, layers, cpu, ram - cpu)


class Speed(NamedTuple):
    decode_low: float | None
    decode_high: float | None
    prefill_low: float | None
    prefill_high: float | None
    bytes_per_token: int

    def as_dict(self) -> dict[str, object]:
        return {
            "decode_tokens_per_second": _range(self.decode_low, self.decode_high),
            "prefill_tokens_per_second": _range(self.prefill_low, self.prefill_high),
            "bytes_read_per_token": self.bytes_per_token,
            "estimated": True,
        }

    @property
    def decode_mid(self) -> float | None:
        if self.decode_low is None or self.decode_high is None:
            return None
        return (self.decode_low + self.decode_high) / 2


def _range(low: float | None, high: float | None) -> dict[str, float] | None:
    if low is None or high is None:
        return None
    return {"low": round(low, 1), "high": round(high, 1)}


def bytes_per_token(estimate: Estimate) -> int:
    """Active weights plus one sequence's whole KV cache."""
    return estimate.active_weight_bytes + estimate.kv_cache_bytes // estimate.batch


def gpu_share(fit: Fit) -> float:
    """The share of the decoder layers (and of the bytes read per token) on the GPU."""
    return fit.gpu_layers / fit.layers if fit.verdict == "offload" else 1.0


def decode_rate(
    per_token: int, share: float, gpu_gbs: float, ram_gbs: float, efficiency: float
) -> float:
    """Tokens/s when each token reads `per_token` bytes, `share` of them from the GPU."""
    seconds = per_token * share / (gpu_gbs * 1e9 * efficiency)
    seconds += per_token * (1 - share) / (ram_gbs * 1e9 * efficiency)
    return 1 / seconds


def estimate_speed(estimate: Estimate, hardware: Hardware, fit: Fit, active_params: int) -> Speed:
    per_token = bytes_per_token(estimate)
    decode: list[float | None] = [None, None]
    if hardware.bandwidth_gbs and fit.verdict != "none":
        share = gpu_share(fit)
        for i, eff in enumerate(DECODE_EFFICIENCY):
            decode[i] = decode_rate(
                per_token, share, hardware.bandwidth_gbs, hardware.ram_bandwidth_gbs, eff
            )
    prefill: list[float | None] = [None, None]
    if hardware.fp16_tflops and fit.verdict == "gpu":
        flops_per_token = 2 * active_params
        for i, eff in enumerate(PREFILL_EFFICIENCY):
            prefill[i] = hardware.fp16_tflops * 1e12 * eff / flops_per_token
    return Speed(decode[0], decode[1], prefill[0], prefill[1], per_token)


class Assessment(NamedTuple):
    """One model at one quantization on (optionally) given hardware."""

    estimate: Estimate
    fit: Fit | None
    speed: Speed | None

    def as_dict(self) -> dict[str, object]:
        data = self.estimate.as_dict()
        data["fit"] = self.fit.as_dict() if self.fit else None
        data["speed"] = self.speed.as_dict() if self.speed else None
        return data


def assess(estimate: Estimate, hardware: Hardware | None, active_params: int) -> Assessment:
    if hardware is None:
        return Assessment(estimate, None, None)
    fit = check_fit(estimate, hardware)
    return Assessment(estimate, fit, estimate_speed(estimate, hardware, fit, active_params))
