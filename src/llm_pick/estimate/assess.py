"""One model (a catalog entry or a GGUF file) at one format on (optionally) given hardware:
the estimate, the fit verdict and the speed, written once for recommend, explain, memory and
compare; and the longest context that keeps the same placement."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.catalog.types import Model
from llm_pick.estimate.cudactx import on_hardware
from llm_pick.estimate.fit import Fit, max_context
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.memory import Estimate, estimate_memory
from llm_pick.estimate.quant import Quant
from llm_pick.estimate.sizing import Sizing
from llm_pick.estimate.speed import (
    DEFAULT_PROMPT_TOKENS,
    Speed,
    attention_width_of,
    estimate_speed,
    prefill_flops,
)
from llm_pick.estimate.trainfit import Resize, fit_of

if TYPE_CHECKING:  # GGUF files: imported when one is assessed
    from llm_pick.estimate.modelfile import FileModel


class Assessment(NamedTuple):
    """One model at one quantization on (optionally) given hardware."""

    estimate: Estimate
    fit: Fit | None
    speed: Speed | None

    @property
    def overhead_bytes(self) -> int:
        """The runtime overhead of every card the model is placed on: each holds its own CUDA
        context and compute buffer (estimate.overhead_bytes is one card's)."""
        cards = self.fit.cards if self.fit else ()
        if self.estimate.mode != "inference" or len(cards) < 2:
            return self.estimate.overhead_bytes
        return sum(c.overhead_bytes for c in cards)

    @property
    def total_bytes(self) -> int:
        """The whole footprint: the estimate's, with every card's overhead."""
        est = self.estimate
        return est.total_bytes - est.overhead_bytes + self.overhead_bytes

    def as_dict(self) -> dict[str, object]:
        data = self.estimate.as_dict()
        if self.overhead_bytes != self.estimate.overhead_bytes:  # several cards
            data["overhead_per_card_bytes"] = self.estimate.overhead_bytes
            data["overhead_bytes"] = self.overhead_bytes
            data["total_bytes"] = self.total_bytes
        data["fit"] = self.fit.as_dict() if self.fit else None
        data["speed"] = self.speed.as_dict() if self.speed else None
        return data


def assess(  # noqa: PLR0913 (attention_width, resized, prompt_tokens: keyword-only)
    estimate: Estimate,
    hardware: Hardware | None,
    active_params: int,
    *,
    attention_width: int = 0,
    resized: Resize | None = None,
    prompt_tokens: int | None = None,
) -> Assessment:
    """`attention_width` = layers x attention heads x head dim (prefill's attention FLOPs);
    `resized(tokens, batch)`: the estimate at another size (a fine-tune's options)."""
    if hardware is None:
        return Assessment(estimate, None, None)
    fit = fit_of(estimate, hardware, resized)
    if estimate.mode != "inference":  # training speed is not modelled: no inference figures
        return Assessment(estimate, fit, None)
    machine = split_speeds(hardware, fit) if hardware.mixed else hardware
    speed = estimate_speed(
        estimate,
        machine,
        fit,
        active_params,
        attention_width=attention_width,
        prompt_tokens=prompt_tokens or DEFAULT_PROMPT_TOKENS,
    )
    if hardware.calibration is not None and not hardware.mixed:
        from llm_pick.estimate.calibrated import calibrated_speed

        flops = prefill_flops(active_params, attention_width, speed.prompt_tokens)
        speed = calibrated_speed(speed, estimate, hardware, fit, flops)
    return Assessment(estimate, fit, speed)


def split_speeds(hardware: Hardware, fit: Fit) -> Hardware:
    """Mixed cards run at the speed of the split: each card reads its own layers at its own
    bandwidth, one after the other, so a token takes sum(bytes on card / its bandwidth); the
    same for prefill's FLOPs per layer. As one bandwidth: bytes / that time."""
    cards = [(c, g) for c, g in zip(fit.cards, hardware.mixed, strict=False) if c.layers]
    if len(fit.cards) != len(hardware.mixed) or not cards:
        return hardware
    read = [(c.weights_bytes - c.encoder_bytes + c.kv_cache_bytes, g) for c, g in cards]
    moved = sum(b for b, _ in read)  # a projector is not read per token
    seconds = sum(b / g.memory_bandwidth_gbs for b, g in read)
    tflops = None
    if all(g.fp16_tflops for _, g in cards):
        work = sum(c.layers / (g.fp16_tflops or 1) for c, g in cards)
        tflops = sum(c.layers for c, _ in cards) / work
    return hardware._replace(bandwidth_gbs=moved / seconds, fp16_tflops=tflops)


def estimate_sized(subject: Model | FileModel, quant: Quant | str, sizing: Sizing) -> Estimate:
    """The memory of a catalog model in a format, or of a GGUF file (its own format: `quant`
    is not used), at a sizing."""
    if not isinstance(subject, Model):  # a GGUF file (estimate/modelfile.py)
        from llm_pick.estimate.modelfile import estimate_file

        return estimate_file(
            subject,
            context=sizing.context,
            batch=sizing.batch,
            kv_dtype=sizing.kv_dtype,
            flash_attn=sizing.flash_attn,
        )
    return estimate_memory(
        subject,
        quant,
        context=sizing.context,
        batch=sizing.batch,
        kv_dtype=sizing.kv_dtype,
        flash_attn=sizing.flash_attn,
        mode=sizing.mode,
        lora_rank=sizing.lora_rank,
        text_only=sizing.text_only,
        ubatch=sizing.ubatch,
        v_dtype=sizing.v_dtype,
    )


def estimate_on(
    subject: Model | FileModel, quant: Quant | str, sizing: Sizing, hardware: Hardware | None
) -> Estimate:
    """estimate_sized, with these cards' CUDA context (estimate/cudactx.py) and the compute
    buffer of the user's load logs on this hardware when one matches (estimate/buffered.py)."""
    found = on_hardware(estimate_sized(subject, quant, sizing), hardware)
    if hardware is None or hardware.calibration is None or not hardware.calibration.buffers:
        return found
    from llm_pick.estimate.buffered import measured_buffer

    model = subject if isinstance(subject, Model) else subject.model

    def at(tokens: int) -> Estimate:
        return on_hardware(
            estimate_sized(subject, quant, replace(sizing, context=tokens)), hardware
        )

    return measured_buffer(found, model, hardware, at)


def assess_model(
    subject: Model | FileModel, quant: Quant | str, sizing: Sizing, hardware: Hardware | None
) -> Assessment:
    """Estimate a model in one format and assess it on this hardware (fit and speed)."""
    model = subject if isinstance(subject, Model) else subject.model

    def resized(tokens: int, batch: int) -> Estimate:
        sized = estimate_sized(subject, quant, replace(sizing, context=tokens, batch=batch))
        return on_hardware(sized, hardware)

    return assess(
        estimate_on(subject, quant, sizing, hardware),
        hardware,
        model.parameters.active_count,
        attention_width=attention_width_of(model),
        resized=resized,
        prompt_tokens=sizing.prompt_tokens,
    )


PLACEMENTS = {"gpu": ("gpu",), "offload": ("gpu", "offload"), "cpu": ("cpu",)}


def longest_context(
    subject: Model | FileModel,
    item: Assessment,
    hardware: Hardware | None,
    asked: Sizing | None = None,
) -> int:
    """The most tokens this format fits with the same placement (all on the GPUs stays on the
    GPUs; a format that does not fit at the asked context: any placement), capped at the
    model's context."""
    model = subject if isinstance(subject, Model) else subject.model
    if hardware is None or item.fit is None:
        return model.context_length
    est = item.estimate
    allowed = PLACEMENTS.get(item.fit.verdict, ("gpu", "offload", "cpu"))
    sizing = asked or Sizing(
        batch=est.batch,
        kv_dtype=est.kv_dtype,
        flash_attn=est.flash_attn,
        mode=est.mode,
        ubatch=est.ubatch,
        v_dtype=est.v_dtype,
        text_only=est.text_only,
    )

    margins: dict[int, float] = {}

    def fits(tokens: int) -> bool:
        sized = estimate_on(subject, est.quant, sizing.at(tokens), hardware)
        fit = fit_of(sized, hardware)
        margins[tokens] = fit.margin_bytes
        return fit.verdict in allowed

    return max_context(fits, model.context_length, margins.get)
