"""Pre-quantized repositories for vLLM serving commands (issue 20 §3): vLLM reads AWQ, GPTQ and
FP8 weights from a repository that holds them (its config.json names the method), so an INT4
serving plan prints a command only for a model with a sourced repository here; an FP8 plan
uses the FP8 repository when one is recorded, else the BF16 one quantized on load."""

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


RED_HAT = "Red Hat AI (formerly Neural Magic) FP8 W8A8 checkpoint for vLLM"

# catalog model id -> (FP8 repository, source)
FP8_REPOS: dict[str, tuple[str, str]] = {
    "llama-3-8b-instruct": (
        "RedHatAI/Meta-Llama-3-8B-Instruct-FP8",
        "https://huggingface.co/neuralmagic/Meta-Llama-3-8B-Instruct-FP8 "
        f"(now RedHatAI; {RED_HAT}: "
        "'ready for inference with vLLM >= 0.5.0', OpenLLM v1 68.22 against 68.71 unquantized)",
    ),
    "llama-3.1-8b-instruct": (
        "RedHatAI/Meta-Llama-3.1-8B-Instruct-FP8-dynamic",
        "https://huggingface.co/RedHatAI/Meta-Llama-3.1-8B-Instruct-FP8-dynamic "
        f"({RED_HAT}; the card's vLLM line: vllm serve "
        '"RedHatAI/Meta-Llama-3.1-8B-Instruct-FP8-dynamic")',
    ),
    "llama-3.1-70b-instruct": (
        "RedHatAI/Meta-Llama-3.1-70B-Instruct-FP8",
        "https://huggingface.co/RedHatAI/Meta-Llama-3.1-70B-Instruct-FP8 "
        f"({RED_HAT}; tags fp8, vllm, compressed-tensors)",
    ),
    "llama-3.1-405b-instruct": (
        "RedHatAI/Meta-Llama-3.1-405B-Instruct-FP8-dynamic",
        "https://huggingface.co/RedHatAI/Meta-Llama-3.1-405B-Instruct-FP8-dynamic "
        f"({RED_HAT}; the card's vLLM line: vllm serve "
        '"RedHatAI/Meta-Llama-3.1-405B-Instruct-FP8-dynamic")',
    ),
    "llama-3.3-70b-instruct": (
        "RedHatAI/Llama-3.3-70B-Instruct-FP8-dynamic",
        "https://huggingface.co/RedHatAI/Llama-3.3-70B-Instruct-FP8-dynamic "
        f"({RED_HAT}; NVIDIA Dynamo recipe 'Llama-3.3-70B FP8': 'Three validated vLLM topologies "
        "for RedHatAI/Llama-3.3-70B-Instruct-FP8-dynamic', "
        "https://docs.nvidia.com/dynamo/dev/recipes/llama-3-3-70b)",
    ),
    "mixtral-8x7b-instruct": (
        "RedHatAI/Mixtral-8x7B-Instruct-v0.1-FP8",
        f"huggingface.co/neuralmagic/Mixtral-8x7B-Instruct-v0.1-FP8 (now RedHatAI; {RED_HAT}): "
        "evaluated with 'pip install vllm==0.5.0' in Neural Magic's OpenLLM script and served by "
        "vllm/vllm-openai images on GitHub "
        '(ENV MODEL_NAME="RedHatAI/Mixtral-8x7B-Instruct-v0.1-FP8")',
    ),
    "mistral-7b-instruct-v0.3": (
        "RedHatAI/Mistral-7B-Instruct-v0.3-FP8",
        "huggingface.co/neuralmagic/Mistral-7B-Instruct-v0.3-FP8 (now RedHatAI): one of the FP8 "
        "checkpoints in vLLM's own lm-eval accuracy test thresholds "
        "('neuralmagic/Mistral-7B-Instruct-v0.3-FP8': 0.54)",
    ),
    "llama-3-70b-instruct": (
        "RedHatAI/Meta-Llama-3-70B-Instruct-FP8",
        "https://huggingface.co/neuralmagic/Meta-Llama-3-70B-Instruct-FP8 (now RedHatAI; "
        f"{RED_HAT}): served with --tp 8 on 8 x H100 in SGLang's benchmark against vLLM, "
        "sgl-project/sglang benchmark/blog_v0_2/README.md",
    ),
    "llama-4-scout-17b-16e-instruct": (
        "RedHatAI/Llama-4-Scout-17B-16E-Instruct-FP8-dynamic",
        "https://huggingface.co/RedHatAI/Llama-4-Scout-17B-16E-Instruct-FP8-dynamic "
        f"({RED_HAT}; vLLM's Gaudi plugin tests carry a model card for it, "
        "tests/models/language/generation/model_cards/Llama-4-Scout-17B-16E-Instruct-FP8-dynamic.yaml)",
    ),
    "mistral-nemo-instruct-2407": (
        "RedHatAI/Mistral-Nemo-Instruct-2407-FP8",
        "https://huggingface.co/neuralmagic/Mistral-Nemo-Instruct-2407-FP8 (now RedHatAI; "
        f"{RED_HAT}; linked as 'a quantized version of Mistral-Nemo-Instruct' in a model "
        "README on GitHub)",
    ),
    "llama-4-maverick-17b-128e-instruct": (
        "meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8",
        "https://huggingface.co/meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8 (Meta's own FP8 "
        "release; its Hugging Face discussion 'Support for FP8 + Fused MoE layers in vLLM?')",
    ),
}


def fp8_repo(model_id: str) -> tuple[str, str] | None:
    """(repository, source) of a pre-quantized FP8 copy, or None when none was sourced."""
    return FP8_REPOS.get(model_id)


def int4_repo(model_id: str, fmt: str) -> tuple[str, str] | None:
    """(repository, source) of a pre-quantized INT4 copy, or None when none was sourced."""
    return INT4_REPOS.get((model_id, fmt))
