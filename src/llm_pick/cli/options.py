"""Option declarations shared by the commands (the CLI layer), and the decorator that gives
`recommend` and `explain` the same query options without declaring them twice."""

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from llm_pick.cli.choices import CHART_DEFAULT as CHART_DEFAULT
from llm_pick.cli.choices import ChartAxis as ChartAxis
from llm_pick.cli.choices import OutputFormat as OutputFormat
from llm_pick.cli.choices import chart_value as chart_value

# Options declared as text that carry an amount (parsed by cli/parse.py): with every int and
# float option, they are refused when written with other than ASCII digits.
NUMERIC_METAVARS = frozenset({"GiB|auto", "TOKENS", "NAME=VALUE"})


CatalogOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--catalog",
        metavar="FILE",
        help="Extra catalog (YAML or JSON) on top of the bundled one; repeatable; same id "
        "overrides. LLM_PICK_CATALOG (paths separated by ':') does the same.",
    ),
]
FormatOpt = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        "-f",
        case_sensitive=False,
        help="Output format (md = markdown). With -o FILE, taken from its extension "
        "(.csv, .json, .md, .html, .txt) unless given.",
    ),
]
ChartOpt = Annotated[
    ChartAxis | None,
    typer.Option(
        "--chart",
        case_sensitive=False,
        metavar="[quality|speed]",
        help="Draw memory needed against quality (the default) or tok/s (needs --gpu) under "
        "the table, with the Pareto frontier. --format html always has the charts.",
    ),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", metavar="FILE", help="Write to FILE (atomically) instead of stdout."
    ),
]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="With --output: replace the file even if it is read-only.")
]


VramOpt = Annotated[
    str | None,
    typer.Option(
        "--vram",
        metavar="GiB|auto",
        help="GPU memory per card: 24, 24GB or 24GiB (a card sold as 24 GB has 24 GiB), "
        "24000MB, or 'auto' (nvidia-smi, rocm-smi or Apple's sysctl); "
        "with --gpu: its usable memory (e.g. after raising iogpu.wired_limit_mb).",
    ),
]
GpuOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--gpu",
        metavar="NAME",
        help="A GPU from `llm-pick gpus`, e.g. 4090; repeat it for each card of a mixed set.",
    ),
]
GpusOpt = Annotated[
    int | None, typer.Option("--gpus", metavar="N", help="Split across N identical cards.")
]
RamOpt = Annotated[
    str | None,
    typer.Option(
        "--ram",
        metavar="GiB|auto",
        help="System RAM for layers offloaded to the CPU, or 'auto' (RAM available now).",
    ),
]
RamBwOpt = Annotated[
    float | None,
    typer.Option(
        "--ram-bandwidth",
        metavar="GB/s",
        help="System RAM bandwidth for offloaded layers (default 51.2: dual-channel DDR4-3200).",
    ),
]
BandwidthOpt = Annotated[
    float | None,
    typer.Option(
        "--bandwidth",
        metavar="GB/s",
        help="Memory bandwidth of each GPU, overriding the card's (for speed estimates).",
    ),
]
ThreadsOpt = Annotated[
    int | None,
    typer.Option(
        "--threads",
        metavar="N",
        help="CPU threads for a CPU-only run or layers in RAM (llama.cpp -t; default 8).",
    ),
]
SplitModeOpt = Annotated[
    str | None,
    typer.Option(
        "--split-mode",
        metavar="layer",
        help="How layers split across GPUs: layer (llama.cpp -sm layer; row is not modelled).",
    ),
]
CpuOpt = Annotated[
    str | None,
    typer.Option(
        "--cpu",
        metavar="NAME",
        help="System memory preset for CPU layers, e.g. ddr5-4800-12ch-genoa (an unknown name "
        "lists them).",
    ),
]
ContextOpt = Annotated[
    str | None,
    typer.Option(
        "--context",
        metavar="TOKENS",
        help="Tokens to size the KV cache for, e.g. 8192 or 32k (default: min(4096, model's)).",
    ),
]
BatchOpt = Annotated[int, typer.Option("--batch", metavar="N", help="Sequences at once.")]
KvOpt = Annotated[
    str | None,
    typer.Option(
        "--kv-dtype",
        metavar="TYPE",
        help="KV cache type: fp16, q8_0 or q4_0 (quantized needs flash attention; applies to "
        "GGUF formats). Unset: recommend weighs q8_0 with the weights (fp16 otherwise). "
        "recommend/explain under vLLM: fp8 (--kv-cache-dtype fp8) or fp16; unset, 16-bit "
        "unless only FP8 holds the batch.",
    ),
]
VOpt = Annotated[
    str | None,
    typer.Option(
        "--v-dtype",
        metavar="TYPE",
        help="V cache type when it differs from --kv-dtype, which then sets the K cache only "
        "(llama.cpp -ctk/-ctv): fp16, q8_0 or q4_0.",
    ),
]
PromptOpt = Annotated[
    str | None,
    typer.Option(
        "--prompt-tokens",
        metavar="TOKENS",
        help="Prompt length to quote the time to first token for, e.g. 8k (default 512; a "
        "vLLM serving plan: its typical request, a 1024-token prompt and reply, each at most "
        "half the context); without --context, a prompt over 3072 tokens sets the context to "
        "the prompt plus 1024 tokens for the reply; sized for 32K or more, a prompt filling "
        "the context is quoted too.",
    ),
]
UbatchOpt = Annotated[
    int,
    typer.Option(
        "--ubatch",
        metavar="N",
        help="Tokens per micro-batch (llama.cpp -ub): sizes the compute buffer.",
    ),
]
FlashOpt = Annotated[
    str,
    typer.Option(
        "--flash-attn",
        metavar="on|off",
        help="Flash attention (llama.cpp -fa, on by default there and in Ollama): the compute "
        "buffer stops growing with the context.",
    ),
]
HeadroomOpt = Annotated[
    float | None,
    typer.Option(
        "--headroom",
        metavar="GiB",
        help="Memory kept free per GPU (default 5% of the card, 0.5 to 1 GiB).",
    ),
]


CommercialOpt = Annotated[
    bool,
    typer.Option("--commercial", help="Commercial use must be allowed (conditions may apply)."),
]
UnconditionalOpt = Annotated[
    bool, typer.Option("--unconditional", help="Commercial use must be allowed without conditions.")
]
MinContextOpt = Annotated[
    str | None, typer.Option("--min-context", metavar="TOKENS", help="Required context, e.g. 32k.")
]
LangOpt = Annotated[
    list[str] | None,
    typer.Option("--lang", metavar="CODE", help="Required language (ISO 639); repeatable."),
]
MinParamsOpt = Annotated[
    float | None, typer.Option("--min-params", metavar="B", help="Minimum size, billions.")
]
MaxParamsOpt = Annotated[
    float | None, typer.Option("--max-params", metavar="B", help="Maximum size, billions.")
]
LicenseOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--license", metavar="ID", help="Allowed licence ids (e.g. apache-2.0); repeatable."
    ),
]
FamilyOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--family", metavar="F", help="Only these families (llama, mistral, ...); repeatable."
    ),
]
VariantOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--variant", metavar="V", help="Only these variants (base, chat, instruct, fine-tune)."
    ),
]
NeedsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--needs",
        metavar="CAP",
        help="Only models with this capability: vision, audio, reasoning, tools, code; repeatable.",
    ),
]
ExcludeOpt = Annotated[
    list[str] | None, typer.Option("--exclude", metavar="ID", help="Leave out a model; repeatable.")
]
QuantOpt = Annotated[
    str | None, typer.Option("--quant", "-q", metavar="Q", help="Force one quantization.")
]
RuntimeOpt = Annotated[
    str | None,
    typer.Option(
        "--runtime",
        metavar="R",
        help="Runtime to assume: llama.cpp, vllm, ollama or mlx (default: vLLM for a "
        "datacenter card with --batch above 1, else llama.cpp).",
    ),
]
MinBitsOpt = Annotated[
    float | None,
    typer.Option("--min-bits", metavar="B", help="Only formats with at least B bits per weight."),
]
ProfileOpt = Annotated[
    str,
    typer.Option(
        "--profile",
        metavar="NAME|FILE",
        help=(
            "Weights: balanced, chat, coding, edge, long-context, multilingual, research, or a "
            "file."
        ),
    ),
]
WeightOpt = Annotated[
    list[str] | None,
    typer.Option("--weight", metavar="NAME=VALUE", help="Override one criterion's weight."),
]
TopOpt = Annotated[int, typer.Option("--top", metavar="N", help="How many to rank.")]


# Shared option groups: (parameter name, declaration, default).
HARDWARE_OPTIONS: list[tuple[str, Any, Any]] = [
    ("vram", VramOpt, None),
    ("gpu", GpuOpt, None),
    ("gpus", GpusOpt, None),
    ("ram", RamOpt, None),
    ("ram_bandwidth", RamBwOpt, None),
    ("headroom", HeadroomOpt, None),
    ("cpu", CpuOpt, None),
    ("bandwidth", BandwidthOpt, None),
    ("threads", ThreadsOpt, None),
    ("split_mode", SplitModeOpt, None),
]
SIZING_OPTIONS: list[tuple[str, Any, Any]] = [
    ("context", ContextOpt, None),
    ("batch", BatchOpt, 1),
    ("kv_dtype", KvOpt, None),
    ("flash_attn", FlashOpt, "on"),
    ("v_dtype", VOpt, None),
    ("ubatch", UbatchOpt, 512),
    ("prompt_tokens", PromptOpt, None),
]
QUERY_OPTIONS: list[tuple[str, Any, Any]] = [
    *HARDWARE_OPTIONS,
    ("commercial", CommercialOpt, False),
    ("unconditional", UnconditionalOpt, False),
    ("min_context", MinContextOpt, None),
    ("lang", LangOpt, None),
    ("min_params", MinParamsOpt, None),
    ("max_params", MaxParamsOpt, None),
    ("license_ids", LicenseOpt, None),
    ("family", FamilyOpt, None),
    ("variant", VariantOpt, None),
    ("exclude", ExcludeOpt, None),
    ("needs", NeedsOpt, None),
    ("quant", QuantOpt, None),
    ("min_bits", MinBitsOpt, None),
    *SIZING_OPTIONS,
    ("runtime", RuntimeOpt, None),
    ("profile", ProfileOpt, "balanced"),
    ("weight", WeightOpt, None),
]

F = TypeVar("F", bound=Callable[..., Any])


def with_options(group: list[tuple[str, Any, Any]]) -> Callable[[F], F]:
    """Append an option group to a command that takes it as **kwargs (typer reads the
    signature, so each option is declared once for every command that uses it)."""

    def decorate(command: F) -> F:
        signature = inspect.signature(command)
        own = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
        keyword = inspect.Parameter.KEYWORD_ONLY
        shared = [
            inspect.Parameter(name, keyword, default=default, annotation=kind)
            for name, kind, default in group
        ]
        # arguments first, then the shared options, then the command's own (--help order)
        arguments = [p for p in own if p.default is p.empty]
        options = [p.replace(kind=keyword) for p in own if p.default is not p.empty]
        parameters = [*arguments, *shared, *options]
        command.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        return command

    return decorate


InstalledOpt = Annotated[
    bool,
    typer.Option(
        "--installed",
        help="Rank only the models on this machine (`llm-pick local`), each in its own format.",
    ),
]
with_query_options = with_options(QUERY_OPTIONS)
with_estimate_options = with_options(HARDWARE_OPTIONS + SIZING_OPTIONS)
