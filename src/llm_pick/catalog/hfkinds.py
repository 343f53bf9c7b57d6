"""config.json fields of the 2025-26 architectures (issue 18): Llama 4 (shared expert,
interleaved MoE and chunked local attention), DeepSeek-V3-style MoE with latent attention
(Mistral Large 3), Falcon-H1 (attention and Mamba-2 side by side), Falcon Mamba / Mamba,
Mamba-2 (Codestral Mamba) and BitNet ternary weights. catalog/hfconfig.py calls `extra_fields`
after it has read the common fields; every value read here is checked to be a number."""

from __future__ import annotations

from typing import Any

from llm_pick.errors import CatalogError

# model_type -> family, for the kinds this module reads
FAMILIES = {
    "llama4": "llama",
    "llama4_text": "llama",
    "mistral3": "mistral",
    "ministral3": "mistral",
    "falcon_h1": "falcon",
    "falcon_mamba": "falcon",
    "mamba": "mamba",
    "mamba2": "mistral",  # Codestral Mamba, the Mamba-2 model in our families
    "deepseek_v3": "mistral",  # Mistral Large 3 ships a DeepSeek-V3-architecture text model
    "bitnet": "bitnet",
}
SSM_ONLY = ("falcon_mamba", "mamba", "mamba2")


ZERO_OK = ("first_k_dense_replace", "n_shared_experts", "interleave_moe_layer_step")
MAX_SIZE = 2**30  # far above any real width or count: a typo, not a model


def _int(config: dict[str, Any], name: str, key: str, default: int | None = None) -> int:
    value = config.get(key)
    if value is None:
        if default is None:
            raise CatalogError(f"{name}: no {key}")
        return default
    low = 0 if key in ZERO_OK else 1
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_SIZE:
        raise CatalogError(f"{name}: {key} is {value!r}, not a count from {low} to {MAX_SIZE}")
    return value


def ssm_only_fields(kind: str, config: dict[str, Any], name: str) -> dict[str, Any]:
    """Architecture fields of a pure SSM (no attention; heads left out)."""
    hidden = _int(config, name, "hidden_size")
    layers = _int(config, name, "num_hidden_layers")
    fields: dict[str, Any] = {
        "layers": layers,
        "hidden_size": hidden,
        "vocab_size": _int(config, name, "vocab_size"),
        "attention_layers": 0,
        "mlp": "none",
        "tied_embeddings": bool(config.get("tie_word_embeddings", kind != "falcon_mamba")),
    }
    if kind == "mamba2":
        heads = _int(config, name, "num_heads")
        head_dim = _int(config, name, "head_dim")
        inner = heads * head_dim
        fields["ssm"] = {
            "kind": "mamba2",
            "layers": layers,
            "inner_size": inner,
            "state_size": _int(config, name, "state_size"),
            "conv_kernel": _int(config, name, "conv_kernel", 4),
            "heads": heads,
            "head_dim": head_dim,
            "groups": _int(config, name, "n_groups", 1),
        }
    else:
        inner = _int(config, name, "intermediate_size", 2 * hidden)
        rank = config.get("time_step_rank")
        fields["ssm"] = {
            "kind": "mamba1",
            "layers": layers,
            "inner_size": inner,
            "state_size": _int(config, name, "state_size", 16),
            "conv_kernel": _int(config, name, "conv_kernel", 4),
            "dt_rank": -(-hidden // 16)
            if rank in (None, "auto")
            else _int(config, name, "time_step_rank"),
        }
    fields["intermediate_size"] = inner  # no MLP: kept for the schema, unused
    return fields


def extra_fields(
    kind: str, text: dict[str, Any], config: dict[str, Any], name: str
) -> dict[str, Any]:
    """The fields beyond the common ones, for a model with attention."""
    layers = _int(text, name, "num_hidden_layers")
    text_kind = text.get("model_type", kind)
    out: dict[str, Any] = {}
    if kind in ("llama4", "llama4_text"):
        out |= _llama4(text, name, layers)
    if text_kind == "deepseek_v3" or kind == "deepseek_v3":
        out |= _deepseek(text, name, layers)
    if kind == "falcon_h1":
        out |= _falcon_h1(text, name, layers)
    rope = text.get("rope_parameters")  # transformers 5 moves rope_theta in here
    if "rope_theta" not in text and isinstance(rope, dict):
        theta = rope.get("rope_theta")
        if isinstance(theta, int | float) and not isinstance(theta, bool) and 0 < theta <= 1e12:
            out["rope_theta"] = float(theta)
    quant = config.get("quantization_config")
    if kind == "bitnet" or (isinstance(quant, dict) and quant.get("quant_method") == "bitnet"):
        out["ternary"] = True
    return out


def encoder_of(config: dict[str, Any]) -> dict[str, Any] | None:
    """A vision or audio encoder named in config.json (its size is not computed here)."""
    for key, kind in (("vision_config", "vision"), ("audio_config", "audio")):
        if isinstance(config.get(key), dict):
            return {"kind": kind, "source": f"config.json has a {key} (size not computed)"}
    return None


def _llama4(text: dict[str, Any], name: str, layers: int) -> dict[str, Any]:
    moe = text.get("moe_layers")
    step = _int(text, name, "interleave_moe_layer_step", 1) or 1
    moe_count = len(moe) if isinstance(moe, list) else layers // step
    no_rope = text.get("no_rope_layers")
    if isinstance(no_rope, list) and len(no_rope) == layers:
        local = sum(1 for flag in no_rope if flag)  # 1: RoPE and chunked; 0: global, no RoPE
    else:
        local = layers - layers // _int(text, name, "no_rope_layer_interval", 4)
    out: dict[str, Any] = {
        "shared_experts": 1,  # transformers Llama4TextMoe: one shared_expert per MoE layer
        "moe_layers": moe_count,
        "dense_intermediate_size": _int(text, name, "intermediate_size_mlp"),
    }
    chunk = text.get("attention_chunk_size")
    if chunk:
        out |= {"attention_chunk": _int(text, name, "attention_chunk_size"), "local_layers": local}
    return out


def _deepseek(text: dict[str, Any], name: str, layers: int) -> dict[str, Any]:
    nope = _int(text, name, "qk_nope_head_dim")
    rope = _int(text, name, "qk_rope_head_dim")
    heads = _int(text, name, "num_attention_heads")
    q_rank = text.get("q_lora_rank")
    out: dict[str, Any] = {
        "kv_heads": heads,
        "head_dim": nope + rope,
        "mla": {
            "kv_lora_rank": _int(text, name, "kv_lora_rank"),
            "q_lora_rank": None if q_rank is None else _int(text, name, "q_lora_rank"),
            "qk_rope_head_dim": rope,
            "qk_nope_head_dim": nope,
            "v_head_dim": _int(text, name, "v_head_dim"),
        },
    }
    experts = text.get("n_routed_experts")
    if experts:
        dense = _int(text, name, "first_k_dense_replace", 0)
        out |= {
            "experts": _int(text, name, "n_routed_experts"),
            "experts_per_token": _int(text, name, "num_experts_per_tok"),
            "intermediate_size": _int(text, name, "moe_intermediate_size"),
            "dense_intermediate_size": _int(text, name, "intermediate_size"),
            "moe_layers": layers - dense,
        }
        shared = _int(text, name, "n_shared_experts", 0)
        if shared:
            out["shared_experts"] = shared
    return out


def _falcon_h1(text: dict[str, Any], name: str, layers: int) -> dict[str, Any]:
    heads = _int(text, name, "mamba_n_heads")
    head_dim = _int(text, name, "mamba_d_head")
    inner = text.get("mamba_d_ssm")
    return {
        "attention_layers": layers,  # a parallel hybrid: attention and SSM in every layer
        "ssm": {
            "kind": "mamba2",
            "layers": layers,
            "inner_size": heads * head_dim if inner is None else _int(text, name, "mamba_d_ssm"),
            "state_size": _int(text, name, "mamba_d_state"),
            "conv_kernel": _int(text, name, "mamba_d_conv", 4),
            "heads": heads,
            "head_dim": head_dim,
            "groups": _int(text, name, "mamba_n_groups", 1),
        },
    }
