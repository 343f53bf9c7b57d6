"""Hostile model files (issue 17, sections 2 and 3): GGUF headers whose facts break the
catalog's limits or whose counts would make the reader loop for minutes, config.json values
that are not plausible numbers, safetensors files that are FIFOs or have huge headers. Each
is one `Error:` line naming the file and the key, quickly, with nothing written."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import Result
from gguf import GGUFValueType as T
from gguf_files import raw_array, raw_header, raw_key, raw_string, write_gguf
from test_import import CONFIG, LICENCE, safetensors

from llm_pick.catalog import hfconfig
from llm_pick.catalog.gguf import read_gguf
from llm_pick.errors import CatalogError


def one_error(result: Result, *needles: str) -> None:
    """Exit 1, one `Error:` line on stderr holding every needle, no internal error."""
    assert result.code == 1, (result.code, result.stdout[-500:], result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)


def cli_subprocess(*args: str, timeout: float = 30) -> tuple[Result, float]:
    """The CLI in its own process (for inputs that used to hang): the result and seconds."""
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "llm_pick", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return Result(done.returncode, done.stdout, done.stderr), time.monotonic() - start


# ---- GGUF facts go through the catalog's limits ------------------------------------------

FACTS = {
    "layers 10^7": ({"llama.block_count": (T.UINT32, 10**7)}, "llama.block_count", "1024"),
    "layers 2^32-1": ({"llama.block_count": (T.UINT32, 2**32 - 1)}, "llama.block_count", "1024"),
    "negative layers": ({"llama.block_count": (T.INT32, -5)}, "llama.block_count", "at least 1"),
    "fractional layers": ({"llama.block_count": (T.FLOAT32, 2.5)}, "llama.block_count", "whole"),
    "NaN heads": (
        {"llama.attention.head_count": (T.FLOAT32, float("nan"))},
        "llama.attention.head_count",
        "not a finite number",
    ),
    "infinite width": (
        {"llama.embedding_length": (T.FLOAT32, float("inf"))},
        "llama.embedding_length",
        "not a finite number",
    ),
    "zero heads": ({"llama.attention.head_count": (T.UINT32, 0)}, "head_count", "at least 1"),
    "zero KV heads": (
        {"llama.attention.head_count_kv": (T.UINT32, 0)},
        "llama.attention.head_count_kv",
        "at least 1",
    ),
    "10^9 experts": (
        {"llama.expert_count": (T.UINT32, 10**9), "llama.expert_used_count": (T.UINT32, 2)},
        "llama.expert_count",
        "4096",
    ),
    "2^40 context": ({"llama.context_length": (T.UINT64, 2**40)}, "llama.context_length", "limit"),
    "NaN rope base": (
        {"llama.rope.freq_base": (T.FLOAT32, float("nan"))},
        "llama.rope.freq_base",
        "not a finite number",
    ),
    "width as text": ({"llama.feed_forward_length": (T.STRING, "128")}, "feed_forward", "number"),
    "more heads than width": (
        {
            "llama.attention.head_count": (T.UINT32, 128),
            "llama.attention.head_count_kv": (T.UINT32, 2),
        },
        "head_dim",
        "at least 1",
    ),
}


@pytest.mark.parametrize("name", list(FACTS))
def test_gguf_facts_obey_the_catalog_limits(tmp_path, cli, name):
    extra, key, reason = FACTS[name]
    path = write_gguf(tmp_path / "bad.gguf", extra=extra)
    start = time.monotonic()
    one_error(cli("memory", str(path)), str(path), key, reason)
    out = tmp_path / "catalog.yaml"
    one_error(cli("import", str(path), *LICENCE, "-o", str(out)), str(path), key, reason)
    assert not out.exists()
    assert time.monotonic() - start < 5


def test_a_huge_layer_count_never_runs(tmp_path):
    """2^32-1 layers used to loop forever (killed at 60 s); now refused at once."""
    path = write_gguf(tmp_path / "m.gguf", tensors=False, extra=FACTS["layers 2^32-1"][0])
    result, seconds = cli_subprocess("memory", str(path))
    one_error(result, "llama.block_count")
    assert seconds < 10


def test_a_gguf_file_without_tensors_is_one_error(tmp_path, cli):
    path = write_gguf(tmp_path / "vocab.gguf", tensors=False)
    one_error(cli("memory", str(path)), str(path), "no tensors")


# ---- the GGUF reader's work is bounded by the file -------------------------------------


def sparse(path: Path, head: bytes, size: int) -> Path:
    """`head`, then zeros up to `size` bytes (a sparse file: no disk space used)."""
    with path.open("wb") as handle:
        handle.write(head)
        handle.truncate(size)
    return path


def read_error(path: Path) -> tuple[str, float]:
    start = time.monotonic()
    with pytest.raises(CatalogError) as error:
        read_gguf(path)
    return str(error.value), time.monotonic() - start


def test_a_16m_string_array_is_refused_at_once(tmp_path):
    count = 16_000_000  # 16M empty strings: 128 MB of zero lengths (took 22 s)
    head = raw_header(keys=1) + raw_key("tokenizer.ggml.tokens", 9, raw_array(8, count, b""))
    message, seconds = read_error(sparse(tmp_path / "s.gguf", head, len(head) + 8 * count))
    assert "tokenizer.ggml.tokens" in message and "in all" in message
    assert seconds < 2


def test_10m_nested_empty_arrays_are_refused_at_once(tmp_path):
    count = 10_000_000  # arrays of empty uint8 arrays: 120 MB (took 27 s)
    head = raw_header(keys=1) + raw_key("x", 9, raw_array(9, count, b""))
    message, seconds = read_error(sparse(tmp_path / "n.gguf", head, len(head) + 12 * count))
    assert "key 'x'" in message and "arrays of arrays" in message
    assert seconds < 2


def test_1m_tensor_entries_are_refused_at_once(tmp_path):
    count = 1_000_000  # 33 MB of tensor entries (took 4.6 s)
    entry = raw_string("t") + struct.pack("<IQIQ", 1, 32, 0, 0)
    path = tmp_path / "t.gguf"
    path.write_bytes(raw_header(tensors=count) + entry * count + b"\0" * 4096)
    message, seconds = read_error(path)
    assert "tensor count" in message
    assert seconds < 2


def test_the_item_budget_is_for_the_whole_header(tmp_path):
    """Two arrays each under the per-array cap, together over the header's budget."""
    count = 2_500_000
    head = raw_header(keys=2) + raw_key("a", 9, raw_array(8, count, b""))
    path = sparse(tmp_path / "two.gguf", head, len(head) + 8 * count)
    with path.open("r+b") as handle:  # the second key after the first array's zero lengths
        handle.seek(len(head) + 8 * count)
        handle.write(raw_key("b", 9, raw_array(8, count, b"")))
        handle.truncate(handle.tell() + 8 * count)
    message, seconds = read_error(path)
    assert "key 'b'" in message and "in all" in message
    assert seconds < 5


def test_a_long_string_array_within_the_budget_is_walked_quickly(tmp_path):
    count = 3_000_000
    head = raw_header(keys=1) + raw_key("tokenizer.ggml.tokens", 9, raw_array(8, count, b""))
    path = sparse(tmp_path / "ok.gguf", head, len(head) + 8 * count)
    start = time.monotonic()
    found = read_gguf(path)
    assert found.metadata["tokenizer.ggml.tokens"] == count
    assert time.monotonic() - start < 5


def test_overlapping_tensors_are_refused(tmp_path):
    """Two tensors claiming the same 128 bytes: more bytes than the file holds after the
    header (ggml lays tensors end to end)."""
    entry = struct.pack("<IQIQ", 1, 32, 0, 0)  # one dimension of 32, f32, offset 0
    head = raw_header(tensors=2) + raw_string("a") + entry + raw_string("b") + entry
    path = tmp_path / "overlap.gguf"
    path.write_bytes(head + b"\0" * ((-len(head)) % 32) + b"\0" * 128)
    message, _ = read_error(path)
    assert "the tensors take 256 bytes" in message


def test_tensor_names_as_long_as_ggml_allows(tmp_path):
    entry = struct.pack("<IQIQ", 1, 32, 0, 0)
    for name, ok in (("n" * 63, True), ("n" * 64, False)):
        head = raw_header(tensors=1) + raw_string(name) + entry
        path = tmp_path / "name.gguf"
        path.write_bytes(head + b"\0" * ((-len(head)) % 32) + b"\0" * 128)
        if ok:
            assert read_gguf(path).tensors[0].name == name
        else:
            assert "tensor 1" in read_error(path)[0]


def test_reader_errors_name_the_key(tmp_path):
    head = raw_header(keys=2) + raw_key("general.name", 8, raw_string("x"))
    path = tmp_path / "k.gguf"
    path.write_bytes(head + raw_string("llama.block_count") + struct.pack("<I", 4) + b"\1")
    message, _ = read_error(path)
    assert "key 'llama.block_count'" in message and "truncated" in message
    assert str(path) in message


# ---- config.json values are checked as catalog values ---------------------------------


def model_folder(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text(text)
    return folder


def with_value(key: str, raw: str) -> str:
    """CONFIG with `key` set to the JSON text `raw` (NaN, Infinity and 1e400 included)."""
    body = {k: v for k, v in CONFIG.items() if k != key}
    return json.dumps(body)[:-1] + f', "{key}": {raw}}}'


CONFIGS = {
    "NaN layers": ("num_hidden_layers", "NaN", "not a finite number"),
    "Infinity layers": ("num_hidden_layers", "Infinity", "not a finite number"),
    "1e400 width": ("hidden_size", "1e400", "not a finite number"),
    "zero heads": ("num_attention_heads", "0", "at least 1"),
    "negative heads": ("num_attention_heads", "-4", "at least 1"),
    "negative layers": ("num_hidden_layers", "-3", "at least 1"),
    "2.5 layers": ("num_hidden_layers", "2.5", "not a whole number"),
    "width as a list": ("hidden_size", "[64]", "not a number"),
    "model_type as a list": ("model_type", '["qwen2"]', "model_type"),
    "experts as a list": ("num_local_experts", "[8]", "not a number"),
    "vocabulary over the limit": ("vocab_size", str(2**25), "limit"),
    "window over the limit": ("sliding_window", str(2**31), "limit"),
    "context over the limit": ("max_position_embeddings", str(2**31), "limit"),
    "negative rope base": ("rope_theta", "-1", "above 0"),
    "bias as text": ("attention_bias", '"yes"', "not true or false"),
}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_config_values_are_checked_like_catalogs(tmp_path, cli, name):
    key, raw, reason = CONFIGS[name]
    folder = model_folder(tmp_path, with_value(key, raw))
    out = tmp_path / "catalog.yaml"
    one_error(cli("import", str(folder), *LICENCE, "-o", str(out)), "config.json", key, reason)
    assert not out.exists()


def test_import_never_writes_what_validate_refuses(tmp_path, cli):
    """Values that only the whole entry shows wrong: a safetensors header counting no
    parameters at all."""
    folder = model_folder(tmp_path, json.dumps(CONFIG))
    safetensors(folder / "model.safetensors", {"empty": [0]})
    out = tmp_path / "catalog.yaml"
    one_error(cli("import", str(folder), *LICENCE, "-o", str(out)), "parameters.total")
    assert not out.exists()


# ---- safetensors files: regular files only, headers capped ----------------------------


def test_a_fifo_named_safetensors_does_not_hang(tmp_path):
    folder = model_folder(tmp_path, json.dumps(CONFIG))
    os.mkfifo(folder / "model.safetensors")
    result, seconds = cli_subprocess("import", str(folder))
    one_error(result, "model.safetensors", "not a regular file")
    assert seconds < 10


def test_a_device_named_safetensors_is_refused(tmp_path, cli):
    folder = model_folder(tmp_path, json.dumps(CONFIG))
    (folder / "model.safetensors").symlink_to("/dev/zero")  # read-only use
    one_error(cli("import", str(folder)), "model.safetensors", "not a regular file")


def test_a_fifo_named_config_json_does_not_hang(tmp_path):
    fifo = tmp_path / "other.json"
    os.mkfifo(fifo)
    result, seconds = cli_subprocess("import", str(fifo))
    one_error(result, "not a regular file")
    assert seconds < 10


def test_a_90mb_safetensors_header_is_refused_by_the_cap(tmp_path, cli):
    folder = model_folder(tmp_path, json.dumps(CONFIG))
    length = 90 * 2**20
    head = (
        struct.pack("<Q", length) + b'{"a": {"dtype": "BF16", "shape": [1], "data_offsets": [0, 2]}'
    )
    sparse(folder / "model.safetensors", head, 8 + length + 2)
    start = time.monotonic()
    one_error(cli("import", str(folder)), "model.safetensors", "16 MiB")
    assert time.monotonic() - start < 2


def test_the_folder_cap_covers_every_shard(tmp_path, cli, monkeypatch):
    monkeypatch.setattr(hfconfig, "MAX_HEADERS", 3000)
    folder = model_folder(tmp_path, json.dumps(CONFIG))
    shapes = {f"t{i}": [1] for i in range(30)}  # some 2 KB of header per file
    for n in (1, 2):
        safetensors(folder / f"model-0000{n}-of-00002.safetensors", shapes)
    one_error(cli("import", str(folder)), "model-00002-of-00002.safetensors", "per folder")


def test_a_16mib_header_imports_within_seconds(tmp_path, cli):
    folder = model_folder(tmp_path, json.dumps(CONFIG))
    entry = '"t%d": {"dtype": "BF16", "shape": [1], "data_offsets": [0, 2]}'
    count = (hfconfig.MAX_HEADER - 100) // (len(entry) + 6)
    raw = ("{" + ",".join(entry % i for i in range(count)) + "}").encode()
    assert len(raw) <= hfconfig.MAX_HEADER
    (folder / "model.safetensors").write_bytes(struct.pack("<Q", len(raw)) + raw + b"\0\0")
    start = time.process_time()  # CPU time: a busy machine's other work does not count
    result = cli("import", str(folder))
    assert result.code == 0, result.stderr
    assert f"total: {count}" in result.stdout
    assert time.process_time() - start < 5
