"""The shapes memory estimation needs, from a model's config.json: layers, widths, heads,
experts, state-space mixers and latent attention. Validated like the rest of the catalog
(catalog/types.py); the constrained names come from catalog/constrained.py."""

from __future__ import annotations

from typing import Any, Literal

from llm_pick.catalog.constrained import (
    Blocks,
    Count,
    Experts,
    Heads,
    Layers,
    Layers8,
    Scale,
    Theta,
    Tokens,
    Vocab,
    Width,
)
from llm_pick.catalog.record import record

_STRICT: Any = {"extra": "forbid", "use_attribute_docstrings": True}


@record()
class Ssm:
    """A state-space (Mamba) mixer: its recurrent state per sequence does not grow with the
    context. Names follow config.json (Mamba: intermediate_size, state_size, conv_kernel,
    time_step_rank; Mamba-2 / Falcon-H1: mamba_d_ssm, mamba_d_state, mamba_d_conv,
    mamba_n_heads, mamba_d_head, mamba_n_groups)."""

    __pydantic_config__ = _STRICT

    kind: Literal["mamba1", "mamba2"]
    """mamba1 (Mamba, Falcon Mamba) or mamba2 (Mamba-2, Codestral Mamba, Falcon-H1)."""
    layers: Blocks
    """Layers with an SSM mixer."""
    inner_size: Width
    """d_inner: the SSM's inner width."""
    state_size: Heads
    """d_state: state entries per channel (ssm_state_size / mamba_d_state)."""
    conv_kernel: Layers8 = 4
    """d_conv: width of the causal convolution (conv_kernel / mamba_d_conv)."""
    heads: Heads | None = None
    """Mamba-2 only: SSM heads (mamba_n_heads); heads x head_dim = inner_size."""
    head_dim: Heads | None = None
    """Mamba-2 only: width of one SSM head (mamba_d_head)."""
    groups: Heads | None = None
    """Mamba-2 only: B/C groups (mamba_n_groups)."""
    dt_rank: Width | None = None
    """Mamba-1 only: rank of the time-step projection (time_step_rank)."""

    def __post_init__(self) -> None:
        sizes = (self.layers, self.inner_size, self.state_size, self.conv_kernel)
        optional = (self.heads, self.head_dim, self.groups, self.dt_rank)
        if min(sizes) < 1 or any(v is not None and v < 1 for v in optional):
            raise ValueError("ssm sizes must be positive")
        if self.kind == "mamba2":
            if self.heads is None or self.groups is None:
                raise ValueError("a mamba2 mixer needs heads and groups")
            if self.dt_rank is not None:
                raise ValueError("dt_rank is a mamba1 field")
            if self.head_dim is not None and self.heads * self.head_dim != self.inner_size:
                raise ValueError(
                    f"ssm heads x head_dim ({self.heads} x {self.head_dim}) must equal "
                    f"inner_size ({self.inner_size})"
                )
            if self.heads % self.groups:
                raise ValueError(f"ssm groups ({self.groups}) must divide heads ({self.heads})")
        else:
            if self.dt_rank is None:
                raise ValueError("a mamba1 mixer needs dt_rank")
            if self.heads is not None or self.groups is not None or self.head_dim is not None:
                raise ValueError("heads, head_dim and groups are mamba2 fields")


@record()
class Mla:
    """Multi-head latent attention (DeepSeek-V2/V3 architecture): keys and values are
    compressed to one latent vector per token, which is what the cache holds."""

    __pydantic_config__ = _STRICT

    kv_lora_rank: Width
    """Width of the compressed key/value latent (kv_lora_rank)."""
    q_lora_rank: Width | None = None
    """Width of the compressed query (q_lora_rank); null when queries are not compressed."""
    qk_rope_head_dim: Heads
    """Rotary part of each query/key head, shared by all heads for keys (qk_rope_head_dim)."""
    qk_nope_head_dim: Heads
    """Non-rotary part of each query/key head (qk_nope_head_dim)."""
    v_head_dim: Heads
    """Width of one value head (v_head_dim)."""

    def __post_init__(self) -> None:
        sizes = (self.kv_lora_rank, self.qk_rope_head_dim, self.qk_nope_head_dim, self.v_head_dim)
        if min(sizes) < 1 or (self.q_lora_rank is not None and self.q_lora_rank < 1):
            raise ValueError("mla sizes must be positive")


@record()
class Architecture:
    """The shapes memory estimation needs, from the model's config.json."""

    __pydantic_config__ = _STRICT

    layers: Blocks
    """Decoder blocks (num_hidden_layers)."""
    hidden_size: Width
    """Model width (d_model)."""
    intermediate_size: Width
    """MLP inner width; per routed expert for mixture-of-experts models."""
    attention_heads: Heads | None = None
    """Query heads per layer (required unless attention_layers is 0)."""
    kv_heads: Heads | None = None
    """Key/value heads per layer: equal to attention_heads for MHA, fewer for GQA, 1 for MQA."""
    head_dim: Heads | None = None
    """Width of one attention head (MLA: qk_nope_head_dim + qk_rope_head_dim)."""
    vocab_size: Vocab
    """Token vocabulary size (rows of the embedding matrix)."""
    mlp: Literal["gated", "plain", "none"] = "gated"
    """gated: SwiGLU-style gate, up and down matrices; plain: up and down matrices only; none:
    no MLP (pure Mamba blocks)."""
    norm: Literal["rmsnorm", "layernorm"] = "rmsnorm"
    """rmsnorm has a weight vector; layernorm has a weight and a bias vector."""
    norms_per_layer: Layers = 2
    """Normalisation layers inside each decoder block."""
    attention_bias: bool = False
    """Whether the q, k, v and output projections carry bias vectors."""
    mlp_bias: bool = False
    """Whether the MLP projections carry bias vectors."""
    tied_embeddings: bool = False
    """Whether the output head shares the token-embedding matrix."""
    embedding_norm: bool = False
    """A normalisation layer right after the token embedding (BLOOM)."""
    position_embedding: Literal["rope", "alibi"] = "rope"
    """Rotary (rope) or ALiBi positions; neither adds parameters."""
    rope_theta: Theta | None = None
    """RoPE base frequency, null for ALiBi."""
    experts: Experts | None = None
    """Mixture-of-experts: routed experts per MoE layer; null for dense models."""
    experts_per_token: Heads | None = None
    """Mixture-of-experts: routed experts the router selects per token."""
    sliding_window: Tokens | None = None
    """Attention window in tokens when the model uses sliding-window attention."""
    max_position_embeddings: Tokens | None = None
    """The raw config.json value; may differ from the documented context length."""
    rope_scaling_factor: Scale | None = None
    """config.json rope_scaling factor of a linear or dynamic RoPE scaling that stretches
    max_position_embeddings (Vicuna v1.5 16K: 4); null when there is none, or when
    max_position_embeddings already counts it (llama3 and YaRN types)."""
    attention_layers: Count | None = None
    """Layers with attention, and so a KV cache; default all `layers`. 0 for a pure SSM
    (then attention_heads, kv_heads and head_dim are left out)."""
    cross_attention_layers: Count | None = None
    """Layers whose attention reads the vision encoder's states (Llama 3.2 Vision): they hold
    attention weights, but no KV cache that grows with the context. Not in attention_layers."""
    ssm: Ssm | None = None
    """The state-space mixer (Mamba), for pure SSM and hybrid models."""
    shared_experts: Count | None = None
    """Mixture-of-experts: always-active experts per MoE layer (Llama 4: 1)."""
    shared_expert_intermediate_size: Width | None = None
    """Width of one shared expert, when it differs from intermediate_size."""
    moe_layers: Blocks | None = None
    """Layers with routed experts; default all layers (Llama 4 Maverick: 24 of 48)."""
    dense_intermediate_size: Width | None = None
    """MLP width of the layers without experts (Llama 4 intermediate_size_mlp)."""
    attention_chunk: Tokens | None = None
    """Chunked local attention: tokens per chunk (Llama 4 attention_chunk_size)."""
    local_layers: Count | None = None
    """Layers that use sliding_window or attention_chunk; the rest attend globally. Default
    when one of them is set: all attention layers."""
    mla: Mla | None = None
    """Multi-head latent attention: the cache holds one latent per token and layer."""
    ternary: bool = False
    """Weights stored as ternary {-1, 0, 1} (BitNet b1.58: Falcon-E)."""

    def __post_init__(self) -> None:
        # plain mappings (an importer's fields) become the nested types
        if isinstance(self.ssm, dict):
            object.__setattr__(self, "ssm", Ssm(**self.ssm))
        if isinstance(self.mla, dict):
            object.__setattr__(self, "mla", Mla(**self.mla))
        _check_attention(self)
        _check_counts(self)
        _check_experts(self)
        mla = self.mla
        if mla and self.head_dim and self.head_dim != mla.qk_nope_head_dim + mla.qk_rope_head_dim:
            raise ValueError("with mla, head_dim is qk_nope_head_dim + qk_rope_head_dim")
        if self.mlp == "none" and self.ssm is None:
            raise ValueError("mlp none is for SSM blocks only")

    @property
    def attention(self) -> Literal["mha", "gqa", "mqa", "mla", "none"]:
        if self.attention_count == 0 or self.kv_heads is None:
            return "none"
        if self.mla is not None:
            return "mla"
        if self.kv_heads == self.attention_heads:
            return "mha"
        return "mqa" if self.kv_heads == 1 else "gqa"

    @property
    def moe(self) -> bool:
        return self.experts is not None

    @property
    def attention_count(self) -> int:
        """Layers with attention (a KV cache)."""
        return self.layers if self.attention_layers is None else self.attention_layers

    @property
    def q_width(self) -> int:
        """attention_heads x head_dim; 0 without attention."""
        return (self.attention_heads or 0) * (self.head_dim or 0)

    @property
    def kv_width(self) -> int:
        """kv_heads x head_dim; 0 without attention."""
        return (self.kv_heads or 0) * (self.head_dim or 0)

    @property
    def window(self) -> int | None:
        """Tokens a local layer attends to (sliding window or chunk), if any."""
        return self.attention_chunk or self.sliding_window

    @property
    def local_count(self) -> int:
        """Attention layers capped at the window or chunk."""
        if not self.window:
            return 0
        return self.attention_count if self.local_layers is None else self.local_layers

    @property
    def moe_count(self) -> int:
        """Layers with routed experts."""
        if self.experts is None:
            return 0
        return self.layers if self.moe_layers is None else self.moe_layers


def _check_attention(arch: Architecture) -> None:
    """Heads are given exactly when there are attention layers, and divide evenly."""
    heads = (arch.attention_heads, arch.kv_heads, arch.head_dim)
    if arch.attention_layers == 0:
        if any(value is not None for value in heads):
            raise ValueError(
                "attention_layers is 0: leave out attention_heads, kv_heads and head_dim"
            )
        if arch.ssm is None:
            raise ValueError("a model without attention layers needs an ssm mixer")
        if arch.mla is not None or arch.sliding_window or arch.attention_chunk:
            raise ValueError("mla, sliding_window and attention_chunk need attention layers")
        return
    if arch.kv_heads is None or arch.attention_heads is None or arch.head_dim is None:
        raise ValueError("attention_heads, kv_heads and head_dim are required")
    if min(arch.kv_heads, arch.attention_heads, arch.head_dim) < 1:
        raise ValueError("attention_heads, kv_heads and head_dim must be positive")
    if arch.kv_heads > arch.attention_heads or arch.attention_heads % arch.kv_heads:
        raise ValueError(
            f"kv_heads ({arch.kv_heads}) must divide attention_heads ({arch.attention_heads})"
        )


def _check_counts(arch: Architecture) -> None:
    """Layer subsets never exceed the layers they are part of."""
    for name in ("attention_layers", "moe_layers", "local_layers", "cross_attention_layers"):
        value = getattr(arch, name)
        if value is not None and value > arch.layers:
            raise ValueError(f"{name} ({value}) exceeds layers ({arch.layers})")
    if arch.attention_count + (arch.cross_attention_layers or 0) > arch.layers:
        raise ValueError("attention_layers + cross_attention_layers exceeds layers")
    if arch.ssm is not None and arch.ssm.layers > arch.layers:
        raise ValueError(f"ssm.layers ({arch.ssm.layers}) exceeds layers ({arch.layers})")
    if arch.local_layers is not None and arch.local_layers > arch.attention_count:
        raise ValueError(
            f"local_layers ({arch.local_layers}) exceeds attention layers ({arch.attention_count})"
        )
    if arch.local_layers and not (arch.sliding_window or arch.attention_chunk):
        raise ValueError("local_layers needs sliding_window or attention_chunk")


def _check_experts(arch: Architecture) -> None:
    """Mixture-of-experts fields come together and agree."""
    if (arch.experts is None) != (arch.experts_per_token is None):
        raise ValueError("experts and experts_per_token must be given together")
    if arch.experts and arch.experts_per_token and arch.experts_per_token > arch.experts:
        raise ValueError(
            f"experts_per_token ({arch.experts_per_token}) exceeds experts ({arch.experts})"
        )
    moe_only = ("shared_experts", "shared_expert_intermediate_size", "moe_layers")
    if arch.experts is None and any(getattr(arch, n) is not None for n in moe_only):
        raise ValueError("shared_experts and moe_layers need experts")
    if arch.shared_expert_intermediate_size and not arch.shared_experts:
        raise ValueError("shared_expert_intermediate_size needs shared_experts")
    partial_moe = arch.moe_layers is not None and arch.moe_layers < arch.layers
    if partial_moe and arch.dense_intermediate_size is None:
        raise ValueError("moe_layers < layers: give dense_intermediate_size")
