"""The thirteenth expert review's own checks (tests/data/expert_review13.yaml): a local-LLM /
vLLM engineer reading the JSON for long prompts (issue 19 §4), licence conditions (§5) and
commands pasted as printed (§7) on the newest catalog models (Mistral Small 3.x/4, Magistral,
Devstral 2, Ministral 3, Llama 4, Falcon3, Falcon-H1) and a few old ones. Physics: a prompt of
n tokens costs at least 2 x active parameters x n FLOPs plus the causal attention scores, so no
first token comes sooner than those FLOPs over the cards' peak; a longer prompt takes longer;
llama-server divides -c between its -np slots (llama.cpp tools/server README). Each check reads
one answer and returns the problems it finds; written before the answers were seen unless the
review's `after` says otherwise."""

from __future__ import annotations

import re
import shlex
from typing import Any

from expert_checks import CATALOG, Check, entries

Json = dict[str, Any]


def _hardware(data: Json) -> Json:
    return data.get("hardware") or (data.get("query") or {}).get("hardware") or {}


def _tokens(text: str) -> float | None:
    """'40K' -> 40960-ish; '1M' -> 1e6-ish; a bare number as is."""
    found = re.fullmatch(r"\s*~?([\d.]+)\s*([KkMm]?)\s*", str(text))
    if not found:
        return None
    scale = {"": 1, "k": 1024, "m": 1024 * 1024}[found.group(2).lower()]
    return float(found.group(1)) * scale


def _least_seconds(model_id: str, prompt: int, peak: float) -> float:
    model = CATALOG.get(model_id)
    arch = model.architecture
    attn = arch.attention_layers or arch.layers
    flops = 2 * model.parameters.active * prompt + 2 * attn * prompt * prompt * (
        (arch.attention_heads or 0) * (arch.head_dim or 0)
    )
    return flops / peak


def _quote_problems(name: str, quote: Json, speed: Json, peak: float) -> list[str]:
    """One first-token quote: its range in order, no sooner than the FLOPs at the cards' peak
    (`peak` 0: none stated) or the stated prefill ceiling."""
    out = []
    tokens = quote["prompt_tokens"]
    if not quote["low"] <= quote["expected"] <= quote["high"]:
        out.append(f"first-token range out of order at {tokens}")
    least = _least_seconds(name, tokens, peak) if peak else 0.0
    if quote["low"] < least * 0.98:
        out.append(f"{tokens} tokens in {quote['low']} s, under the {least:.3f} s at peak")
    top = speed.get("prefill_ceiling_tokens_per_second")
    if top and quote["low"] < tokens / top * 0.98:
        out.append("first token faster than the stated prefill ceiling")
    return out


def first_tokens(kind: str, data: Json, prompt: int = 512) -> list[str]:
    """Every placement that runs (GPU, several cards, Apple, CPU, offload) quotes the first
    token at the asked prompt and, where the sized context is 32K or more and longer than the
    prompt, at that context too; the longer prompt takes longer in all (low, expected, high),
    each range is ordered, and neither beats the FLOPs over the peak of every card together
    (where the hardware states its FP16 peak) nor the stated prefill ceiling."""
    out = []
    hardware = _hardware(data)
    peak = (hardware.get("fp16_tflops") or 0) * 1e12 * (hardware.get("gpus") or 1)
    for entry in entries(kind, data):
        fit = entry.get("fit")
        verdict = fit["verdict"] if isinstance(fit, dict) else fit
        cards = peak if verdict in ("gpu", None) else 0.0  # CPU and offload: no GPU bound
        speed = entry.get("speed")
        if verdict == "none" or not speed:
            continue
        name, context = entry["model"], speed.get("context") or 0
        first = speed.get("time_to_first_token_seconds")
        full = speed.get("time_to_first_token_at_context_seconds")
        if not first or first["prompt_tokens"] != min(prompt, context):
            out.append(f"{name}: no first token at {prompt} tokens on {verdict}")
        if context >= 32768 and context > prompt and (full or {}).get("prompt_tokens") != context:
            out.append(f"{name}: no first token at the sized {context} tokens on {verdict}")
        quoted = [t for t in (first, full) if t]
        out += [f"{name}: {p}" for t in quoted for p in _quote_problems(name, t, speed, cards)]
        if first and full and full["prompt_tokens"] > first["prompt_tokens"]:
            for k in ("low", "expected", "high"):
                if full[k] <= first[k]:
                    out.append(f"{name}: {k} first token not later for the longer prompt")
    return out


def effective_beside(kind: str, data: Json) -> list[str]:
    """Where the catalog records a published effective context (RULER, model card), the pick
    states it beside max_context with a source for each evaluation, no evaluation claims more
    than the model's window, and a note says it is shorter than advertised where it is."""
    out = []
    items = [data] if kind in ("explain", "memory") else list(entries(kind, data))
    for item in items:
        name = item["model"]
        model = CATALOG.get(name)
        if not model.effective_context:
            continue
        found = item.get("effective_context")
        if not found or not found.get("evaluations"):
            out.append(f"{name}: published effective context not beside max_context")
            continue
        shorter = False
        for row in found["evaluations"]:
            if not row.get("source"):
                out.append(f"{name}: an effective context without its source")
            value = _tokens(row.get("effective", ""))
            if value is not None and value > model.context_length * 1.001:
                out.append(f"{name}: effective {row['effective']} beyond its window")
            shorter = shorter or (value is not None and value < model.context_length * 0.999)
        if shorter and "shorter" not in (found.get("note") or ""):
            out.append(f"{name}: effective context shorter than the window, not said")
    return out


def licence_terms(kind: str, data: Json, model: str, words: list[str]) -> list[str]:
    """`model`'s pick carries its licence's key conditions in the JSON (license.key_conditions)
    and in a reason, each naming every word asked (the condition an expert checks for)."""
    found = [e for e in entries(kind, data) if e["model"] == model]
    if not found:
        return [f"{model} not in the answer"]
    entry = found[0]
    lic = entry["license"]
    keys = " ".join(lic.get("key_conditions") or []).lower()
    said = " ".join(r for r in entry.get("reasons") or [] if "licen" in r.lower()).lower()
    out = []
    for word in words:
        if word.lower() not in keys:
            out.append(f"{model}: license.key_conditions without {word!r}")
        if word.lower() not in said:
            out.append(f"{model}: no reason names {word!r}")
    return out


def vllm_plan_matches(kind: str, data: Json) -> list[str]:
    """The `vllm serve` command runs the serving plan in the JSON: --tensor-parallel-size,
    --data-parallel-size (1 when absent), --max-model-len and --gpu-memory-utilization equal
    the plan's, and its groups use no more cards than the machine has."""
    out = []
    cards = _hardware(data).get("gpus") or 1
    picks = [data] if kind == "explain" else list(entries(kind, data))  # explain: top level
    for entry in picks:
        plan = entry.get("serving")
        if not plan:
            continue
        serve = [r for r in entry.get("run") or [] if r["command"].startswith("vllm serve")]
        if not serve:
            out.append(f"{entry['model']}: a serving plan but no vllm serve command")
            continue
        words = shlex.split(serve[0]["command"])
        flags = dict(zip(words[3::2], words[4::2], strict=False))
        want = {
            "--tensor-parallel-size": str(plan["tensor_parallel"]),
            "--data-parallel-size": str(plan.get("data_parallel") or 1),
            "--max-model-len": str(plan["max_model_len"]),
        }
        flags.setdefault("--data-parallel-size", "1")
        for flag, value in want.items():
            if flags.get(flag) != value:
                out.append(f"{entry['model']}: {flag} {flags.get(flag)}, plan says {value}")
        util = flags.get("--gpu-memory-utilization")
        if util is None or abs(float(util) - float(plan["gpu_memory_utilization"])) > 0.005:
            out.append(
                f"{entry['model']}: --gpu-memory-utilization {util}, plan says "
                f"{plan['gpu_memory_utilization']}"
            )
        if int(want["--tensor-parallel-size"]) * int(want["--data-parallel-size"]) > cards:
            out.append(f"{entry['model']}: the plan uses more cards than {cards}")
    return out


def hf_runs_sized(kind: str, data: Json) -> list[str]:
    """`llama-server -hf REPO:TAG` fetches the format the answer sized (the catalog's file of
    that repository for the pick's quant), not another one."""
    out = []
    for entry in entries(kind, data):
        for run in entry.get("run") or []:
            words = shlex.split(run["command"])
            if "-hf" not in words or "llama-server" not in words:
                continue
            repo, _, tag = words[words.index("-hf") + 1].partition(":")
            gguf = CATALOG.get(entry["model"]).runtimes.gguf
            if gguf is None or gguf.repo != repo:
                out.append(f"{entry['model']}: -hf {repo}, not its recorded repository")
            elif entry["quant"] not in gguf.quants or gguf.tag(entry["quant"]) != tag:
                out.append(f"{entry['model']}: sized {entry['quant']}, -hf fetches {tag}")
    return out


def no_loadable_diff(kind: str, data: Json) -> list[str]:
    """A weight-diff release (the catalog's runtimes.weight_diff) gets no command at all that
    loads or converts the diff, in any pick or alternative."""
    out = []
    for entry in entries(kind, data):
        runtimes = CATALOG.get(entry["model"]).runtimes
        if runtimes is None or runtimes.weight_diff is None:
            continue
        for run in entry.get("run") or []:
            if re.search(r"vllm serve|llama-server|convert_hf|ollama|mlx_lm", run["command"]):
                out.append(f"{entry['model']}: {run['command'][:80]}")
    return out


def served_first_token(kind: str, data: Json, prompt: int = 512) -> list[str]:
    """A vLLM serving plan times the first token of the prompt the user asked
    (assumed_prompt_tokens = --prompt-tokens, within the window) and, from a 32K max_model_len
    longer than it, of a prompt filling that window, later; neither under the FLOPs at the
    serving group's peak (FP8 counted at twice the FP16 peak). Written after the answers."""
    out = []
    hardware = _hardware(data)
    picks = [data] if kind == "explain" else list(entries(kind, data))
    for entry in picks:
        plan = entry.get("serving")
        if not plan:
            continue
        name, speed = entry["model"], plan["throughput"]
        window = plan["max_model_len"]
        if plan["assumed_prompt_tokens"] != min(prompt, window - 1):
            out.append(f"{name}: vLLM plan times a {plan['assumed_prompt_tokens']}-token prompt")
        full = speed.get("ttft_at_context_seconds")
        if window >= 32768 and window > prompt and full is None:
            out.append(f"{name}: no vLLM first token for a {window}-token prompt")
        if full is not None and full <= speed["ttft_seconds"]:
            out.append(f"{name}: the window-filling prompt's first token is not later")
        boost = 2.0 if plan["format"] == "fp8" else 1.0
        peak = (hardware.get("fp16_tflops") or 0) * 1e12 * plan["tensor_parallel"] * boost
        quotes = [(plan["assumed_prompt_tokens"], speed["ttft_seconds"]), (window, full)]
        for tokens, seconds in quotes:
            least = _least_seconds(name, tokens, peak) if peak and seconds else 0.0
            if seconds is not None and seconds < least * 0.98:
                out.append(f"{name}: vLLM first token of {tokens} in {seconds:.3f} s < {least:.3f}")
    return out


def compare_licence_terms(kind: str, data: Json) -> list[str]:
    """compare: beside the licence and its commercial-use word, each conditional or prohibiting
    licence's key conditions (the catalog's), every one of them. Written after the answers."""
    rows = {r["field"]: r["values"] for r in data["rows"]}
    names = [m if isinstance(m, str) else m["id"] for m in data["models"]]
    shown = rows.get("licence conditions") or {}
    out = []
    for name in names:
        lic = CATALOG.get(name).license
        if lic.commercial_use == "allowed" or not lic.key_conditions:
            continue
        missing = [c for c in lic.key_conditions if c not in (shown.get(name) or [])]
        if missing:
            out.append(f"{name}: {lic.commercial_use} licence, conditions not shown: {missing}")
    return out


def compare_vllm_first_token(kind: str, data: Json, prompt: int, context: int) -> list[str]:
    """compare under vLLM: each served model's first token for the prompt asked and, from a
    32K context, for a prompt filling it, the longer one later. Written after the answers."""
    rows = {r["field"]: r["values"] for r in data["rows"]}
    served = {m for m, v in (rows.get("runtime (assumed)") or {}).items() if v == "vllm"}
    short = rows.get(f"vLLM time to first token s, {prompt}-token prompt") or {}
    long = rows.get(f"vLLM time to first token s, {context}-token prompt") or {}
    out = [] if served else ["no model served by vLLM"]
    for name in sorted(served):
        a, b = short.get(name), long.get(name)
        if a is None or (context >= 32768 and b is None):
            out.append(f"{name}: vLLM first token at {prompt} / {context} tokens: {a} / {b}")
        elif b is not None and b <= a:
            out.append(f"{name}: the {context}-token prompt's first token is not later")
    return out


CHECKS13: dict[str, Check] = {
    f.__name__: f
    for f in (
        first_tokens,
        effective_beside,
        licence_terms,
        vllm_plan_matches,
        hf_runs_sized,
        no_loadable_diff,
        served_first_token,
        compare_licence_terms,
        compare_vllm_first_token,
    )
}
