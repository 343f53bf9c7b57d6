"""What a model file says about itself: the GGUF `general.*` keys (name, organization,
licence, base models, fine-tune, languages) and a model card's YAML header (README.md beside
the file). `import` fills an entry from them and marks the rest unknown."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from llm_pick.catalog.types import UNKNOWN_LANGUAGE

MAX_CARD_BYTES = 1 << 20  # a model card's head: the YAML header is at the top
_HF_URL = re.compile(r"https://huggingface\.co/([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)/?\Z")
_CODE = re.compile(r"[a-z]{2,3}\Z")
# Which option sets each fact a file may not state.
OPTIONS = {
    "organization": "--organization",
    "license": "--license and --commercial-use",
    "languages": "--lang",
    "variant": "--variant",
}


def _text(value: Any) -> str | None:
    return value.strip()[:200] if isinstance(value, str) and value.strip() else None


def gguf_facts(meta: dict[str, Any]) -> dict[str, Any]:
    """{name, organization, license_id, license_name, license_url, finetune, languages,
    base_models, hf_repo} from GGUF metadata, each only when stated."""
    facts: dict[str, Any] = {}
    for key, field in (
        ("general.name", "name"),
        ("general.organization", "organization"),
        ("general.license", "license_id"),
        ("general.license.name", "license_name"),
        ("general.license.link", "license_url"),
        ("general.finetune", "finetune"),
    ):
        if (value := _text(meta.get(key))) is not None:
            facts[field] = value
    langs = meta.get("general.languages")
    if isinstance(langs, list):
        facts["languages"] = [x.lower() for x in langs if isinstance(x, str)]
    count = meta.get("general.base_model.count")
    bases = []
    for i in range(min(count, 8) if isinstance(count, int) else 0):
        parts = [_text(meta.get(f"general.base_model.{i}.{k}")) for k in ("organization", "name")]
        url = _text(meta.get(f"general.base_model.{i}.repo_url"))
        named = " ".join(p for p in parts if p)
        if named or url:
            bases.append(named + (f" ({url})" if url else ""))
    if bases:
        facts["base_models"] = bases
    url = _text(meta.get("general.repo_url"))
    if url and (match := _HF_URL.match(url)):
        facts["hf_repo"] = match.group(1)
    return facts


def card_facts(folder: Path) -> dict[str, Any]:
    """The same facts from the YAML header of README.md in `folder` (Hugging Face model card
    metadata: license, license_name, license_link, language, base_model), when present."""
    from llm_pick.catalog.read import read_input
    from llm_pick.errors import CatalogError

    card = folder / "README.md"
    if not card.is_file():
        return {}
    try:
        text = read_input(str(card), MAX_CARD_BYTES).decode("utf-8", "replace")
    except CatalogError:
        return {}  # an unreadable card states nothing
    return card_header(text)


def card_header(text: str) -> dict[str, Any]:
    """The facts of a model card's text (its YAML header); {} when it has none."""
    from llm_pick.catalog.documents import parse_document
    from llm_pick.errors import CatalogError

    match = re.match(r"---\r?\n(.*?)\r?\n---\r?\n", text[:MAX_CARD_BYTES], re.DOTALL)
    try:
        header = parse_document("README.md.yaml", match.group(1).encode()) if match else None
    except CatalogError:
        return {}
    if not isinstance(header, dict):
        return {}
    facts: dict[str, Any] = {"card": "README.md"}
    for key, field in (
        ("license", "license_id"),
        ("license_name", "license_name"),
        ("license_link", "license_url"),
    ):
        if (value := _text(header.get(key))) is not None:
            facts[field] = value
    langs = header.get("language")
    langs = [langs] if isinstance(langs, str) else langs
    if isinstance(langs, list):
        facts["languages"] = [x.lower() for x in langs if isinstance(x, str)]
    base = header.get("base_model")
    base = [base] if isinstance(base, str) else base
    if isinstance(base, list) and (named := [b for b in base if isinstance(b, str)][:8]):
        facts["base_models"] = named
    return facts


def license_of(facts: dict[str, Any]) -> dict[str, Any]:
    """The licence the facts state. Its commercial terms are taken from a bundled catalog
    entry under the same licence id (sourced there); otherwise commercial_use is unknown."""
    from llm_pick.catalog.load import load_catalog

    lid = facts.get("license_id")
    if lid is None:
        return {"id": "unknown", "name": "not stated in the file", "url": "-",
                "commercial_use": "unknown"}  # fmt: skip
    lid = lid.lower()
    if lid == "other" and facts.get("license_name"):
        lid = facts["license_name"].lower()
    entry = next((m for m in load_catalog() if m.license.id == lid), None)
    if entry is not None:
        known = entry.license
        out = {"id": known.id, "name": known.name, "url": known.url,
               "commercial_use": known.commercial_use}  # fmt: skip
        if known.commercial_use != "allowed" and known.conditions:
            out["conditions"] = f"{known.conditions} (as recorded for {entry.id})"
        return out
    return {
        "id": lid,
        "name": facts.get("license_name") or lid,
        "url": facts.get("license_url") or "-",
        "commercial_use": "unknown",
    }


def languages_of(facts: dict[str, Any]) -> list[str]:
    codes = [c for c in facts.get("languages", []) if _CODE.match(c)]
    return list(dict.fromkeys(codes)) or [UNKNOWN_LANGUAGE]


def variant_of(facts: dict[str, Any], name: str) -> str | None:
    """instruct or chat when the fine-tune tag or the name says so; None: not stated."""
    words = f"{facts.get('finetune', '')} {name}".lower()
    if "instruct" in words:
        return "instruct"
    if "chat" in words:
        return "chat"
    return None


def apply(entry: dict[str, Any], facts: dict[str, Any]) -> list[str]:
    """Fill `entry` from the facts; the fields left unknown, each with the option that sets it."""
    unknown = []
    if facts.get("name"):
        entry["name"] = facts["name"]
    entry["organization"] = facts.get("organization") or "unknown"
    if "organization" not in facts:
        unknown.append("organization")
    entry["license"] = license_of(facts)
    if entry["license"]["commercial_use"] == "unknown":
        unknown.append("license")
    entry["languages"] = languages_of(facts)
    if entry["languages"] == [UNKNOWN_LANGUAGE]:
        unknown.append("languages")
    variant = variant_of(facts, str(entry.get("name", "")))
    entry["variant"] = variant or "base"
    if variant is None:
        unknown.append("variant")
    if facts.get("hf_repo"):
        entry["hf_repo"] = facts["hf_repo"]
    said = [f"base model: {', '.join(facts['base_models'])}"] if facts.get("base_models") else []
    if facts.get("card"):
        entry["sources"].append(f"model card header ({facts['card']})")
    entry["notes"] = "; ".join(said) if said else None
    return unknown


def unknown_message(unknown: list[str]) -> str:
    """One line: what the file did not state and which option sets each."""
    parts = []
    for field in unknown:
        what = {"license": "licence (commercial_use: unknown)", "languages": "languages (und)",
                "variant": "variant (assumed base)"}.get(field, field)  # fmt: skip
        parts.append(f"{what}: {OPTIONS[field]}")
    return "Not stated in the file, marked unknown: " + "; ".join(parts)
