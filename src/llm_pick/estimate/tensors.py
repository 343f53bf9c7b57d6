"""A model's tensors, derived from its architecture: the basis of every memory figure.

Matrices are listed per kind with their row length (input features, which decides whether a
K-quant can store them) and output features; vectors (norms, biases) are counted apart
because every format keeps them in float.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

from llm_pick.catalog.types import Architecture, Model


class Matrix(NamedTuple):
    kind: str  # GGUF name: token_embd, output, attn_q, ..., ffn_down
    inputs: int  # row length (ne[0] in ggml)
    outputs: int
    copies: int = 1  # per layer (experts), or 1 for whole-model tensors
    per_layer: bool = True

    @property
    def elements(self) -> int:
        return self.inputs * self.outputs * self.copies


class Inventory(NamedTuple):
    layers: int
    matrices: tuple[Matrix, ...]
    layer_vectors: int  # norm weights/biases and projection biases in one block
    model_vectors: int  # final norm, embedding norm
    experts: int
    experts_per_token: int
    fused_qkv: bool

    def elements(self, matrix: Matrix) -> int:
        return matrix.elements * (self.layers if matrix.per_layer else 1)

    @property
    def parameters(self) -> int:
        """Unique parameters (a tied output head is counted once)."""
        total = sum(self.elements(m) for m in self.matrices if m.kind != "output_copy")
        return total + self.layers * self.layer_vectors + self.model_vectors


def inventory(model: Model) -> Inventory:
    return inventory_of(model.architecture, model.family)


def inventory_of(arch: Architecture, family: str) -> Inventory:
    # Falcon and BLOOM checkpoints store q, k and v as one query_key_value matrix. Their GGUF
    # files also carry an output matrix when the head is tied: Falcon checkpoints store
    # lm_head.weight, and llama.cpp's BLOOM converter writes the word embeddings again as
    # output.weight (convert-bloom-hf-to-gguf.py).
    fused = family in ("falcon", "bloom")
    return _inventory(arch, fused, arch.tied_embeddings and fused)


@cache
def _inventory(arch: Architecture, fused: bool, output_copy: bool) -> Inventory:
    h, hd = arch.hidden_size, arch.head_dim
    q_out, kv_out = arch.attention_heads * hd, arch.kv_heads * hd
    experts = arch.experts or 1
    mats = [Matrix("token_embd", h, arch.vocab_size, per_layer=False)]
    if fused:
        mats.append(Matrix("attn_qkv", h, q_out + 2 * kv_out))
    else:
        mats += [
            Matrix("attn_q", h, q_out),
            Matrix("attn_k", h, kv_out),
            Matrix("attn_v", h, kv_out),
        ]
    mats.append(Matrix("attn_output", q_out, h))
    inner = arch.intermediate_size
    if arch.mlp == "gated":
        mats.append(Matrix("ffn_gate", h, inner, experts))
    mats += [Matrix("ffn_up", h, inner, experts), Matrix("ffn_down", inner, h, experts)]
    if arch.experts:
        mats.append(Matrix("ffn_gate_inp", h, arch.experts))
    if not arch.tied_embeddings:
        mats.append(Matrix("output", h, arch.vocab_size, per_layer=False))
    elif output_copy:
        mats.append(Matrix("output_copy", h, arch.vocab_size, per_layer=False))
    norm = 2 if arch.norm == "layernorm" else 1
    vectors = arch.norms_per_layer * norm * h
    if arch.attention_bias:
        vectors += q_out + 2 * kv_out + h
    if arch.mlp_bias:
        vectors += experts * (inner * (2 if arch.mlp == "gated" else 1) + h)
    model_vectors = norm * h * (2 if arch.embedding_norm else 1)
    return Inventory(
        layers=arch.layers,
        matrices=tuple(mats),
        layer_vectors=vectors,
        model_vectors=model_vectors,
        experts=experts,
        experts_per_token=arch.experts_per_token or 1,
        fused_qkv=fused,
    )


def parameter_count(model: Model) -> int:
    return inventory(model).parameters
