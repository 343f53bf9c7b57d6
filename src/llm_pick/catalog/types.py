"""The catalog's types: plain frozen dataclasses, no I/O.

They are validated by pydantic (validation.py), which reads the constraints in the
annotations, the `__pydantic_config__` and the attribute docstrings (they become the JSON
Schema's descriptions). Neither pydantic nor annotated_types is imported on the hot path: the
annotations stay strings, and the constrained names below (Positive, Text, ...) are plain
placeholders until `bind_constraints()` replaces them, just before pydantic reads them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from llm_pick.catalog.runfields import (
    GGUF_QUANT_PATTERN,
    OLLAMA_QUANT_PATTERN,
    check_ollama,
    check_quants,
    check_repo,
)

_STRICT: Any = {"extra": "forbid", "use_attribute_docstrings": True}

# Constrained types, as pydantic sees them after bind_constraints().
Positive = int  # > 0
Count = int  # >= 0
Text = str  # at least one character, at most MAX_TEXT
Note = str  # at most MAX_TEXT characters
Code = str  # a language code, at least two characters
Texts = list[str]  # a non-empty list of Text
Codes = list[str]  # a non-empty list of Code
Layers = int  # norms per layer: 1..4
Theta = float  # > 0
Experts = int  # >= 2
Percent = float  # 0..100
# Plausible maximums (issue 9): far above any released model, low enough that no estimate
# loops for minutes or runs out of memory on a typo. docs/catalog.md lists them.
ParamCount = int  # 1..1e14 parameters
Blocks = int  # decoder layers: 1..1024
Width = int  # hidden or MLP width: 1..2**22
Heads = int  # attention or KV heads, head width, experts per token: 1..4096
Vocab = int  # 1..2**24 tokens
Tokens = int  # context, window, positions: 1..2**30 tokens
Shots = int  # 0..1000
Layers8 = int  # convolution width: 1..64
MAX_TEXT = 100_000  # characters in any one catalog string


def bind_constraints() -> None:
    """Give the constrained names their annotated_types constraints (validation only)."""
    from typing import Annotated

    from annotated_types import Ge, Gt, Le, MaxLen, MinLen

    names = globals()
    if names["Positive"] is not int:
        return
    names.update(
        Positive=Annotated[int, Gt(0)],
        Count=Annotated[int, Ge(0)],
        Text=Annotated[str, MinLen(1), MaxLen(MAX_TEXT)],
        Note=Annotated[str, MaxLen(MAX_TEXT)],
        Code=Annotated[str, MinLen(2)],
        Texts=Annotated[list[Annotated[str, MinLen(1), MaxLen(MAX_TEXT)]], MinLen(1), MaxLen(1000)],
        Codes=Annotated[list[Annotated[str, MinLen(2)]], MinLen(1), MaxLen(1000)],
        Layers=Annotated[int, Ge(1), Le(4)],
        Theta=Annotated[float, Gt(0), Le(1e12)],
        Experts=Annotated[int, Ge(2), Le(4096)],
        Percent=Annotated[float, Ge(0), Le(100)],
        ParamCount=Annotated[int, Gt(0), Le(10**14)],
        Blocks=Annotated[int, Gt(0), Le(1024)],
        Width=Annotated[int, Gt(0), Le(2**22)],
        Heads=Annotated[int, Gt(0), Le(4096)],
        Vocab=Annotated[int, Gt(0), Le(2**24)],
        Tokens=Annotated[int, Gt(0), Le(2**30)],
        Shots=Annotated[int, Ge(0), Le(1000)],
        Layers8=Annotated[int, Ge(1), Le(64)],
    )


# The families data/runtimes.yaml knows. A catalog entry may name any other family id
# (lowercase letters, digits, dots and dashes); runtime support for it then comes from the
# entry's `runtimes.supported`, or is assumed to be none (the documented default).
KnownFamily = Literal["llama", "mistral", "mixtral", "bloom", "falcon"]
Family = str
FAMILY_PATTERN = "[a-z][a-z0-9.-]*"
# Fields a fine-tune (an entry with base_model) may leave out: they come from its base.
INHERITED = ("family", "parameters", "architecture", "context_length", "languages")
Variant = Literal["base", "chat", "instruct", "fine-tune"]
Commercial = Literal["allowed", "conditional", "prohibited"]

COMMERCIAL_RANK = {"prohibited": 0, "conditional": 1, "allowed": 2}

# The scoring criteria (scoring/criteria.py computes them; profiles weight them).
CRITERIA = ("quality", "speed", "context", "license", "ecosystem", "languages")
MAX_WEIGHT = 1e6


def check_weights(weights: dict[str, float]) -> None:
    """The one check of criterion weights (profiles, --weight): ValueError with the reason."""
    import math

    unknown = sorted(set(weights) - set(CRITERIA))
    if unknown:
        raise ValueError(f"unknown criterion {', '.join(unknown)}; valid: {', '.join(CRITERIA)}")
    for name, weight in weights.items():
        if not (math.isfinite(weight) and 0 <= weight <= MAX_WEIGHT):
            raise ValueError(f"the weight of {name} must be a number from 0 to {MAX_WEIGHT:.0f}")
    if sum(weights.values()) <= 0:
        raise ValueError("every criterion weight is 0: give at least one a positive weight")


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Parameters:
    """Parameter counts, with their source."""

    __pydantic_config__ = _STRICT

    total: ParamCount
    """Total parameter count, every expert included."""
    active: ParamCount | None = None
    """Parameters used per token (MoE: router-selected experts only). Defaults to total."""
    exact: bool = False
    """True when `total` is an exact count (e.g. safetensors metadata), not a rounded figure."""
    source: Note | None = None
    """Where the count comes from."""

    def __post_init__(self) -> None:
        if self.active is None:
            object.__setattr__(self, "active", self.total)
        elif self.active > self.total:
            raise ValueError(f"active ({self.active}) exceeds total ({self.total}) parameters")

    @property
    def active_count(self) -> int:
        return self.total if self.active is None else self.active


@dataclass(frozen=True, slots=True, kw_only=True)
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


@dataclass(frozen=True, slots=True, kw_only=True)
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


@dataclass(frozen=True, slots=True, kw_only=True)
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
    attention_layers: Count | None = None
    """Layers with attention, and so a KV cache; default all `layers`. 0 for a pure SSM
    (then attention_heads, kv_heads and head_dim are left out)."""
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
        heads = (self.attention_heads, self.kv_heads, self.head_dim)
        if self.attention_layers == 0:
            if any(value is not None for value in heads):
                raise ValueError(
                    "attention_layers is 0: leave out attention_heads, kv_heads and head_dim"
                )
            if self.ssm is None:
                raise ValueError("a model without attention layers needs an ssm mixer")
            if self.mla is not None or self.sliding_window or self.attention_chunk:
                raise ValueError("mla, sliding_window and attention_chunk need attention layers")
        else:
            if any(value is None for value in heads):
                raise ValueError("attention_heads, kv_heads and head_dim are required")
            assert self.kv_heads is not None and self.attention_heads is not None
            if min(self.kv_heads, self.attention_heads, self.head_dim or 0) < 1:
                raise ValueError("attention_heads, kv_heads and head_dim must be positive")
            if self.kv_heads > self.attention_heads or self.attention_heads % self.kv_heads:
                raise ValueError(
                    f"kv_heads ({self.kv_heads}) must divide attention_heads "
                    f"({self.attention_heads})"
                )
        for name in ("attention_layers", "moe_layers", "local_layers"):
            value = getattr(self, name)
            if value is not None and value > self.layers:
                raise ValueError(f"{name} ({value}) exceeds layers ({self.layers})")
        if self.ssm is not None and self.ssm.layers > self.layers:
            raise ValueError(f"ssm.layers ({self.ssm.layers}) exceeds layers ({self.layers})")
        if self.local_layers is not None and self.local_layers > self.attention_count:
            raise ValueError(
                f"local_layers ({self.local_layers}) exceeds attention layers "
                f"({self.attention_count})"
            )
        if self.local_layers and not (self.sliding_window or self.attention_chunk):
            raise ValueError("local_layers needs sliding_window or attention_chunk")
        if (self.experts is None) != (self.experts_per_token is None):
            raise ValueError("experts and experts_per_token must be given together")
        if self.experts and self.experts_per_token and self.experts_per_token > self.experts:
            raise ValueError(
                f"experts_per_token ({self.experts_per_token}) exceeds experts ({self.experts})"
            )
        moe_only = ("shared_experts", "shared_expert_intermediate_size", "moe_layers")
        if self.experts is None and any(getattr(self, n) is not None for n in moe_only):
            raise ValueError("shared_experts and moe_layers need experts")
        if self.shared_expert_intermediate_size and not self.shared_experts:
            raise ValueError("shared_expert_intermediate_size needs shared_experts")
        partial_moe = self.moe_layers is not None and self.moe_layers < self.layers
        if partial_moe and self.dense_intermediate_size is None:
            raise ValueError("moe_layers < layers: give dense_intermediate_size")
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


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class License:
    """The licence of the weights and what it allows commercially."""

    __pydantic_config__ = _STRICT

    id: Text
    """Short licence id, e.g. apache-2.0, llama2, bigscience-bloom-rail-1.0."""
    name: Text
    """Full licence name."""
    url: Text
    """Where the licence text can be read."""
    commercial_use: Commercial
    """allowed; conditional (allowed under conditions stated in `conditions`); prohibited."""
    conditions: Note | None = None
    """The conditions or prohibition, in words. Required unless commercial_use is allowed."""

    def __post_init__(self) -> None:
        if self.commercial_use != "allowed" and not (self.conditions or "").strip():
            raise ValueError(
                f"conditions are required when commercial_use is {self.commercial_use}"
            )


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Benchmark:
    """A published benchmark score."""

    __pydantic_config__ = _STRICT

    value: Percent
    """Score in percent (0-100)."""
    source: Text
    """Paper table or model card the value comes from."""
    shots: Shots | None = None
    """Few-shot examples used; null when the source does not say."""
    protocol: str | None = None
    """How the score was obtained (shots, scoring, harness), e.g. '5-shot' or '5-shot, instruct
    dialogue format, generated answer (Meta)'. The key names the scale: scores under one key
    share one protocol (docs/scoring.md lists the keys the quality scale reads)."""
    metric: str | None = None
    """The metric as the source names it (acc, acc_norm, pass@1, maj@1, ...), when it says."""


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class GgufRepo:
    """A Hugging Face repository of GGUF files for this model."""

    __pydantic_config__ = _STRICT

    repo: Text
    """owner/name on Hugging Face, as `llama-server -hf` takes it (each part 1-96 letters,
    digits, _ . -, not starting or ending with . or -)."""
    quants: list[str]
    """The quantizations seen in the repository (llm-pick names, lowercase: q4_k_m, q8_0;
    lowercase letters, digits and _)."""
    source: Text
    """Where the repository and its files were seen."""
    hf_ready: bool = True
    """False when large files are byte-split parts (.partXofY) that `-hf` cannot load."""
    mmproj: Note | None = None
    """The multimodal projector file (vision/audio encoder) in the repository, e.g.
    mmproj-F16.gguf; llama.cpp loads it beside the model (`--mmproj`)."""
    mmproj_bytes: ParamCount | None = None
    """The projector file's size in bytes, when the listing shows it."""

    def __post_init__(self) -> None:
        check_repo("repo", self.repo)
        check_quants(self.quants, GGUF_QUANT_PATTERN)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class OllamaTags:
    """The Ollama library tags of this model, one per quantization."""

    __pydantic_config__ = _STRICT

    pattern: Text
    """The tag with `{quant}` (exactly once) where the quantization goes, e.g.
    llama3.1:8b-instruct-{quant}; filled in, an Ollama name ([namespace/]model:tag)."""
    quants: list[str]
    """Quantizations the library has, spelled as in the tags (q4_K_M, q8_0, fp16; letters,
    digits and _)."""
    source: Text
    """Where the tags were seen."""

    def __post_init__(self) -> None:
        check_quants(self.quants, OLLAMA_QUANT_PATTERN)
        check_ollama(self.pattern, self.quants)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Runtimes:
    """How to run the model: GGUF files, Ollama tags, and runtimes for an unlisted family."""

    __pydantic_config__ = _STRICT

    gguf: GgufRepo | None = None
    """GGUF files for llama.cpp (`llama-server -hf REPO:QUANT`)."""
    ollama: OllamaTags | None = None
    """Ollama library tags (`ollama run TAG`)."""
    supported: list[str] | None = None
    """Runtime ids (data/runtimes.yaml) that run this model; used only when the family is not
    one data/runtimes.yaml lists."""


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Capabilities:
    """What the released checkpoint does, per its model card."""

    __pydantic_config__ = _STRICT

    input: list[Literal["text", "image", "audio"]] = field(default_factory=lambda: ["text"])
    """What the model accepts."""
    reasoning: Literal["none", "always", "toggle"] = "none"
    """Thinking mode: never, always, or switchable."""
    tools: bool = False
    """Native function calling, per the card."""
    code: bool = False
    """A code-focused model (Devstral, Codestral)."""
    source: Note | None = None
    """The model card's words."""


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Encoder:
    """A vision or audio encoder in the checkpoint: llama.cpp runs it from a separate
    multimodal projector (mmproj) GGUF file."""

    __pydantic_config__ = _STRICT

    kind: Literal["vision", "audio"]
    """What the encoder reads."""
    parameters: ParamCount | None = None
    """Encoder and projector parameters, when sourced."""
    source: Note | None = None
    """Where the encoder's size comes from."""


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Model:
    """One catalog entry: an open-weight model and its sourced facts."""

    __pydantic_config__ = _STRICT

    id: Text
    """Unique id: lowercase letters, digits, dots and dashes."""
    name: Text
    """Display name."""
    family: Family = None  # type: ignore[assignment]
    """Model family: any lowercase id (llama, mistral, qwen, ...). A fine-tune may leave it out
    to inherit its base's."""
    organization: Text
    """Who released the weights."""
    release_date: dt.date | None = None
    """Public release date."""
    variant: Variant
    """base, chat, instruct, or a third-party fine-tune."""
    base_model: Note | None = None
    """Id of the catalog model this one was fine-tuned from."""
    hf_repo: Note | None = None
    """Hugging Face repository of the weights: owner/name (each part 1-96 letters, digits,
    _ . -, not starting or ending with . or -)."""
    parameters: Parameters = None  # type: ignore[assignment]
    """Parameter counts (a fine-tune may leave them out to inherit its base's)."""
    architecture: Architecture = None  # type: ignore[assignment]
    """The shapes memory estimation needs (from config.json); inherited when left out."""
    context_length: Tokens = None  # type: ignore[assignment]
    """Context the model was trained or documented for, in tokens; inherited when left out."""
    license: License
    """Licence of the weights."""
    languages: Codes = None  # type: ignore[assignment]
    """ISO 639-1 codes (639-3 where no 639-1 code exists) documented by the model card or paper;
    inherited when left out."""
    benchmarks: dict[str, Benchmark] = field(default_factory=dict)
    """Published scores (mmlu, hellaswag, ...) with shots and source."""
    sources: Texts
    """Where each fact comes from: paper table, model card, config.json, licence."""
    notes: Note | None = None
    """Caveats, disagreements between sources, corrections of popular claims."""
    runtimes: Runtimes | None = None
    """GGUF repository, Ollama tags (for the run commands) and runtime support, sourced."""
    capabilities: Capabilities | None = None
    """Inputs, reasoning mode, tool use, code focus, per the model card."""
    encoder: Encoder | None = None
    """A vision or audio encoder (llama.cpp: a separate mmproj file)."""

    def __post_init__(self) -> None:
        if not _ID.match(self.id):
            raise ValueError(f"id {self.id!r} must match {ID_PATTERN}")
        if self.hf_repo is not None:
            check_repo("hf_repo", self.hf_repo)
        if self.base_model == self.id:
            raise ValueError("base_model cannot be the model itself")
        if self.variant == "fine-tune" and self.base_model is None:
            raise ValueError("a fine-tune must name its base_model")
        missing = [name for name in INHERITED if getattr(self, name) is None]
        if missing and self.base_model is None:
            raise ValueError(
                f"{', '.join(missing)}: required (only an entry with base_model may leave "
                "them out, to inherit them from its base)"
            )
        if self.family is not None and not _FAMILY.match(self.family):
            raise ValueError(f"family {self.family!r} must match {FAMILY_PATTERN} (lowercase)")
        if missing:
            return  # checked again once the catalog fills them in from the base
        if not _LANGUAGES.match(" ".join(self.languages)):
            bad = next(code for code in self.languages if not _LANGUAGES.match(code))
            raise ValueError(f"language {bad!r} is not an ISO 639 code (2-3 lowercase letters)")
        arch, params = self.architecture, self.parameters
        if arch.moe and params.active_count >= params.total:
            raise ValueError("a mixture-of-experts model must have active < total parameters")
        if not arch.moe and params.active_count != params.total:
            raise ValueError("a dense model has active == total parameters")

    @property
    def attention(self) -> str:
        return self.architecture.attention

    @property
    def moe(self) -> bool:
        return self.architecture.moe


ID_PATTERN = "[a-z0-9][a-z0-9.-]*"
_ID = re.compile(ID_PATTERN + r"\Z")
_FAMILY = re.compile(FAMILY_PATTERN + r"\Z")
_LANGUAGES = re.compile(r"[a-z]{2,3}( [a-z]{2,3})*\Z")  # space-separated codes


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class CatalogFile:
    """A catalog file: `schema_version: 1` and a list of models."""

    __pydantic_config__ = _STRICT

    schema_version: Literal[1]
    """Format version of this file."""
    models: list[Model]
    """The model entries."""
