"""A GGUF file with a real model's shapes (the tensor table of Llama 3.1 8B) written by the
`gguf` package's writer without tensor data: the file is extended to its full size as a sparse
file (no disk space used), so its header and tensor table read as a real download's. The bytes
the writer gives for one set of shapes are kept for the process: writing the 128,256-token list
again cost about 0.3 s per file in the fast loop, where the same default file is written five
times; a second file of the same arguments gets the same bytes, copied."""

from __future__ import annotations

from pathlib import Path

import gguf
import numpy as np

Q4_K = gguf.GGMLQuantizationType.Q4_K
F32 = gguf.GGMLQuantizationType.F32
_WRITTEN: dict[tuple[object, ...], tuple[bytes, int]] = {}  # arguments: (header, full size)


def write_shaped(
    path: Path,
    name: str = "Meta Llama 3.1 8B Instruct",
    *,
    layers: int = 32,
    hidden: int = 4096,
    heads: int = 32,
    kv_heads: int = 8,
    ffn: int = 14336,
    vocab: int = 128256,
    context: int = 131072,
    extra: dict[str, str] | None = None,
) -> Path:
    """Llama-3.1-8B's shapes by default, Q4_K_M (file type 15) with Q4_K matrices."""
    shapes = (name, layers, hidden, heads, kv_heads, ffn, vocab, context)
    key = (*shapes, tuple(sorted((extra or {}).items())))
    if key not in _WRITTEN:
        _WRITTEN[key] = _write(path, *shapes, extra=extra)
    header, size = _WRITTEN[key]
    with path.open("wb") as handle:  # the header and tensor table, then a sparse tail
        handle.write(header)
        handle.truncate(size)
    return path


def _write(
    path: Path,
    name: str,
    layers: int,
    hidden: int,
    heads: int,
    kv_heads: int,
    ffn: int,
    vocab: int,
    context: int,
    extra: dict[str, str] | None,
) -> tuple[bytes, int]:
    """The header and tensor table the writer gives, and the size of the whole file."""
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name(name)
    writer.add_block_count(layers)
    writer.add_context_length(context)
    writer.add_embedding_length(hidden)
    writer.add_feed_forward_length(ffn)
    writer.add_head_count(heads)
    writer.add_head_count_kv(kv_heads)
    writer.add_rope_freq_base(500000.0)
    writer.add_file_type(15)
    writer.add_token_list([f"t{i}" for i in range(vocab)])
    for key, value in (extra or {}).items():
        writer.add_string(key, value)
    head_dim = hidden // heads

    def tensor(name: str, shape: tuple[int, ...], kind: gguf.GGMLQuantizationType) -> None:
        block, size = gguf.GGML_QUANT_SIZES[kind]
        count = int(np.prod(shape))
        writer.add_tensor_info(name, shape, np.dtype(np.float32), count // block * size, kind)

    tensor("token_embd.weight", (vocab, hidden), Q4_K)
    for i in range(layers):
        tensor(f"blk.{i}.attn_norm.weight", (hidden,), F32)
        tensor(f"blk.{i}.attn_q.weight", (heads * head_dim, hidden), Q4_K)
        tensor(f"blk.{i}.attn_k.weight", (kv_heads * head_dim, hidden), Q4_K)
        tensor(f"blk.{i}.attn_v.weight", (kv_heads * head_dim, hidden), Q4_K)
        tensor(f"blk.{i}.attn_output.weight", (hidden, heads * head_dim), Q4_K)
        tensor(f"blk.{i}.ffn_norm.weight", (hidden,), F32)
        tensor(f"blk.{i}.ffn_gate.weight", (ffn, hidden), Q4_K)
        tensor(f"blk.{i}.ffn_up.weight", (ffn, hidden), Q4_K)
        tensor(f"blk.{i}.ffn_down.weight", (hidden, ffn), Q4_K)
    tensor("output_norm.weight", (hidden,), F32)
    tensor("output.weight", (vocab, hidden), Q4_K)
    tensor("rope_freqs.weight", (head_dim // 2,), F32)  # llama.cpp's Llama 3.1 file has it
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    writer.close()
    data = sum(
        -(-info.nbytes // 32) * 32 for info in writer.tensors[0].values()
    )  # each tensor aligned to 32 bytes
    header = path.read_bytes()
    return header, -(-len(header) // 32) * 32 + data
