"""The fourteenth expert review's own checks (tests/data/expert_review14.yaml): a local-LLM
engineer reading `memory` to the last buffer (compute, host and output buffers and the CUDA
context apart, -ub, -ctk/-ctv, flash attention off), the formats and KV types chosen on the
2025-26 releases, training verdicts, compare's quality row beside the old families, and the
same figures from recommend, explain, memory and compare for one model on one machine.

Physics used: with flash attention off llama.cpp materialises the f32 attention scores of one
micro-batch, heads x ubatch x context x 4 bytes, in the compute buffer; n_ubatch is at most
n_batch, itself at most n_ctx (llama.cpp src/llama-context.cpp, llama_context::llama_context:
`cparams.n_batch = ... std::min(cparams.n_ctx, params.n_batch)`, `cparams.n_ubatch =
std::min(cparams.n_batch, ...)`); the output buffer holds one f32 logits row per sequence; a
CPU-only run has no CUDA_Host buffer, its one compute buffer is the CPU's. Each check reads
one answer (and, where it compares commands, runs the other command once through
tests/expert_answers.py) and returns the problems it finds."""

from __future__ import annotations

import re
from typing import Any

from expert_answers import answer
from expert_checks import CATALOG, USABLE, Check, entries

from llm_pick.estimate.quant import QUANTS

Json = dict[str, Any]
GIB = 2**30


def _one(data: Json) -> Json:
    return next(entries("memory", data))


def _verdict(entry: Json) -> str | None:
    fit = entry.get("fit")
    return fit.get("verdict") if isinstance(fit, dict) else fit


def buffers_apart(kind: str, data: Json) -> list[str]:
    """The compute buffer, the CUDA context and the host buffers are separate fields; the
    overhead of one card is its compute buffer and context; the output buffer is one f32
    logits row per sequence; a CPU-only run holds no CUDA context and no host (CUDA_Host)
    compute buffer beside its one compute buffer."""
    out = []
    for e in entries(kind, data):
        if e.get("mode", "inference") != "inference":
            continue
        name = f"{e['model']} {e['quant']}"
        host = e.get("host_buffers")
        if "compute_buffer_bytes" not in e or "cuda_context_bytes" not in e or not host:
            out.append(f"{name}: compute, CUDA context and host buffers not given apart")
            continue
        one = e.get("overhead_per_card_bytes", e["overhead_bytes"])
        if abs(one - e["compute_buffer_bytes"] - e["cuda_context_bytes"]) > 1:
            out.append(f"{name}: a card's overhead {one} is not compute + context")
        vocab = CATALOG.get(e["model"]).architecture.vocab_size
        if host["output_bytes"] != 4 * vocab * e.get("batch", 1):
            out.append(f"{name}: output buffer {host['output_bytes']}, not f32 x {vocab} x batch")
        if _verdict(e) == "cpu":
            if e["cuda_context_bytes"]:
                out.append(f"{name}: a CUDA context on a CPU-only run")
            if host["compute_bytes"]:
                out.append(
                    f"{name}: a {host['compute_bytes'] / 2**20:.0f} MiB host (CUDA_Host) compute "
                    "buffer on a CPU-only run, beside its compute buffer"
                )
    return out


def scores_buffer(kind: str, data: Json) -> list[str]:
    """With flash attention off the compute buffer holds at least one micro-batch's f32
    attention scores (heads x ubatch x context x 4 bytes); with it on, it does not grow with
    the context by that much."""
    out = []
    for e in entries(kind, data):
        arch = CATALOG.get(e["model"]).architecture
        tokens = min(e.get("ubatch", 512), e["context"] * e.get("batch", 1))
        scores = arch.attention_heads * tokens * e["context"] * 4
        if not e.get("flash_attn", True) and e["compute_buffer_bytes"] < scores * 0.98:
            out.append(
                f"{e['model']}: flash attention off, compute {e['compute_buffer_bytes']} under "
                f"the {scores} bytes of f32 scores"
            )
    return out


def ubatch_effective(kind: str, data: Json, asked: int) -> list[str]:
    """llama.cpp runs min(-ub, -b, -c) tokens per micro-batch: the answer sizes that many and
    says so where it is fewer than asked."""
    out = []
    for e in entries(kind, data):
        runs = min(asked, e["context"] * e.get("batch", 1))
        notes = " ".join(e.get("assumptions") or [])
        if e.get("ubatch") != runs and not (runs < asked and f"{runs}" in notes and "-ub" in notes):
            out.append(f"{e['model']}: ubatch {e.get('ubatch')} echoed, llama.cpp runs {runs}")
    return out


def same_as_memory(kind: str, data: Json, hw: list[str]) -> list[str]:
    """Each pick's memory, decode rate, first token and max context are the `memory` answer's
    for the same model, format, cache types, context, batch and hardware (`hw`)."""
    out = []
    picks = [{**data["memory"], "model": data["model"]}] if kind == "explain" else data["ranking"]
    for e in picks:
        speed = e.get("speed") or {}
        ctx = e.get("context") or speed.get("context")
        args = ["memory", e["model"], "-q", e["quant"], "--kv-dtype", e["kv_dtype"]]
        args += ["--context", str(ctx), "--batch", str(e.get("batch", 1)), *hw]
        if e.get("v_dtype"):
            args += ["--v-dtype", e["v_dtype"]]
        mem = _one(answer(*args))
        total = (e.get("memory") or e)["total_bytes"]
        if total != mem["total_bytes"]:
            out.append(f"{e['model']}: total {total}, memory says {mem['total_bytes']}")
        mine, theirs = speed, mem.get("speed") or {}
        for key in ("decode_tokens_per_second", "time_to_first_token_seconds"):
            a, b = (mine.get(key) or {}).get("expected"), (theirs.get(key) or {}).get("expected")
            if a != b:
                out.append(f"{e['model']}: {key} {a}, memory says {b}")
        max_ctx = e.get("max_context", data.get("max_context") if kind == "explain" else None)
        if max_ctx != mem.get("max_context"):
            out.append(f"{e['model']}: max_context {max_ctx}, memory says {mem.get('max_context')}")
    return out


def compare_as_memory(kind: str, data: Json, hw: list[str]) -> list[str]:
    """compare's memory and decode rows at each format are the `memory` answer's at the cache
    type compare states for it (its `kv cache Q` row, else fp16) on the same hardware."""
    rows = {r["field"]: r["values"] for r in data["rows"]}
    out = []
    for field, values in rows.items():
        found = re.fullmatch(r"memory (\S+) \(GiB\)", field)
        if not found:
            continue
        quant = found.group(1)
        for model, gib in values.items():
            if gib is None:
                continue
            kv = (rows.get(f"kv cache {quant}") or {}).get(model) or "fp16"
            args = [
                "memory",
                model,
                "-q",
                quant,
                "--kv-dtype",
                kv,
                "--context",
                str(data["context"]),
            ]
            mem = _one(answer(*args, *hw))
            if abs(gib - mem["total_bytes"] / GIB) > 0.011:
                out.append(
                    f"{model} {quant}: compare {gib} GiB, memory {mem['total_bytes'] / GIB:.2f}"
                )
            rate = (rows.get(f"decode tok/s {quant}") or {}).get(model)
            theirs = ((mem.get("speed") or {}).get("decode_tokens_per_second") or {}).get(
                "expected"
            )
            if rate != theirs:
                out.append(f"{model} {quant}: compare {rate} tokens/s, memory {theirs}")
    return out


def reasons_true(kind: str, data: Json) -> list[str]:
    """explain's format reasons hold against its own format table: a format said to keep "the
    most quality of the formats that decode at 10+ tokens/s" decodes at 10+ (else it is the
    slower one kept for its quality), "scores higher (a vs b)" has a above b, and the reason
    for an fp16 cache weighs the chosen format's own quantized-cache twin."""
    out = []
    rows = data.get("formats") or []
    chosen = next((f for f in rows if f["chosen"]), None)
    for reason in data.get("reasons") or []:
        if chosen and "keeps the most quality of the formats that decode at" in reason:
            rate = chosen.get("tokens_per_second") or 0.0
            if reason.startswith(chosen["quant"]) and round(rate, 1) < USABLE:
                out.append(f"{chosen['quant']} at {rate} tokens/s said to decode at {USABLE:.0f}+")
        idle = re.match(r"an fp16 KV cache: (\S+) with a", reason)
        if chosen and idle and idle.group(1) != chosen["quant"]:
            out.append(f"the fp16-cache reason weighs {idle.group(1)}, not the chosen format")
        for a, b in re.findall(r"scores higher \(([\d.]+) vs ([\d.]+)\)", reason):
            if float(a) <= float(b):
                out.append(f"'scores higher ({a} vs {b})': {a} is not higher")
    return out


def max_context_beside(kind: str, data: Json) -> list[str]:
    """explain, like recommend and memory, states how far the chosen format's context can go on
    these cards (max_context), at least the context it was sized for."""
    memory = data.get("memory") or {}
    found = memory.get("max_context", data.get("max_context"))
    if not memory or _verdict(memory) in (None, "none"):
        return []
    if found is None:
        return [f"{data['model']}: no max_context for {memory['quant']} on these cards"]
    if found < memory["context"]:
        return [f"{data['model']}: max_context {found} under the sized {memory['context']}"]
    return []


def weights_bits(kind: str, data: Json, low: float = 0.0, high: float = 1.2) -> list[str]:
    """The weights of a GGUF format hold its nominal bits per weight over the model's
    parameters, plus at most `high` bits for the embeddings and output kept at more bits."""
    out = []
    for e in entries(kind, data):
        quant = QUANTS.get(e["quant"])
        if quant is None or quant.family != "gguf":
            continue
        params = CATALOG.get(e["model"]).parameters.total
        bpw = e["weights_bytes"] * 8 / params
        if not quant.nominal_bits - low <= bpw <= quant.nominal_bits + high:
            out.append(f"{e['model']} {e['quant']}: {bpw:.2f} bits per weight stored")
    return out


def compare_null_why(kind: str, data: Json) -> list[str]:
    """compare: a model whose rows are empty at the compared context (beyond its window) is
    said to be so, not left as bare nulls."""
    rows = {r["field"]: r["values"] for r in data["rows"]}
    names = [m if isinstance(m, str) else m["id"] for m in data["models"]]
    memory = [v for f, v in rows.items() if f.startswith("memory ")]
    out = []
    for name in names:
        if memory and all(v.get(name) is None for v in memory):
            said = " ".join(
                str(v.get(name) or "") for f, v in rows.items() if not f.startswith("memory ")
            )
            if "window" not in said and "beyond" not in said:
                out.append(f"{name}: every memory row empty, nothing says why")
    return out


def fused_loss_option(kind: str, data: Json) -> list[str]:
    """A fine-tune that does not fit, where the f32 logits and their gradient (sequence x
    vocabulary x 8 bytes) are most of the activations, names a chunked or fused cross-entropy
    (Liger Kernel's fused linear cross-entropy, arXiv 2410.10989; Unsloth) among its options:
    the first thing an engineer reaches for at long sequences with a large vocabulary."""
    out = []
    for e in entries(kind, data):
        fit = e.get("fit") or {}
        if e.get("mode", "inference") == "inference" or fit.get("verdict") != "none":
            continue
        logits = e["context"] * CATALOG.get(e["model"]).architecture.vocab_size * 8
        if logits < 0.5 * (e.get("activation_bytes") or 0):
            continue
        said = " ".join(fit.get("options") or []).lower()
        if "none of these alone" in said:  # nothing helps: the weights alone overflow
            continue
        if "cross-entropy" not in said and "cross entropy" not in said:
            out.append(
                f"{e['quant']}: f32 logits {logits / GIB:.1f} GiB of "
                f"{(e.get('activation_bytes') or 0) / GIB:.1f} GiB activations, no fused loss"
            )
    return out


CHECKS14: dict[str, Check] = {
    f.__name__: f
    for f in (
        buffers_apart,
        scores_buffer,
        ubatch_effective,
        same_as_memory,
        compare_as_memory,
        reasons_true,
        max_context_beside,
        weights_bits,
        compare_null_why,
        fused_loss_option,
    )
}
