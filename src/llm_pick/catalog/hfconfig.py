"""Hugging Face model folders: config.json to architecture fields, and safetensors headers
(8-byte little-endian length, then a JSON header of dtype, shape and offsets) to an exact
parameter count. Only headers are read; every length is checked first."""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path
from typing import Any

from llm_pick.errors import CatalogError

MAX_CONFIG = 4 * 1024 * 1024
MAX_HEADER = 100 * 1024 * 1024
# config.json model_type -> family id
FAMILIES = {
    "llama": "llama",
    "mistral": "mistral",
    "mixtral": "mixtral",
    "falcon": "falcon",
    "bloom": "bloom",
    "qwen2": "qwen",
    "qwen3": "qwen",
    "gemma2": "gemma",
    "gemma3_text": "gemma",
    "phi3": "phi",
}


def read_json(path: Path, limit: int = MAX_CONFIG) -> Any:
    try:
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as error:
        raise CatalogError(f"{path}: cannot read: {error.strerror or error}") from None
    if len(raw) > limit:
        raise CatalogError(f"{path}: larger than {limit // 1024} KiB")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise CatalogError(f"{path}: not valid JSON") from None


def _get(config: dict[str, Any], name: str, *keys: str, default: Any = None) -> Any:
    for key in keys:
        value = config.get(key)
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise CatalogError(f"{name}: {key} is {value!r}, not a number")
            return value
    if default is None:
        raise CatalogError(f"{name}: no {' or '.join(keys)}")
    return default


def architecture_fields(config: Any, name: str) -> tuple[str, dict[str, Any], int]:
    """(family, Architecture fields, context length) from a config.json document."""
    if not isinstance(config, dict):
        raise CatalogError(f"{name}: not a config.json object")
    from llm_pick.catalog import hfkinds

    kind = config.get("model_type")
    families = FAMILIES | hfkinds.FAMILIES
    if kind not in families:
        known = ", ".join(sorted(families))
        raise CatalogError(f"{name}: model_type {kind!r} is not supported ({known})")
    text = config.get("text_config")
    if kind == "gemma3_text" or not isinstance(text, dict):
        text = config
    if kind in hfkinds.SSM_ONLY:
        ssm_fields = hfkinds.ssm_only_fields(kind, text, name)
        context = int(_get(text, name, "max_position_embeddings", default=2**20))
        return families[kind], ssm_fields, min(context, 2**30)
    hidden = int(_get(text, name, "hidden_size", "n_embed", "d_model"))
    heads = int(_get(text, name, "num_attention_heads", "n_head"))
    kv = heads
    if kind == "falcon":
        kv = int(_get(text, name, "num_kv_heads", default=1 if text.get("multi_query") else heads))
    else:
        kv = int(_get(text, name, "num_key_value_heads", default=heads))
    plain = kind in ("falcon", "bloom")
    fields: dict[str, Any] = {
        "layers": int(_get(text, name, "num_hidden_layers", "n_layer")),
        "hidden_size": hidden,
        "intermediate_size": int(
            _get(text, name, "intermediate_size", "ffn_hidden_size", default=4 * hidden)
        ),
        "attention_heads": heads,
        "kv_heads": kv,
        "head_dim": int(_get(text, name, "head_dim", default=hidden // heads)),
        "vocab_size": int(_get(text, name, "vocab_size")),
        "mlp": "plain" if plain else "gated",
        "norm": "layernorm" if plain else "rmsnorm",
        "attention_bias": bool(text.get("attention_bias", kind == "qwen2" or kind == "bloom")),
        "tied_embeddings": bool(text.get("tie_word_embeddings", kind in ("bloom", "gemma2"))),
    }
    if kind == "bloom":
        fields |= {"position_embedding": "alibi", "embedding_norm": True, "mlp_bias": True}
    else:
        fields["rope_theta"] = float(_get(text, name, "rope_theta", default=10000.0))
    experts = text.get("num_local_experts") or text.get("num_experts")
    if experts:
        fields["experts"] = int(experts)
        fields["experts_per_token"] = int(_get(text, name, "num_experts_per_tok"))
    window = text.get("sliding_window")
    if isinstance(window, int) and window > 0:
        fields["sliding_window"] = window
    context = int(_get(text, name, "max_position_embeddings", "n_positions", default=2048))
    fields["max_position_embeddings"] = context
    fields |= hfkinds.extra_fields(kind, text, config, name)
    return families[kind], fields, context


def safetensors_parameters(path: Path) -> int:
    """Elements of every tensor in one .safetensors file, from its header alone."""
    try:
        with path.open("rb") as handle:
            size = path.stat().st_size
            head = handle.read(8)
            if len(head) != 8:
                raise CatalogError(f"{path}: truncated safetensors file")
            (length,) = struct.unpack("<Q", head)
            if length > min(MAX_HEADER, size - 8):
                raise CatalogError(f"{path}: safetensors header length {length} is impossible")
            raw = handle.read(length)
    except OSError as error:
        raise CatalogError(f"{path}: cannot read: {error.strerror or error}") from None
    try:
        header = json.loads(raw)
    except (ValueError, RecursionError):
        raise CatalogError(f"{path}: the safetensors header is not JSON") from None
    if not isinstance(header, dict):
        raise CatalogError(f"{path}: the safetensors header is not an object")
    total = 0
    for key, info in header.items():
        if key == "__metadata__":
            continue
        shape = info.get("shape") if isinstance(info, dict) else None
        if not isinstance(shape, list) or not all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape
        ):
            raise CatalogError(f"{path}: tensor {key!r} has no valid shape")
        total += math.prod(shape)
    return total
