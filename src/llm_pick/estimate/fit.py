"""Fit verdicts (GPU / partial CPU offload / CPU only / no fit). Pure functions. Speed is in
estimate/speed.py; one model on one piece of hardware (fit + speed) in estimate/assess.py."""

from __future__ import annotations

from collections.abc import Callable

from llm_pick.estimate.cudactx import card_contexts
from llm_pick.estimate.fittypes import PROJECTOR_CARD, Card, Verdict
from llm_pick.estimate.fittypes import Fit as Fit  # re-exported: the type of check_fit
from llm_pick.estimate.hardware import GIB, Hardware
from llm_pick.estimate.memory import CUDA_CONTEXT_BYTES as CUDA_CONTEXT_BYTES
from llm_pick.estimate.memory import Estimate
from llm_pick.estimate.quant import QUANTS


def needed_on_gpus(estimate: Estimate, hardware: Hardware) -> int:
    """Everything on the GPUs but the token-embedding table (llama.cpp keeps it in RAM): each
    extra card holds its own CUDA context and a compute buffer without the logits."""
    return (
        estimate.total_bytes - estimate.input_bytes + (hardware.gpus - 1) * layer_overhead(estimate)
    )


def layer_overhead(estimate: Estimate) -> int:
    """CUDA context + compute buffer of a card without the output head (no logits rows)."""
    if not estimate.layer_compute_bytes:
        return estimate.overhead_bytes
    return estimate.overhead_bytes - estimate.compute_buffer_bytes + estimate.layer_compute_bytes


def _split(layers: int, caps: list[int]) -> list[int] | None:
    """Whole layers per card, as even as the cards allow (llama.cpp splits by layer); None
    when they do not all fit."""
    if layers > sum(max(0, c) for c in caps):
        return None
    share = [0] * len(caps)
    left = layers
    while left:
        room = [i for i, c in enumerate(caps) if share[i] < c]
        per = max(1, left // len(room))
        for i in room:
            take = min(per, caps[i] - share[i], left)
            share[i] += take
            left -= take
            if not left:
                break
    return share


def _layers_short(missing: int, per_layer: float, spare: list[float]) -> int:
    """The memory the cards lack for the `missing` whole layers none can take (a layer is
    never split across cards): the first layer on a card costs what its spare lacks of one,
    any further layer on it a whole layer."""
    costs = sorted([per_layer - s for s in spare] + [per_layer] * missing)[:missing]
    return max(1, int(sum(costs)))


def check_fit(estimate: Estimate, hardware: Hardware) -> Fit:
    """Where the model goes: all on the GPUs (layers split whole across cards), partly in RAM
    (llama.cpp -ngl, with --ram), all in RAM (no GPU: --vram 0), or nowhere. Each card keeps
    its headroom free (Hardware.headroom_bytes); RAM keeps Hardware.ram_headroom_bytes."""
    if hardware.mixed:
        return mixed_fit(estimate, hardware)
    layers = estimate.layers
    ram = int(hardware.ram_gib * GIB)
    ram_free = ram - hardware.ram_headroom_bytes
    if hardware.vram_bytes <= 0:  # CPU only: no CUDA context, one compute buffer
        needed = (
            estimate.total_bytes - estimate.cuda_context_bytes
            if estimate.mode == "inference"
            else 0
        )
        verdict: Verdict = "cpu" if 0 < needed <= ram_free else "none"
        headroom = hardware.ram_headroom_bytes
        return Fit(verdict, needed, ram, 0, layers, needed, ram_free - needed, headroom)
    per_card, cards_n = hardware.vram_bytes, hardware.gpus
    headroom = hardware.headroom_bytes
    usable = per_card - headroom
    per_layer = (estimate.layer_weight_bytes + estimate.kv_cache_bytes) / layers
    layer_kv = estimate.kv_cache_bytes / layers
    # the output head on the last card and a multimodal projector on the first (each loaded
    # whole, PROJECTOR_CARD); the token embeddings stay in RAM (estimate.input_bytes)
    outside, encoder = _head(estimate), estimate.encoder_bytes
    fixed, head_fixed = layer_overhead(estimate), estimate.overhead_bytes
    available = per_card * cards_n

    def card(n: int, last: bool, first: bool = False) -> Card:
        weights = int(n * (per_layer - layer_kv)) + (outside if last else 0)
        overhead = head_fixed if last else fixed
        mmproj = encoder if first else 0
        return Card(n, weights + mmproj, int(n * layer_kv), overhead, per_card, headroom, 0, mmproj)

    caps = [int((usable - fixed) // per_layer) for _ in range(cards_n)]
    caps[-1] = int((usable - head_fixed - outside) // per_layer)
    caps[0] = int(
        (usable - (head_fixed + outside if cards_n == 1 else fixed) - encoder) // per_layer
    )
    # every card carries its CUDA context and buffer (the last the output head) even with no
    # layer: a card that cannot hold that much makes the layout impossible
    split = _split(layers, caps) if min(caps) >= 0 else None
    if split is not None:
        used = tuple(card(n, i == cards_n - 1, i == PROJECTOR_CARD) for i, n in enumerate(split))
        needed = sum(c.total_bytes for c in used)
        margin = min(usable - c.total_bytes for c in used)
        return Fit("gpu", needed, available, layers, layers, 0, margin, headroom * cards_n, used)
    full = needed_on_gpus(estimate, hardware)
    if estimate.mode != "inference" or ram <= 0:
        short = usable * cards_n - full
        if min(caps) >= 0:  # whole layers per card: at least what they lack in all
            spare = [usable - fixed - n * per_layer for n in caps]
            spare[-1] -= head_fixed - fixed + outside
            spare[0] -= encoder
            short = min(short, -_layers_short(layers - sum(caps), per_layer, spare))
        return Fit("none", full, available, 0, layers, 0, short, headroom * cards_n)
    experts = expert_offload(estimate, hardware)
    if experts is not None:
        return experts
    # Partial offload (llama.cpp -ngl): whole decoder layers with their KV cache go to the
    # GPUs; the rest, the output head and a CPU compute buffer stay in system RAM.
    # (the GPUs keep the whole compute buffer: llama.cpp offloads large batches' products
    # with RAM-held weights, the output head's included, to the GPU, PR #6083)
    room = [int((usable - head_fixed - encoder * (i == 0)) // per_layer) for i in range(cards_n)]
    gpu_layers = min(layers - 1, sum(room)) if min(room) >= 0 else 0
    split = _split(gpu_layers, room) or [0] * cards_n
    used = tuple(
        card(n, False, i == PROJECTOR_CARD)._replace(overhead_bytes=head_fixed)
        for i, n in enumerate(split)
    )
    on_gpu = sum(c.total_bytes for c in used)
    cpu = outside + estimate.input_bytes + int((layers - gpu_layers) * per_layer)
    cpu += estimate.compute_buffer_bytes
    verdict = "offload" if gpu_layers > 0 and cpu <= ram_free else "none"
    if verdict == "none":
        return Fit("none", full, available, gpu_layers, layers, cpu, ram_free - cpu, headroom)
    return Fit(
        "offload", on_gpu, available, gpu_layers, layers, cpu, ram_free - cpu, headroom, used
    )


def _head(estimate: Estimate) -> int:
    """Weights outside the decoder blocks that sit on the last card: the output head (and
    norms); not the token embeddings, which llama.cpp keeps in RAM."""
    return estimate.weights_bytes - estimate.layer_weight_bytes - estimate.input_bytes


def proportional_layers(layers: int, free: list[int]) -> tuple[list[int], int]:
    """llama.cpp's default layer split (llama-model.cpp load_tensors, research/local/
    mixed_gpu.md): the layers + 1 offloaded slots (the output head last) in contiguous
    slices, slot k on the first card whose cumulative share of free memory exceeds
    k / (layers + 1). Returns the decoder layers per card and the card of the output head."""
    total = sum(free)
    bounds = [sum(free[: i + 1]) / total for i in range(len(free))]
    counts = [0] * len(free)
    owner = 0
    for k in range(layers + 1):
        owner = next((i for i, b in enumerate(bounds) if k / (layers + 1) < b), len(free) - 1)
        if k < layers:
            counts[owner] += 1
    return counts, owner


def mixed_fit(estimate: Estimate, hardware: Hardware) -> Fit:
    """Cards of different kinds (--gpu A --gpu B): layers split in proportion to each card's
    usable memory, as llama.cpp does by default; each card holds its layers with their KV
    cache, its CUDA context and compute buffer, the output head on the last. When they do not
    all fit and RAM is given (--ram), the first layers stay in RAM (llama.cpp -ngl: the last
    N slots go to the cards) and the rest are split across the cards the same way."""
    layers, cards = estimate.layers, hardware.mixed
    capacity = [int(card.usable_gib * GIB) for card in cards]
    headroom = [hardware.card_headroom_bytes(card) for card in cards]
    used = _mixed_cards(estimate, layers, capacity, headroom, card_contexts(hardware))
    needed = sum(c.total_bytes for c in used)
    margin = min(c.capacity_bytes - c.headroom_bytes - c.total_bytes for c in used)
    if margin >= 0:
        return Fit("gpu", needed, sum(capacity), layers, layers, 0, margin, sum(headroom), used)
    short = Fit("none", needed, sum(capacity), layers, layers, 0, margin, sum(headroom))
    if estimate.mode != "inference" or hardware.ram_gib <= 0:
        return short
    return _mixed_offload(estimate, hardware, capacity, headroom) or short


def _mixed_cards(
    estimate: Estimate, on_gpus: int, capacity: list[int], headroom: list[int], contexts: list[int]
) -> tuple[Card, ...]:
    """The cards holding the last `on_gpus` decoder layers and the output head, split in
    proportion to `capacity` (proportional_layers); each with its own CUDA context."""
    layers = estimate.layers
    per_layer = (estimate.layer_weight_bytes + estimate.kv_cache_bytes) / layers
    layer_kv = estimate.kv_cache_bytes / layers
    outside, encoder = _head(estimate), estimate.encoder_bytes
    fixed = layer_overhead(estimate)
    counts, head = proportional_layers(on_gpus, capacity)
    return tuple(
        Card(
            n,
            int(n * (per_layer - layer_kv))
            + (outside if i == head else 0)
            + (encoder if i == PROJECTOR_CARD else 0),
            int(n * layer_kv),
            (estimate.overhead_bytes if i == head else fixed)
            - estimate.cuda_context_bytes
            + contexts[i],
            capacity[i],
            headroom[i],
            encoder_bytes=encoder if i == PROJECTOR_CARD else 0,
        )
        for i, n in enumerate(counts)
    )


def _mixed_offload(
    estimate: Estimate, hardware: Hardware, capacity: list[int], headroom: list[int]
) -> Fit | None:
    """The most decoder layers the mixed cards hold (split in proportion to their memory),
    the rest with a CPU compute buffer in RAM; None when no layer fits or RAM is short."""
    layers = estimate.layers
    per_layer = (estimate.layer_weight_bytes + estimate.kv_cache_bytes) / layers
    ram_free = int(hardware.ram_gib * GIB) - hardware.ram_headroom_bytes

    def fits(n: int) -> tuple[Card, ...] | None:
        used = _mixed_cards(estimate, n, capacity, headroom, card_contexts(hardware))
        ok = all(c.total_bytes + c.headroom_bytes <= c.capacity_bytes for c in used)
        return used if ok else None

    low, high = 0, layers - 1  # the most layers n with fits(n): memory grows with n
    if fits(1) is None:
        return None
    low = 1
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if fits(mid) is not None else (low, mid - 1)
    used = fits(low)
    cpu = int((layers - low) * per_layer) + estimate.compute_buffer_bytes + estimate.input_bytes
    if used is None or cpu > ram_free:
        return None
    on_gpu = sum(c.total_bytes for c in used)
    room = ram_free - cpu
    return Fit("offload", on_gpu, sum(capacity), low, layers, cpu, room, sum(headroom), used)


def expert_offload(estimate: Estimate, hardware: Hardware) -> Fit | None:
    """All layers on the GPUs but the routed experts of the first N layers in RAM (llama.cpp
    `--n-cpu-moe N`, PR #15077: "keep the MoE weights of the first N layers in the CPU"): the
    fewest N that fits, or None (a dense model, or no N fits the GPUs and RAM). Attention, the
    dense layers and the shared experts stay on the GPUs, so only the active routed experts of
    those N layers are read from RAM per token. The GPUs are summed as one pool, the layers
    split evenly (an estimate)."""
    known = QUANTS.get(estimate.quant)
    if known is not None and known.family != "gguf":
        return None  # --n-cpu-moe is llama.cpp's; a GGUF file's own mix is not in QUANTS
    if not estimate.expert_bytes or not estimate.moe_layers:
        return None
    layers, cards_n = estimate.layers, hardware.gpus
    usable = (hardware.vram_bytes - hardware.headroom_bytes) * cards_n
    ram_free = int(hardware.ram_gib * GIB) - hardware.ram_headroom_bytes
    full = needed_on_gpus(estimate, hardware)
    per_moe_layer = estimate.expert_bytes / estimate.moe_layers
    for n in range(1, layers + 1):
        moved = n * estimate.moe_layers // layers  # MoE layers among the first n
        on_gpu = full - int(moved * per_moe_layer)
        if on_gpu > usable:
            continue
        cpu = int(moved * per_moe_layer) + estimate.compute_buffer_bytes
        if cpu > ram_free:
            return None
        weights = estimate.weights_bytes - estimate.input_bytes + estimate.encoder_bytes
        weights -= int(moved * per_moe_layer)
        share = [layers // cards_n + (i < layers % cards_n) for i in range(cards_n)]
        cards = tuple(
            Card(
                k,
                weights * k // layers,
                estimate.kv_cache_bytes * k // layers,
                estimate.overhead_bytes,
                hardware.vram_bytes,
                hardware.headroom_bytes,
            )
            for k in share
        )
        read = int(estimate.active_expert_bytes * moved / estimate.moe_layers)
        return Fit(
            "offload",
            on_gpu,
            hardware.vram_bytes * cards_n,
            layers,
            layers,
            cpu,
            ram_free - cpu,
            hardware.headroom_bytes * cards_n,
            cards,
            cpu_moe_layers=n,
            cpu_read_bytes=read,
        )
    return None


def max_context(
    fits: Callable[[int], bool],
    longest: int,
    margin: Callable[[int], float | None] | None = None,
) -> int:
    """The most tokens (up to `longest`) for which `fits(tokens)` holds, or 0: memory grows
    with the context, so a search of the bracket finds it. With `margin` (the spare bytes a
    probed count left, negative when short; None when not known), a probe is placed where the
    margin crosses zero by linear interpolation (memory is close to affine in the tokens), and
    a fitting guess is followed by one token more: 5-7 estimates for the bundled models instead
    of 16-19. Interpolated and halving probes alternate, so it never takes more than twice the
    binary search's probes, and the bracket only narrows: the answer is the binary search's."""
    if not fits(1):
        return 0
    if longest <= 1 or fits(longest):  # the whole window fits (often): one probe
        return max(1, longest)
    low, high = 1, longest - 1  # fits(low); the answer is in [low, high]
    above: int | None = longest  # the least count known not to fit (its margin is known)
    interpolate = margin is not None
    while low < high:
        mid = (low + high + 1) // 2
        guess = _interpolated(margin, low, above or high) if interpolate and margin else None
        if guess is not None and low < guess <= high:
            mid = guess
        if fits(mid):
            low = mid
            if guess == mid and mid < high and not fits(mid + 1):
                return mid
        else:
            high, above = mid - 1, mid
        interpolate = margin is not None and not interpolate
    return low


def _interpolated(margin: Callable[[int], float | None], low: int, high: int) -> int | None:
    """Where the margin, known at `low` (fits) and `high`, reaches zero (None: not known)."""
    spare, short = margin(low), margin(high)
    if spare is None or short is None or spare < 0 or short >= spare:
        return None
    return low + int(spare * (high - low) / (spare - short))
