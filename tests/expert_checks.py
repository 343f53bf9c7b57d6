"""The checks of the fourth and fifth expert reviews (tests/data/expert_review4.yaml and
expert_review5.yaml): each reads the JSON of one answer (recommend, explain, memory or
compare) and returns the problems it finds, as an expert reviewer would state them. An empty
list: the answer passes that check."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterator
from typing import Any

from llm_pick.catalog.load import load_catalog
from llm_pick.estimate.quant import QUANTS

CATALOG = load_catalog(use_env=False)
USABLE = 10.0  # tokens/s: ranking/choice.py USABLE_TPS
Json = dict[str, Any]
Check = Callable[..., list[str]]


def entries(kind: str, data: Json) -> Iterator[Json]:
    """The picks of an answer, each with model, quant, speed, run and reasons where it has
    them."""
    if kind == "recommend":
        yield from data["ranking"]
    elif kind == "explain" and data.get("memory"):
        memory = data["memory"]
        yield {
            **memory,
            "model": data["model"],
            "run": data.get("run", []),
            "reasons": data.get("reasons") or [],
            "license": data["license"],
            "criteria": data.get("criteria"),
        }
    elif kind == "memory":
        yield from data.get("estimates", [data])


def low_bit(quant: str) -> bool:
    found = QUANTS.get(quant)
    return found is not None and found.family == "gguf" and found.nominal_bits < 4.0


def quality(entry: Json) -> float:
    return float(entry["criteria"]["quality"]["value"])


# ---- §1 formats -----------------------------------------------------------------------------


def low_bits_rule(kind: str, data: Json) -> list[str]:
    """No 2-3-bit pick above a 4+-bit one keeping as much quality at a usable speed."""
    ranking = data.get("ranking", [])
    out = []
    for i, above in enumerate(ranking):
        if not low_bit(above["quant"]):
            continue
        for below in ranking[i + 1 :]:
            fast = (below["tokens_per_second"] or 0) >= USABLE
            worse_placed = below["fit"] != above["fit"] and below["fit"] != "gpu"
            if low_bit(below["quant"]) or not fast or worse_placed:
                continue
            if quality(below) >= quality(above) - 1e-9:
                out.append(f"{above['model']} {above['quant']} ranks above {below['model']}")
    return out


def tuned_before_base(kind: str, data: Json) -> list[str]:
    """A base model never ranks above the instruct/chat model made from it."""
    order = [e["model"] for e in data.get("ranking", [])]
    out = []
    for i, name in enumerate(order):
        model = CATALOG.get(name)
        if model.variant != "base":
            continue
        for later in order[i + 1 :]:
            other = CATALOG.get(later)
            if other.base_model == name and other.variant in ("chat", "instruct"):
                out.append(f"base {name} ranks above its {other.variant} model {later}")
    return out


def low_bit_advice(kind: str, data: Json) -> list[str]:
    """A 2-3-bit pick forced by the context says which context a 4-bit format fits."""
    out = []
    for entry in entries(kind, data):
        if low_bit(entry["quant"]) and not any("fits up to" in r for r in entry["reasons"]):
            out.append(f"{entry['model']} at {entry['quant']}: no 4-bit alternative stated")
    return out


def quality_basis(kind: str, data: Json) -> list[str]:
    """The format's loss names its source table (a model of its own generation or a stated
    estimate), never a bare number."""
    out = []
    for entry in entries(kind, data):
        basis = (entry.get("criteria") or {}).get("quality", {}).get("basis") or ""
        if entry["quant"] in ("fp16", "bf16", "f16"):
            continue
        if entry["quant"] not in basis:
            out.append(f"{entry['model']}: quality basis does not name {entry['quant']}'s loss")
    return out


# ---- §2 KV cache ----------------------------------------------------------------------------


def kv_reason(kind: str, data: Json) -> list[str]:
    """A q8_0 cache the tool chose comes with the reason (which, and why)."""
    out = []
    fixed = (data.get("query") or {}).get("kv_dtype_fixed", True)
    for entry in entries(kind, data):
        if fixed or entry.get("kv_dtype") != "q8_0":
            continue
        if not any("KV cache q8_0 chosen with" in r for r in entry["reasons"]):
            out.append(f"{entry['model']}: q8_0 cache chosen without a reason")
    return out


# ---- §3 training ----------------------------------------------------------------------------


def training_fit(kind: str, data: Json, gpus: int = 1) -> list[str]:
    """The verdict uses the whole training footprint per card, says the sharding assumed and,
    when it does not fit, what would."""
    out = []
    for entry in entries(kind, data):
        fit = entry["fit"]
        sharding = "none" if gpus == 1 else "zero3"
        if fit.get("sharding") != sharding:
            out.append(f"{entry['quant']}: sharding {fit.get('sharding')!r}, not {sharding}")
        parts = ("gradient_bytes", "optimizer_bytes", "activation_bytes")
        whole = entry["weights_bytes"] + sum(entry[p] for p in parts)
        if entry["total_bytes"] < whole:
            out.append(f"{entry['quant']}: total leaves out part of the training footprint")
        for card in fit["cards"]:
            room = card["capacity_bytes"] - card["headroom_bytes"]
            if fit["verdict"] == "gpu" and card["total_bytes"] > room:
                out.append(f"{entry['quant']}: 'fits' with {card['total_bytes']} > {room} bytes")
        if fit["verdict"] == "none" and not fit.get("options"):
            out.append(f"{entry['quant']}: does not fit and no option says what would")
    return out


# ---- §4 long prompts ------------------------------------------------------------------------


def ttft(kind: str, data: Json, prompt: int = 512) -> list[str]:
    """Time to first token at the asked prompt, and at the sized context from 32K."""
    out = []
    for entry in entries(kind, data):
        speed, fit = entry.get("speed"), entry.get("fit")
        if isinstance(fit, dict):  # memory: the placement; CPU and offload have prefill too
            fit = "none" if fit["verdict"] == "none" else "gpu"
        if not speed or fit in ("cpu", "offload", "none"):
            continue
        first = speed.get("time_to_first_token_seconds")
        context = speed["context"]
        if first is None or first["prompt_tokens"] != prompt:
            out.append(f"{entry['model']}: no time to first token for {prompt} tokens")
        elif prompt > context:
            out.append(f"{entry['model']}: a {prompt}-token prompt in a {context}-token context")
        full = speed.get("time_to_first_token_at_context_seconds")
        if context >= 32768 and context > prompt and (full or {}).get("prompt_tokens") != context:
            out.append(f"{entry['model']}: no time to first token for a {context}-token prompt")
    return out


def effective_context(kind: str, data: Json) -> list[str]:
    """Where RULER (or the like) is published for a model, the answer says so beside its
    max context, with the source."""
    out = []
    items = [data] if kind in ("explain", "memory") else list(entries(kind, data))
    for item in items:
        name = item["model"]
        published = CATALOG.get(name).effective_context
        found = item.get("effective_context")
        if published and found is None:
            out.append(f"{name}: published long-context evaluation not shown")
        elif found is not None and not all(e.get("source") for e in found["evaluations"]):
            out.append(f"{name}: effective context without its source")
    return out


# ---- §5 licences ----------------------------------------------------------------------------


def licence_reasons(kind: str, data: Json, must: str = "") -> list[str]:
    """A conditional licence's key conditions are in the reasons and the JSON."""
    out = []
    for entry in entries(kind, data):
        lic = entry["license"]
        if lic["commercial_use"] != "conditional":
            continue
        if not lic.get("key_conditions"):
            out.append(f"{entry['model']}: conditional licence without key_conditions")
        said = [r for r in entry["reasons"] if r.startswith("licence conditions")]
        if not said:
            out.append(f"{entry['model']}: conditional licence, no conditions in the reasons")
        elif must and must.lower() not in said[0].lower():
            out.append(f"{entry['model']}: licence reason does not mention {must!r}")
    return out


# ---- §6 compare -----------------------------------------------------------------------------


def compare_quality(kind: str, data: Json) -> list[str]:
    """A quality row with a value for every model; estimated values marked with a basis."""
    rows = {r["field"]: r["values"] for r in data["rows"]}
    models = data["models"]
    names = [m if isinstance(m, str) else m["id"] for m in models]
    out = []
    values = rows.get("quality (MMLU-eq.)", {})
    for name in names:
        if values.get(name) is None:
            out.append(f"{name}: no quality value")
        estimated = rows.get("quality estimated", {}).get(name)
        basis = rows.get("quality basis", {}).get(name) or ""
        if estimated and not basis:
            out.append(f"{name}: estimated quality without its basis")
    return out


# ---- §7 commands ----------------------------------------------------------------------------


def commands(kind: str, data: Json) -> Iterator[tuple[Json, list[str]]]:
    for entry in entries(kind, data):
        for run in entry.get("run") or []:
            yield entry, shlex.split(run["command"])


def hf_tags(kind: str, data: Json) -> list[str]:
    """Every `-hf REPO:TAG` names a file the catalog recorded in that repository."""
    out = []
    for entry, words in commands(kind, data):
        if "-hf" not in words:
            continue
        repo, _, tag = words[words.index("-hf") + 1].partition(":")
        gguf = CATALOG.get(entry["model"]).runtimes.gguf
        if gguf is None or gguf.repo != repo:
            out.append(f"{entry['model']}: -hf {repo} is not its recorded repository")
            continue
        if tag not in {gguf.tag(q) for q in gguf.quants}:
            out.append(f"{entry['model']}: -hf tag {tag} is not a recorded file of {repo}")
    return out


def parallel_slots(kind: str, data: Json, batch: int = 1) -> list[str]:
    """llama-server with --batch N: -np N and -c N x the per-stream context."""
    out = []
    for entry, words in commands(kind, data):
        if "llama-server" not in words:
            continue
        words = words[words.index("llama-server") :]
        flags = dict(zip(words[1::2], words[2::2], strict=False))
        context = entry.get("context") or entry["speed"]["context"]
        if batch > 1 and flags.get("-np") != str(batch):
            out.append(f"{entry['model']}: llama-server without -np {batch}")
        if int(flags["-c"]) != batch * context:
            out.append(f"{entry['model']}: -c {flags['-c']} is not {batch} x {context}")
    return out


def weight_diff(kind: str, data: Json) -> list[str]:
    """A weight-diff release: no command loads the diff; how to get the weights is said."""
    out = []
    for entry in entries(kind, data):
        if entry.get("run"):
            out.append(f"{entry['model']}: a command for a weight diff")
        note = data.get("weights_note") if kind != "recommend" else entry.get("weights_note")
        if not note or "weight diff" not in note:
            out.append(f"{entry['model']}: no word on how the weights are recovered")
        said = entry.get("reasons", [])  # "runs on N of N tracked runtimes", not a placement
        if any(r.startswith("runs on ") and "runtime" in r and "recovered" not in r for r in said):
            out.append(f"{entry['model']}: 'runs on' a runtime that cannot load the diff")
    return out


# ---- §8 buffers, issue 20 -------------------------------------------------------------------


def buffers(kind: str, data: Json) -> list[str]:
    """Compute buffer, host buffers and CUDA context as separate fields."""
    missing = [
        k for k in ("compute_buffer_bytes", "host_buffers", "cuda_context_bytes") if k not in data
    ]
    return [f"memory JSON without {k}" for k in missing]


def ceiling(kind: str, data: Json) -> list[str]:
    """Every decode estimate states its ceiling and share, and stays under it."""
    out = []
    for entry in entries(kind, data):
        speed = entry.get("speed")
        if not speed or not speed.get("decode_tokens_per_second"):
            continue
        top, share = speed.get("decode_ceiling_tokens_per_second"), speed.get("share_of_ceiling")
        if top is None or share is None:
            out.append(f"{entry['model']}: decode without its ceiling and share")
        elif speed["decode_tokens_per_second"]["expected"] > top * 1.0005 or share > 1:
            out.append(f"{entry['model']}: decode above its bandwidth ceiling")
    return out


def runtime(kind: str, data: Json, name: str = "llama.cpp") -> list[str]:
    """The assumed runtime is said, and its command comes first where there is one."""
    said = data["query"]["runtime"]
    out = [] if said["name"] == name and said["reason"] else [f"runtime {said}, not {name}"]
    if name == "mlx":
        return out + ([] if "not modelled" in said.get("note", "") else ["MLX figures unlabelled"])
    for entry in entries(kind, data):
        run = entry.get("run") or []
        if run and any(r["runtime"] == name for r in run) and run[0]["runtime"] != name:
            out.append(f"{entry['model']}: {run[0]['runtime']} command before {name}'s")
        on_hub = any(r["command"].startswith("llama-server -hf ") for r in run)
        if name == "ollama" and on_hub and not any(r["runtime"] == "ollama" for r in run):
            out.append(f"{entry['model']}: a GGUF on the Hub but no Ollama command")
    return out


def vllm_serve(kind: str, data: Json, gpus: int = 1) -> list[str]:
    """Batch on datacenter cards: `vllm serve` first, tensor parallel groups (x data-parallel
    replicas) over the cards and the sized context."""
    out = []
    for entry in entries(kind, data):
        if not entry.get("serving"):
            continue
        words = shlex.split(entry["run"][0]["command"])
        if words[:2] != ["vllm", "serve"]:
            out.append(f"{entry['model']}: served by vLLM but the first command is {words[0]}")
            continue
        flags = dict(zip(words[3::2], words[4::2], strict=False))
        tp, dp = flags.get("--tensor-parallel-size"), flags.get("--data-parallel-size", "1")
        if tp is None or int(tp) * int(dp) != gpus:  # replicas of a TP group use every card
            out.append(f"{entry['model']}: tensor parallel {tp} x data parallel {dp}")
        if flags.get("--max-model-len") != str(entry["serving"]["max_model_len"]):
            out.append(f"{entry['model']}: --max-model-len is not the sized context")
    return out


def vllm_or_why(kind: str, data: Json) -> list[str]:
    """Under vLLM, each pick is served by a `vllm serve` command or says why it is not."""
    out = []
    for entry in entries(kind, data):
        run = entry.get("run") or []
        served = bool(run) and run[0]["runtime"] == "vllm"
        why = any(r.startswith("vLLM ") for r in entry["reasons"])
        if not served and not why:
            out.append(f"{entry['model']}: vLLM assumed, llama.cpp answered, nothing said")
    return out


def llama_alternative(kind: str, data: Json) -> list[str]:
    """Served by vLLM: the GGUF format and KV reasons say they concern the llama.cpp
    alternative."""
    out = []
    for entry in entries(kind, data):
        run = entry.get("run") or []
        if not run or run[0]["runtime"] != "vllm":
            continue
        for reason in entry["reasons"]:
            about_gguf = "KV cache" in reason or "keeps more quality and fits" in reason
            alternative = re.match(r"for the (llama\.cpp|Ollama) alternative: ", reason)
            if about_gguf and not alternative:
                out.append(f"{entry['model']}: unlabelled llama.cpp reason under vLLM: {reason}")
    return out


def apple_training(kind: str, data: Json) -> list[str]:
    """Fine-tuning with bitsandbytes formats on an Apple GPU says bitsandbytes has no backend
    there."""
    quants = [e["quant"] for e in entries(kind, data)]
    apple = (data.get("hardware") or {}).get("gpu", "").startswith("m")
    flagged = "bitsandbytes" in data.get("runtime_note", "")
    if apple and any(q.startswith("bnb-") for q in quants) and not flagged:
        return ["bitsandbytes rows on an Apple GPU without a word"]
    return []


def reason_wording(kind: str, data: Json) -> list[str]:
    """No reason says a speed is under a line it rounds to ("~10 tokens/s, under ... 10")."""
    out = []
    for entry in entries(kind, data):
        for reason in entry.get("reasons", []):
            if re.search(r"~10 tokens/s, under the usable 10", reason):
                out.append(f"{entry['model']}: {reason}")
            scores = re.search(r"scores (\d\.\d+) against (\d\.\d+)", reason)
            if scores and scores.group(1) == scores.group(2):
                out.append(f"{entry['model']}: equal scores compared: {reason}")
    return out


# ---- fifth review (tests/data/expert_review5.yaml) ------------------------------------------


def kv_fixed(kind: str, data: Json) -> list[str]:
    """A KV type the user fixed is the one every pick sizes and every llama-server runs, and
    no reason claims the tool chose it."""
    asked = data["query"]["kv_dtype"]
    out = [] if data["query"]["kv_dtype_fixed"] else ["--kv-dtype given but not marked fixed"]
    for entry in entries(kind, data):
        if entry["kv_dtype"] != asked:
            out.append(f"{entry['model']}: cache {entry['kv_dtype']}, not the asked {asked}")
    for entry, words in commands(kind, data):
        if (
            "llama-server" in words
            and asked != "fp16"
            and f"--cache-type-k {asked}" not in (" ".join(words))
        ):
            out.append(f"{entry['model']}: llama-server without --cache-type-k {asked}")
        if any("KV cache" in r and "chosen with" in r for r in entry["reasons"]):
            out.append(f"{entry['model']}: says it chose the cache the user fixed")
    return out


def lang_supported(kind: str, data: Json) -> list[str]:
    """Every pick documents each language asked for (--lang)."""
    asked = data["query"]["constraints"]["languages"]
    out = [] if asked else ["no --lang in the query"]
    for entry in entries(kind, data):
        missing = set(asked) - set(CATALOG.get(entry["model"]).languages)
        if missing:
            out.append(f"{entry['model']}: does not document {sorted(missing)}")
    return out


def excluded_why(kind: str, data: Json) -> list[str]:
    """A model the query leaves out: which constraint failed and why, what would admit it when
    one option does, and no command as if it ran."""
    failed = [c for c in data["constraints"] if not c["passed"]]
    out = [] if failed else ["explained as excluded but no constraint failed"]
    out += [f"{c['constraint']}: failed without a detail" for c in failed if not c["detail"]]
    if data["passed"] or data.get("run") or data.get("rank") is not None:
        out.append("a left-out model is ranked or given a command")
    return out


def loadable(kind: str, data: Json) -> list[str]:
    """No command for a runtime that cannot load the model's architecture, and a reason says
    so (Llama 3.2 Vision's mllama in llama.cpp)."""
    out = []
    for entry in entries(kind, data):
        runtimes = CATALOG.get(entry["model"]).runtimes
        gone = {u.runtime for u in (runtimes.unsupported or ())} if runtimes else set()
        for run in entry.get("run") or []:
            if run["runtime"] in gone:
                out.append(f"{entry['model']}: a {run['runtime']} command it cannot load")
        if gone and not any("cannot load its architecture" in r for r in entry["reasons"]):
            out.append(f"{entry['model']}: nothing says {sorted(gone)} cannot load it")
    return out


def prompt_room(kind: str, data: Json) -> list[str]:
    """The sized context holds the quoted prompt and leaves room for a reply."""
    out = []
    for entry in entries(kind, data):
        first = (entry.get("speed") or {}).get("time_to_first_token_seconds")
        context = entry.get("context") or entry["speed"]["context"]
        if first and first["prompt_tokens"] >= context:
            out.append(f"{entry['model']}: a {first['prompt_tokens']}-token prompt fills {context}")
    return out


def runtime_said(kind: str, data: Json) -> list[str]:
    """Memory for several streams on datacenter cards, where recommend assumes vLLM: the rows
    say they are llama.cpp's."""
    label = (data.get("hardware") or {}).get("label", "")
    datacenter = any(word in label for word in ("H100", "H200", "A100", "Instinct", "L40S"))
    if kind != "memory" or data["batch"] < 2 or not datacenter:
        return []
    note = data.get("runtime_note", "")
    return [] if "llama.cpp" in note and "vLLM" in note else ["llama.cpp rows, runtime unsaid"]


# ---- seventh review (tests/data/expert_review7.yaml) ----------------------------------------

# llama.cpp's --cache-type-k/-v values: ggml type names (common/arg.cpp kv_cache_types, read by
# kv_cache_type_from_str, which throws "Unsupported cache type" on anything else)
CACHE_TYPES = {"f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "iq4_nl", "q5_0", "q5_1"}


def cache_types(kind: str, data: Json) -> list[str]:
    """Every llama-server cache type is one llama.cpp accepts, and the V type asked for
    (--v-dtype) is the one the command sets."""
    out = []
    asked = ((data.get("query") or {}).get("v_dtype")) or None
    for entry in entries(kind, data) if asked else ():
        if entry["kv_dtype"] != asked and entry.get("v_dtype") != asked:
            out.append(f"{entry['model']}: JSON says cache {entry['kv_dtype']}, V {asked} unsaid")
    for entry, words in commands(kind, data):
        for flag in ("--cache-type-k", "--cache-type-v", "-ctk", "-ctv"):
            if flag in words and words[words.index(flag) + 1] not in CACHE_TYPES:
                out.append(f"{entry['model']}: {flag} {words[words.index(flag) + 1]}")
        if asked and "--cache-type-v" in words:
            want = {"fp16": "f16"}.get(asked, asked)
            if words[words.index("--cache-type-v") + 1] != want:
                out.append(f"{entry['model']}: V cache is not the asked {asked}")
    return out


def memory_parts(kind: str, data: Json) -> list[str]:
    """A memory answer adds up: total = weights + KV (recurrent state inside) + overhead (CUDA
    context and compute buffer inside) + encoder; a CPU-only run holds no CUDA context and
    needs in RAM what its total says."""
    out = []
    for entry in entries(kind, data):
        if entry.get("mode", "inference") != "inference" or "weights_bytes" not in entry:
            continue
        parts = ("weights_bytes", "kv_cache_bytes", "overhead_bytes", "encoder_bytes")
        if sum(entry.get(p) or 0 for p in parts) != entry["total_bytes"]:
            out.append(f"{entry['model']}: total is not the sum of its parts")
        inside = (entry.get("cuda_context_bytes") or 0) + (entry.get("compute_buffer_bytes") or 0)
        if inside > entry["overhead_bytes"]:
            out.append(f"{entry['model']}: CUDA context and compute buffer above the overhead")
        if (entry.get("recurrent_state_bytes") or 0) > entry["kv_cache_bytes"]:
            out.append(f"{entry['model']}: recurrent state outside the cache it is part of")
        fit = entry.get("fit")
        if isinstance(fit, dict) and fit.get("verdict") == "cpu":
            if entry.get("cuda_context_bytes"):
                out.append(f"{entry['model']}: a CUDA context on a CPU-only run")
            if fit["needed_bytes"] != entry["total_bytes"]:
                out.append(f"{entry['model']}: RAM needed {fit['needed_bytes']} is not the total")
    return out


def noncommercial_said(kind: str, data: Json) -> list[str]:
    """A pick whose licence prohibits commercial use says so in its reasons, asked or not."""
    out = []
    for entry in entries(kind, data):
        if entry["license"]["commercial_use"] != "prohibited":
            continue
        if not any("prohibits commercial use" in r for r in entry["reasons"]):
            out.append(f"{entry['model']}: a non-commercial licence, nothing said")
    return out


def experts_in_ram(kind: str, data: Json) -> list[str]:
    """A MoE model run with --n-cpu-moe N says its experts are in RAM, not "all layers on the
    GPU" of an offloaded fit."""
    out = []
    for entry, words in commands(kind, data):
        if "--n-cpu-moe" not in words:
            continue
        n = words[words.index("--n-cpu-moe") + 1]
        if not any(f"experts of {n} of them in RAM" in r for r in entry["reasons"]):
            out.append(f"{entry['model']}: --n-cpu-moe {n} but no word of experts in RAM")
        for reason in entry["reasons"]:
            found = re.match(r"runs with (\d+)/(\d+) layers on the GPU", reason)
            if found and found.group(1) == found.group(2):
                out.append(f"{entry['model']}: '{reason}' while experts are in RAM")
    return out


def options_told_apart(kind: str, data: Json) -> list[str]:
    """A reason that weighs the pick against another option names them differently (the same
    format with another KV cache is said with its cache)."""
    out = []
    for entry in entries(kind, data):
        for reason in entry["reasons"]:
            reason = re.sub(r"^for the \S+ alternative: ", "", reason)
            more = re.match(r"(\S+) keeps more quality and fits .*: (\S+) scores higher", reason)
            faster = re.match(r"(\S+) keeps the most quality .*the faster (\S+) scores", reason)
            for found in (more, faster):
                if found and found.group(1) == found.group(2):
                    out.append(f"{entry['model']}: {reason}")
    return out


def explain_agrees(kind: str, data: Json) -> list[str]:
    """explain's memory block, its chosen format row and its as-run figures are one sizing."""
    if kind != "explain" or not data.get("memory") or not data.get("formats"):
        return []
    memory, out = data["memory"], []
    chosen = [f for f in data["formats"] if f["chosen"]]
    if len(chosen) != 1:
        return ["not one chosen format"]
    row = chosen[0]
    if (row["quant"], row["kv_dtype"]) != (memory["quant"], memory["kv_dtype"]):
        out.append("chosen format row differs from the memory block")
    if row["total_bytes"] != memory["total_bytes"]:
        out.append(f"total {row['total_bytes']} in formats, {memory['total_bytes']} in memory")
    run = data.get("as_run") or {}
    gguf = run if run.get("runtime") != "vllm" else (run.get("llama_cpp") or {})
    if gguf and gguf.get("memory", {}).get("total_bytes") != memory["total_bytes"]:
        out.append("as-run llama.cpp total differs from the memory block")
    if run.get("runtime") != "vllm" and run.get("max_context") != row["max_context"]:
        out.append(f"max context {run.get('max_context')} as run, {row['max_context']} in formats")
    speed = (memory.get("speed") or {}).get("decode_tokens_per_second") or {}
    if speed and row["tokens_per_second"] != speed.get("expected"):
        out.append("decode rate differs between formats and memory")
    return out


def headline_runs(kind: str, data: Json) -> list[str]:
    """A pick headlined with a vLLM plan (as_run, or the ranking entry) has its `vllm serve`
    command first: no figures for a format no printed command runs."""
    out = []
    picks = data.get("ranking", []) if kind == "recommend" else [data]
    for pick in picks:
        plan = pick.get("as_run") or pick
        if plan.get("runtime") != "vllm":
            continue
        run = pick.get("run") or []
        if not run or not run[0]["command"].startswith("vllm serve "):
            out.append(f"{pick['model']}: vLLM {plan.get('quant')} headlined, no vllm command")
    return out


def has_command(kind: str, data: Json) -> list[str]:
    """A pick whose model a runtime's library carries (Ollama tags, a GGUF repository) comes
    with a command that runs it in the chosen format."""
    out = []
    for entry in entries(kind, data):
        runtimes = CATALOG.get(entry["model"]).runtimes
        if runtimes is None or runtimes.weight_diff is not None or entry.get("run"):
            continue
        if runtimes.ollama is not None or runtimes.gguf is not None:
            out.append(f"{entry['model']} at {entry['quant']}: no command, though a runtime has it")
    return out


CHECKS: dict[str, Check] = {
    f.__name__: f
    for f in (
        low_bits_rule,
        tuned_before_base,
        low_bit_advice,
        quality_basis,
        kv_reason,
        training_fit,
        ttft,
        effective_context,
        licence_reasons,
        compare_quality,
        hf_tags,
        parallel_slots,
        weight_diff,
        buffers,
        ceiling,
        runtime,
        vllm_serve,
        vllm_or_why,
        llama_alternative,
        apple_training,
        reason_wording,
        kv_fixed,
        lang_supported,
        excluded_why,
        loadable,
        prompt_room,
        runtime_said,
        cache_types,
        memory_parts,
        noncommercial_said,
        experts_in_ram,
        options_told_apart,
        explain_agrees,
        headline_runs,
        has_command,
    )
}


def judge(question: Json, answer: Json, extra: dict[str, Check] | None = None) -> list[str]:
    """What each of the question's checks finds wrong in the answer (`extra`: a review's own)."""
    table = CHECKS | (extra or {})
    problems: list[str] = []
    for item in question["checks"]:
        name, params = (item, {}) if isinstance(item, str) else next(iter(item.items()))
        problems += [f"{name}: {p}" for p in table[name](question["argv"][0], answer, **params)]
    return problems
