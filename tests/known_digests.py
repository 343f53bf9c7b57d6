"""The SHA-256 of bytes a test process has already hashed, given again without hashing them.

A CLI run in a source checkout reads the bundled data/models.yaml (1 MiB) and hashes it three
times (catalog/compiled.py `entry`, catalog/load.py `read_bundled` and `_loaded`), about 11 ms
of CPU. A real run does that once per process; the tests run the CLI and the loader in one
process about 1,300 times per fast loop, which was some 14 s of its CPU (docs/performance.md).
The run keeps the digest of each mid-sized input it has hashed, keyed by the bytes themselves
(a dict lookup: Python's hash of the bytes and, on a hit, a full comparison), so the answer is
exactly what hashing them gives. Small inputs (every hand-written test catalog, the digest
tests' own) and large ones (the limits tests' files) are always hashed.
"""

from __future__ import annotations

from collections.abc import Callable

SMALLEST = 64 * 1024  # bytes: the bundled files are 0.2-1 MiB, test catalogs far smaller
LARGEST = 4 * 1024 * 1024  # bytes: inputs at the caps (16-64 MiB) are not kept
KEPT = 8  # inputs remembered at most (the bundled models and a few copies of it)


def remembering(real: Callable[[bytes], str]) -> Callable[[bytes], str]:
    """`real`, giving the digest of bytes it already hashed from memory."""
    known: dict[bytes, str] = {}

    def hexdigest(data: bytes) -> str:
        if type(data) is not bytes or not SMALLEST <= len(data) <= LARGEST:
            return real(data)
        found = known.get(data)
        if found is None:
            if len(known) >= KEPT:
                known.clear()
            found = known[data] = real(data)
        return found

    hexdigest.__wrapped__ = real  # type: ignore[attr-defined]
    return hexdigest


def remember_digests() -> None:
    """Make llm_pick.catalog.digest.hexdigest remember (its callers import it when called)."""
    from llm_pick.catalog import digest

    if not hasattr(digest.hexdigest, "__wrapped__"):
        digest.hexdigest = remembering(digest.hexdigest)
