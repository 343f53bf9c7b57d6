"""The eleventh expert review's own checks (tests/data/expert_review11.yaml): a llama.cpp/vLLM
engineer judging `memory` and `compare` JSON against the physics of the cache and the training
footprint. KV bytes of plain attention are 2 x layers x kv_heads x head_dim x context x bytes
(q8_0: 34 bytes per 32 values, q4_0: 18 per 32, ggml's block_q8_0 / block_q4_0); latent
attention (MLA) keeps kv_lora_rank + qk_rope_head_dim values per token and layer (llama.cpp
since PR #12801); chunked attention keeps one chunk on its local layers. Checks that need a
second answer (the same model at fp16, another context, `memory` beside `compare`) ask for it
through tests/expert_answers.py. Each returns the problems it finds; written before the answers
were seen unless the review's `after` says otherwise."""

from __future__ import annotations

from typing import Any

from expert_answers import answer
from expert_checks import CATALOG, Check, entries

Json = dict[str, Any]
BYTES = {"fp16": 2.0, "f16": 2.0, "q8_0": 34 / 32, "q4_0": 18 / 32}


def _one(data: Json) -> Json:
    return next(entries("memory", data))


def _near(found: float, want: float, tol: float) -> bool:
    return abs(found - want) <= tol * max(abs(want), 1.0)


def kv_physics(kind: str, data: Json, tol: float = 0.02) -> list[str]:
    """The KV cache is what the model's geometry makes of the context, batch and cache types:
    plain attention 2 x L x H_kv x d x n; chunked layers hold one chunk (plus a micro-batch);
    MLA holds the latent and the rope key once per token. K and V types may differ."""
    out = []
    for e in entries(kind, data):
        if e.get("mode", "inference") != "inference":
            continue
        arch = CATALOG.get(e["model"]).architecture
        n, batch = e["context"], e.get("batch", 1)
        k = BYTES[e.get("kv_dtype") or "fp16"]
        v = BYTES[e.get("v_dtype") or e.get("kv_dtype") or "fp16"]
        if arch.mla is not None:
            per = (arch.mla.kv_lora_rank + arch.mla.qk_rope_head_dim) * k
            want = arch.layers * per * n * batch
        else:
            layers = arch.attention_layers or arch.layers
            local = arch.local_layers or 0
            per = arch.kv_heads * arch.head_dim * (k + v)
            chunk = min(n, (arch.attention_chunk or n) + e.get("ubatch", 512))
            want = per * batch * ((layers - local) * n + local * chunk)
        found = e["kv_cache_bytes"] - (e.get("recurrent_state_bytes") or 0)
        if not _near(found, want, tol):
            out.append(f"{e['model']} {e.get('quant')}: KV {found} bytes, physics {want:.0f}")
    return out


def kv_ratio(kind: str, data: Json, reference: list[str], ratio: float) -> list[str]:
    """This answer's attention cache is `ratio` of the reference answer's (same model, other
    cache type, batch or context): q8_0/fp16 = 17/32, q4_0/fp16 = 9/32, batch N = N."""
    ref = _one(answer(*reference))
    mine = _one(data)
    a = mine["kv_cache_bytes"] - (mine.get("recurrent_state_bytes") or 0)
    b = ref["kv_cache_bytes"] - (ref.get("recurrent_state_bytes") or 0)
    if not _near(a, b * ratio, 0.02):
        return [f"KV {a} is {a / max(b, 1):.3f} of the reference's {b}, not {ratio:.3f}"]
    return []


def state_constant(kind: str, data: Json, reference: list[str]) -> list[str]:
    """A hybrid (SSM + attention) model's recurrent state does not grow with the context, and is
    not zero."""
    mine, ref = _one(data), _one(answer(*reference))
    s1, s2 = mine.get("recurrent_state_bytes") or 0, ref.get("recurrent_state_bytes") or 0
    out = []
    if not s1:
        out.append("no recurrent state for a hybrid SSM model")
    if s1 != s2:
        out.append(f"recurrent state {s1} at {mine['context']} but {s2} at {ref['context']}")
    return out


# bits per frozen linear weight by training format: bitsandbytes LLM.int8 (8), NF4 with an
# fp32 absmax per 64 (4 + 32/64), NF4 with double quantization (4.127, arXiv 2305.14314 s.2),
# GPTQ 4-bit with an fp16 scale and a 4-bit zero per 128 (4 + 20/128); embeddings and the head
# stay 16-bit under bitsandbytes and GPTQ.
LINEAR_BITS = {
    "bf16": 16.0,
    "fp16": 16.0,
    "bnb-int8": 8.0,
    "bnb-nf4": 4.5,
    "bnb-nf4-dq": 4.127,
    "gptq-4bit": 4 + 20 / 128,
}


def training_parts(kind: str, data: Json, state: float = 12.0) -> list[str]:
    """A training total is weights + adapter + gradients + optimizer + activations + overhead;
    full fine-tuning holds 2-byte gradients and `state` bytes of optimizer per parameter (Adam,
    fp32 master and moments: 12); (Q)LoRA trains only the adapter: gradients and optimizer
    scale with it; the frozen weights are the format's bits on the linear layers and 16 bits
    on the embeddings and head."""
    out = []
    for e in entries(kind, data):
        mode = e.get("mode")
        model = CATALOG.get(e["model"])
        params, arch = model.parameters.total, model.architecture
        parts = (
            "weights_bytes",
            "kv_cache_bytes",
            "overhead_bytes",
            "adapter_bytes",
            "gradient_bytes",
            "optimizer_bytes",
            "activation_bytes",
            "encoder_bytes",
        )
        total = sum(e.get(p) or 0 for p in parts)
        if total != e["total_bytes"]:
            out.append(f"{e['model']}: parts sum to {total}, total {e['total_bytes']}")
        if not e.get("activation_bytes"):
            out.append(f"{e['model']}: no activations in a {mode} footprint")
        embed = arch.vocab_size * arch.hidden_size * (1 if arch.tied_embeddings else 2)
        bits = LINEAR_BITS.get(e["quant"])
        want = None if bits is None else (params - embed) * bits / 8 + embed * 2
        if want is None or not _near(e["weights_bytes"], want, 0.05):
            out.append(f"{e['model']} {e['quant']}: weights {e['weights_bytes']}, want {want}")
        if mode == "full":
            if not _near(e.get("gradient_bytes") or 0, params * 2, 0.05):
                out.append(f"{e['model']}: gradients {e.get('gradient_bytes')} not 2 B/param")
            if not _near(e.get("optimizer_bytes") or 0, params * state, 0.05):
                out.append(
                    f"{e['model']}: optimizer {e.get('optimizer_bytes')} not {state} B/param"
                )
        else:
            adapter = e.get("adapter_bytes") or 0
            if not adapter or adapter > 0.05 * params * 4:  # fp32, at most 5% of the model
                out.append(f"{e['model']}: adapter {adapter} bytes is not a small LoRA adapter")
            if (e.get("optimizer_bytes") or 0) > 0.2 * e["weights_bytes"]:
                out.append(f"{e['model']}: optimizer state of the full model under {mode}")
    return out


def adapter_rank(kind: str, data: Json, reference: list[str], ratio: float) -> list[str]:
    """A LoRA adapter (and its gradients and optimizer state) scales with the rank."""
    mine, ref = _one(data), _one(answer(*reference))
    out = []
    for part in ("adapter_bytes", "gradient_bytes", "optimizer_bytes"):
        if not _near(mine.get(part) or 0, (ref.get(part) or 0) * ratio, 0.01):
            out.append(f"{part} {mine.get(part)} is not {ratio} x {ref.get(part)}")
    return out


def cards_hold(kind: str, data: Json, gpus: int = 1) -> list[str]:
    """With --gpus N the fit lists N cards whose weights add to the model's less the token
    embeddings llama.cpp keeps in host memory (weights_in_ram_bytes), plus the projector, which
    the card figures carry (layer split), each
    card's figure within the card when the verdict is gpu, and the verdict is none whenever a
    card's share would not fit."""
    out = []
    for e in entries(kind, data):
        fit = e.get("fit")
        if not isinstance(fit, dict):
            out.append(f"{e['model']}: no fit verdict on given hardware")
            continue
        cards = fit.get("cards") or []
        if fit["verdict"] == "gpu":
            if len(cards) != gpus:
                out.append(f"{e['model']}: {len(cards)} cards listed for {gpus}")
            on_cards = (
                e["weights_bytes"]
                - (e.get("weights_in_ram_bytes") or 0)
                + (e.get("encoder_bytes") or 0)
            )
            if cards and abs(sum(c["weights_bytes"] for c in cards) - on_cards) > 2**20:
                out.append(f"{e['model']}: card weights do not add to the model's")
            for c in cards:
                if c["total_bytes"] > c["capacity_bytes"] - c["headroom_bytes"]:
                    out.append(f"{e['model']}: card holds {c['total_bytes']} over its room")
    return out


def verdict_is(kind: str, data: Json, verdict: str) -> list[str]:
    """The fit verdict an engineer expects from the card's size and the total (before)."""
    out = []
    for e in entries(kind, data):
        fit = e.get("fit")
        found = fit.get("verdict") if isinstance(fit, dict) else fit
        if found != verdict:
            out.append(f"{e['model']} {e.get('quant')}: verdict {found}, expected {verdict}")
    return out


def ubatch_grows(kind: str, data: Json, reference: list[str]) -> list[str]:
    """A larger -ub reserves a larger compute buffer (activations of ubatch tokens), never a
    smaller one; the ubatch asked is echoed."""
    mine, ref = _one(data), _one(answer(*reference))
    out = []
    if mine.get("ubatch") == ref.get("ubatch"):
        out.append(f"ubatch {mine.get('ubatch')} not echoed")
    if (mine.get("ubatch") or 0) > (ref.get("ubatch") or 0) and (
        mine["compute_buffer_bytes"] <= ref["compute_buffer_bytes"]
    ):
        out.append(
            f"compute buffer {mine['compute_buffer_bytes']} not above {ref['compute_buffer_bytes']}"
        )
    return out


def _rows(data: Json) -> dict[str, dict[str, Any]]:
    return {r["field"]: r["values"] for r in data["rows"]}


def compare_complete(kind: str, data: Json) -> list[str]:
    """Every model has a quality value with its basis, an effective-context entry (or none
    published), a licence and its commercial words, and a memory row at the compare's one
    shared context."""
    rows, out = _rows(data), []
    names = [m if isinstance(m, str) else m["id"] for m in data["models"]]
    for field in ("quality (MMLU-eq.)", "quality basis", "licence", "commercial use"):
        for name in names:
            if rows.get(field, {}).get(name) in (None, ""):
                out.append(f"{name}: no {field}")
    if "effective context" not in rows:
        out.append("no effective context row")
    if not isinstance(data.get("context"), int):
        out.append("no single shared context stated")
    if not [f for f in rows if f.startswith("memory ")]:
        out.append("no memory row")
    return out


def compare_matches_memory(kind: str, data: Json, extra: list[str] | None = None) -> list[str]:
    """Each `memory Q (GiB)` row equals `memory MODEL -q Q` at the compare's context and
    hardware (the same estimate, not a second one)."""
    rows, out = _rows(data), []
    ctx = str(data["context"])
    for field, values in rows.items():
        if not field.startswith("memory ") or not field.endswith("(GiB)"):
            continue
        quant = field.split()[1]
        for model, gib in values.items():
            if gib is None:
                continue
            mem = _one(answer("memory", model, "-q", quant, "--context", ctx, *(extra or [])))
            want = mem["total_bytes"] / 2**30
            if abs(gib - want) > 0.011:
                out.append(f"{model} {quant}: compare {gib} GiB, memory {want:.2f} GiB")
    return out


def compare_vllm(kind: str, data: Json) -> list[str]:
    """vLLM rows (served under vLLM on datacenter cards): each throughput has its ceiling."""
    rows = _rows(data)
    vrows = [f for f in rows if "vllm" in f.lower()]
    if not vrows:
        return ["no vLLM rows"]
    out = []
    for f in vrows:
        if "tok/s" in f and "ceiling" not in f:
            ceil = [g for g in vrows if "ceiling" in g]
            if not ceil:
                out.append(f"{f}: no ceiling row")
    return out


def compare_kv_fixed(
    kind: str, data: Json, dtype: str = "q8_0", extra: list[str] | None = None
) -> list[str]:
    """With --kv-dtype fixed, compare's memory rows are the memory answers at that cache type
    on the same hardware (`extra`)."""
    return compare_matches_memory(kind, data, ["--kv-dtype", dtype, *(extra or [])])


def encoder_counted(kind: str, data: Json, present: bool = True) -> list[str]:
    """A vision model's projector (mmproj) is in the total unless --text-only."""
    out = []
    for e in entries(kind, data):
        if bool(e.get("encoder_bytes")) != present:
            want = "some" if present else "none"
            out.append(f"{e['model']}: encoder_bytes {e.get('encoder_bytes')} (expected {want})")
    return out


def ttft_physics(kind: str, data: Json) -> list[str]:
    """Prefill cannot beat the cards' peak FP16 tensor rate: a prompt of n tokens costs at least
    2 x active parameters x n for the matrix products plus 2 x attention layers x n^2 x
    (heads x head_dim) for the causal scores and values (QK^T and PV, half the square each), so
    the quoted time to first token (its low end too) is at least that over the peak of every
    card together."""
    out = []
    hardware = data.get("hardware") or {}
    peak = (hardware.get("fp16_tflops") or 0) * 1e12 * (hardware.get("gpus") or 1)
    for e in entries(kind, data):
        first = (e.get("speed") or {}).get("time_to_first_token_seconds")
        if not first or not peak:
            continue
        model = CATALOG.get(e["model"])
        arch, n = model.architecture, first["prompt_tokens"]
        attn = arch.attention_layers or arch.layers
        flops = (
            2 * model.parameters.active * n
            + 2 * attn * n * n * arch.attention_heads * arch.head_dim
        )
        least = flops / peak
        if first["low"] < least * 0.98:
            out.append(
                f"{e['model']}: {n}-token prompt in {first['low']} s, under the "
                f"{least:.2f} s peak bound"
            )
    return out


CHECKS11: dict[str, Check] = {
    f.__name__: f
    for f in (
        kv_physics,
        kv_ratio,
        state_constant,
        training_parts,
        adapter_rank,
        cards_hold,
        verdict_is,
        ubatch_grows,
        compare_complete,
        compare_matches_memory,
        compare_vllm,
        compare_kv_fixed,
        encoder_counted,
        ttft_physics,
    )
}
