"""The twelfth expert review's own checks (tests/data/expert_review12.yaml): a local-LLM / vLLM
engineer fixing the runtime on each hardware kind (NVIDIA, AMD, Apple, CPU-only), combining
constraints (languages, context, commercial use, CPU-only, mixed cards), weighing the old LLaMA-1
/ Falcon / BLOOM families and their derivatives against the 2025-26 releases, and sharding
training over several cards. Physics and the catalog's sourced facts: a runtime that has no
backend for the hardware runs nothing there (vLLM has no Metal backend; MLX runs only on Apple
silicon); a model is sized within its own window; prefill per token slows as the context
grows (attention reads every earlier token); ZeRO-3 / FSDP shards weights, gradients and
optimizer state over N cards while each card holds its own activations. Each check reads one
answer (an `{"error": ...}` record for a refused command) and returns the problems it finds;
written before the answers were seen unless the review's `after` says otherwise."""

from __future__ import annotations

import re
import shlex
from typing import Any

from expert_checks import CATALOG, USABLE, Check, entries

from llm_pick.estimate.quant import QUANTS

Json = dict[str, Any]
GGUF_ONLY = re.compile(r"^(i?q\d|tq\d)")  # llama.cpp's k-, legacy, IQ and ternary formats


def _bits(quant: str) -> float:
    found = QUANTS.get(quant)
    return 16.0 if found is None else float(found.nominal_bits)


def _refused(data: Json) -> bool:
    return "error" in data


def _hardware(data: Json) -> Json:
    return (data.get("query") or {}).get("hardware") or data.get("hardware") or {}


def _apple(data: Json) -> bool:
    hw = _hardware(data)
    return str(hw.get("label", "")).startswith("Apple") or bool(
        re.fullmatch(r"m\d.*", str(hw.get("gpu") or ""))
    )


def _commands(kind: str, data: Json) -> list[tuple[Json, str]]:
    return [(e, r["command"]) for e in entries(kind, data) for r in e.get("run") or []]


def answered(kind: str, data: Json) -> list[str]:
    """The command gave an answer (not an error)."""
    return [f"refused: {data['error']}"] if _refused(data) else []


def one_error_line(kind: str, data: Json) -> list[str]:
    """A refused command: exit 1 and one `Error:` line on stderr, no traceback."""
    if not _refused(data):
        return []
    lines = [ln for ln in data["error"].splitlines() if ln.strip()]
    out = [] if data["code"] == 1 else [f"exit code {data['code']}, not 1"]
    if len(lines) != 1 or not lines[0].startswith("Error:"):
        out.append(f"stderr is not one Error: line: {data['error'][:200]!r}")
    elif "internal error" in lines[0]:
        out.append(f"a crash, not a refusal: {lines[0][:200]}")
    return out


def runtime_runs_here(kind: str, data: Json) -> list[str]:
    """A runtime the user fixed that has no backend for the hardware (vLLM on Apple silicon,
    MLX anywhere but Apple silicon) is refused with one Error line, or the answer says so and
    prints no command for it."""
    if _refused(data):
        return one_error_line(kind, data)
    runtime = (data.get("query") or {}).get("runtime") or {}
    said = " ".join(str(runtime.get(k) or "") for k in ("reason", "note"))
    apple = _apple(data)
    out = []
    for entry, command in _commands(kind, data):
        if apple and command.startswith("vllm serve"):
            out.append(f"{entry['model']}: `vllm serve` on Apple silicon (no Metal backend)")
        if not apple and re.match(r"(mlx_lm|python -m mlx_lm)", command):
            out.append(f"{entry['model']}: an MLX command off Apple silicon")
    asked = runtime.get("name")
    if asked == "vllm" and apple and "Apple" not in said and "Metal" not in said:
        out.append("vLLM assumed on Apple silicon, nothing said")
    if asked == "mlx" and not apple and "Apple" not in said:
        out.append("MLX assumed off Apple silicon, nothing said")
    no_gpu = not apple and not _hardware(data).get("vram_bytes_total")
    served = any(c.startswith("vllm serve") for _, c in _commands(kind, data))
    if asked == "vllm" and no_gpu and served and "CPU" not in said:
        out.append("`vllm serve` with no GPU, nothing said of vLLM's CPU backend")
    return out


def vllm_formats(kind: str, data: Json) -> list[str]:
    """A vLLM serving plan serves a format vLLM loads from a checkpoint (16-bit, FP8, AWQ,
    GPTQ...), not a llama.cpp GGUF type, and its command does not name a GGUF repository."""
    out = []
    for entry in entries(kind, data):
        plan = entry.get("serving")
        if not plan:
            continue
        if GGUF_ONLY.match(str(plan.get("format", ""))):
            out.append(f"{entry['model']}: vLLM serves GGUF {plan['format']}")
        for run in entry.get("run") or []:
            if run["command"].startswith("vllm serve") and "GGUF" in run["command"].split()[2]:
                out.append(f"{entry['model']}: vllm serve of a GGUF repository")
    return out


def min_context_kept(kind: str, data: Json, tokens: int) -> list[str]:
    """--min-context N: every pick's window holds N tokens and it is sized for at least N."""
    out = []
    for entry in entries(kind, data):
        window = CATALOG.get(entry["model"]).context_length
        sized = entry.get("context") or (entry.get("speed") or {}).get("context") or 0
        if window < tokens:
            out.append(f"{entry['model']}: a {window}-token window under the asked {tokens}")
        if sized < tokens:
            out.append(f"{entry['model']}: sized for {sized} tokens, asked at least {tokens}")
    return out


def within_window(kind: str, data: Json) -> list[str]:
    """No answer sizes a model for more tokens than its own window (LLaMA 1 and Falcon 7B/40B
    hold 2,048 positions): the cache and speed quoted are for a context the model can use."""
    if _refused(data):
        return []
    out = []
    for entry in entries(kind, data):
        window = CATALOG.get(entry["model"]).context_length
        sized = entry.get("context") or (entry.get("speed") or {}).get("context") or 0
        if sized > window:
            out.append(f"{entry['model']}: sized for {sized} tokens, its window is {window}")
    return out


def prefill_slows(kind: str, data: Json) -> list[str]:
    """The first token at the full context costs at least as much per prompt token as at the
    short prompt (attention reads every earlier token: prefill slows with context)."""
    out = []
    for entry in entries(kind, data):
        speed = entry.get("speed") or {}
        first = speed.get("time_to_first_token_seconds")
        full = speed.get("time_to_first_token_at_context_seconds")
        if not first or not full or full["prompt_tokens"] <= first["prompt_tokens"]:
            continue
        short = first["expected"] / first["prompt_tokens"]
        long = full["expected"] / full["prompt_tokens"]
        if long < short * 0.999:
            out.append(
                f"{entry['model']}: {long * 1000:.3f} ms per token at {full['prompt_tokens']}, "
                f"{short * 1000:.3f} ms at {first['prompt_tokens']}"
            )
    return out


def chosen_format(kind: str, data: Json, min_bits: float = 4.0, kv: str | None = None) -> list[str]:
    """explain's chosen format keeps at least `min_bits` per weight and, where given, the
    KV cache type an engineer lowers first (issue 19 §2)."""
    memory = data.get("memory") or {}
    if not memory:
        return ["no chosen format"]
    out = []
    if _bits(memory["quant"]) < min_bits:
        out.append(f"chose {memory['quant']}, under {min_bits} bits")
    if kv and memory.get("kv_dtype") != kv:
        out.append(f"KV cache {memory.get('kv_dtype')}, not {kv}")
    return out


def smaller_format_why(kind: str, data: Json) -> list[str]:
    """explain: where a format with more bits that keeps more quality also fits the cards at a
    usable speed, a reason says why the smaller one won (issue 19 §1). (More quality, not only
    more bits: Q4_1 is larger than Q4_K_M and loses more; written after the answers.)"""
    rows = data.get("formats") or []
    chosen = next((f for f in rows if f["chosen"]), None)
    if chosen is None or chosen["fit"] != "gpu":
        return []
    bigger = [
        f["quant"]
        for f in rows
        if f["fit"] == "gpu"
        and _bits(f["quant"]) > _bits(chosen["quant"])
        and f["quality_value"] > chosen["quality_value"]
        and (f.get("tokens_per_second") or 0) >= USABLE
    ]
    told = any(
        "keeps more quality" in r or "scores higher" in r or ("scores" in r and q in r)
        for r in data.get("reasons") or []
        for q in bigger
    )
    return [] if not bigger or told else [f"{chosen['quant']} won over {bigger}, nothing said"]


def newer_ahead(kind: str, data: Json, first: str, then: str) -> list[str]:
    """compare: `first` (a newer release its benchmarks put ahead) has the higher quality."""
    rows = {r["field"]: r["values"] for r in data["rows"]}
    quality = rows.get("quality (MMLU-eq.)", {})
    a, b = quality.get(first), quality.get(then)
    if a is None or b is None:
        return [f"no quality for {first if a is None else then}"]
    return [] if a > b else [f"{first} rated {a}, not above {then}'s {b}"]


def zero3_shares(kind: str, data: Json, gpus: int) -> list[str]:
    """Sharded training (ZeRO-3 / FSDP): each of the N cards holds 1/N of the weights, the
    adapters, the gradients and the optimizer state, its own activations, and the full weights
    of the decoder layer it computes plus the one it prefetches (FSDP's forward prefetch; a
    layer taken as the weights over the layers, which counts the embeddings in: an upper
    bound); the verdict follows the cards. (The gathered layers: written after the answers.)"""
    out = []
    for entry in entries(kind, data):
        fit = entry["fit"]
        cards = fit.get("cards") or []
        if len(cards) != gpus:
            out.append(f"{entry['quant']}: {len(cards)} cards, not {gpus}")
            continue
        state = entry["gradient_bytes"] + entry["optimizer_bytes"] + entry.get("adapter_bytes", 0)
        share = state / gpus
        layer = entry["weights_bytes"] / max(1, fit.get("layers") or 1)
        for card in cards:
            if (
                abs(card["weights_bytes"] - entry["weights_bytes"] / gpus)
                > 0.05 * (entry["weights_bytes"] / gpus) + 2**30
            ):
                out.append(f"{entry['quant']}: a card holds {card['weights_bytes']} weight bytes")
            held = card.get("training_bytes")
            want = share + entry["activation_bytes"]
            if held is None or not want * 0.98 <= held <= want * 1.10 + 2 * layer + 2**30:
                out.append(
                    f"{entry['quant']}: a card's training state {held}, expected ~{want:.0f}"
                )
        room = [c["capacity_bytes"] - c["headroom_bytes"] for c in cards]
        fits = all(c["total_bytes"] <= r for c, r in zip(cards, room, strict=True))
        if (fit["verdict"] == "gpu") != fits:
            out.append(f"{entry['quant']}: verdict {fit['verdict']} but cards fit={fits}")
    return out


def cpu_only_command(kind: str, data: Json, threads: int | None = None) -> list[str]:
    """A CPU-only answer (no GPU memory) offloads nothing to a GPU (-ngl 0 or none) and runs
    the threads asked (-t N)."""
    out = []
    for entry, command in _commands(kind, data):
        words = shlex.split(command)
        if "llama-server" not in words and "llama-cli" not in words:
            continue
        for flag in ("-ngl", "--n-gpu-layers"):
            if flag in words and words[words.index(flag) + 1] not in ("0",):
                out.append(f"{entry['model']}: {flag} {words[words.index(flag) + 1]} on no GPU")
        if threads and not ("-t" in words and words[words.index("-t") + 1] == str(threads)):
            out.append(f"{entry['model']}: llama.cpp without -t {threads}")
    return out


def mixed_cards(kind: str, data: Json, capacities: int = 2) -> list[str]:
    """Mixed cards: every pick on the cards is split over them by their own memory (as many
    distinct capacities as cards of different size), each card within its room."""
    out = []
    for entry in entries(kind, data):
        placement = entry.get("placement") if kind == "recommend" else entry.get("fit")
        if not isinstance(placement, dict) or placement.get("verdict") != "gpu":
            continue
        cards = placement.get("cards") or []
        if len({c["capacity_bytes"] for c in cards}) != capacities:
            out.append(f"{entry['model']}: cards {[c['capacity_bytes'] for c in cards]}")
        for card in cards:
            if card["total_bytes"] > card["capacity_bytes"] - card["headroom_bytes"]:
                out.append(f"{entry['model']}: a card over its room")
    return out


def excluded_for(kind: str, data: Json, model: str, word: str) -> list[str]:
    """recommend --show-excluded: `model` is left out, and its reason says `word`."""
    for left in data.get("excluded", []):
        if left["model"] == model:
            said = " ".join(left["reasons"])
            return [] if word.lower() in said.lower() else [f"{model} left out: {said}"]
    if any(e["model"] == model for e in data.get("ranking", [])):
        return [f"{model} ranked"]
    return [f"{model} neither ranked nor listed as excluded"]


def licence_kept(
    kind: str, data: Json, allowed: tuple[str, ...] = ("allowed",), ids: tuple[str, ...] = ()
) -> list[str]:
    """--unconditional / --license: every pick's licence allows commercial use as asked, and
    is one of the licence ids asked."""
    out = []
    for entry in entries(kind, data):
        lic = entry["license"]
        if lic["commercial_use"] not in allowed:
            out.append(f"{entry['model']}: commercial use {lic['commercial_use']}")
        if ids and lic["id"] not in ids:
            out.append(f"{entry['model']}: licence {lic['id']}, not one of {list(ids)}")
    return out


def fixed_runtime_first(kind: str, data: Json, served: int = 1) -> list[str]:
    """--runtime vllm fixed by the user: no pick vLLM cannot serve (its llama.cpp answer, no
    serving plan) ranks above one vLLM serves, and at least `served` picks are vLLM's where
    that many models hold in 16-bit or FP8 on the cards. Written after the answers were seen."""
    ranking = data.get("ranking", [])
    found = [i for i, e in enumerate(ranking) if e.get("serving")]
    out = [
        f"{e['model']} (not served by vLLM) ranks above {ranking[found[-1]]['model']}"
        for e in ranking[: found[-1] if found else 0]
        if not e.get("serving")
    ]
    if len(found) < served:
        out.append(f"{len(found)} of the picks served by vLLM, not {served}")
    return out


def faster_said(kind: str, data: Json) -> list[str]:
    """A reason that calls one rate faster shows it above the other (`~2.5 against ~2.5`
    tells the reader nothing). Written after the answers were seen."""
    out = []
    for entry in entries(kind, data):
        for reason in entry.get("reasons") or []:
            found = re.search(r"read faster \(~([\d.]+) against ~([\d.]+)", reason)
            if found and float(found.group(1)) <= float(found.group(2)):
                out.append(f"{entry['model']}: {reason[:120]}")
    return out


def training_notes_true(kind: str, data: Json) -> list[str]:
    """A fine-tuning answer's assumptions are true of its figures: no KV, latent or recurrent
    cache of llama.cpp's (a fine-tune generates nothing: its cache is 0), and no mmproj file
    said to be loaded when no encoder bytes are in the total. Written after the answers."""
    out = []
    counted = any(e.get("encoder_bytes") for e in entries(kind, data))
    for said in data.get("assumptions") or []:
        if re.search(r"cache|llama\.cpp", said) and "training" not in said:
            out.append(f"an inference cache note in a fine-tune: {said[:100]}")
        if "mmproj file is loaded" in said and not counted:
            out.append(f"says the encoder is loaded, counts none: {said[:100]}")
    return out


def ollama_or_why(kind: str, data: Json) -> list[str]:
    """--runtime ollama: each pick Ollama can load comes with an Ollama command first (a library
    tag, a Hub GGUF, or an import of the file the llama.cpp steps make), and an import reads
    the file those steps write. Written after the answers were seen."""
    out = []
    for entry in entries(kind, data):
        runtimes = CATALOG.get(entry["model"]).runtimes
        gone = {u.runtime for u in (runtimes.unsupported or ())} if runtimes else set()
        run = entry.get("run") or []
        if "ollama" in gone or (runtimes and runtimes.weight_diff is not None):
            continue
        if not run or run[0]["runtime"] != "ollama":
            out.append(f"{entry['model']}: no Ollama command under --runtime ollama")
            continue
        made = re.search(r"echo 'FROM \./(\S+)' > Modelfile", run[0]["command"])
        if made and f" {made.group(1)} " not in run[0]["command"].split("&& echo")[0] + " ":
            out.append(f"{entry['model']}: Modelfile reads {made.group(1)}, no step writes it")
    return out


def card_capacities(kind: str, data: Json, sizes: int = 2) -> list[str]:
    """Cards of different sizes are each reported with their own memory (`sizes` distinct
    capacities), fit or not. Written after the answers were seen."""
    out = []
    for entry in entries(kind, data):
        fit = entry.get("fit")
        cards = fit.get("cards") if isinstance(fit, dict) else None
        if cards and len({c["capacity_bytes"] for c in cards}) != sizes:
            out.append(f"{entry['quant']}: cards of {[c['capacity_bytes'] for c in cards]} bytes")
    return out


CHECKS12: dict[str, Check] = {
    f.__name__: f
    for f in (
        answered,
        one_error_line,
        runtime_runs_here,
        vllm_formats,
        min_context_kept,
        within_window,
        prefill_slows,
        chosen_format,
        smaller_format_why,
        newer_ahead,
        zero3_shares,
        cpu_only_command,
        mixed_cards,
        excluded_for,
        licence_kept,
        fixed_runtime_first,
        faster_said,
        training_notes_true,
        ollama_or_why,
        card_capacities,
    )
}
