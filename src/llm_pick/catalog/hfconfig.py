"""Hugging Face model folders: config.json to architecture fields, and safetensors headers
(8-byte little-endian length, then a JSON header of dtype, shape and offsets) to an exact
parameter count. Only headers are read; every length is checked first."""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path
from typing import Any

from llm_pick.catalog.shapes import Architecture
from llm_pick.errors import CatalogError

MAX_CONFIG = 4 * 1024 * 1024
# A safetensors header takes some 100 bytes per tensor: 16 MiB is over 100,000 tensors in one
# file, where real shards hold hundreds to a few thousand (the format's own cap, 100 MB,
# would take many seconds to parse); a folder's headers together get 64 MiB.
MAX_HEADER = 16 * 1024 * 1024
MAX_HEADERS = 64 * 1024 * 1024
MAX_SHARDS = 4096  # safetensors files in one folder: hundreds in the largest models
MAX_DIMS = 64  # dimensions of one tensor (numpy allows 64; models use 1 to 4)
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
# config.json keys -> the Architecture field they give: the catalog's limits apply to them.
FIELDS = {
    "num_hidden_layers": "layers",
    "n_layer": "layers",
    "hidden_size": "hidden_size",
    "n_embed": "hidden_size",
    "d_model": "hidden_size",
    "intermediate_size": "intermediate_size",
    "ffn_hidden_size": "intermediate_size",
    "num_attention_heads": "attention_heads",
    "n_head": "attention_heads",
    "num_key_value_heads": "kv_heads",
    "num_kv_heads": "kv_heads",
    "head_dim": "head_dim",
    "vocab_size": "vocab_size",
    "rope_theta": "rope_theta",
    "num_local_experts": "experts",
    "num_experts": "experts",
    "num_experts_per_tok": "experts_per_token",
    "sliding_window": "sliding_window",
    "max_position_embeddings": "max_position_embeddings",
    "n_positions": "max_position_embeddings",
}
ZERO_IS_NONE = ("num_local_experts", "num_experts", "sliding_window")  # dense, no window


def read_json(path: Path, limit: int = MAX_CONFIG) -> Any:
    """A JSON file read as any input is (catalog/read.py: a regular file, at most `limit`)."""
    from llm_pick.catalog.read import read_input

    raw = read_input(str(path), limit)
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise CatalogError(f"{path}: not valid JSON") from None


def _get(config: dict[str, Any], name: str, *keys: str, default: Any = None) -> Any:
    """The first of `keys` present, within the catalog's limits for the field it gives."""
    from llm_pick.catalog.limits import checked, number

    for key in keys:
        value = config.get(key)
        if value is not None:
            if value == 0 and key in ZERO_IS_NONE:  # 0 or false: none
                continue
            try:
                field = FIELDS.get(key)
                return number(value) if field is None else checked(Architecture, field, value)
            except ValueError as error:
                raise CatalogError(f"{name}: {key} {error}") from None
    if default is None:
        raise CatalogError(f"{name}: no {' or '.join(keys)}")
    return default


def _flag(config: dict[str, Any], name: str, key: str, default: bool) -> bool:
    value = config.get(key, default)
    if not isinstance(value, bool):
        raise CatalogError(f"{name}: {key} is {value!r:.40}, not true or false")
    return value


def architecture_fields(config: Any, name: str) -> tuple[str, dict[str, Any], int]:
    """(family, Architecture fields, context length) from a config.json document."""
    if not isinstance(config, dict):
        raise CatalogError(f"{name}: not a config.json object")
    from llm_pick.catalog import hfkinds

    kind = config.get("model_type")
    families = FAMILIES | hfkinds.FAMILIES
    if not isinstance(kind, str) or kind not in families:
        known = ", ".join(sorted(families))
        raise CatalogError(f"{name}: model_type {kind!r:.60} is not supported ({known})")
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
        "attention_bias": _flag(text, name, "attention_bias", kind in ("qwen2", "bloom")),
        "tied_embeddings": _flag(text, name, "tie_word_embeddings", kind in ("bloom", "gemma2")),
    }
    if kind == "bloom":
        fields |= {"position_embedding": "alibi", "embedding_norm": True, "mlp_bias": True}
    else:
        fields["rope_theta"] = float(_get(text, name, "rope_theta", default=10000.0))
    experts = _get(text, name, "num_local_experts", "num_experts", default=0)
    if experts:
        fields["experts"] = int(experts)
        fields["experts_per_token"] = int(_get(text, name, "num_experts_per_tok"))
    window = _get(text, name, "sliding_window", default=0)
    if window:
        fields["sliding_window"] = window
    context = int(_get(text, name, "max_position_embeddings", "n_positions", default=2048))
    fields["max_position_embeddings"] = context
    factor = _stretch(text, name)
    if factor is not None:  # linear or dynamic RoPE scaling stretches the positions
        fields["rope_scaling_factor"] = factor
        context = min(int(context * factor), 2**30)
    fields |= hfkinds.extra_fields(kind, text, config, name)
    return families[kind], fields, context


def _stretch(text: dict[str, Any], name: str) -> float | None:
    """The factor of a linear or dynamic rope_scaling (which stretch max_position_embeddings,
    as vLLM derives its longest sequence); None for none or another type (llama3 and YaRN
    configs give the stretched length themselves)."""
    scaling = text.get("rope_scaling") or text.get("rope_parameters")  # transformers 5 name
    if not isinstance(scaling, dict):
        return None
    kind = scaling.get("rope_type", scaling.get("type"))
    if kind not in ("linear", "dynamic"):
        return None
    factor = scaling.get("factor")
    if isinstance(factor, bool) or not isinstance(factor, int | float) or not 1 <= factor <= 1024:
        raise CatalogError(f"{name}: rope_scaling factor is {factor!r:.40}, not a number 1-1024")
    return float(factor)


def safetensors_parameters(path: Path, limit: int = MAX_HEADER) -> int:
    """Elements of every tensor in one .safetensors file, from its header alone."""
    return _parameters(path, _header(path, limit))


def folder_parameters(shards: list[Path]) -> int:
    """Elements of every tensor in a model's safetensors files: at most MAX_SHARDS files,
    and MAX_HEADERS bytes of headers in all."""
    if len(shards) > MAX_SHARDS:
        raise CatalogError(
            f"{shards[0].parent}: {len(shards)} safetensors files, more than the limit of "
            f"{MAX_SHARDS}"
        )
    total, left = 0, MAX_HEADERS
    for shard in shards:
        raw = _header(shard, min(MAX_HEADER, left))
        left -= len(raw)
        total += _parameters(shard, raw)
    return total


def _header(path: Path, limit: int) -> bytes:
    """The JSON header of a safetensors file (8-byte little-endian length, then the header):
    a regular file only, the length checked against the file and `limit` before reading."""
    import os

    from llm_pick.catalog.read import open_regular, read_exactly

    name = str(path)
    fd = open_regular(name)
    try:
        size = os.fstat(fd).st_size
        if size < 8:
            raise CatalogError(f"{path}: truncated safetensors file")
        (length,) = struct.unpack("<Q", read_exactly(fd, 8, name))
        if length > size - 8:
            raise CatalogError(f"{path}: safetensors header length {length} is impossible")
        if length > limit:
            raise CatalogError(
                f"{path}: a safetensors header of {length} bytes is over the limit of "
                f"{MAX_HEADER // 2**20} MiB per file and {MAX_HEADERS // 2**20} MiB per folder"
            )
        return read_exactly(fd, length, name)
    finally:
        os.close(fd)


def _parameters(path: Path, raw: bytes) -> int:
    import gc

    from llm_pick.catalog.limits import shown

    collecting = gc.isenabled()
    gc.disable()  # a large header is 100,000s of small acyclic objects: no cycles to find
    try:
        header = json.loads(raw)
    except (ValueError, RecursionError):
        raise CatalogError(f"{path}: the safetensors header is not JSON") from None
    finally:
        if collecting:
            gc.enable()
    if not isinstance(header, dict):
        raise CatalogError(f"{path}: the safetensors header is not an object")
    header.pop("__metadata__", None)
    total = 0
    prod = math.prod
    for key, info in header.items():
        shape = info.get("shape") if type(info) is dict else None
        if (
            type(shape) is not list
            or len(shape) > MAX_DIMS
            or any(type(n) is not int or not 0 <= n < 2**64 for n in shape)
        ):
            raise CatalogError(f"{path}: tensor {shown(key)} has no valid shape")
        total += prod(shape)
    return total
