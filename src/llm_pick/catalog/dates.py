"""`date` for the catalog's dates, from `_datetime`, the C module that `datetime` re-exports:
on Python 3.11 `import datetime` first defines its whole pure-Python version (about 5 M
instructions at start-up; docs/performance.md). The class is the same object either way
(`datetime.date is _datetime.date`); where `_datetime` is missing, `datetime` gives it."""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["date"]

if TYPE_CHECKING:
    from datetime import date
else:
    try:
        from _datetime import date
    except ImportError:  # another Python than CPython
        from datetime import date
