"""Text hygiene for every output: control characters (terminal escapes) made visible.
No rich import here: JSON, CSV and Markdown output use it without loading the renderers."""

from __future__ import annotations

_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0, 32), *range(127, 160)] if chr(c) not in "\n\t"}


def sanitize(text: str) -> str:
    """Make control characters (terminal escapes) visible instead of interpreted."""
    return text.translate(_CONTROL)
