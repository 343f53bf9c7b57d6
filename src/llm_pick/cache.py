"""A small content-keyed cache under the user cache dir (XDG_CACHE_HOME honoured).

Entries are pickles of validated, immutable catalog objects. A key is the sha256 of the input
bytes plus the package's schema fingerprint, so an entry can never be stale: a changed file
or a changed schema simply misses. Failures to read or write the cache are silent (the
cache is only an optimisation) and writes are atomic.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

DISABLE_VAR = "LLM_PICK_NO_CACHE"
KEEP_ENTRIES = 32


def directory() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "llm-pick"


def _fingerprint() -> str:
    """Changes whenever the schema's source changes (covers unreleased edits too)."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in ("schema.py", "cache.py"):
        try:
            digest.update((here / name).read_bytes())
        except OSError:
            digest.update(name.encode())
    return digest.hexdigest()[:16]


def key(kind: str, content_sha256: str) -> str:
    return f"{kind}-{content_sha256[:32]}-{_fingerprint()}"


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
