"""A small reader of GGUF headers (metadata and tensor table; the tensor data is not read).

The format (ggml-org/ggml docs/gguf.md): magic "GGUF", version (2 or 3), tensor count and
metadata count as uint64, the metadata key/value pairs, then one entry per tensor (name, dims,
ggml type, offset), all little-endian. Every count and length is checked against the file's
real size and a plausible maximum before anything is allocated, so a truncated or hostile
header is one CatalogError, never a MemoryError or a long loop. No numpy.
"""

from __future__ import annotations

import math
import os
import stat as kinds
import struct
from pathlib import Path
from typing import IO, Any, NamedTuple

from llm_pick.errors import CatalogError

MAGIC = b"GGUF"
MAX_TENSORS = 1_000_000
MAX_KEYS = 100_000
MAX_ARRAY = 16_000_000  # a tokenizer of 16M entries: beyond any model
MAX_STRING = 64 * 1024 * 1024
MAX_DIMS = 8  # GGML_MAX_DIMS is 4
DEFAULT_ALIGNMENT = 32

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
    file_size: int

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
    def __init__(self, handle: IO[bytes], name: str, size: int):
        self.handle, self.name, self.size = handle, name, size

    def error(self, message: str) -> CatalogError:
        return CatalogError(f"{self.name}: not a readable GGUF file: {message}")

    def take(self, count: int) -> bytes:
        data = self.handle.read(count)
        if len(data) != count:
            raise self.error(f"truncated (ends at byte {self.handle.tell()} of the header)")
        return data

    def skip(self, count: int) -> None:
        position = self.handle.tell() + count
        if position > self.size:
            raise self.error(f"truncated (a value runs past the end of the file at {self.size})")
        self.handle.seek(position)

    def scalar(self, fmt: str) -> Any:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def count(self, what: str, maximum: int) -> int:
        value: int = self.scalar("<Q")
        if value > maximum:
            raise self.error(f"{what} of {value} is beyond the limit of {maximum}")
        return value

    def string(self, keep: bool = True) -> str:
        length = self.count("a string length", MAX_STRING)
        if length > self.size - self.handle.tell():
            raise self.error("truncated (a string runs past the end of the file)")
        if not keep:
            self.skip(length)
            return ""
        try:
            return self.take(length).decode("utf-8")
        except UnicodeDecodeError:
            raise self.error("a string is not UTF-8") from None

    def value(self, kind: int, keep: bool, depth: int = 0) -> Any:
        if kind in _SCALARS:
            return self.scalar(_SCALARS[kind])
        if kind == _STRING:
            return self.string(keep)
        if kind != _ARRAY:
            raise self.error(f"unknown metadata value type {kind}")
        if depth > 2:
            raise self.error("arrays nested too deeply")
        item = self.scalar("<I")
        length = self.count("an array length", MAX_ARRAY)
        if item in _SCALARS:
            width = struct.calcsize(_SCALARS[item])
            if length * width > self.size - self.handle.tell():
                raise self.error("truncated (an array runs past the end of the file)")
            if not keep or length > 4096:  # token scores and the like: only the length matters
                self.skip(length * width)
                return _Skipped(length)
            return list(struct.unpack(f"<{length}{_SCALARS[item][1]}", self.take(length * width)))
        if item == _STRING and (not keep or length > 4096):
            for _ in range(length):
                self.string(keep=False)
            return _Skipped(length)
        return [self.value(item, keep, depth + 1) for _ in range(length)]


class _Skipped(int):
    """An array that was skipped over: only its length is kept."""


def read_gguf(path: str | Path) -> GgufFile:
    """The header of a GGUF file: metadata (large arrays kept as their length) and tensors."""
    name = str(path)
    try:
        if not kinds.S_ISREG(os.stat(name).st_mode):  # a FIFO would block open()
            raise CatalogError(f"{name}: not a regular file")
        with open(name, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not kinds.S_ISREG(info.st_mode):
                raise CatalogError(f"{name}: not a regular file")
            return _read(_Reader(handle, name, info.st_size))
    except FileNotFoundError:
        raise CatalogError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise CatalogError(f"{name}: is a directory, not a GGUF file") from None
    except PermissionError:
        raise CatalogError(f"{name}: permission denied") from None
    except OSError as error:
        raise CatalogError(f"{name}: cannot read: {error.strerror or error}") from None


def _read(reader: _Reader) -> GgufFile:
    head = reader.handle.read(4)
    if head != MAGIC:
        raise reader.error(f"wrong magic {head!r} (a GGUF file starts with b'GGUF')")
    version = reader.scalar("<I")
    if version not in (2, 3):
        if version in (1,):
            raise reader.error("GGUF version 1 is not supported; re-convert with current llama.cpp")
        raise reader.error(f"unknown GGUF version {version} (big-endian files are not supported)")
    tensor_count = reader.count("the tensor count", MAX_TENSORS)
    key_count = reader.count("the metadata count", MAX_KEYS)
    metadata: dict[str, Any] = {}
    for _ in range(key_count):
        key = reader.string()
        kind = reader.scalar("<I")
        metadata[key] = reader.value(kind, keep=True)
    tensors = []
    for _ in range(tensor_count):
        tensor_name = reader.string()
        dims = reader.scalar("<I")
        if not 1 <= dims <= MAX_DIMS:
            raise reader.error(f"tensor {tensor_name!r} has {dims} dimensions")
        shape = tuple(reader.scalar("<Q") for _ in range(dims))
        type_id, offset = reader.scalar("<I"), reader.scalar("<Q")
        if type_id not in GGML_TYPES:
            raise reader.error(f"tensor {tensor_name!r} has unknown ggml type {type_id}")
        if any(n == 0 for n in shape) or shape[0] % GGML_TYPES[type_id][1]:
            raise reader.error(f"tensor {tensor_name!r} has an impossible shape {list(shape)}")
        tensors.append(Tensor(tensor_name, shape, type_id, offset))
    alignment = metadata.get("general.alignment", DEFAULT_ALIGNMENT)
    if not isinstance(alignment, int) or alignment < 1 or alignment & (alignment - 1):
        raise reader.error(f"general.alignment {alignment!r} is not a power of two")
    start = reader.handle.tell()
    data_offset = start + (-start) % alignment
    for tensor in tensors:
        if data_offset + tensor.offset + tensor.nbytes > reader.size:
            raise reader.error(
                f"truncated: tensor {tensor.name!r} ends past the end of the file "
                f"({reader.size} bytes)"
            )
    return GgufFile(reader.name, version, metadata, tuple(tensors), data_offset, reader.size)
