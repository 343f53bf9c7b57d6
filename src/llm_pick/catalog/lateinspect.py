"""The console entry's `dataclasses` without `inspect` until dataclasses uses it.

`import dataclasses` imports `inspect` (and with it ast, dis, tokenize, linecache: about 36 M
instructions, 7% of a `recommend` run; docs/performance.md) for one use: the docstring it
writes from `inspect.signature` for a dataclass that has none. The package's dataclasses all
have docstrings, so a run need not pay for it. `dataclasses_first()` imports dataclasses
with a stand-in for `inspect` that imports the real module on its first use and hands every
attribute over. Only the console entry's `main` calls it (a library user's imports are left alone),
and it does nothing when dataclasses is already imported.
"""

from __future__ import annotations

import sys
import types
from typing import Any


class _Later(types.ModuleType):
    """`inspect`, imported when an attribute is first asked for."""

    def __getattr__(self, name: str) -> Any:
        return getattr(__import__("inspect"), name)


def dataclasses_first() -> None:
    """Import dataclasses now, its `inspect` the stand-in (unless either is imported)."""
    if "dataclasses" in sys.modules or "inspect" in sys.modules:
        return
    sys.modules["inspect"] = _Later("inspect")
    try:
        __import__("dataclasses")
    finally:
        del sys.modules["inspect"]  # anyone else importing inspect gets the real module
