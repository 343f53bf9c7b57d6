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

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.catalog.types import Model
from llm_pick.estimate.tensors import Inventory


class TrainingParts(NamedTuple):
    """Memory fine-tuning adds to the weights (bytes), and what was assumed."""

    adapter_bytes: int
    gradient_bytes: int
    optimizer_bytes: int
    activation_bytes: int
    assumptions: tuple[str, ...]
    fused_loss_saving_bytes: int = 0  # of activation_bytes: what a fused loss does not hold


def lora_parameters(inv: Inventory, rank: int) -> int:
    total = 0
    for matrix in inv.matrices:
        if matrix.per_layer and matrix.kind not in ("ffn_gate_inp", "ssm_conv1d", "ssm_a"):
            total += rank * (matrix.inputs + matrix.outputs) * matrix.copies * inv.layers_of(matrix)
    return total


def layer_activation_bytes(model: Model, tokens: int, batch: int) -> int:
    """bf16 activations one decoder layer keeps for its backward pass."""
    arch = model.architecture
    h, sb = arch.hidden_size, tokens * batch
    q_out, kv_out = arch.q_width, arch.kv_width
    attention = 2 * h + 2 * h + 2 * (q_out + 2 * kv_out) + 2 * q_out
    mlp_per_expert = 2 * arch.intermediate_size * (4 if arch.mlp == "gated" else 2)
    mlp = 2 * h + 2 * h + mlp_per_expert * (arch.experts_per_token or 1)
    return sb * (attention + mlp)


def fused_loss_saving(model: Model, tokens: int, batch: int) -> int:
    """What a fused linear cross-entropy saves of the activations: it never holds the f32
    logits and their gradient (8·s·b·V) but computes them chunk by chunk, its transient
    logits bounded to about s·b·h elements in the input's 16 bits, plus the gradient of the
    hidden states (16-bit, s·b·h) and an f32 loss per token. Liger Kernel's
    LigerFusedLinearCrossEntropyLoss (arXiv 2410.10989; linkedin/Liger-Kernel
    src/liger_kernel/ops/fused_linear_cross_entropy.py: inc_factor = ceil(V / H), chunk_size
    = next_power_of_2(ceil(BT / inc_factor)), "Bound transient logits to C x BT x H")."""
    arch = model.architecture
    rows, h, vocab = tokens * batch, arch.hidden_size, arch.vocab_size
    per_chunk = -(-rows // -(-vocab // h))  # ceil(BT / ceil(V / H)) rows
    chunk = min(rows, 1 << (per_chunk - 1).bit_length())  # to a power of two, at most BT
    kept = 2 * chunk * vocab + 2 * rows * h + 4 * rows
    return max(0, 8 * rows * vocab - kept)


def activation_bytes(model: Model, tokens: int, batch: int) -> int:
    arch = model.architecture
    checkpoints = arch.layers * 2 * tokens * batch * arch.hidden_size
    logits = 8 * tokens * batch * arch.vocab_size
    return checkpoints + layer_activation_bytes(model, tokens, batch) + logits


_ACTIVATIONS = (
    "activations with gradient checkpointing and fused attention, plus fp32 logits and "
    "their gradient (Korthikanti et al. arXiv 2205.05198)"
)


def training_parts(
    model: Model, inv: Inventory, mode: str, tokens: int, batch: int, rank: int
) -> TrainingParts:
    """The gradients, optimizer states, adapters and activations of `mode` (lora, qlora, full)."""
    activations = activation_bytes(model, tokens, batch)
    saving = fused_loss_saving(model, tokens, batch)
    if mode == "full":
        params = model.parameters.total
        note = (
            "full fine-tuning: bf16 weights and gradients, fp32 master weights and Adam "
            "moments (16 bytes per parameter, ZeRO arXiv 1910.02054)"
        )
        return TrainingParts(0, 2 * params, 12 * params, activations, (note, _ACTIVATIONS), saving)
    trainable = lora_parameters(inv, rank)
    notes: tuple[str, ...] = (
        f"LoRA rank {rank} on every linear layer of the decoder blocks: {trainable:,} trainable "
        "parameters in fp32 with Adam (16 bytes each)",
    )
    if mode == "qlora":
        notes += ("QLoRA: frozen base in NF4 with double quantization (arXiv 2305.14314)",)
    return TrainingParts(
        4 * trainable, 4 * trainable, 8 * trainable, activations, (*notes, _ACTIVATIONS), saving
    )
