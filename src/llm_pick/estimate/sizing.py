"""How a model is sized, as one record from the command line to the estimator: the context,
batch, KV cache type, flash attention and (for `memory`) the fine-tuning mode. Invalid
combinations are refused here, with the messages the CLI shows."""

from __future__ import annotations

from typing import Any

from llm_pick.catalog.record import record
from llm_pick.catalog.types import Model
from llm_pick.errors import InputError
from llm_pick.estimate.limits import MAX_BATCH, MAX_LORA_RANK, MAX_UBATCH, count, token_count
from llm_pick.estimate.memory import (
    KV_DTYPES,
    LORA_RANK,
    MODES,
    UBATCH,
    Mode,
    default_context,
    quantized_v_refused,
)

# Room for the reply when --prompt-tokens sets the context: a prompt filling the context leaves
# no token to generate (llama-server answers 'the request exceeds the available context size').
# 1,024 output tokens, as the serving plan assumes per request (ranking/serve.py TYPICAL_TURN).
REPLY_TOKENS = 1024


@record(kw_only=False)
class Sizing:
    """`context` None: min(4096, the model's context) (`default_context`)."""

    context: int | None = None
    batch: int = 1
    kv_dtype: str = "fp16"
    flash_attn: bool = True
    mode: Mode = "inference"
    lora_rank: int = LORA_RANK
    text_only: bool = False
    """Leave out a vision/audio encoder (llama.cpp --no-mmproj): its mmproj is not counted."""
    ubatch: int = UBATCH
    """Tokens per micro-batch (llama.cpp -ub): sizes the compute buffers."""
    v_dtype: str | None = None
    """The V cache type when it differs from `kv_dtype`, the K type (llama.cpp -ctk/-ctv)."""
    prompt_tokens: int | None = None
    """The prompt time to first token is quoted for (None: 512 tokens)."""

    def __post_init__(self) -> None:
        token_count("--context", self.context)
        count("--batch", self.batch, MAX_BATCH)
        if self.kv_dtype not in KV_DTYPES:
            raise InputError(f"--kv-dtype: {self.kv_dtype!r} is not one of {', '.join(KV_DTYPES)}")
        if self.v_dtype is not None and self.v_dtype not in KV_DTYPES:
            raise InputError(f"--v-dtype: {self.v_dtype!r} is not one of {', '.join(KV_DTYPES)}")
        if not self.flash_attn:
            quantized_v_refused(self.kv_dtype, self.v_dtype)
        count("--ubatch", self.ubatch, MAX_UBATCH)
        token_count("--prompt-tokens", self.prompt_tokens)
        if self.mode not in MODES:
            raise InputError(f"--mode: {self.mode!r} is not one of {', '.join(MODES)}")
        count("--lora-rank", self.lora_rank, MAX_LORA_RANK)

    def tokens(self, model: Model) -> int:
        """The tokens sized for this model: `context`, else min(4096, its context)."""
        return default_context(model) if self.context is None else self.context

    def at(self, context: int) -> Sizing:
        return self._changed(context=context)

    def with_kv(self, kv_dtype: str) -> Sizing:
        """Both caches (K and V) in `kv_dtype`."""
        return self._changed(kv_dtype=kv_dtype, v_dtype=None)

    def _changed(self, **changes: Any) -> Sizing:
        """dataclasses.replace at half the cost (the pipeline sizes every model at its context,
        the longest-context search a dozen times per shown model): the fields copied, the
        changed ones set, and every check run again."""
        new = object.__new__(type(self))
        for name in self.__dataclass_fields__:
            _set(new, name, changes[name] if name in changes else getattr(self, name))
        new.__post_init__()
        return new


_set = object.__setattr__
