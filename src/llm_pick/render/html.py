"""HTML building blocks for the self-contained report: the page (inline CSS with a print
stylesheet, a Content-Security-Policy that forbids loading anything), tables with captions and
header cells, and escaped text. Returns strings; never reads or writes files."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from llm_pick.render.safe import one_line

Cell = str | int | float | bool | None

# Nothing may be fetched or run: no scripts, no network, only the inline styles.
POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

CSS = """
:root { --ink: #1a1a1a; --muted: #555; --line: #bbb; --good: #1b7f3b; --accent: #1f5fa8; }
body { font: 15px/1.45 system-ui, sans-serif; color: var(--ink); margin: 2rem auto;
  max-width: 76rem; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; }
h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid var(--line); }
.caveat { border-left: 4px solid var(--accent); padding: .3rem .8rem; background: #f3f6fa; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .85rem; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { border: 1px solid var(--line); padding: .2rem .45rem; vertical-align: top;
  text-align: left; }
thead th { background: #eee; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody th { font-weight: 600; white-space: nowrap; }
strong.best::after { content: " \\2605 best"; font-weight: 400; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; }
figure { margin: 1rem 0; }
figcaption { font-size: .85rem; color: var(--muted); }
svg.chart { width: 100%; max-width: 760px; height: auto; font: 11px system-ui, sans-serif; }
svg.chart .axes rect { fill: none; stroke: var(--ink); }
svg.chart .grid { stroke: #ddd; }
svg.chart .axis-name { font-size: 12px; }
svg.chart .usable line { stroke: #a15c00; stroke-width: 1.5; stroke-dasharray: 6 4; }
svg.chart .usable text { fill: #a15c00; }
svg.chart .frontier-line { fill: none; stroke: var(--good); stroke-width: 1.5;
  stroke-dasharray: 2 3; }
svg.chart .mark.frontier { fill: var(--good); stroke: var(--ink); }
svg.chart .mark.ranked { fill: var(--accent); stroke: var(--ink); }
svg.chart .mark.excluded { fill: #fff; stroke: #888; }
svg.chart .mark.highlight { fill: #b0308a; stroke: var(--ink); }
svg.chart .mark:hover { stroke-width: 2.5; }
.legend span { margin-right: 1.2rem; }
footer { margin-top: 2rem; font-size: .8rem; color: var(--muted); }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; color: #000; }
  .caveat, thead th { background: none; }
  h2 { break-after: avoid; }
  table, figure { break-inside: avoid; }
  svg.chart { max-width: 17cm; }
}
"""


def esc(value: object) -> str:
    """Escaped text (control characters and newlines made visible first)."""
    return escape(one_line("" if value is None else str(value)), quote=True)


def cell_text(value: Cell) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def table(  # noqa: PLR0913 (keyword-only presentation options)
    caption: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    *,
    numeric: Sequence[int] = (),
    row_header: bool = True,
    raw: Sequence[Sequence[int]] = (),
    keys: Sequence[str] = (),
) -> str:
    """A table with a caption and column headers; the first cell of each row is its header
    (scope row) when `row_header`. Cells are escaped unless their index is in raw[row] (HTML
    already built from escaped parts). `keys` sets each row's data-model attribute."""
    out = [f"<table><caption>{esc(caption)}</caption><thead><tr>"]
    out += [f'<th scope="col">{esc(h)}</th>' for h in headers]
    out.append("</tr></thead><tbody>")
    for number, row in enumerate(rows):
        key = f' data-model="{esc(keys[number])}"' if number < len(keys) else ""
        out.append(f"<tr{key}>")
        skip = raw[number] if number < len(raw) else ()
        for index, value in enumerate(row):
            body = str(value) if index in skip else esc(cell_text(value))
            if index == 0 and row_header:
                out.append(f'<th scope="row">{body}</th>')
            else:
                kind = ' class="num"' if index in numeric else ""
                out.append(f"<td{kind}>{body}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def facts(items: Sequence[tuple[str, Cell]]) -> str:
    """A definition list of (name, value)."""
    body = "".join(f"<dt>{esc(k)}</dt><dd>{esc(cell_text(v))}</dd>" for k, v in items)
    return f"<dl>{body}</dl>"


def section(title: str, *parts: str) -> str:
    return f"<section><h2>{esc(title)}</h2>{''.join(parts)}</section>"


def paragraph(text: str, kind: str = "") -> str:
    attr = f' class="{kind}"' if kind else ""
    return f"<p{attr}>{esc(text)}</p>"


def figure(chart: str, caption: str) -> str:
    """A chart (already built SVG) with a caption that says in words what it shows."""
    return f"<figure>{chart}<figcaption>{esc(caption)}</figcaption></figure>"


def page(title: str, body: Sequence[str], footer: str = "") -> str:
    """A whole document: nothing external, nothing executed."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>\n"
        f"<body><main><h1>{esc(title)}</h1>\n"
        + "\n".join(body)
        + "\n</main>"
        + (f"<footer>{esc(footer)}</footer>" if footer else "")
        + "</body></html>\n"
    )
