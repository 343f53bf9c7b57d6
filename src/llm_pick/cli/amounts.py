"""Memory amounts as people write them: --vram 24, 24GB, 24G, 24g, 24GiB, "24 GiB", 24000MB.

The unit rule (docs/usage.md, "Memory amounts"): a bare number is GiB. GB, G and GiB all mean
GiB, because a card sold as "24 GB" has 24 GiB of memory (GDDR and HBM come in binary sizes);
MB/M/MiB are MiB and TB/T/TiB are TiB, by the same rule; B is bytes. Every unit other than
GiB is reported on stderr so the reading is never a surprise."""

from __future__ import annotations

import math
import re
import sys

from llm_pick.errors import InputError
from llm_pick.estimate.limits import GIB, MAX_GIB, finite

_UNITS = {
    "": 1.0,
    "g": 1.0,
    "gb": 1.0,
    "gib": 1.0,
    "m": 1 / 1024,
    "mb": 1 / 1024,
    "mib": 1 / 1024,
    "t": 1024.0,
    "tb": 1024.0,
    "tib": 1024.0,
    "b": 1 / GIB,
}
_AMOUNT = re.compile(r"(?P<number>-?[0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*(?P<unit>[a-z]*)")


def read_gib(option: str, text: str, what: str = "a number of GiB") -> tuple[float, str | None]:
    """The amount in GiB and, when a unit other than GiB was written, how it was read."""
    written = text.strip()
    match = _AMOUNT.fullmatch(written.lower()) if written.isascii() else None
    if match is None or match["unit"] not in _UNITS:
        raise InputError(f"{option}: {text!r} is not {what} (e.g. 24, 24GB, 24GiB, 24000MB)")
    number = float(match["number"])
    if not math.isfinite(number):
        raise InputError(f"{option}: must be a finite number, got {written}")
    unit = match["unit"]
    if not unit and number > MAX_GIB and number >= GIB:
        raise InputError(
            f"{option}: {written} looks like a byte count; write GiB, e.g. "
            f"{option} {number / GIB:.3g} (or {written}B to give bytes)"
        )
    amount = finite(option, number * _UNITS[unit], maximum=MAX_GIB, allow_zero=True) or 0.0
    if unit in ("", "gib"):
        return amount, None
    why = {
        "g": "GB is read as GiB: a card sold as 24 GB has 24 GiB",
        "m": "MB is read as MiB, 1024 to the GiB",
        "t": "TB is read as TiB",
        "b": "bytes",
    }[unit[0]]
    reading = f"{option} {written} read as {amount:.4g} GiB ({why})"
    return amount, reading


# Readings wait here until the command succeeds: cli/output.py writes them to stderr before
# the report (an error stays the one line on stderr).
PENDING: list[str] = []


def gib_noted(option: str, text: str, what: str = "a number of GiB") -> float:
    """read_gib, with the reading kept for stderr (written before the report)."""
    amount, reading = read_gib(option, text, what)
    if reading and f"Note: {reading}." not in PENDING:
        PENDING.append(f"Note: {reading}.")
    return amount


def flush_readings() -> None:
    for line in PENDING:
        sys.stderr.write(line + "\n")
    PENDING.clear()
