"""Weight memory: a model's tensors summed one by one in each format's real block storage,
with the types llama.cpp's mixes really use (and ternary I2_S for BitNet weights). Pure."""

from __future__ import annotations

import math
from functools import lru_cache

from llm_pick.catalog.shapes import Architecture
from llm_pick.catalog.tuples import NamedTuple
from llm_pick.catalog.types import Model
from llm_pick.estimate.quant import (
    GGML_BLOCKS,
    QUANTS,
    Quant,
    Shape,
    gguf_types,
    storable,
)
from llm_pick.estimate.tensors import Inventory, Matrix, classic, inventory_of


def shape(arch: Architecture, family: str) -> Shape:
    heads, kv = arch.attention_heads or 1, arch.kv_heads or 1
    return Shape(
        layers=arch.layers,
        falcon=family == "falcon" and classic(arch),
        experts=arch.experts or 0,
        gqa=heads // kv,
        type_70b=family in ("llama", "mistral", "mixtral") and arch.layers == 80 and kv < heads,
    )


def _recipe_kind(kind: str) -> str:
    """The llama.cpp recipe a tensor follows: experts' and shared experts' slices follow
    their dense kind (llama-quant.cpp matches names by substring, e.g. "ffn_down")."""
    for suffix in ("_exps", "_shexp"):
        if kind.endswith(suffix):
            return kind[: -len(suffix)]
    return kind


# ---- weights --------------------------------------------------------------------------


class Weights(NamedTuple):
    total: int
    per_layer: int  # all decoder blocks together
    active: int  # read per generated token (MoE: routed experts only; no embedding table)
    experts: int = 0  # the routed experts' ffn_*_exps tensors (llama.cpp --n-cpu-moe moves them)
    experts_active: int = 0  # the part of them read per token
    # the token-embedding table llama.cpp keeps in host RAM ("there is very little benefit to
    # offloading the input layer, so always keep it on the CPU", llama-model.cpp load_tensors);
    # 0 when the head is tied and the file has no output tensor: the GPU then holds the table
    # as the output head (a duplicate), so it still counts there
    input_on_host: int = 0
    routed: int = 0  # all routed experts, whatever the file names them (Mixtral: ffn_gate)
    routed_active: int = 0  # the part of them read per token


def ggml_bytes(kind: str, rows: int, row_length: int) -> int:
    per_block, block_bytes = GGML_BLOCKS[storable(kind, row_length)]
    return rows * math.ceil(row_length / per_block) * block_bytes


def weights(model: Model, quant: Quant) -> Weights:
    """Weight bytes of `model` stored as `quant` (memoized: fine-tunes share their base's
    architecture, so large catalogs repeat the same few shapes)."""
    return _weights(model.architecture, model.family, quant.name)


@lru_cache(maxsize=4096)
def _weights(arch: Architecture, family: str, quant_name: str) -> Weights:
    quant = QUANTS[quant_name]
    inv = inventory_of(arch, family)
    if quant.family == "gguf":
        return _gguf_weights(arch, family, quant, inv)
    if quant.family == "ternary":
        return _ternary_weights(inv)
    return _dense_weights(inv, quant)


def _ternary_weights(inv: Inventory) -> Weights:
    """bitnet.cpp's I2_S files: the decoder blocks' linear layers at 2 bits per weight plus
    one 32-byte scale block per tensor; embeddings and output head in F16; norms in F32
    (microsoft/BitNet PR #268 load log: "type f16: 2 tensors", "type i2_s: 168 tensors")."""
    sizes: list[tuple[Matrix, int]] = []
    for matrix in inv.matrices:
        if matrix.kind == "output_copy":
            continue
        if matrix.per_layer and matrix.kind != "ffn_gate_inp":
            tensors = inv.layers_of(matrix)
            size = inv.elements(matrix) // 4 + 32 * tensors
        else:
            size = 2 * inv.elements(matrix)
        sizes.append((matrix, size))
    return _summed(inv, sizes, 4)


def _gguf_weights(arch: Architecture, family: str, quant: Quant, inv: Inventory) -> Weights:
    model_shape = shape(arch, family)
    has_output = any(m.kind in ("output", "output_copy") for m in inv.matrices)
    sizes: list[tuple[Matrix, int]] = []
    for matrix in inv.matrices:
        kind = "output" if matrix.kind == "output_copy" else _recipe_kind(matrix.kind)
        if kind == "token_embd" and not has_output:
            kind = "output"  # llama.cpp gives a tied embedding the output head's type
        # a tensor only some layers hold follows the recipe over those layers
        held = model_shape
        if matrix.layer_count:
            held = model_shape._replace(layers=matrix.layer_count)
        size = 0
        for ggml_type, layers in gguf_types(quant.name, kind, held):
            size += layers * matrix.copies * ggml_bytes(ggml_type, matrix.outputs, matrix.inputs)
        sizes.append((matrix, size))
    table = sum(size for matrix, size in sizes if matrix.kind == "token_embd")
    # norms stay F32
    return _summed(inv, sizes, 4)._replace(input_on_host=table if has_output else 0)


def _dense_weights(inv: Inventory, quant: Quant) -> Weights:
    """Float formats, and GPU formats that quantize only the decoder blocks' linear layers."""
    float_bytes = 4 if quant.base == "f32" else 2
    sizes: list[tuple[Matrix, int]] = []
    for matrix in inv.matrices:
        if matrix.kind == "output_copy":
            continue  # tied: one copy in memory
        elements = inv.elements(matrix)
        if quant.family == "gpu" and matrix.per_layer and matrix.kind != "ffn_gate_inp":
            size = math.ceil(elements * quant.nominal_bits / 8)
            count = inv.layers_of(matrix) * matrix.copies
            if quant.name == "bnb-int8":
                size += 4 * matrix.outputs * count  # fp32 row scales (SCB)
            elif quant.name == "gptq-4bit":
                size += 4 * matrix.inputs * count  # g_idx: one int32 per input row
        else:
            size = elements * float_bytes
        sizes.append((matrix, size))
    return _summed(inv, sizes, float_bytes)


def _summed(inv: Inventory, sizes: list[tuple[Matrix, int]], vector_bytes: int) -> Weights:
    """The tensors' bytes added up (all, per layer, read per token, routed experts), plus the
    norm vectors at `vector_bytes` each."""
    total = per_layer = active = experts = experts_active = routed = routed_active = 0
    tied = not any(m.kind in ("output", "output_copy") for m, _ in sizes)
    for matrix, size in sizes:
        share = _active_share(matrix, size, inv, tied=tied)
        total += size
        active += share
        if matrix.per_layer:
            per_layer += size
        if matrix.kind.endswith("_exps"):
            experts += size
            experts_active += share
        if matrix.routed:
            routed += size
            routed_active += share
    vectors = vector_bytes * (inv.block_vectors + inv.model_vectors)
    return Weights(
        total + vectors,
        per_layer + vector_bytes * inv.block_vectors,
        active + vectors,
        experts,
        experts_active,
        routed=routed,
        routed_active=routed_active,
    )


def _active_share(matrix: Matrix, size: int, inv: Inventory, *, tied: bool) -> int:
    """Bytes of this tensor read to generate one token."""
    if matrix.kind == "token_embd":
        # one row is looked up; a tied table is also the output head, read whole every token
        return size if tied else 0
    if matrix.routed:
        return size * inv.experts_per_token // matrix.copies  # only the routed experts
    return size


# ---- KV cache and overhead ------------------------------------------------------------
