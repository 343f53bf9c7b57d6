"""Can llama.cpp's row and tensor split be estimated? The paired rows say (issue 20 §2).

    python bench/splitmode.py

Reads bench/data/split_mode_pairs.yaml: decode tok/s of layer split and of row or tensor split on
the same machine, model and build. Prints each pair's ratio (other / layer) with its set (the
sha256 URL rule of bench/prefill_rows.py), checks the physical bound (split over N cards, decode
reads at most N cards' bandwidth at once: ratio <= N), and tries the two simplest estimates on
the fit rows, scored on the held-out ones:

- a constant ratio per mode (the median fit ratio times the layer-split speed);
- the row/tensor step as the physics puts it: the layer-split step shared by N cards plus a
  synchronisation cost per layer, t_other = t_layer / N + layers x SYNC, SYNC the median over fit
  rows with a sourced layer count. Printed only when such fit rows exist.

The estimate would ship only if its held-out decode errors met issue 20's targets (median <= 10%,
worst <= 35%); `verdict` says whether they do.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path
from typing import Any, NamedTuple

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import prefill_rows

PAIRS = Path(__file__).resolve().parent / "data" / "split_mode_pairs.yaml"
MEDIAN_TARGET, WORST_TARGET = 0.10, 0.35  # issue 20, "Done when"


class Pair(NamedTuple):
    id: str
    set: str
    mode: str
    cards: int | None
    layers: int | None
    layer_tps: float
    other_tps: float

    @property
    def ratio(self) -> float:
        return self.other_tps / self.layer_tps

    def sync_seconds(self) -> float | None:
        """The per-layer cost the physics form implies for this pair (None without cards or
        layers)."""
        if self.cards is None or self.layers is None:
            return None
        return (1 / self.other_tps - 1 / (self.layer_tps * self.cards)) / self.layers


def load_pairs(path: Path = PAIRS) -> list[Pair]:
    raws: list[dict[str, Any]] = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)["pairs"]
    return [
        Pair(r["id"], r["set"], r["mode"], r["cards"], r["layers"], r["layer_tps"], r["other_tps"])
        for r in raws
    ]


def errors(pairs: list[Pair], predict: dict[str, float]) -> list[float]:
    """|estimated - measured| / measured with a constant ratio per mode (modes without a fit
    ratio are skipped)."""
    return [
        abs(predict[p.mode] * p.layer_tps - p.other_tps) / p.other_tps
        for p in pairs
        if p.mode in predict
    ]


def constant_ratios(pairs: list[Pair]) -> dict[str, float]:
    modes = {p.mode for p in pairs if p.set == "fit"}
    return {
        m: statistics.median(p.ratio for p in pairs if p.set == "fit" and p.mode == m)
        for m in modes
    }


def verdict(pairs: list[Pair]) -> dict[str, tuple[int, float, float] | None]:
    """Per mode: (held-out rows, median, worst) of the constant-ratio estimate, None when no
    fit row or no held-out row exists for the mode."""
    ratios = constant_ratios(pairs)
    out: dict[str, tuple[int, float, float] | None] = {}
    for mode in sorted({p.mode for p in pairs}):
        held = [p for p in pairs if p.set == "test" and p.mode == mode]
        errs = errors(held, ratios) if mode in ratios else []
        out[mode] = (len(errs), statistics.median(errs), max(errs)) if errs else None
    return out


def supported(pairs: list[Pair]) -> bool:
    """Whether any mode's held-out errors meet the targets."""
    return any(
        v is not None and v[1] <= MEDIAN_TARGET and v[2] <= WORST_TARGET
        for v in verdict(pairs).values()
    )


def main() -> None:
    pairs = load_pairs()
    print("| pair | set | mode | cards | layer tok/s | other tok/s | ratio | sync per layer |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for p in pairs:
        sync = p.sync_seconds()
        shown = f"{sync * 1e6:.0f} us" if sync is not None else "-"
        cards = p.cards if p.cards is not None else "?"
        print(
            f"| {p.id} | {p.set} | {p.mode} | {cards} | {p.layer_tps:g} | {p.other_tps:g} "
            f"| {p.ratio:.2f} | {shown} |"
        )
    print()
    for mode, ratio in sorted(constant_ratios(pairs).items()):
        fit = errors([p for p in pairs if p.set == "fit" and p.mode == mode], {mode: ratio})
        print(f"{mode}: constant ratio {ratio:.3f} from {len(fit)} fit row(s)")
    for mode, held in verdict(pairs).items():
        if held is None:
            print(f"{mode}: no held-out row can be scored (a fit and a test row are both needed)")
        else:
            n, med, worst = held
            print(f"{mode}: held out {n} rows, median {med:.1%}, worst {worst:.1%}")
    fit_sync = [s for p in pairs if p.set == "fit" and (s := p.sync_seconds()) is not None]
    if not fit_sync:
        print("sync per layer: no fit row has both a card count and a sourced layer count")
    print(
        f"targets met (median <= {MEDIAN_TARGET:.0%}, worst <= {WORST_TARGET:.0%}):",
        supported(pairs),
    )
    wrong = [p.id for p in pairs if p.set != prefill_rows.split_of(_url(p.id))]
    if wrong:
        print("set differs from the URL rule:", ", ".join(wrong))


def _url(pair_id: str) -> str:
    raws = yaml.load(PAIRS.read_text(), Loader=yaml.CSafeLoader)["pairs"]
    return str(next(r["url"] for r in raws if r["id"] == pair_id))


if __name__ == "__main__":
    main()
