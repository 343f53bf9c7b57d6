"""A small reader of GGUF headers (metadata and tensor table; the tensor data is not read).

The format (ggml-org/ggml docs/gguf.md): magic "GGUF", version (2 or 3), tensor count and
metadata count as uint64, the metadata key/value pairs, then one entry per tensor (name, dims,
ggml type, offset), all little-endian. Every count and length is checked against the bytes
left in the file and a plausible maximum before anything is allocated or walked, and the
whole header may hold at most MAX_ITEMS entries (keys, array entries read one by one,
tensors), so a truncated or hostile header is one CatalogError naming the key, never a
MemoryError or a long loop. Arrays of fixed-size values are skipped with one seek. No numpy.
"""

from __future__ import annotations

import math
import os
import struct
from pathlib import Path
from typing import IO, Any

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.errors import CatalogError

MAGIC = b"GGUF"
MAX_TENSORS = 100_000  # a few thousand in the largest released models
MAX_KEYS = 100_000
MAX_ARRAY = 16_000_000  # a tokenizer of 16M entries: beyond any model
# Entries walked one at a time in the whole header (keys, strings of string arrays,
# tensors): real headers hold a few hundred thousand (a 256k-token vocabulary and its merges).
MAX_ITEMS = 4_000_000
MAX_KEPT = 1_000_000  # array entries kept as values (longer arrays keep only their length)
MAX_TEXT = 64 * 1024 * 1024  # bytes of strings kept as values, in all
MAX_STRING = 64 * 1024 * 1024
MAX_KEY = 65_535  # docs/gguf.md: a key "must be at most 2^16-1 bytes long"
MAX_NAME = 64  # ggml/src/gguf.cpp refuses tensor names of GGML_MAX_NAME (64) bytes or more
MAX_DIMS = 8  # GGML_MAX_DIMS is 4
KEEP_ARRAY = 4096  # arrays up to this length are kept as lists
DEFAULT_ALIGNMENT = 32
_WINDOW = 1 << 20  # bytes read from the file at a time

# ggml type id -> (name, elements per block, bytes per block): ggml/src/ggml.c type_traits
# (checked against the gguf package's GGML_QUANT_SIZES by tests/test_gguf.py).
GGML_TYPES: dict[int, tuple[str, int, int]] = {
    0: ("f32", 1, 4),
    1: ("f16", 1, 2),
    2: ("q4_0", 32, 18),
    3: ("q4_1", 32, 20),
    6: ("q5_0", 32, 22),
    7: ("q5_1", 32, 24),
    8: ("q8_0", 32, 34),
    9: ("q8_1", 32, 40),
    10: ("q2_k", 256, 84),
    11: ("q3_k", 256, 110),
    12: ("q4_k", 256, 144),
    13: ("q5_k", 256, 176),
    14: ("q6_k", 256, 210),
    15: ("q8_k", 256, 292),
    16: ("iq2_xxs", 256, 66),
    17: ("iq2_xs", 256, 74),
    18: ("iq3_xxs", 256, 98),
    19: ("iq1_s", 256, 50),
    20: ("iq4_nl", 32, 18),
    21: ("iq3_s", 256, 110),
    22: ("iq2_s", 256, 82),
    23: ("iq4_xs", 256, 136),
    24: ("i8", 1, 1),
    25: ("i16", 1, 2),
    26: ("i32", 1, 4),
    27: ("i64", 1, 8),
    28: ("f64", 1, 8),
    29: ("iq1_m", 256, 56),
    30: ("bf16", 1, 2),
    34: ("tq1_0", 256, 54),
    35: ("tq2_0", 256, 66),
    39: ("mxfp4", 32, 17),
}

# llama.cpp's general.file_type (enum llama_ftype) -> the quant names llm-pick knows.
FILE_TYPES = {
    0: "fp32",
    1: "fp16",
    2: "q4_0",
    3: "q4_1",
    7: "q8_0",
    8: "q5_0",
    9: "q5_1",
    10: "q2_k",
    11: "q3_k_s",
    12: "q3_k_m",
    13: "q3_k_l",
    14: "q4_k_s",
    15: "q4_k_m",
    16: "q5_k_s",
    17: "q5_k_m",
    18: "q6_k",
    32: "bf16",
}

# value types: id -> struct format (scalars), 8 = string, 9 = array
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q"}
_SCALARS |= {11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9
_U32, _U64 = struct.Struct("<I"), struct.Struct("<Q")
_TENSOR_TAIL = struct.Struct("<IQ")  # ggml type, offset
_LEAST_TENSOR = 8 + 4 + 8 + 4 + 8  # name length, dims, one dimension, type, offset


class Tensor(NamedTuple):
    name: str
    shape: tuple[int, ...]  # ne[0] (row length) first, as ggml stores it
    type_id: int
    offset: int

    @property
    def elements(self) -> int:
        return math.prod(self.shape)

    @property
    def type_name(self) -> str:
        return GGML_TYPES[self.type_id][0]

    @property
    def nbytes(self) -> int:
        _, per_block, block_bytes = GGML_TYPES[self.type_id]
        rows = self.elements // self.shape[0]
        return rows * (self.shape[0] // per_block) * block_bytes


class GgufFile(NamedTuple):
    path: str
    version: int
    metadata: dict[str, Any]
    tensors: tuple[Tensor, ...]
    data_offset: int
    file_size: int  # bytes on disk (of all parts, for a split file)
    parts: int = 1  # a split file (catalog/ggufsplit.py): its number of parts

    @property
    def architecture(self) -> str:
        arch = self.metadata.get("general.architecture")
        if not isinstance(arch, str) or not arch:
            raise CatalogError(f"{self.path}: no general.architecture in the GGUF metadata")
        return arch

    @property
    def tensor_bytes(self) -> int:
        return sum(t.nbytes for t in self.tensors)

    @property
    def quant(self) -> str | None:
        """The llm-pick name of the file's llama.cpp type mix (general.file_type), if known."""
        value = self.metadata.get("general.file_type")
        return FILE_TYPES.get(value) if isinstance(value, int) else None


class _Reader:
    """The header, read through a window of the file; `where` names what is being read."""

    def __init__(self, handle: IO[bytes], name: str, size: int):
        self.handle, self.name, self.size = handle, name, size
        self.buffer, self.start, self.position = b"", 0, 0
        self.where = "header"
        self.items, self.kept, self.text = MAX_ITEMS, MAX_KEPT, MAX_TEXT

    def error(self, message: str) -> CatalogError:
        return CatalogError(f"{self.name}: not a readable GGUF file: {self.where}: {message}")

    @property
    def left(self) -> int:
        return self.size - self.position

    def _window(self, count: int) -> int:
        """Where the next `count` bytes start in the buffer (read from the file if needed)."""
        at = self.position - self.start
        if at < 0 or at + count > len(self.buffer):
            if count > self.left:
                raise self.error(f"truncated (ends at byte {self.size} of the header)")
            self.handle.seek(self.position)
            self.buffer = self.handle.read(max(count, _WINDOW))
            self.start, at = self.position, 0
            if len(self.buffer) < count:
                raise self.error("truncated (the file shrank while it was read)")
        return at

    def take(self, count: int) -> bytes:
        at = self._window(count)
        self.position += count
        return self.buffer[at : at + count]

    def skip(self, count: int, what: str = "a value") -> None:
        if count > self.left:
            raise self.error(f"truncated ({what} runs past the end of the file at {self.size})")
        self.position += count

    def unpack(self, layout: struct.Struct) -> Any:
        at = self._window(layout.size)
        self.position += layout.size
        return layout.unpack_from(self.buffer, at)

    def scalar(self, fmt: str) -> Any:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def count(self, what: str, maximum: int, least: int = 0) -> int:
        """A uint64 count, at most `maximum`, whose `least` bytes per entry fit in the file."""
        (value,) = self.unpack(_U64)
        if value > maximum:
            raise self.error(f"{what} of {value} is beyond the limit of {maximum}")
        if value * least > self.left:
            raise self.error(
                f"truncated: {what} of {value} needs {value * least} bytes or more, "
                f"and {self.left} are left in the file"
            )
        return int(value)

    def spend(self, count: int, what: str) -> None:
        """Entries read one by one: at most MAX_ITEMS in the whole header."""
        if count > self.items:
            raise self.error(
                f"{what} of {count} is beyond the {MAX_ITEMS} keys, strings and tensors "
                "a header may hold in all"
            )
        self.items -= count

    def string(self, keep: bool = True, maximum: int = MAX_STRING) -> str:
        length = self.count("a string length", maximum)
        if length > self.left:
            raise self.error("truncated (a string runs past the end of the file)")
        if not keep:
            self.skip(length)
            return ""
        if length > self.text:
            raise self.error(f"more than {MAX_TEXT // 2**20} MiB of text in the header")
        self.text -= length
        try:
            return self.take(length).decode("utf-8")
        except UnicodeDecodeError:
            raise self.error("a string is not UTF-8") from None

    def skip_strings(self, count: int) -> None:
        """Step over `count` strings: one length read each, through the window."""
        unpack, position = _U64.unpack_from, self.position
        buffer, start, end = self.buffer, self.start, self.start + len(self.buffer)
        for _ in range(count):
            if not start <= position <= end - 8:
                self.position = position
                self._window(8)
                buffer, start, end = self.buffer, self.start, self.start + len(self.buffer)
            position += 8 + unpack(buffer, position - start)[0]
        self.position = position
        if position > self.size:
            raise self.error("truncated (an array runs past the end of the file)")

    def value(self, kind: int) -> Any:
        if kind in _SCALARS:
            return self.scalar(_SCALARS[kind])
        if kind == _STRING:
            return self.string()
        if kind != _ARRAY:
            raise self.error(f"unknown metadata value type {kind}")
        (item,) = self.unpack(_U32)
        if item in _SCALARS:
            width = struct.calcsize(_SCALARS[item])
            length = self.count("an array length", MAX_ARRAY)
            if length * width > self.left:
                raise self.error("truncated (an array runs past the end of the file)")
            if length > KEEP_ARRAY or length > self.kept:  # token scores: the length suffices
                self.skip(length * width)
                return Skipped(length)
            self.kept -= length
            return list(struct.unpack(f"<{length}{_SCALARS[item][1]}", self.take(length * width)))
        if item == _STRING:
            length = self.count("an array length", MAX_ARRAY, least=8)
            self.spend(length, "an array length")
            if length > KEEP_ARRAY or length > self.kept:
                self.skip_strings(length)
                return Skipped(length)
            self.kept -= length
            return [self.string() for _ in range(length)]
        if item == _ARRAY:  # ggml's own reader refuses them too (ggml/src/gguf.cpp)
            raise self.error("arrays of arrays are not GGUF")
        raise self.error(f"unknown array value type {item}")


class Skipped(int):
    """An array that was skipped over: only its length is kept."""


def read_gguf(path: str | Path) -> GgufFile:
    """The header of a GGUF file: metadata (large arrays kept as their length) and tensors."""
    from llm_pick.catalog.read import describe, open_regular

    name = str(path)
    fd = open_regular(name)  # a FIFO or device is refused, never waited on
    try:
        with os.fdopen(fd, "rb") as handle:
            return _read(_Reader(handle, name, os.fstat(handle.fileno()).st_size))
    except OSError as error:
        raise CatalogError(f"{name}: cannot read: {describe(error)}") from None


def read_gguf_from(handle: Any, name: str, size: int) -> GgufFile:
    """The header read from an open file-like object (seek, read) of `size` bytes, e.g. a
    remote file read through range requests (catalog/hub.py)."""
    return _read(_Reader(handle, name, size))


def _read(reader: _Reader) -> GgufFile:
    head = reader.take(4) if reader.size >= 4 else b""
    if head != MAGIC:
        raise reader.error(f"wrong magic {head!r} (a GGUF file starts with b'GGUF')")
    version = reader.scalar("<I")
    if version not in (2, 3):
        if version in (1,):
            raise reader.error("GGUF version 1 is not supported; re-convert with current llama.cpp")
        raise reader.error(f"unknown GGUF version {version} (big-endian files are not supported)")
    tensor_count = reader.count("the tensor count", MAX_TENSORS)
    key_count = reader.count("the metadata count", MAX_KEYS)
    reader.spend(key_count, "the metadata count")
    metadata: dict[str, Any] = {}
    for index in range(key_count):
        reader.where = f"key {index + 1} of {key_count}"
        key = reader.string(maximum=MAX_KEY)
        reader.where = f"key {key!r}" if len(key) <= 100 else f"key {key[:100]!r}..."
        (kind,) = reader.unpack(_U32)
        metadata[key] = reader.value(kind)
    reader.where = "tensor table"
    if tensor_count * _LEAST_TENSOR > reader.left:
        raise reader.error(f"truncated: {tensor_count} tensors cannot fit in the file")
    reader.spend(tensor_count, "the tensor count")
    tensors = [_tensor(reader, index) for index in range(tensor_count)]
    reader.where = "key 'general.alignment'"
    alignment = metadata.get("general.alignment", DEFAULT_ALIGNMENT)
    if not isinstance(alignment, int) or alignment < 1 or alignment & (alignment - 1):
        raise reader.error(f"general.alignment {alignment!r} is not a power of two")
    reader.where = "tensor data"
    start = reader.position
    data_offset = start + (-start) % alignment
    total = 0
    for tensor in tensors:
        total += tensor.nbytes
        if data_offset + tensor.offset + tensor.nbytes > reader.size:
            raise reader.error(
                f"truncated: tensor {tensor.name!r} ends past the end of the file "
                f"({reader.size} bytes)"
            )
    if total and total > reader.size - data_offset:  # ggml lays tensors end to end
        raise reader.error(
            f"the tensors take {total} bytes, more than the {reader.size - data_offset} "
            "bytes after the header"
        )
    return GgufFile(reader.name, version, metadata, tuple(tensors), data_offset, reader.size)


def _tensor(reader: _Reader, index: int) -> Tensor:
    reader.where = f"tensor {index + 1}"
    name = reader.string(maximum=MAX_NAME - 1)
    reader.where = f"tensor {name!r}"
    (dims,) = reader.unpack(_U32)
    if not 1 <= dims <= MAX_DIMS:
        raise reader.error(f"{dims} dimensions")
    shape = struct.unpack(f"<{dims}Q", reader.take(8 * dims))
    type_id, offset = reader.unpack(_TENSOR_TAIL)
    if type_id not in GGML_TYPES:
        raise reader.error(f"unknown ggml type {type_id}")
    if any(n == 0 for n in shape) or shape[0] % GGML_TYPES[type_id][1]:
        raise reader.error(f"an impossible shape {list(shape)}")
    return Tensor(name, shape, type_id, offset)
