"""The fifteenth expert review's own checks (tests/data/expert_review15.yaml): the same query
exported as CSV, Markdown or an HTML file carries the JSON's figures; a recommend pick's memory
parts add up to its total (the vision projector a command loads counted apart); the coding
profile's order of a family's code releases. Written after the answers of review 15 had been
run once and read (each question using one says so). Each check reads one answer (and, for an
export, runs the same command once more in that format) and returns the problems it finds."""

from __future__ import annotations

import csv
import html
import io
import re
import tempfile
from pathlib import Path
from typing import Any

from conftest import run
from expert_checks import Check, entries

Json = dict[str, Any]
GIB = 2**30


def _export(argv: list[str], fmt: str) -> str:
    """The command's output in `fmt`; an HTML one written to a file with --output, as a user
    keeps it (the text of its cells, tags and entities removed)."""
    if fmt != "html":
        result = run(*argv, "-f", fmt)
        assert result.code == 0, result.stderr
        return result.stdout
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "answer.html"
        result = run(*argv, "-o", str(path))
        assert result.code == 0, result.stderr
        text = path.read_text()
    text = re.sub(r"<(style|script)\b.*?</\1>", "", text, flags=re.S)
    cells = re.findall(r"<t[dh]\b[^>]*>(.*?)</t[dh]>", text, flags=re.S)
    return "\n".join(html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells)


def _number(text: str) -> tuple[float, float] | None:
    """The number a cell leads with and half a unit of its last shown digit (the rounding a
    display may do); a percentage as a fraction."""
    found = re.match(r"\s*[~'≈]?\s*(-?[\d,]*\.?\d+)\s*(%|B\b|M\b)?", text)
    if found is None:
        return None
    digits = found.group(1).replace(",", "")
    places = len(digits.split(".")[1]) if "." in digits else 0
    scale = {"%": 0.01, "B": 1e9, "M": 1e6}.get(found.group(2) or "", 1.0)
    return float(digits) * scale, 0.5 * 10**-places * scale + 1e-9


def _same(shown: str, value: Any) -> bool:
    """A cell shows a JSON value: the same text, or the same number as rounded for display."""
    if value is None:
        return shown.strip().lstrip("'") in ("", "-", "—")
    if isinstance(value, bool):
        return shown.strip().lower() in (str(value).lower(), "yes" if value else "no")
    if isinstance(value, int | float):
        found = _number(shown)
        return found is not None and abs(found[0] - value) <= found[1]
    if isinstance(value, list):  # in full, or counted ("11 languages")
        return all(str(v) in shown for v in value) or shown.startswith(f"{len(value)} ")
    return shown.strip().lstrip("'") == str(value) or str(value) in shown


def _recommend_csv(data: Json, text: str) -> list[str]:
    rows = list(csv.DictReader(io.StringIO(text)))
    picks = data["ranking"]
    out = [] if len(rows) == len(picks) else [f"{len(rows)} CSV rows for {len(picks)} picks"]
    for row, pick in zip(rows, picks, strict=False):
        expect = {
            "model": pick["model"],
            "quant": pick["quant"],
            "kv_dtype": pick["kv_dtype"],
            "total_bytes": pick["memory"]["total_bytes"],
            "fit": pick["fit"],
            "tokens_per_second": pick["tokens_per_second"],
            "max_context": pick["max_context"],
            "run_command": (pick.get("run") or [{}])[0].get("command"),
        }
        out += [
            f"{pick['model']}: CSV {key} {row.get(key)!r}, JSON {value!r}"
            for key, value in expect.items()
            if not _same(row.get(key) or "", value)
        ]
    return out


def _compare_csv(data: Json, text: str) -> list[str]:
    table = list(csv.reader(io.StringIO(text)))
    names = table[0][1:]
    shown = {r[0]: dict(zip(names, r[1:], strict=False)) for r in table[1:]}
    out = []
    for row in data["rows"]:
        cells = shown.get(row["field"])
        if cells is None:
            out.append(f"row {row['field']!r} missing from the CSV")
            continue
        for name in names:
            value = row["values"].get(name)
            if isinstance(value, dict):
                continue  # a structured entry (effective context): shown as its words
            if not _same(cells.get(name, ""), value):
                out.append(f"{row['field']} / {name}: CSV {cells.get(name)!r}, JSON {value!r}")
    return out


def _explain_text(data: Json, text: str) -> list[str]:
    flat = text.replace("\\", "")
    chosen = next(f for f in data["formats"] if f["chosen"])
    said = (
        f"{chosen['total_bytes'] / GIB:.1f} GiB, {chosen['fit']}, max context "
        f"{chosen['max_context']:,}, {chosen['tokens_per_second']:.1f} tok/s"
    )
    out = [] if said in flat else [f"chosen format row {said!r} not in the export"]
    command = (data.get("run") or [{}])[0].get("command")
    if command and command not in flat:
        out.append("the run command differs from the JSON's")
    return out


def _memory_text(data: Json, text: str) -> list[str]:
    """memory's table: a header row from `model` on, then the model's row of as many cells."""
    cells = text.splitlines()
    speed = (data.get("speed") or {}).get("decode_tokens_per_second") or {}
    fit = data.get("fit") or {}
    expect = {
        "weights_bytes": data["weights_bytes"],
        "kv_cache_bytes": data["kv_cache_bytes"],
        "overhead_bytes": data["overhead_bytes"],
        "total_bytes": data["total_bytes"],
        "max_context": data["max_context"],
        "fit": fit.get("verdict"),
        "gpu_layers": fit.get("gpu_layers"),
        "decode_tps_expected": speed.get("expected"),
    }
    if "model" not in cells or data["model"] not in cells:
        return ["no memory table in the export"]
    header = cells.index("model")
    width = cells.index(data["model"], header) - header
    out = []
    for key, value in expect.items():
        if key not in cells[header : header + width]:
            out.append(f"no {key} column")
            continue
        shown = cells[cells.index(key, header) + width]
        if not _same(shown, value):
            out.append(f"{key}: export {shown!r}, JSON {value!r}")
    return out


def same_in_format(kind: str, data: Json, argv: list[str], format: str) -> list[str]:
    """The same query exported as CSV, Markdown or an HTML file (-o FILE) carries the JSON's
    figures: each pick's model, format, cache, memory, fit, speed, max context and command
    (recommend), every compare row, explain's chosen format and command, memory's parts, fit and
    speed. Written after the answers were seen."""
    text = _export(argv, format)
    if kind == "recommend":
        return _recommend_csv(data, text)
    if kind == "compare":
        return _compare_csv(data, text)
    if kind == "explain":
        return _explain_text(data, text)
    return _memory_text(data, text)


def parts_add_up(kind: str, data: Json) -> list[str]:
    """A recommend pick's memory block adds up: weights + KV + overhead + the vision projector
    its command loads (encoder_bytes, a field of its own) = total, for llama.cpp totals and
    vLLM's per-card pools alike. Written after the answers were seen."""
    out = []
    for entry in entries(kind, data):
        memory = entry["memory"]
        if "encoder_bytes" not in memory:
            out.append(f"{entry['model']}: no encoder_bytes in the memory block")
        parts = ("weights_bytes", "kv_cache_bytes", "overhead_bytes", "encoder_bytes")
        gap = memory["total_bytes"] - sum(memory.get(p) or 0 for p in parts)
        if gap:
            out.append(f"{entry['model']}: {gap / GIB:.2f} GiB of the total in no part")
    return out


def code_floor(kind: str, data: Json, model: str, over: list[str]) -> list[str]:
    """--profile coding: `model`, which matches or beats each of `over` on every code benchmark
    both publish (SWE-bench Verified, say), is ranked and its quality (the code ability) is at
    least theirs. Written after the answers were seen."""
    ranked = {e["model"]: e for e in entries(kind, data)}
    if model not in ranked:
        return [f"{model} not ranked ({', '.join(ranked)})"]
    mine = ranked[model]["criteria"]["quality"]["value"]
    theirs = {o: ranked[o]["criteria"]["quality"]["value"] for o in over if o in ranked}
    return [
        f"{model} quality {mine:.3f} below {o}'s {v:.3f}" for o, v in theirs.items() if v > mine
    ]


def served_when_held(kind: str, data: Json) -> list[str]:
    """On datacenter cards, a model vLLM holds at least half the asked sequences of at full
    length is served by vLLM (--max-num-seqs at what it holds, the rest queue, or its own
    preemption), not handed to llama.cpp's layer split at a fraction of the throughput.
    Written after the answers were seen."""
    out = []
    picks = [data] if kind == "explain" else list(entries(kind, data))
    for entry in picks:
        for reason in entry.get("reasons") or []:
            held = re.search(r"cannot hold the batch: at best (\d+) of the (\d+) sequences", reason)
            if held and 2 * int(held.group(1)) >= int(held.group(2)):
                out.append(f"{entry['model']}: {reason[:160]}")
    return out


CHECKS15: dict[str, Check] = {
    f.__name__: f for f in (same_in_format, parts_add_up, code_floor, served_when_held)
}
