"""Hardware detection: GPU memory from nvidia-smi, rocm-smi or Apple's sysctl, and system RAM
from /proc/meminfo (or sysctl on macOS). No printing.

Every tool runs with a time limit (the child and its process group are killed when it is
over) and a cap on what it may print; its values are checked against the same limits as
--vram and --gpus, and the names it reports are made safe to print. A missing tool is
skipped; a broken one is noted and the next tool tried; when none answers, one InputError
says what each one did.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from llm_pick.errors import InputError, LlmPickError
from llm_pick.estimate.limits import GIB, MAX_GIB, MAX_GPUS

if TYPE_CHECKING:
    from llm_pick.catalog.filetypes import Gpu

TIMEOUT_SECONDS = 10.0
MAX_OUTPUT_BYTES = 256 * 1024
MAX_NAME = 80  # characters of a detected name kept for display
MEMINFO = Path("/proc/meminfo")
# macOS lets the GPU wire about 75% of unified memory unless iogpu.wired_limit_mb raises it:
# "the recommended max working set from macOS ... which is 75% of total RAM" (GPUStack issue
# #1375, cited in data/gpus.yaml). A matched preset's own measured fraction is used instead.
APPLE_DEFAULT_FRACTION = 0.75
MIB = 1024**2
# control characters shown as \xNN (as render/safe.py does for every output)
_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0, 32), *range(127, 160)]}


class ToolError(Exception):
    """A detector ran but its answer cannot be used (message says why)."""


class Card(NamedTuple):
    name: str
    memory_bytes: int


class Detection(NamedTuple):
    """What a GPU detector found and what it means for sizing."""

    tool: str
    command: str
    cards: tuple[Card, ...]
    usable_bytes: int  # per card: what a model may use
    usable_note: str
    gpu: Gpu | None = None  # the matching preset (bandwidth, fp16 TFLOPS)
    notes: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.cards[0].name

    @property
    def usable_gib(self) -> float:
        return self.usable_bytes / GIB


class RamDetection(NamedTuple):
    source: str
    total_bytes: int
    available_bytes: int | None  # None when the source does not say

    @property
    def usable_bytes(self) -> int:
        return self.total_bytes if self.available_bytes is None else self.available_bytes


# ---- running a tool ---------------------------------------------------------------------


def run_tool(args: list[str], *, timeout: float | None = None, limit: int | None = None) -> str:
    """stdout of a tool as text; ToolError when it is missing, fails, hangs past the time
    limit (it is killed), prints more than `limit` bytes, or prints something not text."""
    timeout = TIMEOUT_SECONDS if timeout is None else timeout
    limit = MAX_OUTPUT_BYTES if limit is None else limit
    exe = shutil.which(args[0])
    if exe is None:
        raise FileNotFoundError(args[0])
    try:
        proc = subprocess.Popen(
            [exe, *args[1:]],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: a timeout kills its children too
        )
    except OSError as error:
        raise ToolError(f"could not be started ({error.strerror or error})") from None
    assert proc.stdout is not None
    chunks: list[bytes] = []
    size = 0
    problem = None
    deadline = time.monotonic() + timeout
    try:
        import selectors

        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ)
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    problem = f"did not finish within {timeout:g} s (stopped)"
                    break
                if not selector.select(left):
                    continue
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    problem = f"printed more than {limit // 1024} KiB (stopped)"
                    break
    finally:
        if problem is not None:
            _kill(proc)
        proc.stdout.close()
    try:
        code = proc.wait(timeout=max(0.1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise ToolError(f"did not finish within {timeout:g} s (stopped)") from None
    if problem is not None:
        raise ToolError(problem)
    if code != 0:
        raise ToolError(f"failed with exit code {code}")
    return _text(b"".join(chunks))


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):  # SIGKILL cannot be ignored
        proc.wait(timeout=5)


def _text(raw: bytes) -> str:
    if b"\0" in raw:
        raise ToolError("printed binary data")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ToolError("printed binary data (not UTF-8 text)") from None


def clean_name(text: str) -> str:
    """A detected name made safe to print: control characters shown, length capped."""
    name = " ".join(text.translate(_CONTROL).split())
    return name if len(name) <= MAX_NAME else name[: MAX_NAME - 3] + "..."


def checked_bytes(value: float, what: str) -> int:
    """A memory size in bytes within the --vram limits (finite, > 0, at most MAX_GIB)."""
    if not math.isfinite(value) or value <= 0:
        raise ToolError(f"reports {what} of {value!r}: not a positive size")
    if value > MAX_GIB * GIB:
        raise ToolError(f"reports {what} of {value / GIB:.3g} GiB: over the {MAX_GIB} GiB limit")
    return int(value)


def _number(text: object, what: str) -> float:
    try:
        number = float(str(text).strip())
    except ValueError:
        raise ToolError(f"reports {what} as {clean_name(str(text))!r}: not a number") from None
    if not str(text).strip().isascii():
        raise ToolError(f"reports {what} with non-ASCII digits")
    return number


def _cards(cards: list[Card]) -> tuple[Card, ...]:
    if not cards:
        raise ToolError("lists no GPU")
    if len(cards) > MAX_GPUS:
        raise ToolError(f"lists {len(cards)} GPUs: more than the --gpus limit of {MAX_GPUS}")
    return tuple(cards)


def _preset(name: str) -> Gpu | None:
    from llm_pick.catalog.gpus import find_gpu

    try:
        return find_gpu(name)
    except LlmPickError:
        return None


# ---- the GPU detectors ------------------------------------------------------------------


def nvidia() -> Detection:
    command = ["nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"]
    lines = [line for line in run_tool(command).splitlines() if line.strip()]
    cards = []
    for line in lines[: MAX_GPUS + 1]:
        label, sep, mib = line.rpartition(",")
        if not sep:
            raise ToolError(f"printed {clean_name(line)!r}, not 'name, MiB'")
        cards.append(Card(clean_name(label), checked_bytes(_number(mib, "memory") * MIB, "memory")))
    return _detection("nvidia-smi", command, cards, "memory.total of the smallest card")


def _detection(tool: str, command: list[str], cards: list[Card], rule: str) -> Detection:
    """Cards read from a tool: usable memory per card is the smallest card's."""
    found = _cards(cards)
    smallest = min(card.memory_bytes for card in found)
    return Detection(tool, " ".join(command), found, smallest, rule, _preset(found[0].name))


def rocm() -> Detection:
    import json

    command = ["rocm-smi", "--showmeminfo", "vram", "--showproductname", "--json"]
    try:
        data = json.loads(run_tool(command))
    except (ValueError, RecursionError):
        raise ToolError("printed something that is not JSON") from None
    if not isinstance(data, dict):
        raise ToolError("printed JSON that is not a mapping of cards")
    cards = []
    for key, values in list(data.items())[: MAX_GPUS + 2]:
        if not (isinstance(key, str) and key.startswith("card") and isinstance(values, dict)):
            continue  # e.g. "system"
        fields = {str(k).lower(): v for k, v in values.items()}
        if "vram total memory (b)" not in fields:
            raise ToolError(f"gives no 'VRAM Total Memory (B)' for {clean_name(key)}")
        size = checked_bytes(_number(fields["vram total memory (b)"], "VRAM"), "VRAM")
        label = fields.get("card series") or fields.get("card model") or key
        cards.append(Card(clean_name(str(label)), size))
    return _detection("rocm-smi", command, cards, "VRAM Total Memory of the smallest card")


def apple() -> Detection:
    brand = run_tool(["sysctl", "-n", "machdep.cpu.brand_string"]).strip()
    if not brand.startswith("Apple"):
        raise ToolError(f"reports CPU {clean_name(brand)!r}, not Apple Silicon")
    total = checked_bytes(_number(run_tool(["sysctl", "-n", "hw.memsize"]), "hw.memsize"), "RAM")
    name = clean_name(brand)
    preset = _preset(name)
    notes = []
    limit_mb = 0.0
    try:
        limit_mb = _number(run_tool(["sysctl", "-n", "iogpu.wired_limit_mb"]), "wired limit")
    except (ToolError, FileNotFoundError):
        notes.append("iogpu.wired_limit_mb not readable (older macOS): the default limit is used")
    if math.isfinite(limit_mb) and limit_mb > 0:
        usable = min(total, checked_bytes(limit_mb * MIB, "iogpu.wired_limit_mb"))
        how = f"iogpu.wired_limit_mb = {limit_mb:.0f}"
    elif preset is not None and preset.usable_memory_fraction and preset.memory_gib * GIB == total:
        usable = int(total * preset.usable_memory_fraction)
        how = f"{preset.usable_memory_fraction:g} of unified memory (preset {preset.id})"
    else:
        usable = int(total * APPLE_DEFAULT_FRACTION)
        how = f"{APPLE_DEFAULT_FRACTION:g} of unified memory (macOS default working set)"
    return Detection(
        "sysctl",
        "sysctl -n machdep.cpu.brand_string hw.memsize iogpu.wired_limit_mb",
        (Card(name, total),),
        usable,
        how,
        preset,
        tuple(notes),
    )


DETECTORS = (("nvidia-smi", nvidia), ("rocm-smi", rocm), ("sysctl", apple))


def detect_gpus() -> Detection:
    """The first detector that answers; InputError naming what each one did when none does."""
    problems = []
    for tool, detector in DETECTORS:
        try:
            found = detector()
        except FileNotFoundError:
            problems.append(f"{tool}: not found")
            continue
        except ToolError as error:
            problems.append(f"{tool}: {error}")
            continue
        notes = tuple(p for p in problems if not p.endswith("not found"))
        return found._replace(notes=found.notes + notes)
    raise InputError(
        "--vram auto: no GPU detected (" + "; ".join(problems) + "); pass --vram GiB or --gpu NAME"
    )


# ---- system RAM -------------------------------------------------------------------------


def detect_ram(meminfo: Path | None = None) -> RamDetection:
    """System RAM from /proc/meminfo (MemTotal, MemAvailable), else sysctl hw.memsize."""
    path = MEMINFO if meminfo is None else meminfo
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_OUTPUT_BYTES + 1)
    except OSError:
        raw = None
    if raw is not None:
        try:
            return _meminfo(raw, str(path))
        except ToolError as error:
            raise InputError(f"--ram auto: {path} {error}; pass --ram GiB") from None
    try:
        total = _number(run_tool(["sysctl", "-n", "hw.memsize"]), "hw.memsize")
        return RamDetection("sysctl hw.memsize", checked_bytes(total, "RAM"), None)
    except FileNotFoundError:
        problem = f"{path} is not readable and sysctl was not found"
    except ToolError as error:
        problem = f"{path} is not readable and sysctl hw.memsize {error}"
    raise InputError(f"--ram auto: {problem}; pass --ram GiB")


def _meminfo(raw: bytes, name: str) -> RamDetection:
    if len(raw) > MAX_OUTPUT_BYTES:
        raise ToolError(f"is larger than {MAX_OUTPUT_BYTES // 1024} KiB")
    values = {}
    for line in _text(raw).splitlines():
        key, sep, rest = line.partition(":")
        parts = rest.split()
        if sep and key in ("MemTotal", "MemAvailable") and parts:
            if len(parts) > 1 and parts[1] != "kB":
                raise ToolError(f"gives {key} in {clean_name(parts[1])!r}, not kB")
            values[key] = checked_bytes(_number(parts[0], key) * 1024, key)
    if "MemTotal" not in values:
        raise ToolError("has no MemTotal line")
    available = values.get("MemAvailable")
    if available is not None and available > values["MemTotal"]:
        raise ToolError("gives MemAvailable above MemTotal")
    return RamDetection(name, values["MemTotal"], available)
