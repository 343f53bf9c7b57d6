"""Validate the bundled data files (data/*.yaml) and write src/llm_pick/catalog/compiled*.json,
which the package reads instead of parsing YAML at run time. The builder lives here, outside
the runtime package: the wheel ships what it built, not the builder.

    python tools/compile_data.py          # rewrite the compiled files
    python tools/compile_data.py --check  # exit 1 when one is stale

tests/test_compiled.py fails when they do not match data/*.yaml.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from llm_pick.catalog import compiled, gpus  # noqa: E402
from llm_pick.catalog.filetypes import GpuFile, ProfileFile, RuntimeFile  # noqa: E402
from llm_pick.catalog.validate import load_file, validate_file  # noqa: E402


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def compile_files(folder: Path) -> dict[str, Any]:
    """Validate every bundled file in `folder` (pydantic) -> {name: {sha256, data}}."""
    kinds = {"gpus.yaml": GpuFile, "profiles.yaml": ProfileFile, "runtimes.yaml": RuntimeFile}
    out: dict[str, Any] = {}
    for name in compiled.FILES:
        raw = (folder / name).read_bytes()
        item: dict[str, Any] = {"sha256": hashlib.sha256(raw).hexdigest()}
        if name == "models.yaml":
            found, date = load_file(str(folder / name), raw)
            data: Any = [_plain(asdict(m)) for m in found]
            item["as_of"] = date.isoformat() if date else None
        else:
            found = validate_file(folder / name, raw, kinds[name])
            data = _plain(asdict(found))
            if isinstance(found, GpuFile):  # what a --vram run reads: no preset parsed
                item[gpus.DISCRETE] = [list(pair) for pair in gpus.discrete_of(found.gpus)]
        out[name] = {**item, "data": data}
    return out


def dumps(files: dict[str, Any]) -> dict[Path, str]:
    """The compiled files' texts by path: the index (compiled.json: format, and per bundled
    file its sha256 and as-of date) and one data file per bundled file, one list item per line
    so that a changed entry is a one-line diff. ASCII only (other characters as \\u escapes):
    one emoji in 1 MB of text made the decoded string four bytes a character, and decoding
    and parsing it cost 40% more (docs/performance.md)."""

    def rows(items: list[Any]) -> str:
        return "[\n" + ",\n".join(json.dumps(i) for i in items) + "\n]"

    out: dict[Path, str] = {}
    heads = []
    for name, item in files.items():
        data = item["data"]
        if isinstance(data, list):
            body = rows(data)
        else:  # a file object: each of its lists one item per line
            body = (
                "{"
                + ", ".join(
                    f"{json.dumps(k)}: {rows(v) if isinstance(v, list) else json.dumps(v)}"
                    for k, v in data.items()
                )
                + "}"
            )
        out[compiled.part(name)] = body + "\n"
        head = {k: v for k, v in item.items() if k != "data"}
        heads.append(f"{json.dumps(name)}: {json.dumps(head)}")
    index = '{"format": ' + str(compiled.FORMAT) + ', "files": {\n' + ",\n".join(heads) + "\n}}\n"
    return {compiled.COMPILED: index, **out}


def double(folder: Path) -> int:
    """For bench/startup.py only: rewrite the compiled models in `folder` (the catalog folder
    of an installed copy of the package) so that every model is there twice, the copies under
    ids ending in -x2 (their bases the copies too); the number of models. Users never get
    such a file."""
    path = folder / compiled.part("models.yaml").name
    models = json.loads(path.read_text(encoding="utf-8"))
    copies = [
        {
            **m,
            "id": m["id"] + "-x2",
            "name": m["name"] + " x2",
            "base_model": m["base_model"] and m["base_model"] + "-x2",
        }
        for m in models
    ]
    models += copies
    path.write_text(
        "[\n" + ",\n".join(json.dumps(m) for m in models) + "\n]\n",
        encoding="utf-8",
    )
    return len(models)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    args = parser.parse_args()
    texts = dumps(compile_files(ROOT / "data"))
    if args.check:
        stale = [
            path
            for path, text in texts.items()
            if not path.is_file() or path.read_text(encoding="utf-8") != text
        ]
        for path in stale:
            print(f"{path} is stale: run python tools/compile_data.py")
        if not stale:
            print("the compiled files are current")
        return 1 if stale else 0
    for path, text in texts.items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path} ({len(text):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
