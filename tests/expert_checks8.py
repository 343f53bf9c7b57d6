"""The eighth expert review's own checks (tests/data/expert_review8.yaml): numbers that must
agree inside one answer of `memory`, `explain`, `compare` and `recommend` (parts and totals,
cards and the whole, rate and ceiling, context and memory left), the cache type in the command,
partial offload in the command, and the licences --commercial keeps. Each reads one answer's
JSON and returns the problems found; the shared checks of tests/expert_checks.py run beside
them through its `judge`."""

from __future__ import annotations

import re
import shlex
from typing import Any

from expert_checks import CATALOG, Check, entries

Json = dict[str, Any]
SPELL = {"fp16": "f16", "bf16": "bf16"}  # llama.cpp's cache-type spellings


def _memory_blocks(kind: str, answer: Json) -> list[Json]:
    if kind == "memory":
        return list(answer.get("estimates", [answer]))
    if kind == "explain" and answer.get("memory"):
        return [answer["memory"]]
    return []


def memory_sums(kind: str, answer: Json) -> list[str]:
    """The total is the sum of its parts, the overhead the compute buffer plus the CUDA
    context, and the cards together hold every weight not left in RAM."""
    out = []
    for block in _memory_blocks(kind, answer):
        if block.get("mode", "inference") != "inference":
            continue
        name = f"{block['model']} {block['quant']}"
        parts = block["weights_bytes"] + block["kv_cache_bytes"] + block["overhead_bytes"]
        parts += sum(block.get(k) or 0 for k in ("encoder_bytes", "ssm_state_bytes"))
        if abs(block["total_bytes"] - parts) > 1:
            out.append(f"{name}: total {block['total_bytes']} is not the parts' {parts}")
        overhead = (block.get("compute_buffer_bytes") or 0) + (block.get("cuda_context_bytes") or 0)
        one = block.get("overhead_per_card_bytes", block["overhead_bytes"])  # one card's
        if "compute_buffer_bytes" in block and abs(one - overhead) > 1:
            out.append(f"{name}: overhead {one} is not compute + context")
        fit = block.get("fit") or {}
        cards = fit.get("cards") or []
        if fit.get("verdict") != "gpu" or not cards:
            continue
        for card in cards:
            own = card["weights_bytes"] + card["kv_cache_bytes"] + card["overhead_bytes"]
            if abs(card["total_bytes"] - own) > len(cards) * 64 * 2**20:  # per-card extras
                out.append(f"{name}: a card's total {card['total_bytes']} is not its parts")
        in_ram = block.get("weights_in_ram_bytes") or 0
        if abs(sum(c["total_bytes"] for c in cards) + in_ram - block["total_bytes"]) > 2**20:
            out.append(f"{name}: the cards and RAM hold another total than {block['total_bytes']}")
        if len(cards) > 1 and block["overhead_bytes"] != sum(c["overhead_bytes"] for c in cards):
            out.append(f"{name}: overhead {block['overhead_bytes']} is not every card's")
        held = sum(c["weights_bytes"] for c in cards) + in_ram
        if abs(held - block["weights_bytes"] - (block.get("encoder_bytes") or 0)) > 2**20:
            out.append(f"{name}: cards hold {held} weight bytes of {block['weights_bytes']}")
    return out


def fit_margin(kind: str, answer: Json) -> list[str]:
    """The margin agrees with the verdict: spare (>= 0) where it fits, short (< 0) where it
    does not."""
    out = []
    for block in _memory_blocks(kind, answer):
        fit = block.get("fit") or {}
        margin, verdict = fit.get("margin_bytes"), fit.get("verdict")
        if margin is None:
            continue
        if verdict == "none" and margin >= 0:
            out.append(f"{block['quant']}: does not fit with {margin} bytes spare")
        if verdict in ("gpu", "offload", "cpu") and margin < 0:
            out.append(f"{block['quant']}: {verdict} with {margin} bytes short")
    return out


def _speeds(kind: str, answer: Json) -> list[tuple[str, Json]]:
    found = []
    for entry in entries(kind, answer):
        for speed in (entry.get("speed"), (entry.get("llama_cpp") or {}).get("speed")):
            if speed and speed.get("decode_tokens_per_second"):
                found.append((entry["model"], speed))
    return found


def share_stated(kind: str, answer: Json) -> list[str]:
    """The share of the ceiling is the rate over the ceiling; the range holds the expected
    rate; the aggregate is the streams' rates together; a longer prompt waits longer."""
    out = []
    for model, speed in _speeds(kind, answer):
        rate = speed["decode_tokens_per_second"]
        top, share = speed.get("decode_ceiling_tokens_per_second"), speed.get("share_of_ceiling")
        # rates and ceilings are shown to 0.1 tokens/s: below ~5 tokens/s that rounding alone
        # moves their ratio by more than 0.01 (0.62 of 1.0 shows as 0.6)
        slack = 0.01 + (0.05 + 0.05 * rate["expected"] / top) / top if top else 0.01
        if top and share is not None and abs(rate["expected"] / top - share) > slack:
            out.append(f"{model}: share {share} but {rate['expected']} of {top}")
        if not rate["low"] <= rate["expected"] <= rate["high"]:
            out.append(f"{model}: expected {rate['expected']} outside its range")
        total = speed.get("aggregate_decode_tokens_per_second")
        if total and total["expected"] > rate["expected"] * speed["batch"] * 1.01:
            out.append(f"{model}: aggregate above {speed['batch']} streams' rates")
        first = speed.get("time_to_first_token_seconds")
        full = speed.get("time_to_first_token_at_context_seconds")
        longer = first and full and full["prompt_tokens"] > first["prompt_tokens"]
        if longer and full["expected"] < first["expected"]:
            out.append(f"{model}: the longer prompt's first token comes sooner")
    return out


def served_ceiling(kind: str, answer: Json) -> list[str]:
    """A vLLM headline rate states its ceiling (tokens/s per stream) and the share, under it."""
    out = []
    own = [answer] if kind == "explain" else list(entries(kind, answer))
    as_run = answer.get("as_run") or {}
    if kind == "explain" and as_run.get("runtime") == "vllm" and not answer.get("serving"):
        out.append(f"{answer['model']}: headlined under vLLM without its serving plan")
    for entry in own:
        plan = entry.get("serving")
        if not plan:
            continue
        speed = plan["throughput"]
        top, share = speed.get("ceiling_per_stream"), speed.get("share_of_ceiling")
        if top is None or share is None:
            out.append(f"{entry['model']}: vLLM rate without its ceiling and share in tokens/s")
        elif speed["per_stream"] > top * 1.0005 or not 0 < share <= 1:
            out.append(f"{entry['model']}: vLLM rate above its ceiling")
        elif abs(speed["per_stream"] / top - share) > 0.01:
            out.append(f"{entry['model']}: vLLM share {share} is not its rate over the ceiling")
    return out


def context_room(kind: str, answer: Json) -> list[str]:
    """max_context: at least the sized context where it fits on the cards, within the model's
    window, and short of it where it does not fit."""
    out = []
    for entry in entries(kind, answer):
        model = CATALOG.get(entry["model"])
        best = entry.get("max_context") if kind == "recommend" else answer.get("max_context")
        fit = entry.get("fit")
        verdict = fit["verdict"] if isinstance(fit, dict) else fit
        context = entry.get("context") or (entry.get("speed") or {}).get("context")
        if best is None or context is None or entry.get("serving"):
            continue
        if best > model.context_length:
            out.append(f"{entry['model']}: max context {best} beyond its window")
        if verdict == "gpu" and best < context:
            out.append(f"{entry['model']}: fits at {context} but max context {best}")
        if verdict == "none" and best >= context:
            out.append(f"{entry['model']}: does not fit at {context} but max context {best}")
    return out


def _server(words: list[str]) -> dict[str, str] | None:
    if "llama-server" not in words:
        return None
    words = words[words.index("llama-server") + 1 :]
    return dict(zip(words[::2], words[1::2], strict=False)) | {"_": " ".join(words)}


def cache_in_command(kind: str, answer: Json) -> list[str]:
    """The K and V cache types sized are the ones llama-server runs (-ctk/-ctv or
    --cache-type-k/v), with flash attention on for a quantized V cache."""
    out = []
    for entry in entries(kind, answer):
        k = entry.get("kv_dtype")
        v = entry.get("v_dtype") or k
        for run in entry.get("run") or []:
            flags = _server(shlex.split(run["command"]))
            if flags is None or k is None:
                continue
            got_k = flags.get("--cache-type-k") or flags.get("-ctk") or "f16"
            got_v = flags.get("--cache-type-v") or flags.get("-ctv") or "f16"
            if got_k != SPELL.get(k, k) or got_v != SPELL.get(v, v):
                out.append(f"{entry['model']}: sized K/V {k}/{v}, runs {got_k}/{got_v}")
            if v not in ("fp16", "bf16") and flags.get("-fa", flags.get("--flash-attn")) != "on":
                out.append(f"{entry['model']}: quantized V cache without -fa on")
    return out


def offload_command(kind: str, answer: Json) -> list[str]:
    """A partial offload runs as sized: -ngl the layers on the cards (plus the output
    layer), or the experts kept in RAM named by --n-cpu-moe / -ot."""
    out = []
    for entry in entries(kind, answer):
        fit = entry.get("fit")
        verdict = fit["verdict"] if isinstance(fit, dict) else fit
        layers = fit.get("gpu_layers") if isinstance(fit, dict) else entry.get("gpu_layers")
        if verdict != "offload":
            continue
        for run in entry.get("run") or []:
            flags = _server(shlex.split(run["command"]))
            if flags is None:
                continue
            experts = "--n-cpu-moe" in flags or "-ot" in flags or "-cmoe" in flags
            if not experts and flags.get("-ngl") not in (str(layers), str((layers or 0) + 1)):
                out.append(f"{entry['model']}: -ngl {flags.get('-ngl')} for {layers} layers")
    return out


def commercial_kept(kind: str, answer: Json) -> list[str]:
    """--commercial: no pick whose licence forbids commercial use; each left out for its
    licence says so."""
    out = []
    for entry in entries(kind, answer):
        if entry["license"]["commercial_use"] not in ("allowed", "conditional"):
            out.append(f"{entry['model']}: {entry['license']['commercial_use']} commercial use")
    for left in answer.get("excluded", []):
        model = CATALOG.get(left["model"])
        if model.license.commercial_use == "prohibited" and not any(
            "commercial" in r for r in left["reasons"]
        ):
            out.append(f"{left['model']}: left out without the licence reason")
    return out


def compare_speed(kind: str, answer: Json) -> list[str]:
    """compare: each decode figure with its ceiling and share, and a time to first token,
    as recommend and memory give them."""
    fields = {r["field"]: r["values"] for r in answer["rows"]}
    out = []
    for field, values in fields.items():
        found = re.fullmatch(r"decode tok/s (\S+)", field)
        if not found:
            continue
        quant = found.group(1)
        top = fields.get(f"decode ceiling tok/s {quant}", {})
        share = fields.get(f"share of ceiling {quant}", {})
        first = fields.get(f"time to first token s {quant}", {})
        for name, rate in values.items():
            if rate is None:
                continue
            if top.get(name) is None or share.get(name) is None:
                out.append(f"{name} {quant}: decode {rate} without its ceiling and share")
            elif rate > top[name] * 1.0005:
                out.append(f"{name} {quant}: decode {rate} above its ceiling {top[name]}")
            if first.get(name) is None:
                out.append(f"{name} {quant}: no time to first token")
    return out


CHECKS8: dict[str, Check] = {
    f.__name__: f
    for f in (
        memory_sums,
        fit_margin,
        share_stated,
        served_ceiling,
        context_room,
        cache_in_command,
        offload_command,
        commercial_kept,
        compare_speed,
    )
}
