"""JSON Schemas of llm-pick's machine outputs (printed by `llm-pick schema ...`)."""

from __future__ import annotations

from typing import Any

from llm_pick.catalog.types import CRITERIA

_INT = {"type": "integer", "minimum": 0}
_NUM_OR_NULL = {"type": ["number", "null"]}
_STR_LIST = {"type": "array", "items": {"type": "string"}}


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required if required is not None else list(properties),
        "additionalProperties": False,
    }


CRITERION = _object(
    {
        "value": {"type": "number", "minimum": 0, "maximum": 1},
        "weight": {"type": "number", "minimum": 0, "maximum": 1},
        "contribution": {"type": "number", "minimum": 0, "maximum": 1},
        "note": {"type": "string"},
        "missing": {"type": "boolean", "description": "input unpublished; documented default used"},
        "estimated": {
            "type": "boolean",
            "description": "the value rests on an estimate; basis says from what",
        },
        "basis": {"type": "string", "description": "what the value rests on, in words"},
    },
    ["value", "weight", "contribution", "note"],
)

_RATE = {
    "oneOf": [
        {"type": "null"},
        _object(
            {"low": {"type": "number"}, "high": {"type": "number"}, "expected": {"type": "number"}}
        ),
    ]
}
SPEED = {
    "oneOf": [
        {"type": "null"},
        {
            "type": "object",
            "description": "Estimated speed (docs/methodology.md, Speed): per stream at "
            "the stated context and batch; expected is the central value, low/high the "
            "measured scatter.",
            "properties": {
                "decode_tokens_per_second": _RATE,
                "prefill_tokens_per_second": _RATE,
                "aggregate_decode_tokens_per_second": _RATE,
                "bytes_read_per_token": _INT,
                "assumed": {
                    "type": "object",
                    "description": "card unknown (--vram only): the reference decode rate the "
                    "reasons quote, at an assumed bandwidth (the median of the preset cards "
                    "of that memory), with its ceiling and share; not a measurement",
                },
                "context": _INT,
                "batch": {"type": "integer", "minimum": 1},
                "per": {"const": "stream"},
                "basis": {"type": "object"},
            },
            "required": [
                "decode_tokens_per_second",
                "prefill_tokens_per_second",
                "context",
                "batch",
            ],
        },
    ]
}

HEADLINE: dict[str, Any] = {
    "quant": {
        "type": "string",
        "description": "the format the runtime loads: a GGUF type, or vLLM's serving format",
    },
    "memory": _object(
        {
            **{
                k: _INT
                for k in (
                    "weights_bytes",
                    "kv_cache_bytes",
                    "overhead_bytes",
                    "encoder_bytes",
                    "total_bytes",
                    "weights_in_ram_bytes",
                )
            },
            "per_card": {
                "type": "boolean",
                "description": "true: what vLLM allocates on each card (kv_cache_bytes is its "
                "KV pool); false: the llama.cpp total over every card",
            },
            "estimated": {"const": True},
        }
    ),
    "fit": {"enum": ["gpu", "offload", "cpu", None]},
    "gpu_layers": {"type": ["integer", "null"]},
    "tokens_per_second": {
        **_NUM_OR_NULL,
        "description": "one stream's decode tokens/s under the runtime (vLLM: "
        "serving.throughput.per_stream), estimated",
    },
    "tokens_per_second_range": {
        "oneOf": [
            {"type": "null"},
            _object({"low": {"type": "number"}, "high": {"type": "number"}}),
        ]
    },
    "aggregate_tokens_per_second": {
        **_NUM_OR_NULL,
        "description": "all streams' output tokens/s together at the batch (null at batch 1)",
    },
    "speed": {**SPEED, "description": "llama.cpp speed terms (null under vLLM: serving)"},
    "max_context": {
        "type": "integer",
        "minimum": 0,
        "description": "the most tokens one stream fits on the hardware (model's cap); vLLM: "
        "the KV pool of a card shared by the batch",
    },
    "placement": {
        "type": ["object", "null"],
        "description": "llama.cpp fit details: per-card use, headroom, GPU layers, RAM",
    },
}

RANKED = _object(
    {
        "rank": {"type": "integer", "minimum": 1},
        "model": {"type": "string"},
        "name": {"type": "string"},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "runtime": {
            "enum": ["llama.cpp", "vllm", "ollama", "mlx"],
            "description": "the runtime this pick's headline fields (quant, memory, fit, "
            "tokens_per_second, aggregate_tokens_per_second, max_context) are for: vllm when "
            "vLLM serves it (serving), else llama.cpp's GGUF estimate",
        },
        **HEADLINE,
        "llama_cpp": {
            "oneOf": [{"type": "null"}, _object(HEADLINE)],
            "description": "runtime vllm: the same fields for the llama.cpp GGUF estimate "
            "(the llama.cpp run command's format); null when the headline fields are those",
        },
        "context_length": {"type": "integer", "minimum": 1},
        "context": {
            "type": "integer",
            "minimum": 1,
            "description": "tokens memory and speed were sized for",
        },
        "kv_dtype": {"enum": ["fp16", "q8_0", "q4_0"]},
        "v_dtype": {
            "enum": ["fp16", "q8_0", "q4_0"],
            "description": "the V cache type where it differs from kv_dtype, then the K type "
            "(--v-dtype; llama.cpp -ctv)",
        },
        "flash_attn": {"type": "boolean"},
        "license": _object(
            {
                "id": {"type": "string"},
                "name": {"type": "string"},
                "commercial_use": {"enum": ["allowed", "conditional", "prohibited"]},
                "conditions": {"type": ["string", "null"]},
                "key_conditions": {
                    **_STR_LIST,
                    "description": "the conditions a commercial user must know, from the "
                    "licence text (catalog field license.key_conditions)",
                },
            }
        ),
        "criteria": _object({name: CRITERION for name in CRITERIA}),
        "reasons": _STR_LIST,
        "serving": {
            "type": ["object", "null"],
            "description": "served by vLLM (query.runtime): format, tensor parallel (the "
            "smallest group that holds it) and data-parallel replicas, memory per "
            "card as vLLM allocates it, KV pool and the sequences it holds, per-stream and "
            "aggregate throughput at the batch (estimates); null under another runtime",
        },
        "run": {
            "type": "array",
            "description": "commands that run this pick as sized; repositories and tags are "
            "only those the catalog records (with their source)",
            "items": _object(
                {
                    "runtime": {"enum": ["llama.cpp", "ollama", "vllm"]},
                    "command": {"type": "string"},
                    "source": {"type": "string"},
                    "note": {"type": "string"},
                },
                ["runtime", "command"],
            ),
        },
        "effective_context": {
            "type": "object",
            "description": "published long-context evaluations (RULER, NoLiMa) as printed; "
            "note says where the effective context is shorter than advertised",
        },
        "weights_note": {
            "type": "string",
            "description": "a release that ships only a weight diff: how the weights are "
            "recovered (it has no run command)",
        },
        "compute_buffer_note": {
            "type": "string",
            "description": "the compute buffer was taken from the user's llama.cpp load log "
            "(llm-pick calibrate): which log, its context and card",
        },
        "sized_from": {
            "type": "string",
            "description": "recommend --installed: the memory is the installed file's (the "
            "exact bytes of its tensors), not the catalog shapes'",
        },
    },
)
OPTIONAL = ("weights_note", "effective_context", "sized_from", "compute_buffer_note", "v_dtype")
RANKED["required"] = [k for k in RANKED["required"] if k not in OPTIONAL]


def recommend_schema() -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "llm-pick recommend output",
        "description": (
            "Output of `llm-pick recommend --format json`. Memory and speed are estimates."
        ),
        **_object(
            {
                "schema_version": {"const": 1},
                "query": {
                    "type": "object",
                    "description": "every input, resolved hardware, weights",
                },
                "catalog": _object(
                    {
                        "sources": _STR_LIST,
                        "sha256": {"type": "string"},
                        "models": _INT,
                        "as_of": {
                            "type": ["string", "null"],
                            "description": "the day the catalog was last checked (ISO date)",
                        },
                    }
                ),
                "estimated": {"const": True},
                "ranking": {"type": "array", "items": RANKED},
                "excluded": {
                    "type": "array",
                    "items": _object({"model": {"type": "string"}, "reasons": _STR_LIST}),
                },
                "closest": _STR_LIST,
                "closest_changes": {
                    "type": "array",
                    "description": "when nothing passes: one change each (an option to paste) "
                    "and the models it admits, checked by ranking them again with it",
                    "items": _object(
                        {
                            "change": {"type": "string"},
                            "models": _STR_LIST,
                            "now": {"type": "string"},
                        }
                    ),
                },
            },
            ["schema_version", "query", "catalog", "estimated", "ranking", "excluded"],
        ),
    }
