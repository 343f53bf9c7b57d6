"""How a model is split across several GPUs (llama.cpp `--split-mode`, docs/methodology.md
"Speed"). Only layer split is estimated: each card holds whole layers and reads only them, one
card after another. Row split is refused, not guessed: llama.cpp's own multi-GPU guide marks it
deprecated ("older row-split tensor-parallel path with comparatively poor performance", PR
#22729, May 2026), and the paired measurements found point both ways (8 x A100: 3.3x slower than
layer split; 2 x RTX A6000 with NVLink: layer split at ~60% of row's speed), so no rule fits
them. The newer `tensor` mode has one paired row (2 x RTX 5060 Ti: 37.1 against 22.1 tok/s)
and is not modelled either."""

from __future__ import annotations

from llm_pick.errors import InputError

LAYER = "layer"  # the only split estimated; llama.cpp's default (`-sm layer`)
NOT_MODELLED = {
    "row": "llama.cpp marks it deprecated, and paired runs go both ways: 3.3x slower than "
    "layer split on 8 x A100, faster on 2 x A6000 with NVLink",
    "tensor": "one paired measurement only, on 2 x RTX 5060 Ti",
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
