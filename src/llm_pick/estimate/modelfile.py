"""A local GGUF file as a model: its architecture from the metadata, its weights as the exact
bytes of its tensors. The memory, fit and speed figures then come from the same functions as
for catalog models (estimate_memory, assess), with the weight terms replaced by the file's."""

from __future__ import annotations

from typing import Any

from llm_pick.catalog.gguf import GgufFile, Skipped
from llm_pick.catalog.shapes import Architecture
from llm_pick.catalog.tuples import NamedTuple
from llm_pick.catalog.types import License, Model, Parameters
from llm_pick.errors import CatalogError, InputError
from llm_pick.estimate.memory import Estimate, estimate_memory

# GGUF architectures whose memory terms llm-pick knows (llama.cpp's llm_arch names); Mistral
# and Mixtral files use "llama". Others are refused rather than guessed.
ARCHITECTURES = {
    "llama": "llama",
    "falcon": "falcon",
    "bloom": "bloom",
    "qwen2": "qwen",
    "qwen2moe": "qwen",
    "qwen3": "qwen",
    "qwen3moe": "qwen",
    "gemma": "gemma",
    "gemma2": "gemma",
    "gemma3": "gemma",
    "phi3": "phi",
    # issue 18: the keys below are llama.cpp's (gguf-py/gguf/constants.py: {arch}.ssm.*,
    # attention.kv_lora_rank, expert_shared_count, leading_dense_block_count, ...)
    "llama4": "llama",
    "falcon-h1": "falcon",
    "mamba": "mamba",
    "mamba2": "mamba",
    "deepseek2": "deepseek",
    "bitnet": "bitnet",
}
SSM_ONLY = ("mamba", "mamba2")
UNKNOWN_LICENSE = License(
    id="unknown",
    name="not recorded in the file",
    url="-",
    commercial_use="unknown",
)


class FileWeights(NamedTuple):
    total: int
    per_layer: int
    active: int
    tensors: int
    experts: int = 0  # the ffn_*_exps tensors (llama.cpp --n-cpu-moe moves them)
    experts_active: int = 0


class FileModel(NamedTuple):
    model: Model
    weights: FileWeights
    quant: str  # the file's type mix (general.file_type), or the most common tensor type
    facts: dict[str, Any]  # the metadata read, by key, for reports and import


# GGUF keys (after "ARCH.") -> the Architecture field they give: the catalog's limits apply.
FIELDS = {
    "block_count": "layers",
    "embedding_length": "hidden_size",
    "feed_forward_length": "intermediate_size",
    "expert_feed_forward_length": "intermediate_size",
    "attention.head_count": "attention_heads",
    "attention.head_count_kv": "kv_heads",
    "attention.key_length": "head_dim",
    "expert_count": "experts",
    "expert_used_count": "experts_per_token",
    "attention.sliding_window": "sliding_window",
    "rope.freq_base": "rope_theta",
    "context_length": "max_position_embeddings",
}
# 0 in an optional key: a dense model, no window
ZERO_IS_NONE = ("expert_count", "expert_used_count", "attention.sliding_window")


def _meta(file: GgufFile, key: str, required: bool = True) -> Any:
    """A number from the metadata, within the catalog's limits for the field it gives."""
    from llm_pick.catalog.limits import checked, number

    value = file.metadata.get(key)
    if isinstance(value, Skipped):
        raise CatalogError(f"{file.path}: {key} is an array of {int(value)} values, not a number")
    try:
        if isinstance(value, list):  # per-layer values (e.g. head_count_kv): the largest
            if not value:
                raise ValueError("is an empty list, not a number")
            value = max(number(v) for v in value)
        if value is None and required:
            raise CatalogError(f"{file.path}: the GGUF metadata has no {key}")
        suffix = key.partition(".")[2]
        if value is None or (value == 0 and not required and suffix in ZERO_IS_NONE):
            return None
        field = FIELDS.get(suffix)
        return number(value) if field is None else checked(Architecture, field, value)
    except ValueError as error:
        raise CatalogError(f"{file.path}: {key} {error}") from None


def architecture_of(file: GgufFile) -> tuple[str, Architecture, int, dict[str, Any]]:
    """(family, Architecture, context length, the facts read) from the metadata and tensors."""
    arch = file.architecture
    if arch not in ARCHITECTURES:
        known = ", ".join(sorted(ARCHITECTURES))
        raise CatalogError(f"{file.path}: GGUF architecture {arch!r} is not supported ({known})")
    names = {t.name for t in file.tensors}
    embd = next((t for t in file.tensors if t.name == "token_embd.weight"), None)
    if arch in SSM_ONLY:
        return _ssm_only(file, arch, embd)
    heads = int(_meta(file, f"{arch}.attention.head_count"))
    hidden = int(_meta(file, f"{arch}.embedding_length"))
    experts = _meta(file, f"{arch}.expert_count", required=False) or None
    used = _meta(file, f"{arch}.expert_used_count", required=experts is not None) or None
    ffn_key = f"{arch}.expert_feed_forward_length" if experts else ""
    inner = _meta(file, ffn_key, required=False) if ffn_key else None
    inner = inner or _meta(file, f"{arch}.feed_forward_length")
    vocab = file.metadata.get("tokenizer.ggml.tokens")  # a list, or its length when large
    vocab = len(vocab) if isinstance(vocab, list) else vocab
    if embd is not None and len(embd.shape) == 2:
        vocab = embd.shape[1]
    if not isinstance(vocab, int) or vocab < 1:
        raise CatalogError(f"{file.path}: no vocabulary size (tokenizer.ggml.tokens)")
    facts: dict[str, Any] = {
        "layers": int(_meta(file, f"{arch}.block_count")),
        "hidden_size": hidden,
        "intermediate_size": int(inner),
        "attention_heads": heads,
        "kv_heads": int(_meta(file, f"{arch}.attention.head_count_kv", False) or heads),
        "head_dim": int(_meta(file, f"{arch}.attention.key_length", False) or hidden // heads),
        "vocab_size": vocab,
        "mlp": "gated" if any(".ffn_gate" in n for n in names) else "plain",
        "norm": "layernorm" if "blk.0.attn_norm.bias" in names else "rmsnorm",
        "attention_bias": "blk.0.attn_q.bias" in names or "blk.0.attn_qkv.bias" in names,
        "tied_embeddings": "output.weight" not in names,
        "experts": int(experts) if experts else None,
        "experts_per_token": int(used or 0) if experts else None,
        "sliding_window": _meta(file, f"{arch}.attention.sliding_window", False) or None,
        "rope_theta": _meta(file, f"{arch}.rope.freq_base", False),
        "max_position_embeddings": int(_meta(file, f"{arch}.context_length")),
    }
    if facts["rope_theta"] is None:
        facts["position_embedding"] = "alibi" if arch == "bloom" else "rope"
    facts |= _new_kinds(file, arch, names, facts)
    _within_limits(file, facts)
    try:
        built = Architecture(**facts)
    except (TypeError, ValueError) as error:
        raise CatalogError(f"{file.path}: the GGUF metadata is inconsistent: {error}") from None
    return ARCHITECTURES[arch], built, facts["max_position_embeddings"], facts


def _ssm(file: GgufFile, arch: str, layers: int) -> dict[str, Any]:
    """The Mamba mixer from {arch}.ssm.*: Mamba-2 stores its head count as time_step_rank."""
    inner = int(_meta(file, f"{arch}.ssm.inner_size"))
    rank = int(_meta(file, f"{arch}.ssm.time_step_rank"))
    ssm: dict[str, Any] = {
        "layers": layers,
        "inner_size": inner,
        "state_size": int(_meta(file, f"{arch}.ssm.state_size")),
        "conv_kernel": int(_meta(file, f"{arch}.ssm.conv_kernel")),
    }
    if arch == "mamba":
        return ssm | {"kind": "mamba1", "dt_rank": rank}
    groups = int(_meta(file, f"{arch}.ssm.group_count", False) or 1)
    return ssm | {"kind": "mamba2", "heads": rank, "groups": groups}


def _ssm_only(
    file: GgufFile, arch: str, embd: Any
) -> tuple[str, Architecture, int, dict[str, Any]]:
    """A pure Mamba file: no attention, no MLP."""
    layers = int(_meta(file, f"{arch}.block_count"))
    vocab = embd.shape[1] if embd is not None and len(embd.shape) == 2 else None
    if not isinstance(vocab, int) or vocab < 1:
        raise CatalogError(f"{file.path}: no vocabulary size (token_embd.weight)")
    ssm = _ssm(file, arch, layers)
    facts: dict[str, Any] = {
        "layers": layers,
        "hidden_size": int(_meta(file, f"{arch}.embedding_length")),
        "intermediate_size": ssm["inner_size"],
        "vocab_size": vocab,
        "attention_layers": 0,
        "mlp": "none",
        "tied_embeddings": "output.weight" not in {t.name for t in file.tensors},
        "ssm": ssm,
        "max_position_embeddings": int(_meta(file, f"{arch}.context_length")),
    }
    _within_limits(file, facts)
    try:
        built = Architecture(**facts)
    except (TypeError, ValueError) as error:
        raise CatalogError(f"{file.path}: the GGUF metadata is inconsistent: {error}") from None
    return ARCHITECTURES[arch], built, facts["max_position_embeddings"], facts


def _new_kinds(file: GgufFile, arch: str, names: set[str], facts: dict[str, Any]) -> dict[str, Any]:
    """Fields of the 2025-26 kinds: Falcon-H1's parallel SSM, Llama 4's shared expert,
    interleaved MoE and chunked layers (llama.cpp: n_swa 8192, 3 chunked : 1 full), DeepSeek-2/3
    latent attention and leading dense layers, BitNet's ternary weights."""
    layers = facts["layers"]
    out: dict[str, Any] = {}
    if arch == "falcon-h1":
        out |= {"attention_layers": layers, "ssm": _ssm(file, arch, layers)}
    shared = _meta(file, f"{arch}.expert_shared_count", False)
    if "blk.0.ffn_up_shexp.weight" in names or any(".ffn_up_shexp." in n for n in names):
        out["shared_experts"] = int(shared or 1)
        width = _meta(file, f"{arch}.expert_shared_feed_forward_length", False)
        if width:
            out["shared_expert_intermediate_size"] = int(width)
    if arch == "llama4" and facts["experts"]:
        step = int(_meta(file, f"{arch}.interleave_moe_layer_step", False) or 1)
        out |= {
            "moe_layers": layers // step,
            "dense_intermediate_size": int(_meta(file, f"{arch}.feed_forward_length")),
        }
        window = _meta(file, f"{arch}.attention.sliding_window", False)
        if window != 0:
            out |= {"attention_chunk": 8192, "local_layers": layers - layers // 4}
    if arch == "deepseek2":
        out |= _mla(file, arch, layers, facts)
    if arch == "bitnet":
        out["ternary"] = True
    return out


def _mla(file: GgufFile, arch: str, layers: int, facts: dict[str, Any]) -> dict[str, Any]:
    rope = int(_meta(file, f"{arch}.rope.dimension_count"))
    key = _meta(file, f"{arch}.attention.key_length_mla", False)
    key = int(key or _meta(file, f"{arch}.attention.key_length"))
    value = _meta(file, f"{arch}.attention.value_length_mla", False)
    value = int(value or _meta(file, f"{arch}.attention.value_length"))
    q_rank = _meta(file, f"{arch}.attention.q_lora_rank", False)
    out: dict[str, Any] = {
        "kv_heads": facts["attention_heads"],
        "head_dim": key,
        "mla": {
            "kv_lora_rank": int(_meta(file, f"{arch}.attention.kv_lora_rank")),
            "q_lora_rank": int(q_rank) if q_rank else None,
            "qk_rope_head_dim": rope,
            "qk_nope_head_dim": key - rope,
            "v_head_dim": value,
        },
    }
    dense = int(_meta(file, f"{arch}.leading_dense_block_count", False) or 0)
    if facts["experts"] and dense:
        out |= {
            "moe_layers": layers - dense,
            "dense_intermediate_size": int(_meta(file, f"{arch}.feed_forward_length")),
        }
    return out


def _within_limits(file: GgufFile, facts: dict[str, Any]) -> None:
    """Every number of the architecture, those derived included, within the catalog's limits
    (checked before the architecture is built, so the error names the key)."""
    from llm_pick.catalog.limits import problems

    found = problems(facts, Architecture)
    if not found:
        return
    field, reason = found[0]
    keys = [f"{file.architecture}.{k}" for k, f in FIELDS.items() if f == field]
    keys = [key for key in keys if key in file.metadata]
    if field == "vocab_size":
        keys = ["tokenizer.ggml.tokens or token_embd.weight"]
    source = f"{keys[0]} ({field})" if keys else f"{field} (derived from the other keys)"
    raise CatalogError(f"{file.path}: {source} {reason}")


def file_weights(file: GgufFile, arch: Architecture) -> FileWeights:
    """Exact tensor bytes: all, those inside the decoder blocks, and those read per token."""
    total = per_layer = active = experts = experts_active = 0
    tied = arch.tied_embeddings
    share = (arch.experts_per_token or 1) / (arch.experts or 1)
    for tensor in file.tensors:
        size = tensor.nbytes
        total += size
        if tensor.name.startswith("blk."):
            per_layer += size
        if tensor.name.startswith("token_embd.") and not tied:
            continue  # one row is looked up per token
        active += round(size * share) if "_exps." in tensor.name else size
        if "_exps." in tensor.name:
            experts += size
            experts_active += round(size * share)
    return FileWeights(total, per_layer, active, len(file.tensors), experts, experts_active)


def parameter_counts(file: GgufFile, arch: Architecture) -> tuple[int, int]:
    total = sum(t.elements for t in file.tensors)
    experts = sum(t.elements for t in file.tensors if "_exps." in t.name)
    share = (arch.experts_per_token or 1) / (arch.experts or 1)
    return total, total - experts + round(experts * share)


def model_id(file: GgufFile) -> str:
    import re
    from pathlib import Path

    from llm_pick.catalog.ggufsplit import unsplit_name

    stem = unsplit_name(Path(file.path).name).removesuffix(".gguf").lower()
    slug = re.sub(r"[^a-z0-9.]+", "-", stem).strip("-.")
    return slug or "model"


def file_model(file: GgufFile) -> FileModel:
    from llm_pick.catalog.limits import problems

    family, arch, context, facts = architecture_of(file)
    if not file.tensors:
        raise CatalogError(f"{file.path}: the GGUF file has no tensors (a vocabulary-only file?)")
    total, active = parameter_counts(file, arch)
    try:
        parameters = Parameters(total=total, active=active, exact=True, source=file.path)
        for field, reason in problems(parameters)[:1]:
            raise ValueError(f"the {field} parameter count of its tensors {reason}")
        model = Model(
            id=model_id(file),
            name=str(file.metadata.get("general.name") or model_id(file))[:200],
            family=family,
            organization="-",
            variant="base",
            parameters=parameters,
            architecture=arch,
            context_length=context,
            license=UNKNOWN_LICENSE,
            languages=["und"],
            sources=[file.path],
        )
    except ValueError as error:
        raise CatalogError(f"{file.path}: the GGUF file is inconsistent: {error}") from None
    types = [t.type_name for t in file.tensors]
    quant = file.quant or max(sorted(set(types)), key=types.count)
    return FileModel(model, file_weights(file, arch), quant, facts)


def estimate_file(
    found: FileModel, *, context: int | None, batch: int, kv_dtype: str, flash_attn: bool = True
) -> Estimate:
    """estimate_memory for the file's architecture, with the exact weights of its tensors."""
    if context is not None and context > found.model.context_length:
        raise InputError(
            f"context {context} exceeds the file's {found.model.context_length} tokens "
            f"({found.model.architecture.max_position_embeddings} in its metadata)"
        )
    base = estimate_memory(
        found.model,
        "q8_0",
        context=context,
        batch=batch,
        kv_dtype=kv_dtype,
        flash_attn=flash_attn,
    )
    w = found.weights
    note = (
        f"weights: the exact bytes of the file's {w.tensors} tensors (not an estimate); "
        "KV cache and buffers estimated from its metadata"
    )
    return base._replace(
        quant=found.quant,
        weights_bytes=w.total,
        active_weight_bytes=w.active,
        layer_weight_bytes=w.per_layer,
        expert_bytes=w.experts,
        active_expert_bytes=w.experts_active,
        moe_layers=found.model.architecture.moe_count if w.experts else 0,
        assumptions=(note, *base.assumptions),
    )
