"""A small content-keyed cache under the user cache dir (XDG_CACHE_HOME honoured).

An entry holds the exact input bytes and the value validated from them (a pickle of
immutable catalog objects). It is found by the input's length and CRC-32 plus a fingerprint
of the schema's source, and used only when the stored bytes equal the input: an entry can
never be stale, and no cryptographic hash is needed on the hot path. Failures to read or
write the cache are silent (it is only an optimisation) and writes are atomic.
"""

from __future__ import annotations

import os
import pickle
import zlib
from pathlib import Path
from typing import Any

DISABLE_VAR = "LLM_PICK_NO_CACHE"
KEEP_ENTRIES = 32


def directory() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "llm-pick"


def _fingerprint() -> str:
    """Changes whenever any module of the catalog package changes (unreleased edits too)."""
    crc = 0
    for path in sorted(Path(__file__).parent.glob("*.py")):
        crc = zlib.crc32(path.read_bytes(), crc)
    return f"{crc:08x}"


def _name(kind: str, raw: bytes) -> str:
    return f"{kind}-{len(raw)}-{zlib.crc32(raw):08x}-{_fingerprint()}"


def get(kind: str, raw: bytes) -> Any:
    """The value stored for exactly these input bytes, or None."""
    entry = load(_name(kind, raw))
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == raw:
        return entry[1]
    return None


def put(kind: str, raw: bytes, value: Any) -> None:
    store(_name(kind, raw), (raw, value))


def enabled() -> bool:
    return not os.environ.get(DISABLE_VAR)


def load(name: str) -> Any:
    if not enabled():
        return None
    try:
        with open(directory() / f"{name}.pickle", "rb") as handle:
            return pickle.load(handle)
    except Exception:  # a miss, a truncated or foreign file: recompute
        return None


def store(name: str, value: Any) -> None:
    if not enabled():
        return
    import tempfile

    folder = directory()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, folder / f"{name}.pickle")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(folder)
    except Exception:
        return


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP_ENTRIES:]:
        old.unlink(missing_ok=True)
