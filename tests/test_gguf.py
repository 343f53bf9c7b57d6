"""The GGUF header reader and `memory FILE.gguf`, on real files written by the gguf package."""

from __future__ import annotations

import struct
from pathlib import Path

import gguf
import pytest
from gguf_files import write_gguf

from llm_pick.catalog.gguf import GGML_TYPES, read_gguf
from llm_pick.errors import CatalogError
from llm_pick.estimate.modelfile import estimate_file, file_model


def test_type_table_matches_the_gguf_package():
    for type_id, (name, per_block, block_bytes) in GGML_TYPES.items():
        kind = gguf.GGMLQuantizationType(type_id)
        assert kind.name.lower() == name
        assert gguf.GGML_QUANT_SIZES[kind] == (per_block, block_bytes)


def test_reads_metadata_and_exact_tensor_bytes(tmp_path):
    path = write_gguf(tmp_path / "tiny.gguf")
    ours = read_gguf(path)
    theirs = gguf.GGUFReader(path)
    assert ours.architecture == "llama"
    assert ours.metadata["llama.block_count"] == 2
    assert ours.metadata["tokenizer.ggml.tokens"] == [f"t{i}" for i in range(96)]
    assert len(ours.tensors) == len(theirs.tensors)
    for mine, ref in zip(ours.tensors, theirs.tensors, strict=True):
        assert mine.name == ref.name
        assert mine.shape == tuple(int(n) for n in ref.shape)
        assert mine.nbytes == int(ref.n_bytes)
        assert ours.data_offset + mine.offset == int(ref.data_offset)
    assert ours.quant == "q8_0"


def test_file_model_and_estimate(tmp_path):
    found = file_model(read_gguf(write_gguf(tmp_path / "tiny.gguf")))
    arch = found.model.architecture
    assert (arch.layers, arch.hidden_size, arch.kv_heads, arch.head_dim) == (2, 64, 2, 16)
    assert arch.vocab_size == 96 and not arch.tied_embeddings
    estimate = estimate_file(found, context=1024, batch=1, kv_dtype="fp16")
    assert estimate.weights_bytes == sum(
        t.nbytes for t in read_gguf(tmp_path / "tiny.gguf").tensors
    )
    # K and V: 2 x layers x kv_heads x head_dim x tokens x 2 bytes
    assert estimate.kv_cache_bytes == 2 * 2 * 2 * 16 * 1024 * 2
    assert "exact bytes" in estimate.assumptions[0]
    quantized = estimate_file(found, context=1024, batch=1, kv_dtype="q8_0")
    assert quantized.kv_cache_bytes < estimate.kv_cache_bytes


def test_tied_embeddings_are_read_per_token(tmp_path):
    tied = file_model(read_gguf(write_gguf(tmp_path / "t.gguf", tied=True)))
    untied = file_model(read_gguf(write_gguf(tmp_path / "u.gguf")))
    assert tied.model.architecture.tied_embeddings
    embd = next(t for t in read_gguf(tmp_path / "t.gguf").tensors if t.name == "token_embd.weight")
    assert tied.weights.active == untied.weights.active - embd.nbytes + embd.nbytes
    assert untied.weights.active == untied.weights.total - embd.nbytes


def test_memory_command_on_a_gguf_file(tmp_path, cli):
    path = write_gguf(tmp_path / "tiny.gguf")
    result = cli("memory", str(path), "--context", "1k", "--vram", "8", "--format", "json")
    assert result.code == 0, result.stderr
    data = result.json()
    assert data["weights_exact"] is True
    assert data["weights_bytes"] == read_gguf(path).tensor_bytes
    assert data["fit"]["verdict"] == "gpu"
    assert data["file"]["architecture"] == "llama" and data["context"] == 1024
    table = cli("memory", str(path), "--context", "1k")
    assert table.code == 0 and "exact bytes" in table.stdout
    over = cli("memory", str(path), "--context", "4k")
    assert over.code == 1 and "exceeds the file's 2048 tokens" in over.stderr


def corrupt(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "bad.gguf"
    path.write_bytes(data)
    return path


def header(version: int = 3, tensors: int = 0, keys: int = 0) -> bytes:
    return b"GGUF" + struct.pack("<IQQ", version, tensors, keys)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "wrong magic"),
        (b"GGML" + b"\0" * 40, "wrong magic"),
        (header(version=1), "version 1"),
        (header(version=3 << 24), "unknown GGUF version"),
        (header(tensors=2**63), "tensor count of"),
        (header(keys=2**40), "metadata count of"),
        (header(keys=1) + struct.pack("<Q", 2**60), "string length"),
        (header(keys=1) + struct.pack("<Q", 1000) + b"abc", "truncated"),
        (header(keys=1) + struct.pack("<Q", 1) + b"k" + struct.pack("<I", 77), "value type 77"),
        (
            header(keys=1) + struct.pack("<Q", 1) + b"k" + struct.pack("<IIQ", 9, 4, 2**23),
            "array runs past",
        ),
        (header(keys=1)[:-3], "truncated"),
    ],
)
def test_bad_headers_are_one_clear_error(tmp_path, data, message):
    with pytest.raises(CatalogError, match=message):
        read_gguf(corrupt(tmp_path, data))


def test_truncated_real_file(tmp_path, cli):
    path = write_gguf(tmp_path / "tiny.gguf")
    raw = path.read_bytes()
    for cut in (10, len(raw) // 3, len(raw) - 7):
        short = corrupt(tmp_path, raw[:cut])
        result = cli("memory", str(short))
        assert result.code != 0 and result.stderr.startswith("Error: ")
        assert "truncated" in result.stderr and "Traceback" not in result.stderr


def test_missing_metadata_key_is_named(tmp_path, cli):
    path = write_gguf(tmp_path / "nohead.gguf", skip=("head_count",))
    result = cli("memory", str(path))
    assert result.code != 0
    assert "no llama.attention.head_count" in result.stderr


def test_unknown_architecture_is_named(tmp_path, cli):
    path = write_gguf(tmp_path / "rwkv.gguf", arch="rwkv6")
    result = cli("memory", str(path))
    assert result.code != 0 and "architecture 'rwkv6' is not supported" in result.stderr


def test_not_a_regular_file(tmp_path, cli):
    import os

    fifo = tmp_path / "pipe.gguf"
    os.mkfifo(fifo)
    result = cli("memory", str(fifo))
    assert result.code != 0 and "not a regular file" in result.stderr
    assert "no such file" in cli("memory", str(tmp_path / "none.gguf")).stderr
