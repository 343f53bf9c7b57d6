"""Issue 19 and issue 20 §2/§3: the causes the fifth expert review found and left open
(tests/data/expert_review6.yaml), each question run through the CLI's JSON and judged by the
checks of tests/expert_checks.py and the few below; then unit regressions of each cause."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from expert_answers import answer as data
from expert_checks import CATALOG, USABLE, entries, judge
from expert_review import asked

HERE = Path(__file__).parent / "data"
QUESTIONS = yaml.load((HERE / "expert_review6.yaml").read_text(), Loader=yaml.CSafeLoader)
Json = dict[str, Any]


def faster(kind: str, answer: Json, first: str, then: str) -> list[str]:
    """compare: per-stream decode of `first` above `then` in every format both run."""
    assert kind == "compare"
    out = []
    for row in answer["rows"]:
        if not re.fullmatch(r"decode tok/s \S+", row["field"]):
            continue
        a, b = row["values"].get(first), row["values"].get(then)
        if a is not None and b is not None and a <= b:
            out.append(f"{row['field']}: {first} {a} not above {then} {b}")
    return out


def runtime_note(kind: str, answer: Json) -> list[str]:
    """memory: rows that are llama.cpp's where recommend assumes vLLM say so."""
    assert kind == "memory"
    note = answer.get("runtime_note") or ""
    return [] if "vLLM" in note and "llama.cpp" in note else ["no word of the runtime assumed"]


def replicas(kind: str, answer: Json, model: str = "", tp: int = 0) -> list[str]:
    """vLLM: the smallest tensor-parallel group that holds the model (power of two, dividing
    the heads), the other cards data-parallel replicas, each with its share of the streams,
    and a command that says so; aggregate = the replicas' streams together."""
    out = []
    served = [e for e in entries(kind, answer) if e.get("serving")]
    if model and not any(e["model"] == model for e in served):
        out.append(f"{model}: not served by vLLM")
    for entry in served:
        plan = entry["serving"]
        size, dp = plan["tensor_parallel"], plan.get("data_parallel", 1)
        heads = CATALOG.get(entry["model"]).architecture.attention_heads or 1
        if entry["model"] == model and size != tp:
            out.append(f"{entry['model']}: tensor parallel {size}, not {tp}")
        if size & (size - 1) or heads % size:
            out.append(f"{entry['model']}: tensor parallel {size} cannot shard the heads")
        words = shlex.split(entry["run"][0]["command"])
        flags = dict(zip(words[3::2], words[4::2], strict=False))
        if flags.get("--data-parallel-size", "1") != str(dp):
            out.append(f"{entry['model']}: command's replicas differ from the plan's {dp}")
        batch = answer["query"]["batch"]
        if flags.get("--max-num-seqs") != str(-(-batch // dp)):  # per replica (vLLM docs)
            out.append(f"{entry['model']}: --max-num-seqs is not each replica's share")
        speed = plan["throughput"]
        if speed["aggregate"] > speed["per_stream"] * batch * 1.0001:
            out.append(f"{entry['model']}: aggregate above the streams together")
    return out


def assumed_speed(kind: str, answer: Json) -> list[str]:
    """--vram with no card: the reference rate the reasons quote is in the JSON, labelled
    assumed, with its bandwidth, its ceiling and the share; compare shows it too."""
    if kind == "compare":
        rows = [r for r in answer["rows"] if r["field"].startswith("decode tok/s ")]
        if not any(v is not None for r in rows for v in r["values"].values()):
            return ["compare shows no decode figure"]
        basis = [r for r in answer["rows"] if r["field"].startswith("decode basis ")]
        return [] if basis else ["compare's decode figures are not labelled assumed"]
    out = []
    for entry in entries(kind, answer):
        quoted = [r for r in entry["reasons"] if re.search(r"tokens/s decode assuming", r)]
        if not quoted:
            continue
        found = (entry.get("speed") or {}).get("assumed")
        if not found:
            out.append(f"{entry['model']}: '{quoted[0]}' but no assumed speed in the JSON")
            continue
        rate = float(re.search(r"~([\d.]+) tokens/s", quoted[0]).group(1))  # type: ignore[union-attr]
        if abs(found["decode_tokens_per_second"] - rate) > max(0.5, 0.05 * rate):
            out.append(f"{entry['model']}: JSON {found['decode_tokens_per_second']} vs {rate}")
        if f"{found['assumed_bandwidth_gbs']:g} GB/s" not in quoted[0]:
            out.append(f"{entry['model']}: another bandwidth than the reasons'")
        top, share = found["decode_ceiling_tokens_per_second"], found["share_of_ceiling"]
        if not (0 < share <= 1 and found["decode_tokens_per_second"] <= top * 1.001):
            out.append(f"{entry['model']}: assumed rate above its ceiling")
    if kind in ("recommend", "explain") and not any(
        (e.get("speed") or {}).get("assumed") for e in entries(kind, answer)
    ):
        out.append("no assumed speed anywhere")
    return out


def alternative_named(kind: str, answer: Json) -> list[str]:
    """Under vLLM, the GGUF reasons name the alternative whose command is printed."""
    out = []
    for entry in entries(kind, answer):
        printed = {r["runtime"] for r in entry.get("run") or []} - {"vllm"}
        for reason in entry["reasons"]:
            found = re.match(r"for the (\S+) alternative: ", reason)
            if found and found.group(1).lower() not in printed:
                out.append(f"{entry['model']}: {found.group(1)} named, {printed} printed")
    return out


def slow_said(kind: str, answer: Json) -> list[str]:
    """A pick under the usable 10 tokens/s says so in its reasons."""
    out = []
    for entry in entries(kind, answer):
        rate = entry.get("tokens_per_second")
        own = f"{entry['quant']} decodes at"  # about the pick, not a format it beat
        said = any(r.startswith(own) and "under the usable" in r for r in entry["reasons"])
        if rate is not None and rate < USABLE and not said:
            out.append(f"{entry['model']} at {rate} tok/s: not said to be under {USABLE:g}")
    return out


def windowed_ttft(kind: str, answer: Json, most: float) -> list[str]:
    """Time to first token at the sized context within `most` seconds: full attention on
    every layer costs about twice that (issue 19 §4)."""
    out = []
    for entry in entries(kind, answer):
        ttft = (entry.get("speed") or {}).get("time_to_first_token_at_context_seconds")
        if not ttft:
            out.append(f"{entry['model']}: no time to first token at the context")
        elif ttft["expected"] > most:
            out.append(f"{entry['model']}: {ttft['expected']} s at the context, over {most}")
    return out


LOCAL = {
    "windowed_ttft": windowed_ttft,
    "alternative_named": alternative_named,
    "slow_said": slow_said,
    "assumed_speed": assumed_speed,
    "replicas": replicas,
    "faster": faster,
    "runtime_note": runtime_note,
}


def test_every_question_is_fixed_or_a_guard() -> None:
    assert len({q["id"] for q in QUESTIONS}) == len(QUESTIONS)
    assert all(q["verdict"] in ("pass", "fixed") for q in QUESTIONS)
    assert all(q.get("found") for q in QUESTIONS if q["verdict"] == "fixed")


@pytest.mark.parametrize("question", asked(QUESTIONS))
def test_expert_question(question: Json) -> None:
    assert judge(question, data(*question["argv"]), LOCAL) == [], question["asks"]
