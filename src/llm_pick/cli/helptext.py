"""What --help shows beyond the declarations: commands in order of importance, two or three
examples under every command, and the options of recommend, explain, memory and compare in
groups (hardware, needs, sizing, ranking, output)."""

from __future__ import annotations

from types import MethodType
from typing import Any

# `llm-pick --help` lists the commands a newcomer needs first.
ORDER = (
    "recommend",
    "memory",
    "explain",
    "compare",
    "list",
    "show",
    "hardware",
    "local",
    "gpus",
    "import",
    "calibrate",
    "catalog",
    "schema",
)

EXAMPLES: dict[str, tuple[str, ...]] = {
    "recommend": (
        "llm-pick recommend --vram 24GB --commercial",
        "llm-pick recommend --vram auto --min-context 32k",
        "llm-pick recommend --gpu 4090 -o picks.csv",
    ),
    "memory": (
        "llm-pick memory llama-3.1-8b-instruct --gpu rtx-3060-12gb",
        "llm-pick memory mixtral-8x7b -q q4_k_m --vram 24 --ram 32",
        "llm-pick memory ./model-Q4_K_M.gguf --vram auto",
    ),
    "explain": (
        "llm-pick explain llama3.1:8b --vram 12",
        "llm-pick explain mixtral-8x7b --gpu 4090 --commercial",
    ),
    "compare": (
        "llm-pick compare llama-3.1-8b-instruct mistral-7b-instruct-v0.3 --vram 12",
        "llm-pick compare mixtral-8x7b llama-3.1-70b --gpu a100-80gb --chart",
    ),
    "list": (
        "llm-pick list --family mistral",
        "llm-pick list --commercial --min-context 128k -f md",
    ),
    "show": ("llm-pick show mixtral-8x7b", "llm-pick show meta-llama/Llama-3.1-8B-Instruct"),
    "hardware": ("llm-pick hardware", "llm-pick hardware -f json"),
    "gpus": ("llm-pick gpus", "llm-pick gpus -o gpus.csv"),
    "local": ("llm-pick local", "llm-pick local ./models --gpu rtx-4090 -f json"),
    "calibrate": (
        "llm-pick calibrate ./llama-bench.json --gpu rtx-4090",
        "llm-pick calibrate --show",
        "llm-pick calibrate --reset",
    ),
    "import": (
        "llm-pick import ./model-Q4_K_M.gguf",
        "llm-pick import ./Llama-3.1-8B/ --license llama3.1 -o mine.yaml",
        "llm-pick recommend --vram 24 --catalog mine.yaml",
    ),
    "catalog validate": (
        "llm-pick catalog validate mine.yaml",
        "llm-pick catalog validate mine.yaml more.json",
    ),
    "catalog schema": ("llm-pick catalog schema", "llm-pick catalog schema -o catalog.json"),
    "schema recommend": (
        "llm-pick schema recommend",
        "llm-pick schema recommend > recommend.schema.json",
    ),
}

_GROUPS = (
    (
        "Hardware",
        ("vram", "gpu", "gpus", "ram", "ram_bandwidth", "headroom", "cpu", "threads", "split_mode"),
    ),
    (
        "Needs",
        (
            "commercial",
            "unconditional",
            "min_context",
            "lang",
            "min_params",
            "max_params",
            "license_ids",
            "family",
            "variant",
            "exclude",
            "needs",
        ),
    ),
    (
        "Sizing",
        (
            "quant",
            "min_bits",
            "context",
            "batch",
            "kv_dtype",
            "flash_attn",
            "mode",
            "lora_rank",
            "text_only",
        ),
    ),
    ("Ranking", ("profile", "weight", "top", "show_excluded")),
)


def epilog(path: str) -> str | None:
    """The examples of one command ('recommend', 'catalog validate'), one per line."""
    lines = EXAMPLES.get(path)
    if not lines:
        return None
    # \b keeps click from joining the lines into one paragraph
    return "Examples:\n\n\b\n" + "\n".join(f"  {line}" for line in lines)


def _grouped_options(self: Any, ctx: Any, formatter: Any) -> None:
    records: dict[str, list[tuple[str, str]]] = {}
    where = {name: title for title, names in _GROUPS for name in names}
    for param in self.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is None:
            continue
        if param.param_type_name == "argument":
            title = "Arguments"
        else:
            title = where.get(param.name or "", "Output and other options")
        records.setdefault(title, []).append(record)
    order = ["Arguments", *(title for title, _ in _GROUPS), "Output and other options"]
    for title in order:
        if title in records:
            with formatter.section(title):
                formatter.write_dl(records[title])


def decorate(command: Any, path: str) -> Any:
    """Give a command its examples and, when it has hardware options, grouped options."""
    if command is None or getattr(command, "_decorated", False):
        return command
    text = epilog(path)
    if text and not command.epilog:
        command.epilog = text
    names = {param.name for param in getattr(command, "params", ())}
    if "vram" in names:
        command.format_options = MethodType(_grouped_options, command)
    command._decorated = True
    return command
