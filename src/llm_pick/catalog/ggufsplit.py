"""Split GGUF files, as llama.cpp's gguf-split (and the `gguf` package's writer) lays them out:
NAME-00001-of-0000N.gguf ... NAME-0000N-of-0000N.gguf, each a whole GGUF file. The first holds
the model's metadata; every part holds its own tensors and the keys split.no (0-based),
split.count and split.tensors.count (llama.cpp src/llama-model-loader.cpp, LLM_KV_SPLIT_*).

A split file is read as one header: the first part's metadata, the tensors of every part (each
part read with read_gguf's bounds, the tensors of all parts within MAX_TENSORS), the bytes on
disk summed. A part that is missing or does not belong is one CatalogError naming it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from llm_pick.catalog.gguf import MAX_TENSORS, GgufFile, read_gguf
from llm_pick.errors import CatalogError

SPLIT_NAME = re.compile(r"-(\d{5})-of-(\d{5})\.gguf\Z", re.IGNORECASE)
MAX_PARTS = 1024  # split.count is a uint16; real splits of the largest models have tens


def part_path(path: Path, number: int, count: int) -> Path:
    """Part `number` (1-based) of the split file `path` names."""
    return path.with_name(SPLIT_NAME.sub(f"-{number:05d}-of-{count:05d}.gguf", path.name))


def unsplit_name(name: str) -> str:
    """The name without its part suffix: model-00001-of-00003.gguf -> model.gguf."""
    return SPLIT_NAME.sub(".gguf", name)


def _number(header: GgufFile, key: str) -> int | None:
    value = header.metadata.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def read_model_gguf(path: str | Path) -> GgufFile:
    """The header of a GGUF file, or of a whole split file when `path` is one of its parts."""
    path = Path(path)
    match = SPLIT_NAME.search(path.name)
    if match is None:
        header = read_gguf(path)
        count = _number(header, "split.count") or 1
        if count > 1:
            raise CatalogError(
                f"{path}: part of a split GGUF (split.count {count}) whose name lacks the "
                f"-00001-of-{count:05d} suffix, so its other parts cannot be found"
            )
        return header
    count = int(match.group(2))
    if not 1 <= int(match.group(1)) <= count or count > MAX_PARTS:
        raise CatalogError(f"{path}: not a split GGUF name (part {match.group(1)} of {count})")
    if count == 1:
        return read_gguf(path)
    first = part_path(path, 1, count)

    def read_part(number: int) -> GgufFile:
        where = part_path(first, number, count)
        if not where.exists():
            raise CatalogError(
                f"{first}: part {number} of {count} of this split GGUF is missing "
                f"(looked for {where.name} beside it)"
            )
        return read_gguf(where)

    return read_parts(str(first), count, read_part)


def split_count(name: str) -> int:
    """The number of parts a file name says (1 for a file that is not split)."""
    match = SPLIT_NAME.search(name)
    return int(match.group(2)) if match else 1


def read_parts(first_name: str, count: int, read_part: Callable[[int], GgufFile]) -> GgufFile:
    """The parts' headers (`read_part(n)`, n from 1) checked against each other and joined:
    a local file's parts, or a repository's through range requests (catalog/hub.py)."""
    if not 1 <= count <= MAX_PARTS:
        raise CatalogError(f"{first_name}: {count} parts (at most {MAX_PARTS})")
    headers: list[GgufFile] = []
    tensors = 0
    for number in range(1, count + 1):
        header = read_part(number)
        where = header.path
        no, total = _number(header, "split.no"), _number(header, "split.count")
        if no != number - 1 or total != count:
            raise CatalogError(
                f"{where}: split.no {no} and split.count {total} in its header; "
                f"part {number} of {count} should say {number - 1} and {count}"
            )
        tensors += len(header.tensors)
        if tensors > MAX_TENSORS:
            raise CatalogError(
                f"{first_name}: more than {MAX_TENSORS} tensors in the parts of this split GGUF"
            )
        headers.append(header)
    first = headers[0]
    stated = _number(first, "split.tensors.count")
    if stated != tensors:
        raise CatalogError(
            f"{first_name}: split.tensors.count says {stated}, the {count} parts hold {tensors}"
        )
    every = tuple(t for header in headers for t in header.tensors)
    if len({t.name for t in every}) != len(every):
        raise CatalogError(f"{first_name}: a tensor name occurs in two parts of the split GGUF")
    size = sum(header.file_size for header in headers)
    return first._replace(tensors=every, file_size=size, parts=count)
