"""The commands that run a pick as it was sized: llama.cpp (`llama-server -hf REPO:QUANT`),
Ollama (`ollama run TAG`) and vLLM (`vllm serve REPO`). Pure functions of the catalog facts
and the sizing; a repository or tag is only ever one the catalog records with its source.
Every argument is quoted for a POSIX shell (shlex): a command pasted into a shell runs the
one program with these arguments, whatever the catalog holds (catalog/types.py also refuses
anything but plain ids in these fields).

Flags (llama.cpp tools/server/README.md): -hf <user>/<model>[:quant] (the tag as the
repository's file names spell it: GgufRepo.tag), -c context (the total: the server divides it
between its -np parallel slots, so N streams get -np N and N times the per-stream context), -ngl GPU
layers, -fa on|off, --cache-type-k/-v for a quantized KV cache, -sm layer -ts for a split
across cards, --n-cpu-moe N to keep the routed experts of the first N layers in RAM (PR
#15077). Multimodal (docs/multimodal.md): -hf fetches the repository's mmproj file itself;
--no-mmproj skips it (text only); with -m, --mmproj FILE loads it. Ternary (I2_S) files run
only in bitnet.cpp (microsoft/BitNet): upstream llama.cpp and Ollama cannot read them.
vLLM (docs.vllm.ai engine args): --max-model-len, --tensor-parallel-size,
--gpu-memory-utilization (default 0.9, 0.92 in newer releases: we always pass it).
A release that ships only a weight diff (LLaMA 1 fine-tunes: Alpaca, Koala) gets no command:
no runtime loads the diff as a model; `weights_note` says how the weights are recovered.
"""

from __future__ import annotations

import math
import re
from shlex import join as shell
from typing import TYPE_CHECKING, Any

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.catalog.types import Model
from llm_pick.estimate.assess import Assessment
from llm_pick.ranking.result import ServingPlan
from llm_pick.reports.ollama_env import ollama_settings

if TYPE_CHECKING:  # the local stores: imported by --installed only
    from llm_pick.catalog.stores import Installed

VLLM_DEFAULT_UTILIZATION = 0.90
_GGUF_NAME = {"fp16": "f16", "fp32": "f32", "bf16": "bf16"}


class Sized(NamedTuple):
    """How the pick was sized: what the commands must reproduce."""

    quant: str
    context: int
    gpu_layers: int | None  # None: all (no hardware given, or everything on the GPUs)
    layers: int
    kv_dtype: str = "fp16"
    flash_attn: bool = True
    gpus: int = 1
    memory_share: float | None = None  # needed / available per card, when known
    cpu_moe_layers: int = 0  # llama.cpp --n-cpu-moe
    text_only: bool = False  # the model's encoder left out: --no-mmproj
    batch: int = 1  # parallel streams, each of `context` tokens (llama-server -np, -c N x context)
    split: tuple[int, ...] = ()  # mixed cards: -ts as llama.cpp slots (layers, +1 output head)
    ubatch: int = 512  # llama.cpp -ub
    v_dtype: str | None = None  # the V cache type when not kv_dtype (--cache-type-v)
    threads: int | None = None  # --threads: llama.cpp -t (None: llama.cpp's own choice)


def sized_from(model: Model, assessment: Assessment, gpus: int, batch: int = 1) -> Sized:
    """The sizing of one assessed format, as the commands need it."""
    est, fit = assessment.estimate, assessment.fit
    experts = fit.cpu_moe_layers if fit is not None else 0
    placed = fit is not None and fit.verdict != "gpu" and not experts
    share = fit.needed_bytes / fit.available_bytes if fit and fit.available_bytes else None
    split = _slots(fit.cards) if fit and len({c.capacity_bytes for c in fit.cards}) > 1 else ()
    return Sized(
        quant=est.quant,
        context=est.context,
        # mixed cards with layers in RAM: -ngl counts the output head's slot, as -ts does
        gpu_layers=(
            (sum(split) if split else 0 if fit.verdict == "cpu" else fit.gpu_layers)
            if fit and placed
            else None
        ),
        layers=est.layers,
        kv_dtype=est.kv_dtype,
        flash_attn=est.flash_attn,
        gpus=gpus,
        memory_share=share,
        cpu_moe_layers=experts,
        text_only=est.text_only,
        batch=batch,
        split=split,
        ubatch=est.ubatch,
        v_dtype=est.v_dtype,
    )


def _slots(cards: Any) -> tuple[int, ...]:
    """Layers per card with the output head on the last card that has layers: given as -ts,
    llama.cpp puts exactly these layers on each card (its cumulative split, mixed_gpu.md)."""
    slots = [card.layers for card in cards]
    last = max((i for i, n in enumerate(slots) if n), default=len(slots) - 1)
    slots[last] += 1
    return tuple(slots)


def run_commands(model: Model, sized: Sized) -> list[dict[str, Any]]:
    """[{runtime, command, source?, note?}]: llama.cpp unless it cannot load the architecture
    (a repository, or how to convert the weights), Ollama when the library has this model at
    this quantization, vLLM when the format is one vLLM serves from the original repository
    (16-bit weights)."""
    if model.runtimes is not None and model.runtimes.weight_diff is not None:
        return []
    if model.runtimes is not None and model.runtimes.file is not None:  # imported: as it is
        from llm_pick.reports.filerun import file_commands

        return file_commands(model.runtimes.file.path, sized, model.id, _llama_flags(sized))
    if model.architecture.ternary:
        bitnet = _bitnet(model, sized)
        return [] if bitnet is None else [bitnet]
    out = [] if not_loaded(model, "llama.cpp") else [_llama_cpp(model, sized)]
    ollama = _ollama(model, sized)
    if ollama is not None:
        out.append(ollama)
    vllm = _vllm(model, sized)
    if vllm is not None:
        out.append(vllm)
    return out


def not_loaded(model: Model, runtime: str) -> str | None:
    """Why `runtime` cannot load this model's architecture (catalog runtimes.unsupported, whose
    source `show` prints), or None."""
    found = model.runtimes.unsupported if model.runtimes else None
    said = next((u for u in found or () if u.runtime == runtime), None)
    return None if said is None else said.reason


def _llama_flags(sized: Sized) -> list[str]:
    layers = sized.layers + 1 if sized.gpu_layers is None else sized.gpu_layers  # +1: output
    flags = ["-c", str(sized.context * sized.batch), "-ngl", str(layers), "-fa"]
    flags.append("on" if sized.flash_attn else "off")
    if sized.ubatch != 512:  # -b (default 2048) must be at least -ub
        flags += ["-ub", str(sized.ubatch)] + (
            ["-b", str(sized.ubatch)] if sized.ubatch > 2048 else []
        )
    values = sized.v_dtype or sized.kv_dtype
    if sized.kv_dtype != "fp16" or values != "fp16":
        # llama.cpp's spellings (ggml type names): f16, not fp16 ("Unsupported cache type")
        keys, values = (
            _GGUF_NAME.get(sized.kv_dtype, sized.kv_dtype),
            _GGUF_NAME.get(values, values),
        )
        flags += ["--cache-type-k", keys, "--cache-type-v", values]
    if sized.split:
        flags += ["-sm", "layer", "-ts", ",".join(str(n) for n in sized.split)]
    elif sized.gpus > 1:
        flags += ["-sm", "layer", "-ts", ",".join(["1"] * sized.gpus)]
    if sized.cpu_moe_layers:
        flags += ["--n-cpu-moe", str(sized.cpu_moe_layers)]
    if sized.threads:
        flags += ["-t", str(sized.threads)]
    if sized.batch > 1:  # -np N slots share the -c cells: N x the context
        flags += ["-np", str(sized.batch)]
    return flags


def _llama_cpp(model: Model, sized: Sized) -> dict[str, Any]:
    gguf = model.runtimes.gguf if model.runtimes else None
    name = _GGUF_NAME.get(sized.quant, sized.quant)
    flags = _llama_flags(sized)
    encoder = model.encoder is not None
    if gguf is not None and name in gguf.quants:
        if gguf.hf_ready:
            found: dict[str, str] = {
                "runtime": "llama.cpp",
                "command": shell(
                    ["llama-server", "-hf", f"{gguf.repo}:{gguf.tag(name)}", *flags]
                    + (["--no-mmproj"] if encoder and sized.text_only else [])
                ),
                "source": gguf.source,
            }
            if encoder and not sized.text_only:
                found["note"] = _mmproj_note(model, gguf.mmproj)
            return found
        mmproj = (
            ["--mmproj", gguf.mmproj] if encoder and gguf.mmproj and not sized.text_only else []
        )
        return {
            "runtime": "llama.cpp",
            "command": shell(["llama-server", "-m", "MODEL.gguf", *mmproj, *flags]),
            "source": gguf.source,
            "note": f"{gguf.repo} splits large files into .partXofY pieces that -hf cannot "
            "load: download them and join them with cat into MODEL.gguf first",
        }
    quant = name.upper()
    weights = f"./{model.hf_repo.split('/')[-1]}" if model.hf_repo else "./MODEL-DIR"
    f16, out = f"{model.id}-f16.gguf", f"{model.id}-{quant}.gguf"
    note = "no GGUF repository with this quantization is known: convert the weights yourself"
    if gguf is not None:
        note = f"{gguf.repo} lists no {quant} file (it has {', '.join(gguf.quants)}): convert"
    if encoder and not sized.text_only:
        note += (
            f"; for {model.encoder.kind if model.encoder else 'image'} input also export the "
            "encoder (convert_hf_to_gguf.py --mmproj writes mmproj-*.gguf) and add --mmproj"
        )
    steps = [shell(["python", "convert_hf_to_gguf.py", weights, "--outfile", f16])]
    if name.startswith("iq"):
        # llama-quantize refuses IQ2_XXS, IQ2_XS and IQ2_S without an importance matrix
        # (tools/quantize/quantize.cpp), and the i-quants' losses we quote were measured with one
        steps.append(shell(["llama-imatrix", "-m", f16, "-f", IMATRIX_TEXT, "-o", "imatrix.gguf"]))
        steps.append(shell(["llama-quantize", "--imatrix", "imatrix.gguf", f16, out, quant]))
        note += (
            f"; {IMATRIX_TEXT} is calibration text you supply (a few hundred KB of plain text, "
            "e.g. wiki.train.raw): i-quants are made with an importance matrix"
        )
    else:
        steps.append(shell(["llama-quantize", f16, out, quant]))
    steps.append(shell(["llama-server", "-m", out, *flags]))
    return {
        "runtime": "llama.cpp",
        "command": " && ".join(steps),
        "note": note + (f" (weights: {model.hf_repo})" if model.hf_repo else ""),
    }


IMATRIX_TEXT = "calibration.txt"


def _mmproj_note(model: Model, mmproj: str | None) -> str:
    kind = model.encoder.kind if model.encoder else "vision"
    if mmproj:
        return (
            f"-hf also fetches the {kind} encoder ({mmproj}); add --no-mmproj for text only "
            "(llama.cpp docs/multimodal.md)"
        )
    return (
        f"no mmproj file is recorded for this repository: -hf loads the {kind} encoder only "
        "when the repository has one (add --no-mmproj for text only)"
    )


def _bitnet(model: Model, sized: Sized) -> dict[str, Any] | None:
    """Ternary weights run in bitnet.cpp's llama-cli. A recorded I2_S file (bitnet.cpp names it
    ggml-model-i2_s.gguf) is downloaded and setup_env.py -md only builds (microsoft/BitNet
    README); else setup_env.py converts the checkpoint (PR #268, Falcon-E), which is reported
    to write F16 for LlamaForCausalLM BitNet checkpoints (issues #619, #621)."""
    if sized.quant != "i2_s" or not model.hf_repo:
        return None
    local = f"models/{model.hf_repo.split('/')[-1]}"
    gguf = model.runtimes.gguf if model.runtimes else None
    steps = [["python", "setup_env.py", "--hf-repo", model.hf_repo, "-q", "i2_s"]]
    if gguf is not None and "i2_s" in gguf.quants:
        fetch = ["huggingface-cli", "download", gguf.repo, "ggml-model-i2_s.gguf"]
        steps = [
            [*fetch, "--local-dir", local],
            ["python", "setup_env.py", "-md", local, "-q", "i2_s"],
        ]
    run = [
        "./build/bin/llama-cli",
        "-m",
        f"./{local}/ggml-model-i2_s.gguf",
        "-c",
        str(sized.context),
    ]
    return {
        "runtime": "bitnet.cpp",
        "command": " && ".join(shell(step) for step in [*steps, [*run, "-cnv"]]),
        "note": "run inside a clone of github.com/microsoft/BitNet; upstream llama.cpp and "
        "Ollama cannot read I2_S files (llama.cpp issue #17105)",
    }


def _ollama(model: Model, sized: Sized) -> dict[str, Any] | None:
    tags = model.runtimes.ollama if model.runtimes else None
    if tags is None:
        return None
    spelled = {q.lower(): q for q in tags.quants}
    tag = spelled.get(sized.quant.lower())
    if tag is None:
        return None
    return {
        "runtime": "ollama",
        "command": shell(["ollama", "run", tags.pattern.replace("{quant}", tag)]),
        "source": tags.source,
        "note": f"Ollama sizes the context itself: set num_ctx to {sized.context} to match"
        + ollama_settings(sized),
    }


def _vllm(model: Model, sized: Sized) -> dict[str, Any] | None:
    if sized.quant not in ("fp16", "bf16") or not model.hf_repo or sized.gpu_layers is not None:
        return None
    share = sized.memory_share or 0.0
    utilization = max(VLLM_DEFAULT_UTILIZATION, math.ceil(share * 100) / 100)
    return {
        "runtime": "vllm",
        "command": shell(
            [
                *("vllm", "serve", model.hf_repo, "--max-model-len", str(sized.context)),
                *("--tensor-parallel-size", str(sized.gpus)),
                *("--gpu-memory-utilization", f"{utilization:.2f}"),
                *(("--max-num-seqs", str(sized.batch)) if sized.batch > 1 else ()),
            ]
        ),
    }


def serving_command(
    model: Model, plan: ServingPlan, fp8: str | None = "native"
) -> dict[str, Any] | None:
    """vLLM as the serving plan sized it: its tensor-parallel group and replicas, the context, the
    memory share. FP8 runs a pre-quantized FP8 repository when one is sourced
    (catalog/quantrepos.py; vLLM reads the method from its config.json), else the 16-bit one
    quantized on load (`--quantization fp8`, dynamic per-tensor scales), on any card where
    vLLM runs FP8 (`fp8`, estimate/serving.py fp8_mode: "native" W8A8, or "weight-only"
    W8A16 through FP8 Marlin); None: no FP8 command. INT4 (AWQ, GPTQ) runs from a
    pre-quantized repository. No command when none was sourced."""
    from llm_pick.catalog.quantrepos import fp8_repo, int4_repo

    repo, source, flags = model.hf_repo, "", []
    if plan.format in ("awq-4bit", "gptq-4bit"):
        repo, source = int4_repo(model.id, plan.format) or (None, "")
    elif plan.format == "fp8":
        if fp8 is None:
            return None
        repo, source = fp8_repo(model.id) or (None, "")
        if repo is None:
            repo, flags = model.hf_repo, ["--quantization", "fp8"]
    elif plan.format != "bf16":
        return None
    if not repo:
        return None
    args = [
        *("vllm", "serve", repo, "--tensor-parallel-size", str(plan.tensor_parallel)),
        # replicas of the TP group on the other cards; --max-num-seqs is per replica
        # (docs.vllm.ai serving/data_parallel_deployment)
        *(("--data-parallel-size", str(plan.data_parallel)) if plan.data_parallel > 1 else ()),
        *("--max-model-len", str(plan.context)),
        *("--gpu-memory-utilization", f"{plan.utilization:.2f}"),
        *("--max-num-seqs", str(plan.load.batch)),
        *flags,
        *(("--kv-cache-dtype", "fp8") if plan.memory.kv_dtype == "fp8" else ()),
    ]
    return {
        "runtime": "vllm",
        "command": shell(args),
        "note": f"serving plan: {plan.format}, {plan.memory.sequences} sequences of "
        f"{plan.context} tokens fit the KV pool of each card"
        + (f"; {'FP8' if plan.format == 'fp8' else 'INT4'} weights from {source}" if source else "")
        + (
            "; this card has no FP8 tensor cores: vLLM runs the FP8 weights weight-only (W8A16, "
            "FP8 Marlin; vLLM FP8 docs)"
            if plan.format == "fp8" and fp8 == "weight-only"
            else ""
        )
        + (f"; {plan.kv_note()}" if plan.kv_note() else ""),
    }


def installed_commands(copy: Installed, sized: Sized) -> list[dict[str, Any]]:
    """The commands that run a copy already on this machine: its Ollama tag, or llama.cpp
    with its path (-m) and the projector beside it (--mmproj)."""
    if copy.ollama_tag is not None:
        return [
            {
                "runtime": "ollama",
                "command": shell(["ollama", "run", copy.ollama_tag]),
                "note": f"Ollama sizes the context itself: set num_ctx to {sized.context} to match"
                + ollama_settings(sized),
            }
        ]
    from llm_pick.reports.filerun import file_commands

    mmproj = str(copy.mmproj) if copy.mmproj else None
    name = re.sub(r"[^a-z0-9.]+", "-", copy.name.lower()).strip("-.") or "model"
    return file_commands(str(copy.path), sized, name, _llama_flags(sized), mmproj)


def file_run(path: str, sized: Sized, name: str) -> list[dict[str, Any]]:
    """A GGUF file run as it is (reports/filerun.py), with the sizing's llama-server flags."""
    from llm_pick.reports.filerun import file_commands

    return file_commands(path, sized, name, _llama_flags(sized))


def weights_note(model: Model) -> str | None:
    """For a release that ships only a weight diff: how the weights are obtained."""
    diff = model.runtimes.weight_diff if model.runtimes else None
    if diff is None:
        return None
    return (
        f"{model.id} is released as a weight diff against {diff.base}, which no runtime loads "
        f"as a model, so no run command is printed. Recover the weights first: {diff.recover} "
        f"({diff.source})"
    )
