"""Why vLLM (assumed) serves no format of a model, in words: a context longer than vLLM starts
with for it, or how near its best format comes on one tensor-parallel group of the cards."""

from __future__ import annotations

from llm_pick.catalog.types import Model
from llm_pick.estimate.hardware import Hardware
from llm_pick.ranking.serve import UTILIZATION, whole_group, whole_pools


def refused(model: Model, context: int) -> str | None:
    """Why vLLM would not start at `context` for the model, when it would not."""
    from llm_pick.estimate.servekv import longest_model_len

    longest = longest_model_len(model)
    if context <= longest:
        return None
    stretch = model.architecture.rope_scaling_factor
    positions = "max_position_embeddings" + (f" x RoPE factor {stretch:g}" if stretch else "")
    return (
        f"vLLM (assumed) refuses --max-model-len {context} for it: its config.json gives "
        f"{longest:,} positions ({positions}), and vLLM starts longer only with "
        "VLLM_ALLOW_LONG_MAX_MODEL_LEN=1, which its error warns leads to NaN or out-of-bounds "
        f"positions (--context {longest} for vLLM)"
    )


def shortfall(
    model: Model, hardware: Hardware, context: int, batch: int, kv: str | None = None
) -> str | None:
    """For a model vLLM holds in no format at the batch (plan() is None): how near its best
    format comes on all the cards in one tensor-parallel group (the largest KV pool), in
    words; None where the card's bandwidth is unknown or no format of it can be loaded."""
    from llm_pick.estimate.servekv import longest_model_len

    if not hardware.bandwidth_gbs or context > longest_model_len(model):
        return None
    best = None
    for name, _, _, memory in whole_pools(model, hardware, context, kv):
        key = (memory.sequences, memory.kv_pool, -memory.weights)
        if best is None or key > best[0]:
            best = (key, name, memory)
    if best is None or best[2].sequences >= batch:  # held: plan() is not None
        return None
    _, name, memory = best
    cards, gib = whole_group(model, hardware.gpus), 2**30
    where = f"over all {cards} cards (--tensor-parallel-size {cards})" if cards > 1 else "on it"
    if cards < hardware.gpus:  # vLLM's group must divide the attention heads
        where = (
            f"over {cards} of the {hardware.gpus} cards (--tensor-parallel-size {cards}, the "
            "largest group that divides its attention heads)"
        )
    kv_said = "an FP8" if memory.kv_dtype == "fp8" else "a 16-bit"
    if memory.sequences == 0 and memory.kv_pool == 0:
        return (
            f"vLLM (assumed for {batch} streams) cannot hold it: in {name}, the smallest format "
            f"it loads, the weights take {memory.weights / gib:.1f} GiB of each card {where}, "
            f"more than the {memory.card_bytes * UTILIZATION / gib:.1f} GiB vLLM uses of a card "
            f"(--gpu-memory-utilization {UTILIZATION:.2f}) with its activations and runtime"
        )
    return (
        f"vLLM (assumed for {batch} streams) cannot hold the batch: at best {memory.sequences} "
        f"of the {batch} sequences of {context:,} tokens fit, in {name} with {kv_said} KV "
        f"cache {where} ({memory.weights / gib:.1f} GiB of weights and a "
        f"{memory.kv_pool / gib:.1f} GiB KV pool per card)"
    )
