"""The ninth expert review's own checks (tests/data/expert_review9.yaml): the Ollama command
runs the sizing (context, streams and the KV cache type the server must be given), the quality
of a vLLM-served format names that format, training options that hold what they promise, first
tokens on every backend, and the -ub asked is the one sized. Each reads one answer's JSON and
returns the problems found; the checks of tests/expert_checks.py and tests/expert_checks8.py
run beside them through `judge`."""

from __future__ import annotations

import re
from typing import Any

from expert_checks import CATALOG, Check, entries

Json = dict[str, Any]
SPELL = {"fp16": "f16", "bf16": "f16"}  # Ollama's cache-type spellings (f16, q8_0, q4_0)


def _sized(kind: str, answer: Json, entry: Json) -> tuple[int, int, str, str]:
    speed = entry.get("speed") or {}
    context = entry.get("context") or speed.get("context")
    batch = entry.get("batch") or speed.get("batch") or 1
    k = entry.get("kv_dtype") or "fp16"
    v = entry.get("v_dtype") or k
    return context, batch, SPELL.get(k, k), SPELL.get(v, v)


def ollama_sized(kind: str, answer: Json) -> list[str]:
    """An Ollama command says what the server needs to run the sizing: num_ctx at the sized
    per-stream context, OLLAMA_NUM_PARALLEL for several streams, and a quantized KV cache's
    OLLAMA_KV_CACHE_TYPE with OLLAMA_FLASH_ATTENTION=1 (ollama docs/faq.md), or that a K/V
    split does not run there (one type for both)."""
    out = []
    for entry in entries(kind, answer):
        context, batch, k, v = _sized(kind, answer, entry)
        for run in entry.get("run") or []:
            if run["runtime"] != "ollama":
                continue
            note = run.get("note") or ""
            if not re.search(rf"num_ctx (to )?{context}\b", note):
                out.append(f"{entry['model']}: Ollama without num_ctx {context}")
            if batch > 1 and f"OLLAMA_NUM_PARALLEL={batch}" not in note:
                out.append(f"{entry['model']}: Ollama without OLLAMA_NUM_PARALLEL={batch}")
            if k == v == "f16":
                continue
            if k != v:
                if "does not run under Ollama" not in note:
                    out.append(f"{entry['model']}: K {k} / V {v} under Ollama, nothing said")
            elif f"OLLAMA_KV_CACHE_TYPE={k}" not in note or "OLLAMA_FLASH_ATTENTION=1" not in note:
                out.append(f"{entry['model']}: sized a {k} cache, Ollama runs f16 (no setting)")
    return out


def served_quality(kind: str, answer: Json) -> list[str]:
    """Served by vLLM: the quality's basis names the served format (its loss, or why none)."""
    out = []
    if kind == "explain":
        as_run = answer.get("as_run") or {}
        if as_run.get("runtime") == "vllm" and answer.get("criteria"):
            basis = answer["criteria"]["quality"].get("basis") or ""
            if as_run["quant"] not in basis:
                out.append(f"{answer['model']}: served {as_run['quant']}, basis does not name it")
        return out
    for entry in entries(kind, answer):
        plan = entry.get("serving")
        if not plan or not entry.get("criteria"):
            continue
        basis = entry["criteria"]["quality"].get("basis") or ""
        if plan["format"] not in basis:
            out.append(f"{entry['model']}: served {plan['format']}, basis does not name it")
    return out


def training_options(kind: str, answer: Json) -> list[str]:
    """A fine-tune that does not fit: each option holds what it promises (a sequence within
    the asked one and equal to the max context; an 8-bit optimizer's per-card figure within
    the card); one that fits offers none."""
    out = []
    for entry in entries(kind, answer):
        fit = entry["fit"]
        if fit["verdict"] == "gpu":
            if fit.get("options"):
                out.append(f"{entry['quant']}: fits, yet options to make it fit")
            continue
        card = fit["cards"][0]
        room = (card["capacity_bytes"] - card["headroom_bytes"]) / 2**30
        for option in fit.get("options") or []:
            found = re.search(r"sequence of at most ([\d,]+) tokens", option)
            if found:
                tokens = int(found.group(1).replace(",", ""))
                if tokens >= entry["context"] or tokens != entry.get("max_context"):
                    out.append(f"{entry['quant']}: sequence option {tokens} is not its max")
            found = re.search(r"8-bit optimizer.*: ([\d.]+) GiB per card", option)
            if found and float(found.group(1)) > room + 0.05:
                out.append(
                    f"{entry['quant']}: 8-bit optimizer at {found.group(1)} GiB > {room:.1f}"
                )
        if not any("gradient checkpointing" in o for o in fit.get("options") or []):
            out.append(f"{entry['quant']}: gradient checkpointing not said")
    return out


def first_token_anywhere(kind: str, answer: Json, prompt: int = 512) -> list[str]:
    """Time to first token at the asked prompt on every placement that runs (CPU, Apple,
    offload included), no sooner than the prompt at the stated prefill rate allows."""
    out = []
    for entry in entries(kind, answer):
        fit = entry.get("fit")
        verdict = fit["verdict"] if isinstance(fit, dict) else fit
        speed = entry.get("speed")
        if verdict == "none" or not speed:
            continue
        first = speed.get("time_to_first_token_seconds")
        if not first or first["prompt_tokens"] != prompt:
            out.append(f"{entry['model']}: no first-token time for {prompt} tokens on {verdict}")
            continue
        rate = speed["prefill_tokens_per_second"]["expected"]
        # the answer rounds the first token to 0.01 s (0.143 s shows as 0.14)
        if first["expected"] + 0.005 < prompt / rate * 0.98:
            out.append(
                f"{entry['model']}: first token in {first['expected']} s, faster than prefill"
            )
    return out


def ubatch_sized(kind: str, answer: Json, ubatch: int = 512) -> list[str]:
    """The -ub asked is the one sized, and its compute buffer grows with it."""
    out = []
    for entry in entries(kind, answer):
        if entry.get("ubatch") != ubatch:
            out.append(f"{entry['model']}: sized -ub {entry.get('ubatch')}, asked {ubatch}")
    return out


def compare_effective(kind: str, answer: Json) -> list[str]:
    """compare: beside the context row, each model's published effective context (RULER and
    the like) with its source, where the catalog records one."""
    rows = {r["field"]: r["values"] for r in answer["rows"]}
    names = [m if isinstance(m, str) else m["id"] for m in answer["models"]]
    shown = rows.get("effective context")
    out = []
    for name in names:
        published = CATALOG.get(name).effective_context
        if not published:
            continue
        found = (shown or {}).get(name)
        if not found:
            out.append(
                f"{name}: context {rows['context'][name]} without its published effective context"
            )
        elif not all(e.get("source") for e in found["evaluations"]):
            out.append(f"{name}: effective context without its source")
    return out


CHECKS9: dict[str, Check] = {
    f.__name__: f
    for f in (
        ollama_sized,
        served_quality,
        training_options,
        first_token_anywhere,
        ubatch_sized,
        compare_effective,
    )
}
