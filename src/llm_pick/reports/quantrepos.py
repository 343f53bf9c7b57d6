"""Pre-quantized INT4 repositories for vLLM serving commands (issue 20 §3): vLLM reads AWQ and
GPTQ weights from a repository that holds them (its config.json names the method), so an
INT4 serving plan prints a command only for a model with a sourced repository here."""

from __future__ import annotations

HUGGING_QUANTS = (
    "https://huggingface.co/collections/hugging-quants/llama-31-gptq-awq-and-bnb-quants "
    "(hugging-quants/Meta-Llama-3.1-{8B,70B,405B}-Instruct-AWQ-INT4 and -GPTQ-INT4)"
)

# (catalog model id, serving format) -> (repository, source)
INT4_REPOS: dict[tuple[str, str], tuple[str, str]] = {
    ("llama-3.1-8b-instruct", "awq-4bit"): (
        "hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4",
        HUGGING_QUANTS,
    ),
    ("llama-3.1-70b-instruct", "awq-4bit"): (
        "hugging-quants/Meta-Llama-3.1-70B-Instruct-AWQ-INT4",
        HUGGING_QUANTS,
    ),
    ("llama-3.1-405b-instruct", "awq-4bit"): (
        "hugging-quants/Meta-Llama-3.1-405B-Instruct-AWQ-INT4",
        HUGGING_QUANTS,
    ),
    ("llama-3.1-8b-instruct", "gptq-4bit"): (
        "hugging-quants/Meta-Llama-3.1-8B-Instruct-GPTQ-INT4",
        HUGGING_QUANTS,
    ),
    ("llama-3.1-70b-instruct", "gptq-4bit"): (
        "hugging-quants/Meta-Llama-3.1-70B-Instruct-GPTQ-INT4",
        HUGGING_QUANTS,
    ),
    ("llama-3.1-405b-instruct", "gptq-4bit"): (
        "hugging-quants/Meta-Llama-3.1-405B-Instruct-GPTQ-INT4",
        HUGGING_QUANTS,
    ),
    ("llama-3.3-70b-instruct", "awq-4bit"): (
        "ibnzterrell/Meta-Llama-3.3-70B-Instruct-AWQ-INT4",
        "https://huggingface.co/ibnzterrell/Meta-Llama-3.3-70B-Instruct-AWQ-INT4 (AutoAWQ, GEMM, "
        "zero point, group size 128)",
    ),
    ("mixtral-8x7b-instruct", "awq-4bit"): (
        "TheBloke/Mixtral-8x7B-Instruct-v0.1-AWQ",
        "https://huggingface.co/TheBloke/Mixtral-8x7B-Instruct-v0.1-AWQ (128g GEMM; 'vLLM: version "
        "0.2.6 is confirmed to support Mixtral AWQs' per its Dolly15K sibling card)",
    ),
}


def int4_repo(model_id: str, fmt: str) -> tuple[str, str] | None:
    """(repository, source) of a pre-quantized INT4 copy, or None when none was sourced."""
    return INT4_REPOS.get((model_id, fmt))
