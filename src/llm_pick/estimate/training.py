"""Fine-tuning memory: LoRA, QLoRA and full fine-tuning (docs/methodology.md, "Training").

- Full fine-tuning with Adam in mixed precision: 16 bytes per parameter = 2 (bf16 weights)
  + 2 (bf16 gradients) + 12 (fp32 master weights, Adam m and v), ZeRO, arXiv 1910.02054 §3.1.
- LoRA (arXiv 2106.09685) on every linear layer of the decoder blocks, rank r: each d_in x d_out
  matrix gains r x (d_in + d_out) trainable parameters, kept in fp32 with their fp32 gradients
  and Adam states: 16 bytes each. The base weights are frozen (no gradients, no optimizer).
- QLoRA (arXiv 2305.14314): the same adapters over a 4-bit NF4 base with double quantization.
- Activations, with gradient checkpointing (as in the QLoRA recipes) and fused attention (no
  s^2 score matrix): each layer's bf16 input is kept (2·s·b·h bytes per layer), one layer's
  activations are rebuilt during the backward pass (Korthikanti et al., arXiv 2205.05198 §4,
  adapted to gated MLPs and grouped KV heads), plus fp32 logits and their gradient (8·s·b·V).
"""

from __future__ import annotations

from llm_pick.catalog.types import Model
from llm_pick.estimate.memory import CUDA_CONTEXT_BYTES, Estimate
from llm_pick.estimate.tensors import Inventory

ADAM_BYTES = 16  # per trainable parameter: weight + gradient + 2 Adam moments, fp32 (LoRA)


def lora_parameters(inv: Inventory, rank: int) -> int:
    total = 0
    for matrix in inv.matrices:
        if matrix.per_layer and matrix.kind != "ffn_gate_inp":
            total += rank * (matrix.inputs + matrix.outputs) * matrix.copies
    return total * inv.layers


def layer_activation_bytes(model: Model, tokens: int, batch: int) -> int:
    """bf16 activations one decoder layer keeps for its backward pass."""
    arch = model.architecture
    h, sb = arch.hidden_size, tokens * batch
    q_out, kv_out = arch.attention_heads * arch.head_dim, arch.kv_heads * arch.head_dim
    attention = 2 * h + 2 * h + 2 * (q_out + 2 * kv_out) + 2 * q_out
    mlp_per_expert = 2 * arch.intermediate_size * (4 if arch.mlp == "gated" else 2)
    mlp = 2 * h + 2 * h + mlp_per_expert * (arch.experts_per_token or 1)
    return sb * (attention + mlp)


def activation_bytes(model: Model, tokens: int, batch: int) -> int:
    arch = model.architecture
    checkpoints = arch.layers * 2 * tokens * batch * arch.hidden_size
    logits = 8 * tokens * batch * arch.vocab_size
    return checkpoints + layer_activation_bytes(model, tokens, batch) + logits


def add_training(
    estimate: Estimate, model: Model, inv: Inventory, tokens: int, batch: int, rank: int
) -> Estimate:
    activations = activation_bytes(model, tokens, batch)
    # Training keeps no generation KV cache: keys and values are part of the activations.
    estimate = estimate._replace(
        overhead_bytes=CUDA_CONTEXT_BYTES, activation_bytes=activations, kv_cache_bytes=0
    )
    if estimate.mode == "full":
        params = model.parameters.total
        notes: tuple[str, ...] = (
            "full fine-tuning: bf16 weights and gradients, fp32 master weights and Adam "
            "moments (16 bytes per parameter, ZeRO arXiv 1910.02054)",
        )
        return estimate._replace(
            gradient_bytes=2 * params,
            optimizer_bytes=12 * params,
            assumptions=estimate.assumptions + notes + _activation_note(),
        )
    trainable = lora_parameters(inv, rank)
    notes = (
        f"LoRA rank {rank} on every linear layer of the decoder blocks: {trainable:,} trainable "
        "parameters in fp32 with Adam (16 bytes each)",
    )
    if estimate.mode == "qlora":
        notes += ("QLoRA: frozen base in NF4 with double quantization (arXiv 2305.14314)",)
    return estimate._replace(
        adapter_bytes=4 * trainable,
        gradient_bytes=4 * trainable,
        optimizer_bytes=8 * trainable,
        assumptions=estimate.assumptions + notes + _activation_note(),
    )


def _activation_note() -> tuple[str, ...]:
    return (
        "activations with gradient checkpointing and fused attention, plus fp32 logits and "
        "their gradient (Korthikanti et al. arXiv 2205.05198)",
    )
