"""Real GGUF files for tests, written with the llama.cpp project's own `gguf` writer."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import gguf
import numpy as np


def write_gguf(
    path: Path,
    *,
    arch: str = "llama",
    layers: int = 2,
    hidden: int = 64,
    heads: int = 4,
    kv_heads: int = 2,
    ffn: int = 128,
    vocab: int = 96,
    context: int = 2048,
    tied: bool = False,
    quant: gguf.GGMLQuantizationType = gguf.GGMLQuantizationType.Q8_0,
    file_type: int | None = 7,
    skip: tuple[str, ...] = (),
    extra: dict[str, tuple[Any, ...]] | None = None,
    tensors: bool = True,
    split_max_tensors: int = 0,
) -> Path:
    """A small llama-style model: every tensor real, the 2-D ones stored as `quant`.
    `extra` adds (or replaces) metadata keys of any type, e.g.
    {"llama.block_count": (GGUFValueType.INT32, -5)} or, for an array, (ARRAY, [1, 2], UINT32);
    tensors=False writes the header alone; split_max_tensors splits it as llama.cpp's gguf-split
    does (path NAME.gguf -> NAME-00001-of-0000N.gguf ..., the first part returned)."""
    writer = gguf.GGUFWriter(str(path), arch, split_max_tensors=split_max_tensors)
    writer.add_name("Tiny Test")
    meta = {
        "block_count": (writer.add_block_count, layers),
        "context_length": (writer.add_context_length, context),
        "embedding_length": (writer.add_embedding_length, hidden),
        "feed_forward_length": (writer.add_feed_forward_length, ffn),
        "head_count": (writer.add_head_count, heads),
        "head_count_kv": (writer.add_head_count_kv, kv_heads),
    }
    for key, (add, value) in meta.items():
        full = f"{arch}.{'attention.' if key.startswith('head_') else ''}{key}"
        if key not in skip and full not in (extra or {}):
            add(value)
    writer.add_rope_freq_base(10000.0)
    if file_type is not None:
        writer.add_file_type(file_type)
    writer.add_token_list([f"t{i}" for i in range(vocab)])
    for key, (kind, value, *item_kind) in (extra or {}).items():
        writer.add_key_value(key, value, kind, *item_kind)
    if not tensors:
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.close()
        return path
    rng = np.random.default_rng(0)
    head_dim = hidden // heads

    def matrix(name: str, rows: int, cols: int) -> None:
        data = rng.standard_normal((rows, cols)).astype(np.float32)
        if quant in (gguf.GGMLQuantizationType.F32, gguf.GGMLQuantizationType.F16):
            writer.add_tensor(name, data.astype(np.float16 if quant.value == 1 else np.float32))
        else:
            packed = gguf.quants.quantize(data, quant)
            writer.add_tensor(name, packed, raw_shape=packed.shape, raw_dtype=quant)

    def vector(name: str, size: int) -> None:
        writer.add_tensor(name, np.ones(size, dtype=np.float32))

    matrix("token_embd.weight", vocab, hidden)
    for i in range(layers):
        vector(f"blk.{i}.attn_norm.weight", hidden)
        matrix(f"blk.{i}.attn_q.weight", heads * head_dim, hidden)
        matrix(f"blk.{i}.attn_k.weight", kv_heads * head_dim, hidden)
        matrix(f"blk.{i}.attn_v.weight", kv_heads * head_dim, hidden)
        matrix(f"blk.{i}.attn_output.weight", hidden, heads * head_dim)
        vector(f"blk.{i}.ffn_norm.weight", hidden)
        matrix(f"blk.{i}.ffn_gate.weight", ffn, hidden)
        matrix(f"blk.{i}.ffn_up.weight", ffn, hidden)
        matrix(f"blk.{i}.ffn_down.weight", hidden, ffn)
    vector("output_norm.weight", hidden)
    if not tied:
        matrix("output.weight", vocab, hidden)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    parts = writer.format_shard_names(path)
    writer.close()
    return parts[0]


# ---- hand-built bytes, for headers the writer will not produce -------------------------


def raw_header(tensors: int = 0, keys: int = 0, version: int = 3) -> bytes:
    return b"GGUF" + struct.pack("<IQQ", version, tensors, keys)


def raw_string(text: str) -> bytes:
    data = text.encode()
    return struct.pack("<Q", len(data)) + data


def raw_key(key: str, kind: int, payload: bytes) -> bytes:
    """One metadata pair: key, value type id (gguf.GGUFValueType), the value's bytes."""
    return raw_string(key) + struct.pack("<I", kind) + payload


def raw_array(item_kind: int, count: int, items: bytes) -> bytes:
    return struct.pack("<IQ", item_kind, count) + items
