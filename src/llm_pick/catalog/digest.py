"""SHA-256 digests of catalog files without loading OpenSSL.

`hashlib` binds OpenSSL's libcrypto first: loading it is about 11 M instructions (some 2 ms),
a tenth of what a JSON answer needs beyond the interpreter, for the one digest the answer
prints (docs/performance.md). CPython's own SHA-256 module gives the same digest; hashlib is
the fallback where an interpreter was built without it.
"""

from __future__ import annotations

import importlib
from typing import Any


def sha256(data: bytes = b"") -> Any:
    """A SHA-256 hash object (update, hexdigest) over `data`."""
    for name in ("_sha256", "_sha2"):  # CPython 3.11; 3.12 on
        try:
            module: Any = importlib.import_module(name)
        except ImportError:
            continue
        return module.sha256(data)
    import hashlib

    return hashlib.sha256(data)


def hexdigest(data: bytes) -> str:
    """The SHA-256 of `data` in hex, as hashlib.sha256(data).hexdigest() gives it."""
    found: str = sha256(data).hexdigest()
    return found
