"""What a fit verdict holds: each card's share (Card) and the verdict with its figures
(Fit). estimate/fit.py decides them."""

from __future__ import annotations

from typing import Literal

from llm_pick.catalog.tuples import NamedTuple

# A multimodal projector (mmproj) is loaded whole on the first GPU device, whatever the layer
# split: llama.cpp tools/mtmd/clip.cpp, clip_ctx, ggml_backend_init_by_type(GPU) (the first
# device of that type; commit 0024aa74), unless --no-mmproj-offload keeps it on the CPU.
PROJECTOR_CARD = 0

Verdict = Literal["gpu", "offload", "cpu", "none"]


class Card(NamedTuple):
    """What one GPU holds: whole decoder layers with their KV cache, its own CUDA context and
    compute buffer, and (on the last card, when every layer is on the GPUs) the output head."""

    layers: int
    weights_bytes: int
    kv_cache_bytes: int
    overhead_bytes: int  # CUDA context + compute buffer
    capacity_bytes: int  # usable memory of the card
    headroom_bytes: int  # kept free
    training_bytes: int = 0  # fine-tuning: this card's gradients, optimizer, activations
    encoder_bytes: int = 0  # of weights_bytes, a multimodal projector (not read per token)

    @property
    def total_bytes(self) -> int:
        return self.weights_bytes + self.kv_cache_bytes + self.overhead_bytes + self.training_bytes

    def as_dict(self) -> dict[str, int]:
        data = {
            "layers": self.layers,
            "weights_bytes": self.weights_bytes,
            "kv_cache_bytes": self.kv_cache_bytes,
            "overhead_bytes": self.overhead_bytes,
            "total_bytes": self.total_bytes,
            "capacity_bytes": self.capacity_bytes,
            "headroom_bytes": self.headroom_bytes,
        }
        if self.training_bytes:
            data["training_bytes"] = self.training_bytes
        if self.encoder_bytes:
            data["encoder_bytes"] = self.encoder_bytes
        return data


class Offload(NamedTuple):
    """A fine-tune with its optimizer on the CPU (ZeRO-Offload, estimate/trainfit.py): one card's
    share without the Adam state, and the system RAM that state and its step need."""

    per_card_bytes: int  # one card's share, the Adam state gone from the cards
    offloaded_bytes: int  # the Adam state moved to system RAM (all cards' shares)
    ram_bytes: int  # at least: that state and the fp32 gradients its CPU step reads
    ram_free_bytes: int | None  # --ram less its headroom; None: --ram not given
    source: str

    @property
    def ram_holds(self) -> bool | None:
        return None if self.ram_free_bytes is None else self.ram_bytes <= self.ram_free_bytes

    def as_dict(self) -> dict[str, object]:
        return {
            "per_card_bytes": self.per_card_bytes,
            "offloaded_bytes": self.offloaded_bytes,
            "ram_bytes": self.ram_bytes,
            "ram_free_bytes": self.ram_free_bytes,
            "ram_holds": self.ram_holds,
            "source": self.source,
        }


class Fit(NamedTuple):
    verdict: Verdict
    needed_bytes: int  # on the GPUs (all cards); in RAM for a CPU-only run
    available_bytes: int  # usable GPU memory, all cards (RAM for a CPU-only run)
    gpu_layers: int  # decoder layers on the GPU (all when verdict is gpu)
    layers: int
    cpu_bytes: int  # bytes in system RAM (offload, cpu)
    margin_bytes: int  # spare after the headroom: GPU (gpu), RAM (offload, cpu); < 0 short
    headroom_bytes: int = 0  # kept free on the GPUs (all cards), or in RAM for CPU-only
    cards: tuple[Card, ...] = ()
    cpu_moe_layers: int = 0  # llama.cpp --n-cpu-moe: routed experts of the first N layers in RAM
    cpu_read_bytes: int = 0  # of the weights read per token, those read from RAM (expert offload)
    sharding: str = ""  # fine-tuning: "none" (one card, or every card a full copy), "zero3"
    options: tuple[str, ...] = ()  # fine-tuning: what would bring it within the cards
    offload: Offload | None = None  # fine-tuning: ZeRO-Offload, where it brings it within

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "verdict": self.verdict,
            "needed_bytes": self.needed_bytes,
            "available_bytes": self.available_bytes,
            "margin_bytes": self.margin_bytes,
            "headroom_bytes": self.headroom_bytes,
            "gpu_layers": self.gpu_layers,
            "layers": self.layers,
            "cpu_bytes": self.cpu_bytes,
            "cards": [card.as_dict() for card in self.cards],
        }
        if self.cpu_moe_layers:
            data["cpu_moe_layers"] = self.cpu_moe_layers
        if self.sharding:
            data["sharding"] = self.sharding
            data["options"] = list(self.options)
        if self.offload is not None:
            data["zero_offload"] = self.offload.as_dict()
        return data
