"""Write a GGUF that holds a model's header and tensor shapes but no weights (a sparse file),
for bench/probe/probe.cpp: llama.cpp sizes its compute buffer from shapes alone.

    python shape_gguf.py '{"arch": "llama", "layers": 32, ...}' out.gguf

Keys: arch (llama, qwen3, qwen3moe), layers, hidden, heads, kv_heads, head_dim, ff, vocab;
optional tied, qk_norm, experts, experts_used, expert_ff, ctx_train. Tokenizer "none" with
`vocab` dummy tokens.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import gguf
import numpy as np

ALIGN = 32


def _tensors(c: dict[str, Any]) -> list[tuple[str, tuple[int, ...], bool]]:
    """(name, numpy-order shape, f32?) of every tensor."""
    e, h, kv, hd, ff = c["hidden"], c["heads"], c["kv_heads"], c["head_dim"], c["ff"]
    out = [("token_embd.weight", (c["vocab"], e), False), ("output_norm.weight", (e,), True)]
    if not c.get("tied"):
        out.append(("output.weight", (c["vocab"], e), False))
    for i in range(c["layers"]):
        p = f"blk.{i}."
        out += [
            (p + "attn_norm.weight", (e,), True),
            (p + "attn_q.weight", (h * hd, e), False),
            (p + "attn_k.weight", (kv * hd, e), False),
            (p + "attn_v.weight", (kv * hd, e), False),
            (p + "attn_output.weight", (e, h * hd), False),
            (p + "ffn_norm.weight", (e,), True),
        ]
        if c.get("qk_norm"):
            out += [(p + f"attn_{x}_norm.weight", (hd,), True) for x in "qk"]
        if c.get("experts"):
            n, eff = c["experts"], c.get("expert_ff", ff)
            out += [
                (p + "ffn_gate_inp.weight", (n, e), True),
                (p + "ffn_gate_exps.weight", (n, eff, e), False),
                (p + "ffn_up_exps.weight", (n, eff, e), False),
                (p + "ffn_down_exps.weight", (n, e, eff), False),
            ]
        else:
            out += [
                (p + "ffn_gate.weight", (ff, e), False),
                (p + "ffn_up.weight", (ff, e), False),
                (p + "ffn_down.weight", (e, ff), False),
            ]
    return out


def write(c: dict[str, Any], path: str) -> None:
    w = gguf.GGUFWriter(path, c["arch"])
    w.add_context_length(c.get("ctx_train", 131072))
    w.add_embedding_length(c["hidden"])
    w.add_block_count(c["layers"])
    w.add_feed_forward_length(c["ff"])
    w.add_head_count(c["heads"])
    w.add_head_count_kv(c["kv_heads"])
    w.add_key_length(c["head_dim"])
    w.add_value_length(c["head_dim"])
    w.add_layer_norm_rms_eps(1e-6)
    w.add_rope_freq_base(1e6)
    w.add_vocab_size(c["vocab"])
    w.add_tokenizer_model("none")
    if c.get("experts"):
        w.add_expert_count(c["experts"])
        w.add_expert_used_count(c["experts_used"])
        if "expert_ff" in c:
            w.add_expert_feed_forward_length(c["expert_ff"])
    size = 0
    for name, shape, f32 in _tensors(c):
        dtype = np.dtype(np.float32 if f32 else np.float16)
        nbytes = int(np.prod(shape)) * dtype.itemsize
        w.add_tensor_info(name, shape, dtype, nbytes)
        size += -(-nbytes // ALIGN) * ALIGN
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    start = -(-w.fout[0].tell() // ALIGN) * ALIGN
    w.close()
    os.truncate(path, start + size)  # the data section stays a hole


if __name__ == "__main__":
    write(json.loads(sys.argv[1]), sys.argv[2])
