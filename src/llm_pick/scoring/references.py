"""The published, closer bases of some estimates (scoring/quality.py `ability`): models without
their own scores whose source names a sibling, a predecessor or a text backbone."""

from __future__ import annotations

# Models without own scores whose estimate has a published, closer basis than the generic
# rules: model -> (kind, reference model, the source's words). `sibling`: the reference is a
# fine-tune by the same organisation whose delta over its base is applied to this model's base;
# `predecessor`: the reference is the version this one replaces; `backbone`: the card says the
# model keeps the reference's text ability (a speech model on its text decoder).
REFERENCES: dict[str, tuple[str, str, str]] = {
    "falcon-180b-chat": (
        "sibling",
        "falcon-40b-instruct",
        "TII chat/instruct fine-tunes on dialogue mixtures (model cards of Falcon-180B-chat and "
        "Falcon-40B-instruct); no chat benchmark of Falcon-180B-chat is published",
    ),
    "falcon-7b-instruct": (
        "sibling",
        "falcon-40b-instruct",
        "same TII instruct recipe (Falcon-7B-instruct and Falcon-40B-instruct model cards)",
    ),
    "mixtral-8x22b-instruct": (
        "sibling",
        "mixtral-8x7b-instruct",
        "Mistral AI's instruct fine-tune of its own base (Mixtral model cards)",
    ),
    "mistral-nemo-instruct-2407": (
        "sibling",
        "mixtral-8x7b-instruct",
        "Mistral AI's instruct fine-tune of its own base; its own instruct figures use unstated "
        "protocols (MT Bench (dev), IFEval-v5)",
    ),
    "mistral-7b-instruct-v0.3": (
        "sibling",
        "mistral-7b-instruct-v0.1",
        "Mistral AI's instruct fine-tune of Mistral-7B (model cards)",
    ),
    "mistral-7b-instruct-v0.2": (
        "predecessor",
        "mistral-7b-instruct-v0.1",
        "model card: 'an improved instruct fine-tuned version of Mistral-7B-Instruct-v0.1'",
    ),
    "mistral-7b-v0.3": (
        "predecessor",
        "mistral-7b-v0.1",
        "model card lists only an extended vocabulary over v0.2, itself v0.1 with a 32k context",
    ),
    "alpaca-7b": (
        "sibling",
        "koala-13b",
        "both 2023 supervised fine-tunes of LLaMA 1 on instruction/dialogue data, no RLHF",
    ),
    "voxtral-small-24b-2507": (
        "backbone",
        "mistral-small-3.1-24b-instruct-2503",
        "model card: 'Highly capable at text: Retains the text understanding capabilities of its "
        "language model backbone, Mistral Small 3.1' (mistralai/Voxtral-Small-24B-2507)",
    ),
    "pixtral-large-instruct-2411": (
        "backbone",
        "mistral-large-instruct-2407",
        "Mistral's announcement (mistral.ai/news/pixtral-large, 2024-11-18): 'a 124B open-weights "
        "multimodal model built on top of Mistral Large 2 ... while maintaining the leading "
        "text-only understanding of Mistral Large 2'",
    ),
    "pixtral-12b-base-2409": (
        "backbone",
        "mistral-nemo-12b",
        "Mistral's announcement (mistral.ai/news/pixtral-12b): '12B parameter multimodal "
        "decoder based on Mistral Nemo'; 'Maintains state-of-the-art performance on text-only "
        "benchmarks'",
    ),
    "mistral-large-instruct-2411": (
        "predecessor",
        "mistral-large-instruct-2407",
        "model card: 'extending Mistral-Large-Instruct-2407 with better Long Context, Function "
        "Calling and System Prompt'; no benchmark table of its own",
    ),
    **{
        f"ministral-3-{size}-reasoning-2512": (
            "sibling",
            f"ministral-3-{size}-instruct-2512",
            "Mistral AI's reasoning and instruct post-trains of the same base (Ministral 3 "
            "cards); its own scores are thinking-mode (AIME, GPQA, LiveCodeBench), which the "
            "general scale does not read",
        )
        for size in ("3b", "8b", "14b")
    },
    "bloomz-560m": ("sibling", "bloomz-3b", "same BigScience xP3 multitask fine-tune"),
    "bloomz-1b1": ("sibling", "bloomz-3b", "same BigScience xP3 multitask fine-tune"),
    "bloomz-1b7": ("sibling", "bloomz-3b", "same BigScience xP3 multitask fine-tune"),
    "bloomz-7b1": ("sibling", "bloomz-3b", "same BigScience xP3 multitask fine-tune"),
}
