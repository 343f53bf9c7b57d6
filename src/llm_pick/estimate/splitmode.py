"""How a model is split across several GPUs (llama.cpp `--split-mode`, docs/methodology.md
"Speed"). Only layer split is estimated: each card holds whole layers and reads only them, one
card after another. Row and tensor split are refused, not guessed (the paired measurements are
bench/data/split_mode_pairs.yaml; `python bench/splitmode.py` scores them):
- row: llama.cpp's multi-GPU guide marks it deprecated (PR #22729, May 2026) and PR #24216
  (June 2026) removed it from the CUDA backend, so current CUDA builds do not load it; its two
  paired rows go opposite ways (8 x A100: 3.3x slower than layer; 2 x RTX A6000 with NVLink:
  layer at ~60% of row);
- tensor: its paired rows run from 0.70x to 1.68x of layer split, MoE below dense; a constant
  ratio from the one fit row misses the held-out rows by 51% median, 138% worst, and no fit row
  has the card and layer counts a synchronisation term needs."""

from __future__ import annotations

from llm_pick.errors import InputError

LAYER = "layer"  # the only split estimated; llama.cpp's default (`-sm layer`)
NOT_MODELLED = {
    "row": "llama.cpp marks it deprecated and removed it from its CUDA backend (PR #24216), and "
    "paired runs go both ways: 3.3x slower than layer split on 8 x A100, faster on 2 x A6000 "
    "with NVLink",
    "tensor": "paired runs range from 0.70x to 1.68x of layer split by model and machine, too "
    "few to fit a rule that holds out (bench/splitmode.py)",
}


def check_split_mode(value: str | None) -> str:
    """The split the estimates assume: `layer` (also when none is given); `row` or `tensor`
    is one clear error saying why, anything else an error naming the choices."""
    if value is None:
        return LAYER
    wanted = value.strip().lower()
    if wanted == LAYER:
        return LAYER
    if wanted in NOT_MODELLED:
        raise InputError(
            f"--split-mode {wanted} is not modelled: {NOT_MODELLED[wanted]}. llm-pick "
            "estimates llama.cpp's layer split (-sm layer) only"
        )
    raise InputError(f"--split-mode {value!r}: choose layer (row and tensor are not modelled)")
