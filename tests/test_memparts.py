"""estimate_memory keeps what a model and a sizing give whatever the format (estimate/
memparts.py, by the model's identity): estimates read through it equal those of a fresh copy
of the model (nothing kept), in every format and sizing asked in turn."""

from __future__ import annotations

import copy

from llm_pick.catalog.load import load_catalog
from llm_pick.estimate.memory import estimate_memory

CATALOG = load_catalog()
SIZINGS = [
    {"context": 8192},
    {"context": 32768, "kv_dtype": "q8_0"},
    {"context": 4096, "batch": 4, "flash_attn": False},
    {"context": None, "ubatch": 2048, "v_dtype": "q4_0", "kv_dtype": "q8_0"},
    {"context": 8192, "text_only": True},
]


def test_kept_parts_change_no_estimate() -> None:
    for name in ("llama-3.1-8b-instruct", "ministral-3-14b-instruct-2512", "falcon-h1-7b-instruct"):
        model = CATALOG.get(name)
        for sizing in SIZINGS:  # a quantized cache: GGUF formats only
            for quant in ("q4_k_m", "q8_0", "fp16"):
                if "kv_dtype" in sizing and quant == "fp16":
                    continue
                kept = estimate_memory(model, quant, **sizing)  # type: ignore[arg-type]
                again = estimate_memory(model, quant, **sizing)  # type: ignore[arg-type]
                fresh = estimate_memory(copy.copy(model), quant, **sizing)  # type: ignore[arg-type]
                assert kept == again == fresh, (name, sizing, quant)
        lora = {"context": 2048, "mode": "lora"}
        for _ in range(2):  # training sizes its parts too
            kept = estimate_memory(model, "bf16", **lora)  # type: ignore[arg-type]
            assert kept == estimate_memory(copy.copy(model), "bf16", **lora)  # type: ignore[arg-type]
