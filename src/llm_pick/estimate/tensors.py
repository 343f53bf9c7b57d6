"""A model's tensors, derived from its architecture: the basis of every memory figure.

Matrices are listed per kind (llama.cpp's GGUF tensor names) with their row length (input
features, which decides whether a K-quant can store them), output features and the number
of layers that hold them; vectors (norms, biases) are counted apart because every format
keeps them in float. The kinds follow llama.cpp's tensor lists (src/llama-arch.cpp):
attention (attn_q/k/v/output or fused attn_qkv), latent attention (attn_q_a, attn_q_b,
attn_kv_a_mqa, attn_k_b, attn_v_b), dense MLP (ffn_gate/up/down), routed experts
(ffn_*_exps, one slice per expert), shared experts (ffn_*_shexp) and Mamba mixers (ssm_in,
ssm_conv1d, ssm_x, ssm_dt, ssm_a, ssm_out).
"""

from __future__ import annotations

from functools import cache

from llm_pick.catalog.shapes import Architecture
from llm_pick.catalog.tuples import NamedTuple
from llm_pick.catalog.types import Model


class Matrix(NamedTuple):
    kind: str  # GGUF name: token_embd, output, attn_q, ..., ffn_down_exps, ssm_in
    inputs: int  # row length (ne[0] in ggml)
    outputs: int
    copies: int = 1  # per layer (experts), or 1 for whole-model tensors
    per_layer: bool = True
    layer_count: int = 0  # layers that hold it; 0: every layer
    routed: bool = False  # routed experts: a token reads experts_per_token of `copies`

    @property
    def elements(self) -> int:
        return self.inputs * self.outputs * self.copies


class Inventory(NamedTuple):
    layers: int
    matrices: tuple[Matrix, ...]
    layer_vectors: int  # norm weights/biases and projection biases in every block
    model_vectors: int  # final norm, embedding norm
    experts: int
    experts_per_token: int
    fused_qkv: bool
    subset_vectors: int = 0  # vectors of blocks that only some layers have (SSM, MoE)

    def layers_of(self, matrix: Matrix) -> int:
        if not matrix.per_layer:
            return 1
        return matrix.layer_count or self.layers

    def elements(self, matrix: Matrix) -> int:
        return matrix.elements * self.layers_of(matrix)

    @property
    def block_vectors(self) -> int:
        """Vector elements of all decoder blocks together."""
        return self.layers * self.layer_vectors + self.subset_vectors

    @property
    def parameters(self) -> int:
        """Unique parameters (a tied output head is counted once)."""
        total = sum(self.elements(m) for m in self.matrices if m.kind != "output_copy")
        return total + self.block_vectors + self.model_vectors


def inventory(model: Model) -> Inventory:
    return inventory_of(model.architecture, model.family)


def inventory_of(arch: Architecture, family: str) -> Inventory:
    # Falcon and BLOOM checkpoints store q, k and v as one query_key_value matrix. Their GGUF
    # files also carry an output matrix when the head is tied: Falcon checkpoints store
    # lm_head.weight, and llama.cpp's BLOOM converter writes the word embeddings again as
    # output.weight (convert-bloom-hf-to-gguf.py). The later Falcons (Falcon3 and Falcon-E:
    # llama architecture, RMSNorm; Falcon-H1, Falcon Mamba) have separate projections.
    fused = family in ("falcon", "bloom") and classic(arch)
    return _inventory(arch, fused, arch.tied_embeddings and fused)


def classic(arch: Architecture) -> bool:
    """The 2023 Falcon/BLOOM block: LayerNorm, plain MLP, attention only."""
    return arch.norm == "layernorm" and arch.ssm is None and not arch.ternary


def _attention(arch: Architecture, fused: bool, count: int) -> list[Matrix]:
    h = arch.hidden_size
    heads = arch.attention_heads or 0
    if arch.mla is not None:
        mla = arch.mla
        qk = mla.qk_nope_head_dim + mla.qk_rope_head_dim
        if mla.q_lora_rank:
            mats = [
                Matrix("attn_q_a", h, mla.q_lora_rank, layer_count=count),
                Matrix("attn_q_b", mla.q_lora_rank, heads * qk, layer_count=count),
            ]
        else:
            mats = [Matrix("attn_q", h, heads * qk, layer_count=count)]
        # llama.cpp's converter splits kv_b into per-head k_b and v_b (absorbed MLA)
        return [
            *mats,
            Matrix("attn_kv_a_mqa", h, mla.kv_lora_rank + mla.qk_rope_head_dim, layer_count=count),
            Matrix("attn_k_b", mla.qk_nope_head_dim, mla.kv_lora_rank, heads, layer_count=count),
            Matrix("attn_v_b", mla.kv_lora_rank, mla.v_head_dim, heads, layer_count=count),
            Matrix("attn_output", heads * mla.v_head_dim, h, layer_count=count),
        ]
    q_out, kv_out = arch.q_width, arch.kv_width
    if fused:
        mats = [Matrix("attn_qkv", h, q_out + 2 * kv_out, layer_count=count)]
    else:
        mats = [
            Matrix("attn_q", h, q_out, layer_count=count),
            Matrix("attn_k", h, kv_out, layer_count=count),
            Matrix("attn_v", h, kv_out, layer_count=count),
        ]
    return [*mats, Matrix("attn_output", q_out, h, layer_count=count)]


def _ssm(arch: Architecture) -> tuple[list[Matrix], int]:
    """Mamba mixer matrices and vectors (all its layers together), as llama.cpp stores them:
    ssm_conv1d and ssm_a stay F32 (estimate/quant.py)."""
    ssm = arch.ssm
    assert ssm is not None
    h, d, n, k, count = (
        arch.hidden_size,
        ssm.inner_size,
        ssm.state_size,
        ssm.conv_kernel,
        ssm.layers,
    )
    if ssm.kind == "mamba1":
        rank = ssm.dt_rank or 1
        mats = [
            Matrix("ssm_in", h, 2 * d, layer_count=count),
            Matrix("ssm_conv1d", k, d, layer_count=count),
            Matrix("ssm_x", d, rank + 2 * n, layer_count=count),
            Matrix("ssm_dt", rank, d, layer_count=count),
            Matrix("ssm_a", n, d, layer_count=count),
            Matrix("ssm_out", d, h, layer_count=count),
        ]
        vectors = d + d + d  # conv1d bias, dt bias, D
        return mats, count * vectors
    heads, groups = ssm.heads or 1, ssm.groups or 1
    conv = d + 2 * groups * n
    mats = [
        Matrix("ssm_in", h, 2 * d + 2 * groups * n + heads, layer_count=count),
        Matrix("ssm_conv1d", k, conv, layer_count=count),
        Matrix("ssm_out", d, h, layer_count=count),
    ]
    vectors = conv + 3 * heads + d  # conv1d bias, dt bias, A, D, grouped norm
    return mats, count * vectors


def _mlp(arch: Architecture) -> tuple[list[Matrix], int]:
    """Dense MLP, routed experts and shared experts, with their bias vectors (all layers)."""
    h, layers, gated = arch.hidden_size, arch.layers, arch.mlp == "gated"
    mats: list[Matrix] = []
    vectors = 0

    def block(suffix: str, inner: int, copies: int, count: int, routed: bool = False) -> None:
        nonlocal vectors
        if gated:
            mats.append(
                Matrix("ffn_gate" + suffix, h, inner, copies, layer_count=count, routed=routed)
            )
        mats.extend(
            [
                Matrix("ffn_up" + suffix, h, inner, copies, layer_count=count, routed=routed),
                Matrix("ffn_down" + suffix, inner, h, copies, layer_count=count, routed=routed),
            ]
        )
        if arch.mlp_bias:
            vectors += (count or layers) * copies * (inner * (2 if gated else 1) + h)

    if arch.mlp == "none" or (arch.attention_count == 0 and arch.ssm is not None):
        return mats, 0  # Mamba blocks: the mixer is the whole block
    if not arch.experts:
        block("", arch.intermediate_size, 1, 0)
        return mats, vectors
    moe = arch.moe_count
    if moe < layers:
        block("", arch.dense_intermediate_size or arch.intermediate_size, 1, layers - moe)
    count = moe if moe < layers else 0
    # Mixtral-style files name the routed experts ffn_gate/up/down (copies > 1) as before
    suffix = "_exps" if arch.shared_experts or moe < layers else ""
    block(suffix, arch.intermediate_size, arch.experts, count, routed=True)
    mats.append(Matrix("ffn_gate_inp", h, arch.experts, layer_count=count))
    if arch.shared_experts:
        width = arch.shared_expert_intermediate_size or arch.intermediate_size
        block("_shexp", width * arch.shared_experts, 1, count)
    return mats, vectors


@cache
def _inventory(arch: Architecture, fused: bool, output_copy: bool) -> Inventory:
    h = arch.hidden_size
    mats = [Matrix("token_embd", h, arch.vocab_size, per_layer=False)]
    # cross-attention layers hold the same projections (their K/V read the image states)
    attention_count = arch.attention_count + (arch.cross_attention_layers or 0)
    subset = 0
    if attention_count:
        count = 0 if attention_count == arch.layers else attention_count
        mats += _attention(arch, fused, count)
    if arch.ssm is not None:
        ssm_mats, ssm_vectors = _ssm(arch)
        mats += ssm_mats
        subset += ssm_vectors
    mlp_mats, mlp_vectors = _mlp(arch)
    mats += mlp_mats
    subset += mlp_vectors
    if not arch.tied_embeddings:
        mats.append(Matrix("output", h, arch.vocab_size, per_layer=False))
    elif output_copy:
        mats.append(Matrix("output_copy", h, arch.vocab_size, per_layer=False))
    norm = 2 if arch.norm == "layernorm" else 1
    vectors = arch.norms_per_layer * norm * h
    if arch.cross_attention_layers:  # q_norm, k_norm and two tanh gates each (mllama)
        subset += arch.cross_attention_layers * (2 * (arch.head_dim or 0) + 2)
    # mllama's token embedding has 8 rows beyond the vocabulary for its image tokens
    # (transformers MllamaTextModel: nn.Embedding(config.vocab_size + 8, hidden_size))
    image_rows = 8 * h if arch.cross_attention_layers else 0
    if arch.attention_bias and attention_count:
        subset += attention_count * (arch.q_width + 2 * arch.kv_width + h)
    if arch.mla is not None:
        subset += attention_count * ((arch.mla.q_lora_rank or 0) + arch.mla.kv_lora_rank)
    model_vectors = norm * h * (2 if arch.embedding_norm else 1) + image_rows
    return Inventory(
        layers=arch.layers,
        matrices=tuple(mats),
        layer_vectors=vectors,
        model_vectors=model_vectors,
        experts=arch.experts or 1,
        experts_per_token=arch.experts_per_token or 1,
        fused_qkv=fused,
        subset_vectors=subset,
    )


def parameter_count(model: Model) -> int:
    return inventory(model).parameters
