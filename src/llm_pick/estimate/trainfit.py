"""Fit verdicts for fine-tuning (LoRA, QLoRA, full): the whole training footprint, weights,
adapters, gradients, optimizer states and activations, per card; and the options that would
bring it within the cards. Inference verdicts stay in fit.py; `fit_of` picks the right one.

Sharding: one card holds everything. With several cards, ZeRO stage 3 / FSDP full sharding
(arXiv 1910.02054 §5.3; PyTorch FSDP, arXiv 2304.11277) is assumed: weights, adapters,
gradients and optimizer states are split evenly between the cards, each card gathers a
decoder layer's full weights while it computes it (and prefetches the next: two layers), and
each card keeps the activations of its own micro-batch (`--batch` sequences per card).

ZeRO-Offload (Ren et al., arXiv 2101.06840; DeepSpeed `offload_optimizer: {"device": "cpu"}`,
ZeRO stage 2 or 3, docs/_pages/config-json.md "Optimizer offloading": "offload optimizer state",
"optimizer computation is offload to CPU regardless of device option") moves the optimizer
state, for Adam "32-bit weights, and the first, and second moment estimates" (DeepSpeed
zero3.rst, ZeRO stage 1) and its step to the CPU: `optimizer_bytes` leave the cards; the
gradients are still counted on them (their buckets are reduced there). In RAM each rank keeps
its fp32 master weights, moments and an fp32 gradient partition of the same size
(deepspeed/runtime/zero/stage_1_and_2.py: the optimizer's device is 'cpu' with cpu_offload;
initialize_optimizer_states gives the fp32 partition a gradient of its own dtype there).
"""

from __future__ import annotations

from collections.abc import Callable

from llm_pick.estimate.fit import check_fit, max_context
from llm_pick.estimate.fittypes import Card, Fit, Offload, Verdict
from llm_pick.estimate.hardware import GIB, Hardware
from llm_pick.estimate.memory import Estimate
from llm_pick.estimate.quant import CPU_ONLY

MAX_CARDS = 64  # the most cards an option suggests

SHARDING_NOTES = {
    "none": "one card holds the whole training state (no sharding)",
    "zero3": (
        "ZeRO-3 / FSDP full sharding assumed: weights, gradients and optimizer states split "
        "evenly between the cards (cards of different sizes: the smallest binds), two decoder "
        "layers' weights gathered at a time, each card keeping its own micro-batch's activations"
    ),
}


Resize = Callable[[int, int], Estimate]  # (tokens, batch) -> the same estimate resized


def fit_of(estimate: Estimate, hardware: Hardware, resized: Resize | None = None) -> Fit:
    """The inference verdict (fit.check_fit), or for fine-tuning the training verdict. A
    format only a CPU runtime loads (I2_S: bitnet.cpp's llama-cli runs with -ngl 0, its
    run_inference.py) is placed in RAM whatever the cards."""
    if estimate.mode == "inference" and estimate.quant in CPU_ONLY and hardware.vram_bytes > 0:
        hardware = hardware.on_cpu()
    if estimate.mode == "inference" or hardware.vram_bytes <= 0:
        return check_fit(estimate, hardware)
    return training_fit(estimate, hardware, resized)


def _state(estimate: Estimate) -> int:
    """What ZeRO-3 shards: weights, adapters, gradients and optimizer states."""
    return (
        estimate.weights_bytes
        + estimate.adapter_bytes
        + estimate.gradient_bytes
        + estimate.optimizer_bytes
    )


def per_card_bytes(estimate: Estimate, cards: int) -> int:
    """One card's share of the training footprint on `cards` cards (ZeRO-3 when > 1)."""
    fixed = estimate.overhead_bytes + estimate.activation_bytes
    if cards == 1:
        return _state(estimate) + fixed
    gathered = 2 * estimate.layer_weight_bytes // max(1, estimate.layers)
    return -(-_state(estimate) // cards) + gathered + fixed


def training_fit(estimate: Estimate, hardware: Hardware, resized: Resize | None = None) -> Fit:
    """All of the training footprint on the GPUs (fine-tuning does not offload here)."""
    n, per_card = hardware.gpus, hardware.vram_bytes
    usable = per_card - hardware.headroom_bytes
    sharding = "none" if n == 1 else "zero3"
    weights = estimate.weights_bytes if n == 1 else -(-estimate.weights_bytes // n)
    total = per_card_bytes(estimate, n)
    training = total - weights - estimate.overhead_bytes
    # each card its own memory and headroom (a mixed set); the equal shares bind on the least
    rooms = [
        (int(gpu.usable_gib * GIB), hardware.card_headroom_bytes(gpu)) for gpu in hardware.mixed
    ] or [(per_card, hardware.headroom_bytes)] * n
    cards = tuple(
        Card(estimate.layers, weights, 0, estimate.overhead_bytes, size, kept, training)
        for size, kept in rooms
    )
    margin = min(size - kept for size, kept in rooms) - total if hardware.mixed else usable - total
    verdict: Verdict = "gpu" if margin >= 0 else "none"
    options = () if margin >= 0 else training_options(estimate, hardware, resized)
    offload = None if margin >= 0 else zero_offload(estimate, hardware)
    return Fit(
        verdict,
        total * n,
        sum(size for size, _ in rooms),
        estimate.layers if verdict == "gpu" else 0,
        estimate.layers,
        0,
        margin,
        sum(kept for _, kept in rooms),
        cards,
        sharding=sharding,
        options=options,
        offload=offload,
    )


def _eight_bit(estimate: Estimate) -> Estimate:
    """8-bit Adam (bitsandbytes; Dettmers et al., arXiv 2110.02861): the two moments take one
    byte each instead of four. Full fine-tuning keeps its fp32 master weights (4 of its 12
    optimizer bytes per parameter): 12 -> 6; LoRA's 8 bytes of moments: 8 -> 2."""
    ratio = (1, 2) if estimate.mode == "full" else (1, 4)
    return estimate._replace(optimizer_bytes=estimate.optimizer_bytes * ratio[0] // ratio[1])


FUSED_LOSS = (
    "a fused linear cross-entropy (Liger Kernel's LigerFusedLinearCrossEntropyLoss, arXiv "
    "2410.10989; Unsloth's is alike), which never holds the f32 logits and their gradient"
)


def _fused(estimate: Estimate) -> Estimate:
    """The fine-tune with a fused linear cross-entropy (training.fused_loss_saving)."""
    saving = estimate.fused_loss_saving_bytes
    return estimate._replace(activation_bytes=estimate.activation_bytes - saving)


def _fused_loss(
    estimate: Estimate, cards: int, fits: Callable[[Estimate], bool], resized: Resize | None
) -> list[str]:
    """The fused-loss option where the logits are a large part (a quarter or more) of the
    activations: its per-card figure if that alone fits, else the longest sequence it fits."""
    saving = estimate.fused_loss_saving_bytes
    if saving * 4 < estimate.activation_bytes:
        return []
    head = f"{FUSED_LOSS} (saving {_gib(saving)} here)"
    if fits(_fused(estimate)):
        return [f"{head}: {_gib(per_card_bytes(_fused(estimate), cards))} per card"]
    most = estimate.context - 1
    if resized is None or not most:
        return []
    tokens = max_context(lambda t: fits(_fused(resized(t, estimate.batch))), most)
    return [f"{head}: then sequences up to {tokens:,} tokens fit"] if tokens else []


def _gib(nbytes: int) -> str:
    return f"{nbytes / GIB:.1f} GiB"


OFFLOAD_SOURCE = (
    "ZeRO-Offload (Ren et al., arXiv 2101.06840); DeepSpeed offload_optimizer device cpu "
    "(docs config-json 'Optimizer offloading'); fp32 master weights, moments and gradient "
    "partition on the CPU (deepspeed/runtime/zero/stage_1_and_2.py)"
)


def _fits(estimate: Estimate, hardware: Hardware, cards: int | None = None) -> bool:
    usable = hardware.vram_bytes - hardware.headroom_bytes
    return per_card_bytes(estimate, cards or hardware.gpus) <= usable


def zero_offload(estimate: Estimate, hardware: Hardware) -> Offload | None:
    """The fine-tune with its optimizer state and step on the CPU, where that alone brings it
    within the cards (None elsewhere, or with no optimizer state): one card's share without
    the state, and the RAM it needs, the state plus an fp32 copy of the trainable gradients
    (full fine-tuning's bf16 gradients doubled; LoRA's are fp32 already)."""
    if not estimate.optimizer_bytes:
        return None
    without = estimate._replace(optimizer_bytes=0)
    if not _fits(without, hardware):
        return None
    fp32_gradients = estimate.gradient_bytes * (2 if estimate.mode == "full" else 1)
    ram = int(hardware.ram_gib * GIB)
    return Offload(
        per_card_bytes(without, hardware.gpus),
        estimate.optimizer_bytes,
        estimate.optimizer_bytes + fp32_gradients,
        ram - hardware.ram_headroom_bytes if ram else None,
        OFFLOAD_SOURCE,
    )


def _offload_option(plan: Offload, hardware: Hardware) -> str:
    shard = "ZeRO-3" if hardware.gpus > 1 else "ZeRO stage 2 or 3"
    said = (
        f"ZeRO-Offload (DeepSpeed {shard} with offload_optimizer on the cpu): the Adam state "
        f"({_gib(plan.offloaded_bytes)}) and its step move to the CPU: "
        f"{_gib(plan.per_card_bytes)} per card; it needs at least {_gib(plan.ram_bytes)} of "
        "system RAM (that state and the fp32 gradients its step reads)"
    )
    if plan.ram_free_bytes is None:
        return said + "; pass --ram to check the machine's"
    holds = "holds" if plan.ram_holds else "does not hold"
    return (
        f"{said}; --ram {hardware.ram_gib:g} GiB {holds} it "
        f"({_gib(plan.ram_free_bytes)} free after its headroom)"
    )


def training_options(
    estimate: Estimate, hardware: Hardware, resized: Resize | None = None
) -> tuple[str, ...]:
    """What would bring a fine-tune that does not fit within the cards, each checked on its
    own: an 8-bit optimizer, a smaller batch or a shorter sequence (`resized(tokens, batch)`
    re-estimates), more cards with ZeRO-3. Gradient checkpointing is already assumed."""
    n = hardware.gpus

    def fits(est: Estimate, cards: int = n) -> bool:
        return _fits(est, hardware, cards)

    found = [
        "gradient checkpointing is already assumed in these figures (without it the "
        "activations of every layer are kept)"
    ]
    eight = _eight_bit(estimate)
    if fits(eight):
        per = _gib(per_card_bytes(eight, n))
        found.append(f"an 8-bit optimizer (bitsandbytes AdamW8bit): {per} per card")
    found += _fused_loss(estimate, n, fits, resized)
    if resized is not None:
        if estimate.batch > 1 and fits(resized(estimate.context, 1)):
            found.append("--batch 1 (with gradient accumulation for the same effective batch)")
        most = estimate.context - 1
        tokens = max_context(lambda t: fits(resized(t, estimate.batch)), most) if most else 0
        if tokens:
            found.append(f"a sequence of at most {tokens:,} tokens")
    offload = zero_offload(estimate, hardware)
    if offload is not None:
        found.append(_offload_option(offload, hardware))
    cards = next((c for c in range(n + 1, MAX_CARDS + 1) if fits(estimate, c)), None)
    if cards is not None:
        found.append(f"{cards} such cards with ZeRO-3 / FSDP sharding")
    if len(found) == 1:
        found.append("none of these alone brings it within the cards")
    return tuple(found)
