"""`llm-pick import`: build the entry (estimate/importer.py) and print it, or add it to a
catalog file atomically (replacing an entry with the same id). Comments of that file are not
kept: it is written again from its parsed data."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from llm_pick.errors import CatalogError


def import_command(
    path: Path,
    output: Path | None,
    fields: dict[str, str | None],
    licence: dict[str, str | None],
    lang: list[str] | None,
) -> None:
    import yaml

    from llm_pick.cli.output import write_output
    from llm_pick.cli.parse import languages
    from llm_pick.estimate.importer import import_entry, ordered

    given: dict[str, Any] = dict(fields)
    if any(licence.values()):
        from llm_pick.catalog.provenance import license_of

        # --license alone takes the terms of a bundled entry under that id (else unknown)
        known = license_of({"license_id": licence["id"]}) if licence["id"] else {}
        given["license"] = known | {k: v for k, v in licence.items() if v is not None}
        given["license"].setdefault("name", given["license"].get("id"))
    if lang:
        given["languages"] = list(languages(lang))
    entry, missing = import_entry(path, given)
    entry = ordered(entry)
    as_json = output is not None and output.suffix.lower() == ".json"
    document: dict[str, Any] = {"schema_version": 1, "models": [entry]}
    if output is not None and output.exists():
        document = _existing(output)
        models = document["models"]
        same = [
            i for i, m in enumerate(models) if isinstance(m, dict) and m.get("id") == entry["id"]
        ]
        if same:
            models[same[0]] = entry
        else:
            models.append(entry)
    if as_json:
        import json

        from llm_pick.render.safe import json_safe

        text = json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
    else:
        text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    if output is None:
        sys.stdout.write(text)
    else:
        write_output(output, text, [path])
        sys.stderr.write(f"Wrote {entry['id']} to {output}\n")
    copied = ((entry.get("runtimes") or {}).get("file") or {}).get("matches")
    if copied:
        sys.stderr.write(
            f"Matches catalog model {copied} (same architecture, parameter count within 1%, "
            "name): its licence, languages and quality are used where the file is silent\n"
        )
    if missing:
        from llm_pick.catalog.provenance import unknown_message

        sys.stderr.write(unknown_message(missing) + "\n")


def _existing(output: Path) -> dict[str, Any]:
    """The catalog `-o` adds to, read with the same caps as any catalog (regular files only)."""
    from llm_pick.catalog.documents import parse_document
    from llm_pick.catalog.load import MAX_FILE_BYTES, MAX_YAML_BYTES
    from llm_pick.catalog.read import read_input

    name = str(output)
    limit = MAX_FILE_BYTES if name.lower().endswith(".json") else MAX_YAML_BYTES
    raw = read_input(name, limit)
    data = parse_document(name, raw)
    if not (isinstance(data, dict) and isinstance(data.get("models"), list)):
        raise CatalogError(f"{output}: not a catalog (schema_version: 1, models: [...])")
    return data
