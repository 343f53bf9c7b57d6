"""tests/known_digests.py: the digest remembered for bytes already hashed is the one hashing
them gives; other bytes, small and large inputs are hashed."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from known_digests import KEPT, LARGEST, SMALLEST, remembering

from llm_pick.catalog import digest


def counted() -> tuple[list[bytes], Callable[[bytes], str]]:
    seen: list[bytes] = []

    def real(data: bytes) -> str:
        seen.append(data)
        return hashlib.sha256(data).hexdigest()

    return seen, real


def test_the_same_bytes_are_hashed_once_and_get_their_digest() -> None:
    seen, real = counted()
    hexdigest = remembering(real)
    data = bytes(range(256)) * (SMALLEST // 256)
    copy = bytes(bytearray(data))  # equal bytes, another object (as a second read gives)
    assert hexdigest(data) == hexdigest(copy) == hashlib.sha256(data).hexdigest()
    assert len(seen) == 1
    changed = data[:-1] + b"x"  # one byte differs: hashed, its own digest
    assert hexdigest(changed) == hashlib.sha256(changed).hexdigest() != hexdigest(data)
    assert len(seen) == 2


def test_small_large_and_non_bytes_inputs_are_always_hashed() -> None:
    seen, real = counted()
    hexdigest = remembering(real)
    for data in (b"abc", bytes(SMALLEST - 1), bytes(LARGEST + 1)):
        hexdigest(data)
        hexdigest(data)
    assert len(seen) == 6
    mutable = bytearray(SMALLEST)
    hexdigest(mutable)  # type: ignore[arg-type]
    mutable[0] = 1
    assert hexdigest(mutable) == hashlib.sha256(mutable).hexdigest()  # type: ignore[arg-type]


def test_at_most_kept_inputs_are_remembered() -> None:
    seen, real = counted()
    hexdigest = remembering(real)
    inputs = [bytes([i]) * SMALLEST for i in range(KEPT + 1)]
    for data in inputs:
        hexdigest(data)
    hexdigest(inputs[0])  # forgotten when the ninth came: hashed again
    assert len(seen) == KEPT + 2


def test_the_test_run_uses_it_over_the_real_digest() -> None:
    real = digest.hexdigest.__wrapped__  # type: ignore[attr-defined]
    assert real.__module__ == "llm_pick.catalog.digest"
    data = bytes(range(256)) * 400
    assert digest.hexdigest(data) == real(data) == hashlib.sha256(data).hexdigest()
