"""Read an HTML report (as written, or as a browser rendered it) into what a person sees:
chart marks with their <title>, table rows keyed by model, captions, scripts, external URLs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Page:
    marks: dict[str, str] = field(default_factory=dict)  # data-model -> the mark's <title>
    mark_kinds: dict[str, str] = field(default_factory=dict)  # data-model -> kind
    rows: list[str] = field(default_factory=list)  # data-model of each table row
    captions: list[str] = field(default_factory=list)
    scripts: int = 0
    svgs: int = 0
    svg_descs: list[str] = field(default_factory=list)
    col_headers: int = 0
    text: str = ""


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.capture: list[str] | None = None
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        self.stack.append((tag, found))
        page = self.page
        if tag == "script":
            page.scripts += 1
        elif tag == "svg":
            page.svgs += 1
        elif tag == "tr" and "data-model" in found:
            page.rows.append(found["data-model"])
        elif tag == "th" and found.get("scope") == "col":
            page.col_headers += 1
        if tag in ("title", "caption", "desc"):
            self.capture = []

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            name, _ = self.stack.pop()
            if name == tag:
                break
        if tag in ("title", "caption", "desc") and self.capture is not None:
            content = "".join(self.capture)
            self.capture = None
            parent = self.stack[-1] if self.stack else ("", {})
            if tag == "caption":
                self.page.captions.append(content)
            elif tag == "desc":
                self.page.svg_descs.append(content)
            elif parent[0] == "g" and "mark" in parent[1].get("class", "").split():
                model = parent[1].get("data-model", "")
                self.page.marks[model] = content
                self.page.mark_kinds[model] = parent[1]["class"].split()[-1]

    def handle_data(self, data: str) -> None:
        if self.capture is not None:
            self.capture.append(data)
        self.texts.append(data)


def read(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    reader.page.text = " ".join(reader.texts)
    return reader.page


def external_urls(html: str) -> list[str]:
    """Anything that would make a browser fetch: URLs in src/href/url()/@import, any
    http(s) address at all."""
    found = re.findall(r"""(?:src|href|action|srcset)\s*=\s*["']?([^"'\s>]+)""", html, re.I)
    found += re.findall(r"url\(([^)]*)\)|@import", html, re.I)
    found += re.findall(r"https?://[^\s\"'<>]+", html, re.I)
    return [u for u in found if u]
