"""Text hygiene for every output: control characters (terminal escapes), bidirectional
overrides and line separators made visible, and long strings clipped for display.
No rich import here: JSON, CSV and Markdown output use it without loading the renderers."""

from __future__ import annotations

_INVISIBLE = [
    *range(0, 32),
    *range(127, 160),  # DEL and the C1 controls (0x9b is a one-byte CSI)
    0x061C,  # Arabic letter mark
    0x200E,  # left-to-right and right-to-left marks
    0x200F,
    *range(0x202A, 0x202F),  # bidi embeddings and overrides ("Trojan Source")
    *range(0x2066, 0x206A),  # bidi isolates
    0x2028,  # line and paragraph separators
    0x2029,
]
_CONTROL = {
    c: (f"\\x{c:02x}" if c < 256 else f"\\u{c:04x}") for c in _INVISIBLE if chr(c) not in "\n\t"
}
MAX_SHOWN = 5000  # characters of one value in a table; JSON, CSV and Markdown keep all


def sanitize(text: str) -> str:
    """Make control characters (terminal escapes) and bidi overrides visible, not interpreted."""
    return text.translate(_CONTROL)


def clip(text: str, limit: int = MAX_SHOWN) -> str:
    """At most `limit` characters, saying how many were left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit:,} more characters)"


def shown(value: object) -> str:
    """A value as table text: sanitized and clipped."""
    return clip(sanitize("" if value is None else str(value)))
