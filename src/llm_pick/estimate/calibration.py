"""Per-machine corrections from the user's own llama.cpp runs (`llm-pick calibrate`): the
stored measurements, their checked JSON form, and the correction they make to a speed
estimate. A correction replaces the speed model's efficiencies, it does not add a term:

    decode  tokens/s = measured bandwidth share x card bandwidth / bytes read per step
    prefill tokens/s = measured FLOPS share x card fp16 FLOPS / FLOPs per prompt token

The shares are medians over the user's runs on the same card (preset id) and format family.
They apply only when the whole model is on the card(s), as in the runs. calibrated.py applies
them. Compute buffers read from load logs, with the context and model shape they were sized
for, replace the formula's on the same card for a model of that shape (buffered.py). No
printing."""

from __future__ import annotations

import json
import math
import os
from typing import TYPE_CHECKING, Any

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.errors import InputError

if TYPE_CHECKING:  # pathlib is imported where a Path is used (start-up)
    from pathlib import Path

VERSION = 1
MAX_FILE_BYTES = 4 * 1024**2
MAX_ENTRIES = 10_000
KINDS = ("decode", "prefill")
FAMILIES = ("16-bit", "8-bit", "k-quant", "legacy")


class Measurement(NamedTuple):
    """One llama-bench test turned into a share of the card's peak."""

    device: str  # GPU preset id (data/gpus.yaml)
    family: str  # format family (estimate/speed.py)
    kind: str  # decode | prefill
    tokens_per_second: float
    efficiency: float  # decode: share of memory bandwidth; prefill: share of fp16 FLOPS
    quant: str  # "q4_k_m"
    model_type: str  # llama-bench's model_type ("qwen2 7B Q4_K - Medium")
    model: str | None  # the catalog id it matched, if any
    source: str  # the file it came from (name only)


class Buffers(NamedTuple):
    """One device's compute buffer in one load log, and what it was sized for (None / empty
    in files written before these were kept: such a buffer is shown, not applied)."""

    device: str  # GPU preset id, or llama.cpp's device name when no preset matched
    device_name: str
    compute_bytes: int
    source: str
    context: int | None = None  # n_ctx
    ubatch: int | None = None  # n_ubatch (None: a build before it: 512)
    flash_attn: bool | None = None
    model_name: str | None = None  # general.name
    shape: tuple[tuple[str, int], ...] = ()  # (n_layer, 32), (n_embd, 4096), ... as printed

    def as_dict(self) -> dict[str, Any]:
        data = self._asdict()
        data["shape"] = dict(self.shape)
        return data


class Correction(NamedTuple):
    decode: float | None
    prefill: float | None
    runs: int


class Calibration(NamedTuple):
    measurements: tuple[Measurement, ...] = ()
    buffers: tuple[Buffers, ...] = ()

    def merged(self, other: Calibration) -> Calibration:
        """Both sets, a measurement or buffer given twice counted once."""
        runs = tuple(dict.fromkeys([*self.measurements, *other.measurements]))
        buffers = tuple(dict.fromkeys([*self.buffers, *other.buffers]))
        return Calibration(runs[-MAX_ENTRIES:], buffers[-MAX_ENTRIES:])

    def correction(self, device: str, family: str) -> Correction | None:
        chosen = [m for m in self.measurements if m.device == device and m.family == family]
        if not chosen:
            return None

        def median(kind: str) -> float | None:
            values = [m.efficiency for m in chosen if m.kind == kind]
            import statistics  # only with a calibration (10 ms of imports otherwise)

            return statistics.median(values) if values else None

        return Correction(median("decode"), median("prefill"), len(chosen))

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "measurements": [m._asdict() for m in self.measurements],
            "buffers": [b.as_dict() for b in self.buffers],
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=True) + "\n"


def config_path() -> Path:
    """$XDG_CONFIG_HOME/llm-pick/calibration.json (default ~/.config)."""
    from pathlib import Path

    base = os.environ.get("XDG_CONFIG_HOME") or ""
    root = Path(base) if os.path.isabs(base) else Path.home() / ".config"
    return root / "llm-pick" / "calibration.json"


def _stored() -> str | None:
    """Where config_path is when a file or link is there, else None (the common case, found
    without importing pathlib: a start-up cost)."""
    base = os.environ.get("XDG_CONFIG_HOME") or ""
    root = base if os.path.isabs(base) else os.path.join(os.path.expanduser("~"), ".config")
    where = os.path.join(root, "llm-pick", "calibration.json")
    return where if os.path.lexists(where) else None


def _field(entry: dict[str, Any], name: str, kind: type, where: str) -> Any:
    value = entry.get(name)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if value is None and name == "model":
        return None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise InputError(f"{where}: '{name}' must be a {kind.__name__}")
    if isinstance(value, str) and (len(value) > 500 or not value.isprintable()):
        raise InputError(f"{where}: '{name}' is not a short printable text")
    if isinstance(value, float) and not (math.isfinite(value) and value > 0):
        raise InputError(f"{where}: '{name}' must be a positive number")
    return value


def _entries(data: dict[str, Any], key: str, name: str) -> list[dict[str, Any]]:
    items = data.get(key, [])
    if not isinstance(items, list) or len(items) > MAX_ENTRIES:
        raise InputError(f"{name}: '{key}' must be a list of at most {MAX_ENTRIES} entries")
    if not all(isinstance(item, dict) for item in items):
        raise InputError(f"{name}: every entry of '{key}' must be an object")
    return items


def _measurement(entry: dict[str, Any], where: str) -> Measurement:
    if set(entry) != set(Measurement._fields):
        raise InputError(f"{where}: fields must be {', '.join(Measurement._fields)}")
    types = {"tokens_per_second": float, "efficiency": float}
    values = {n: _field(entry, n, types.get(n, str), where) for n in Measurement._fields}
    found = Measurement(**values)
    if found.kind not in KINDS or found.family not in FAMILIES:
        raise InputError(f"{where}: unknown kind or format family")
    if found.kind == "decode" and found.efficiency > 1:
        raise InputError(f"{where}: a decode efficiency above 1 beats the memory bandwidth")
    if found.efficiency > 10:
        raise InputError(f"{where}: efficiency {found.efficiency:g} is implausible")
    return found


_REQUIRED = ("device", "device_name", "compute_bytes", "source")
SHAPE_KEYS = ("n_layer", "n_embd", "n_vocab", "n_head", "n_head_kv", "n_ff")


def _count(value: Any, where: str, name: str, limit: int = 2**50) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < limit:
        raise InputError(f"{where}: '{name}' must be a positive whole number")
    return value


def _buffers(entry: dict[str, Any], where: str) -> Buffers:
    if not set(_REQUIRED) <= set(entry) <= set(Buffers._fields):
        raise InputError(f"{where}: fields must be {', '.join(Buffers._fields)}")
    size = entry["compute_bytes"]
    if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size < 2**50:
        raise InputError(f"{where}: 'compute_bytes' must be a byte count")
    texts = {n: _field(entry, n, str, where) for n in ("device", "device_name", "source")}
    name = entry.get("model_name")
    if name is not None:
        name = _field(entry, "model_name", str, where)
    flash = entry.get("flash_attn")
    if flash is not None and not isinstance(flash, bool):
        raise InputError(f"{where}: 'flash_attn' must be true, false or null")
    shape = entry.get("shape", {})
    if not isinstance(shape, dict) or not set(shape) <= set(SHAPE_KEYS):
        raise InputError(f"{where}: 'shape' must map {', '.join(SHAPE_KEYS)} to numbers")
    sizes = {key: _count(value, where, f"shape.{key}", 2**32) for key, value in shape.items()}
    return Buffers(
        compute_bytes=size,
        context=_count(entry.get("context"), where, "context", 2**32),
        ubatch=_count(entry.get("ubatch"), where, "ubatch", 2**32),
        flash_attn=flash,
        model_name=name,
        shape=tuple((key, int(sizes[key] or 0)) for key in SHAPE_KEYS if key in sizes),
        **texts,
    )


def parse_calibration(text: str, name: str) -> Calibration:
    """A stored calibration, checked field by field; InputError names what is wrong."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise InputError(f"{name}: not valid JSON ({error})") from None
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise InputError(f"{name}: not an llm-pick calibration file (version {VERSION})")
    if set(data) - {"version", "measurements", "buffers"}:
        raise InputError(
            f"{name}: unknown top-level keys (expected version, measurements, buffers)"
        )
    runs = [
        _measurement(entry, f"{name}: measurements[{i}]")
        for i, entry in enumerate(_entries(data, "measurements", name))
    ]
    buffers = [
        _buffers(entry, f"{name}: buffers[{i}]")
        for i, entry in enumerate(_entries(data, "buffers", name))
    ]
    return Calibration(tuple(runs), tuple(buffers))


def load_calibration(path: Path | None = None) -> Calibration | None:
    """The user's calibration, None when there is none; InputError when it cannot be used
    (not a regular file, too large, not ours)."""
    from llm_pick.catalog.read import read_input

    if path is None and _stored() is None:
        return None
    where = path or config_path()
    if not where.exists() and not where.is_symlink():
        return None
    try:
        raw = read_input(str(where), MAX_FILE_BYTES)
    except InputError:
        raise
    except Exception as error:  # CatalogError and the like: one line with the reason
        raise InputError(f"calibration file {error}") from None
    if len(raw) >= MAX_FILE_BYTES:
        raise InputError(f"{where}: larger than {MAX_FILE_BYTES // 1024**2} MiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{where}: not UTF-8 text") from None
    return parse_calibration(text, str(where))
