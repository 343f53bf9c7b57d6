"""Reading a user's own llama.cpp measurements: llama-bench output (markdown table, JSON,
JSONL, CSV) and load logs (their buffer lines). Fields are read by name and every one is
optional: they changed between builds (tools/llama-bench/llama-bench.cpp). Pure parsing."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.errors import InputError

MIB = 1024**2
_SIZE_UNITS = {"B": 1, "KiB": 1024, "MiB": MIB, "GiB": 1024**3, "TiB": 1024**4}
_PARAM_UNITS = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}


class BenchRun(NamedTuple):
    """One llama-bench test (one row): what llm-pick needs of it, None where not given."""

    kind: str  # "decode" (tgN), "prefill" (ppN) or "mixed" (ppN+tgM)
    tokens_per_second: float
    model_type: str | None = None  # "qwen2 7B Q4_K - Medium"
    model_filename: str | None = None
    model_size: int | None = None  # bytes of tensors
    model_n_params: int | None = None
    gpu_info: str | None = None  # "NVIDIA GeForce RTX 4080" (several joined by ", " or "/")
    backends: str | None = None  # "CUDA", "Vulkan", "CUDA,RPC", "CPU"
    n_gpu_layers: int | None = None
    n_depth: int = 0
    build: str | None = None
    host_parts: bool = False  # KV cache (-nkvo) or some tensors (-ot, --n-cpu-moe) kept in RAM


class BufferLine(NamedTuple):
    """One `<DEV> <what> buffer size = X MiB` line of a llama.cpp load log."""

    device: str  # "CUDA0", "CUDA_Host", "CPU_Mapped", "ROCm0_Split", "RPC0[...]"
    what: str  # "model", "KV", "compute", "output"
    bytes: int


class LoadLog(NamedTuple):
    buffers: tuple[BufferLine, ...]
    device_names: dict[str, str]  # "CUDA0" -> "NVIDIA GeForce RTX 5090"
    setup: LogSetup | None = None  # what the compute buffers were sized for


class LogSetup(NamedTuple):
    """The context a load log's compute buffers were sized for, and the model's shape as
    llama.cpp printed it (print_info / llm_load_print_meta), None where not printed."""

    context: int | None
    ubatch: int | None  # None: a build before n_ubatch (its buffers sized for -b, 512)
    flash_attn: bool  # a build before flash attention, or flash_attn = 0: off
    model_name: str | None  # general.name
    shape: tuple[tuple[str, int], ...]  # ("n_embd", 4096), ("n_layer", 32), ...


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,20}", value.strip()):
        return int(value.strip())
    return None


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def _text(value: Any) -> str | None:
    return value.strip()[:500] if isinstance(value, str) and value.strip() else None


def _kind(n_prompt: int, n_gen: int) -> str | None:
    if n_gen > 0 and n_prompt == 0:
        return "decode"
    if n_prompt > 0 and n_gen == 0:
        return "prefill"
    return "mixed" if n_prompt > 0 and n_gen > 0 else None


def run_from_fields(fields: dict[str, Any]) -> BenchRun | None:
    """A run from a JSON object or CSV row (keys as llama-bench names them)."""
    speed = _float(fields.get("avg_ts"))
    kind = _kind(_int(fields.get("n_prompt")) or 0, _int(fields.get("n_gen")) or 0)
    if speed is None or speed <= 0 or kind is None:
        return None
    commit, number = _text(fields.get("build_commit")), _int(fields.get("build_number"))
    backends = _text(fields.get("backends"))
    if backends is None:  # 2023 builds: one true/false field per backend
        legacy = [n.upper() for n in ("cuda", "metal", "opencl", "vulkan") if fields.get(n) is True]
        backends = ",".join(legacy) or ("CPU" if fields.get("cuda") is False else None)
    return BenchRun(
        kind=kind,
        tokens_per_second=speed,
        model_type=_text(fields.get("model_type")),
        model_filename=_text(fields.get("model_filename")),
        model_size=_int(fields.get("model_size")),
        model_n_params=_int(fields.get("model_n_params")),
        gpu_info=_text(fields.get("gpu_info")),
        backends=backends,
        n_gpu_layers=_int(fields.get("n_gpu_layers")),
        n_depth=_int(fields.get("n_depth")) or 0,
        build=None if commit is None else f"{commit} ({number})" if number else commit,
        host_parts=_host_parts(
            fields.get("no_kv_offload"),
            fields.get("n_cpu_moe"),
            fields.get("tensor_buft_overrides"),
        ),
    )


def _host_parts(no_kv_offload: Any, n_cpu_moe: Any, overrides: Any) -> bool:
    """Whether part of the model stays in system RAM (values as JSON, CSV or markdown give
    them: true / "1", a count, an override list; "none" or "0" when unset)."""
    kv = no_kv_offload is True or str(no_kv_offload).strip() == "1"
    moe = (_int(n_cpu_moe) or 0) > 0
    kept = _text(overrides)
    return kv or moe or (kept is not None and kept.lower() not in ("none", "-"))


def _json_runs(text: str) -> list[BenchRun] | None:
    start = re.search(r"^[ \t]*[\[{]", text, flags=re.M)  # banner lines may come first
    if start is None:
        return None
    body = text[start.start() :]
    try:
        data = json.loads(body)
        objects = data if isinstance(data, list) else [data]
    except (json.JSONDecodeError, RecursionError):
        objects = []
        for line in body.splitlines():  # JSONL: one object a line
            try:
                objects.append(json.loads(line))
            except (json.JSONDecodeError, RecursionError):
                continue
        if not objects:
            return None
    return [r for o in objects if isinstance(o, dict) and (r := run_from_fields(o))]


def _csv_runs(text: str) -> list[BenchRun] | None:
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    at = next((i for i, line in enumerate(lines) if "avg_ts" in line and "," in line), None)
    if at is None:
        return None
    rows = csv.DictReader(io.StringIO("\n".join(lines[at:])))
    # a row with more values than the header has names is misaligned: skipped
    return [r for row in rows if None not in row and (r := run_from_fields(dict(row)))]


def _amount(text: str, units: dict[str, float] | dict[str, int]) -> float | None:
    match = re.fullmatch(r"([\d.]+)\s*([A-Za-z]+)", text.strip())
    if not match or match.group(2) not in units:
        return None
    return _float(match.group(1)) and float(match.group(1)) * units[match.group(2)]


def _md_row(header: list[str], cells: list[str]) -> BenchRun | None:
    if len(cells) != len(header):  # an unaligned row: take the ends, which do not move
        if len(cells) < len(header):
            return None
        cells = [*cells[:4], *cells[len(cells) - (len(header) - 4) :]]
    row = dict(zip(header, cells, strict=True))
    test = re.fullmatch(r"(pp|tg)\s*(\d+)(?:\+tg(\d+))?(?:\s*@\s*d(\d+))?", row.get("test", ""))
    speed = re.match(r"\s*([\d.]+)", row.get("t/s", ""))
    if not test or not speed:
        return None
    n = int(test.group(2))
    kind = "mixed" if test.group(3) else "decode" if test.group(1) == "tg" else "prefill"
    if n <= 0:
        return None
    size = _amount(row.get("size", ""), _SIZE_UNITS)
    params = _amount(row.get("params", ""), _PARAM_UNITS)
    return BenchRun(
        kind=kind,
        tokens_per_second=float(speed.group(1)),
        model_type=_text(row.get("model")),
        model_size=None if size is None else int(size),
        model_n_params=None if params is None else int(params),
        backends=_text(row.get("backend")),
        n_gpu_layers=_int(row.get("ngl")),
        n_depth=int(test.group(4) or 0),
        host_parts=_host_parts(row.get("nkvo"), row.get("n_cpu_moe"), row.get("ot")),
    )


def _md_runs(text: str) -> tuple[list[BenchRun], str | None] | None:
    runs: list[BenchRun] = []
    header: list[str] | None = None
    devices: dict[str, str] = {}  # the ggml_cuda_init banner, repeated before each run
    for index, device in _CUDA_INIT.findall(text):
        devices.setdefault(index, device.strip())
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("|"):
            header = None if not stripped.startswith("build:") else header
            continue
        cells = [c.strip() for c in stripped.strip("|").split("|")]
        if "t/s" in cells and "test" in cells:
            header = cells
        elif header and not set("".join(cells)) <= set("-: "):
            run = _md_row(header, cells)
            if run is not None:
                runs.append(run)
    if not runs:
        return None
    gpu_info = ", ".join(devices.values()) if devices else None
    return [r._replace(gpu_info=gpu_info) for r in runs], gpu_info


def parse_bench(text: str, name: str) -> list[BenchRun]:
    """Every test in one llama-bench output, whatever its form (banner lines around the
    output are skipped); InputError when the file holds none."""
    stripped = text.lstrip()
    if "| test" in text or re.search(r"^\|.*\bt/s\b", text, flags=re.M):
        markdown = _md_runs(text)
        if markdown:
            return markdown[0]
    for reader in (_json_runs, _csv_runs) if stripped[:1] in "[{" else (_csv_runs, _json_runs):
        runs = reader(text)
        if runs:
            return runs
    raise InputError(
        f"{name}: no llama-bench results found (expected its markdown table, JSON, JSONL or "
        "CSV output, or a llama.cpp load log)"
    )


_BUFFER = re.compile(
    r"(?:^|\s)(?P<dev>[A-Za-z][\w]*(?:\[[^\]\s]*\])?)\s+(?P<what>model|KV|compute|output)\s+"
    r"buffer size\s*=\s*(?P<num>\d+(?:[.,]\d+)?)\s*MiB"
)
_OLD_BUFFER = re.compile(
    r"llm_load_tensors:\s+(?P<dev>[A-Za-z]\w*)\s+buffer size\s*=\s*(?P<num>\d+(?:[.,]\d+)?)\s*MiB"
)
_USING = re.compile(r"using device (?P<dev>\w+) \((?P<name>[^)]+)\)")
_CUDA_INIT = re.compile(r"^\s*Device (?P<i>\d+): (?P<name>[^,\n]+),", flags=re.M)


def parse_load_log(text: str) -> LoadLog | None:
    """The buffer lines of a llama.cpp load log; for each device and kind the last line
    counts (a --fit planning pass prints figures before the real load). None when none."""
    found: dict[tuple[str, str], int] = {}
    for line in text.splitlines():
        match = _BUFFER.search(line)
        what = match.group("what") if match else "model"
        match = match or _OLD_BUFFER.search(line)
        if match:
            mib = float(match.group("num").replace(",", "."))
            found[(match.group("dev"), what)] = int(mib * MIB)
    if not found:
        return None
    names = {m.group("dev"): m.group("name").strip() for m in _USING.finditer(text)}
    for match in _CUDA_INIT.finditer(text):
        names.setdefault(f"CUDA{match.group('i')}", match.group("name").strip())
    buffers = tuple(BufferLine(dev, what, size) for (dev, what), size in found.items())
    return LoadLog(buffers, names, _setup(text))


_CONTEXT = re.compile(r"(?:llama_context|llama_new_context_with_model):\s+n_ctx\s*=\s*(\d+)")
_UBATCH = re.compile(r"(?:llama_context|llama_new_context_with_model):\s+n_ubatch\s*=\s*(\d+)")
_FLASH = re.compile(
    r"flash_attn\s*=\s*(\w+)|Flash Attention (?:was auto, set to )?(enabled|disabled)"
)
_NAME = re.compile(r"(?:print_info|llm_load_print_meta):\s+general\.name\s*=\s*(.+)")
SHAPE_KEYS = ("n_layer", "n_embd", "n_vocab", "n_head", "n_head_kv", "n_ff")
_SHAPE = re.compile(
    r"(?:print_info|llm_load_print_meta):\s+(" + "|".join(SHAPE_KEYS) + r")\s*=\s*(\d+)\s*$",
    flags=re.M,
)


def _setup(text: str) -> LogSetup | None:
    """n_ctx, n_ubatch, flash attention and the model's shape; the last value of each counts,
    as for the buffers. None when the log does not say its context."""
    contexts = _CONTEXT.findall(text)
    if not contexts:
        return None
    ubatch = _UBATCH.findall(text)
    flash = False
    for match in _FLASH.finditer(text):
        word = (match.group(1) or match.group(2)).lower()
        if word != "auto":  # "auto" is followed by the choice made
            flash = word in ("1", "on", "true", "enabled")
    names = _NAME.findall(text)
    shape = dict((key, int(value)) for key, value in _SHAPE.findall(text))
    return LogSetup(
        context=int(contexts[-1]),
        ubatch=int(ubatch[-1]) if ubatch else None,
        flash_attn=flash,
        model_name=names[-1].strip()[:200] if names else None,
        shape=tuple((key, shape[key]) for key in SHAPE_KEYS if key in shape),
    )
