"""Hardware detection: GPU memory from nvidia-smi, rocm-smi or Apple's sysctl, and system RAM
from /proc/meminfo (or sysctl on macOS). No printing.

Every detection has one time limit for all the tools it tries; each tool runs in its own
process group (killed when it is done, so nothing it started is left running) with a cap on
what it may print. Its values are checked against the same limits as --vram and --gpus, and
the names it reports are made safe to print. A missing tool is skipped; a broken one is
noted and the next tool tried; when none answers, one InputError says what each one did.
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
from typing import TYPE_CHECKING

from llm_pick.catalog.cardmatch import match_card, memory_note
from llm_pick.catalog.tuples import NamedTuple
from llm_pick.errors import InputError, LlmPickError
from llm_pick.estimate.limits import GIB, MAX_GIB, MAX_GPUS

if TYPE_CHECKING:
    from llm_pick.catalog.filetypes import Gpu

TIMEOUT_SECONDS = 5.0  # for one detection in all (every tool it tries)
MAX_OUTPUT_BYTES = 256 * 1024
MAX_NAME = 80  # characters of a detected name kept for display
MEMINFO = Path("/proc/meminfo")
# macOS lets the GPU wire about 75% of unified memory unless iogpu.wired_limit_mb raises it:
# "the recommended max working set from macOS ... which is 75% of total RAM" (GPUStack issue
# #1375, cited in data/gpus.yaml). A matched preset's own measured fraction is used instead.
APPLE_DEFAULT_FRACTION = 0.75
APPLE_SMALL_FRACTION = 2 / 3  # 32 GB and less: recommendedMaxWorkingSetSize in llama.cpp logs


def apple_share(total_bytes: int) -> float:
    """macOS's default GPU working set: 2/3 of RAM up to 32 GB, 3/4 above (data/gpus.yaml
    Apple notes: logs of 16 and 32 GB machines print 2/3, 36 GB and more 3/4)."""
    return APPLE_SMALL_FRACTION if total_bytes <= 32 * GIB else APPLE_DEFAULT_FRACTION


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


def run_tool(
    args: list[str],
    *,
    timeout: float | None = None,
    limit: int | None = None,
    deadline: float | None = None,
) -> str:
    """stdout of a tool as text; ToolError when it is missing, fails, hangs past the time
    limit or `deadline` (time.monotonic()), prints more than `limit` bytes, or prints
    something not text. Reading stops when the tool exits (a child it left behind holding
    stdout does not keep us waiting), and its whole process group is killed in every case."""
    limit = MAX_OUTPUT_BYTES if limit is None else limit
    exe = shutil.which(args[0])
    if exe is None:
        raise FileNotFoundError(args[0])
    start = time.monotonic()
    end = start + (TIMEOUT_SECONDS if timeout is None else timeout)
    end = end if deadline is None else min(end, deadline)
    if end <= start:
        raise ToolError(f"not run: the {TIMEOUT_SECONDS:g} s time limit of detection was used up")
    try:
        proc = subprocess.Popen(
            [exe, *args[1:]],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: killed with everything it started
        )
    except OSError as error:
        raise ToolError(f"could not be started ({error.strerror or error})") from None
    try:
        raw, problem = _read_until_exit(proc, end, limit)
    finally:
        _kill(proc)  # children left behind die too; the tool itself is reaped
    if problem == "time":
        raise ToolError(f"did not finish within {end - start:.2g} s (stopped)")
    if problem == "size":
        raise ToolError(f"printed more than {limit // 1024} KiB (stopped)")
    if proc.returncode != 0:
        raise ToolError(f"failed with exit code {proc.returncode}")
    return _text(raw)


def _read_until_exit(proc: subprocess.Popen[bytes], end: float, limit: int) -> tuple[bytes, str]:
    """What the tool printed until stdout closed or the tool exited, and "" or the problem
    that stopped the reading ("time" or "size")."""
    import selectors

    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    os.set_blocking(fd, False)
    chunks: list[bytes] = []
    size = 0
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return b"".join(chunks), "time"
            exited = _exited(proc)  # checked before reading: what it printed is all there
            if selector.select(min(left, 0.05)):
                try:
                    while chunk := os.read(fd, 65536):
                        chunks.append(chunk)
                        size += len(chunk)
                        if size > limit:
                            return b"", "size"
                    return b"".join(chunks), ""  # end of file: stdout closed
                except BlockingIOError:
                    pass  # all that was there is read
            if exited:
                return b"".join(chunks), ""


def _exited(proc: subprocess.Popen[bytes]) -> bool:
    """Whether the tool has exited, left unreaped where the system allows it (so its process
    group id cannot be reused by another process before the group is killed)."""
    waitid = getattr(os, "waitid", None)
    if waitid is None:  # macOS: no waitid
        return proc.poll() is not None
    try:
        return waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):  # SIGKILL cannot be ignored
        proc.wait(timeout=5)
    if proc.stdout is not None:
        proc.stdout.close()


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


def _preset(name: str, memory_bytes: int | None = None) -> Gpu | None:
    """The preset of a detected card: the variant with its memory (catalog/cardmatch.py),
    else what the name alone matches."""
    from llm_pick.catalog.gpus import find_gpu, load_gpus

    if memory_bytes is not None and (found := match_card(name, memory_bytes, load_gpus())):
        return found
    try:
        return find_gpu(name)
    except LlmPickError:
        return None


def preset_of(card: Card) -> Gpu | None:
    return _preset(card.name, card.memory_bytes)


# ---- the GPU detectors ------------------------------------------------------------------


def nvidia(deadline: float | None = None) -> Detection:
    command = ["nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"]
    lines = [line for line in run_tool(command, deadline=deadline).splitlines() if line.strip()]
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
    preset = preset_of(found[0])
    notes = memory_note(found[0].name, found[0].memory_bytes, preset)
    return Detection(tool, " ".join(command), found, smallest, rule, preset, notes)


def rocm(deadline: float | None = None) -> Detection:
    import json

    command = ["rocm-smi", "--showmeminfo", "vram", "--showproductname", "--json"]
    try:
        data = json.loads(run_tool(command, deadline=deadline))
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


def apple(deadline: float | None = None) -> Detection:
    brand = run_tool(["sysctl", "-n", "machdep.cpu.brand_string"], deadline=deadline).strip()
    if not brand.startswith("Apple"):
        raise ToolError(f"reports CPU {clean_name(brand)!r}, not Apple Silicon")
    memsize = run_tool(["sysctl", "-n", "hw.memsize"], deadline=deadline)
    total = checked_bytes(_number(memsize, "hw.memsize"), "RAM")
    name = clean_name(brand)
    preset = _preset(name, total)
    notes = list(memory_note(name, total, preset))
    limit_mb = 0.0
    try:
        wired = run_tool(["sysctl", "-n", "iogpu.wired_limit_mb"], deadline=deadline)
        limit_mb = _number(wired, "wired limit")
    except (ToolError, FileNotFoundError):
        notes.append("iogpu.wired_limit_mb not readable (older macOS): the default limit is used")
    if math.isfinite(limit_mb) and limit_mb > 0:
        usable = min(total, checked_bytes(limit_mb * MIB, "iogpu.wired_limit_mb"))
        how = f"iogpu.wired_limit_mb = {limit_mb:.0f}"
    elif preset is not None and preset.usable_memory_fraction and preset.memory_gib * GIB == total:
        usable = int(total * preset.usable_memory_fraction)
        how = f"{preset.usable_memory_fraction:g} of unified memory (preset {preset.id})"
    else:
        share = apple_share(total)
        usable = int(total * share)
        how = f"{share:.3g} of unified memory (macOS default working set)"
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
    deadline = time.monotonic() + TIMEOUT_SECONDS
    for tool, detector in DETECTORS:
        try:
            found = detector(deadline)
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
