"""Speed estimates. Pure functions.

Decode is memory-bandwidth bound: each generated token reads the active weights and the
whole KV cache once, so tokens/s ~= efficiency x bandwidth / bytes per token. Prefill is
compute bound: about 2 x active parameters FLOPs per prompt token. Efficiencies are ranges
measured by others (docs/methodology.md), so every speed is a range and an estimate.
"""

from __future__ import annotations

from typing import NamedTuple

from llm_pick.estimate.fit import Fit
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.memory import Estimate

# Share of peak memory bandwidth llama.cpp reaches decoding one stream: measured 45-91% on
# Apple M2/M4 (llama.cpp discussion #4167) and 48-82% on RTX 3090/3090 Ti/4090 (PR #4766,
# #4812); small quantized models sit at the low end.
DECODE_EFFICIENCY = (0.45, 0.85)
# Share of peak fp16 FLOPS reached in prompt processing: Llama-3-8B Q6_K at 4668 tokens/s on
# an RTX 4090 is 45% of its 165 TFLOPS (dmatora/LLM-inference-speed-benchmarks#10); the range
# around that single measurement is an assumption.
PREFILL_EFFICIENCY = (0.3, 0.6)


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
    if fit.verdict == "cpu":
        return 0.0
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
    gpu_gbs = hardware.bandwidth_gbs or (1.0 if fit.verdict == "cpu" else None)
    if gpu_gbs and fit.verdict != "none":
        share = gpu_share(fit)
        for i, eff in enumerate(DECODE_EFFICIENCY):
            decode[i] = decode_rate(per_token, share, gpu_gbs, hardware.ram_bandwidth_gbs, eff)
    prefill: list[float | None] = [None, None]
    if hardware.fp16_tflops and fit.verdict == "gpu":
        flops_per_token = 2 * active_params
        for i, eff in enumerate(PREFILL_EFFICIENCY):
            prefill[i] = hardware.fp16_tflops * 1e12 * eff / flops_per_token
    return Speed(decode[0], decode[1], prefill[0], prefill[1], per_token)
