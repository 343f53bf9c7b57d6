"""Text hygiene for every output: control characters (terminal escapes), bidirectional
overrides, invisible format characters and line separators made visible, and long strings
clipped for display. No rich import here: JSON, CSV and Markdown output use it without loading
the renderers."""

from __future__ import annotations

import re

_INVISIBLE = [
    *range(0, 32),
    *range(127, 160),  # DEL and the C1 controls (0x9b is a one-byte CSI)
]
_CONTROL = {
    c: (f"\\x{c:02x}" if c < 256 else f"\\u{c:04x}") for c in _INVISIBLE if chr(c) not in "\n\t"
}
# Beyond ASCII, every character of these Unicode categories is shown as an escape: Cf (format:
# bidi marks, embeddings, overrides and isolates ("Trojan Source"), zero-width space and joiners,
# BOM, soft hyphen, ...), Cs (lone surrogates), Zl and Zp (line and paragraph separators).
_HIDDEN = ("Cf", "Cs", "Zl", "Zp")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_JSON_UNSAFE = re.compile(r"[^\x00-\x7e]")  # DEL, and the C1 controls among the rest
MAX_SHOWN = 5000  # characters of one value in a table; JSON, CSV and Markdown keep all


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _hidden(char: str) -> bool:
    import unicodedata

    return 0x7F <= ord(char) < 0xA0 or unicodedata.category(char) in _HIDDEN


def _shown_char(match: re.Match[str]) -> str:
    char = match.group()
    return _escape(char) if _hidden(char) else char


def sanitize(text: str) -> str:
    """Make control characters (terminal escapes), bidi overrides and other invisible format
    characters visible, not interpreted. Newlines and tabs are kept."""
    text = text.translate(_CONTROL)
    return text if text.isascii() else _NON_ASCII.sub(_shown_char, text)


def one_line(text: str) -> str:
    """`sanitize`, with newlines made visible too: a value shown inside a line of output (a
    name, a note on stderr) cannot start a line of its own, such as a forged `Error:` line."""
    return sanitize(text).replace("\n", "\\n")


def json_safe(text: str) -> str:
    """JSON text with DEL, the C1 controls, bidi and other format characters, lone surrogates
    and line separators written as \\u escapes (the same data once parsed); other non-ASCII
    text (accents, Arabic, CJK) stays readable. JSON puts these characters only in strings."""
    if text.isascii() and "\x7f" not in text:
        return text
    return _JSON_UNSAFE.sub(_json_char, text)


def _json_char(match: re.Match[str]) -> str:
    char = match.group()
    if not _hidden(char):
        return char
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # JSON spells the rest as a UTF-16 surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def clip(text: str, limit: int = MAX_SHOWN) -> str:
    """At most `limit` characters, saying how many were left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit:,} more characters)"


def shown(value: object) -> str:
    """A value as table text: sanitized (newlines made visible) and clipped."""
    return clip(one_line("" if value is None else str(value)))
