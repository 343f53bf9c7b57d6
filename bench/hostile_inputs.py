"""Time llm-pick on hostile inputs (issue 17): GGUF headers, config.json, safetensors headers,
hardware tools that hang or leave children behind, --min-bits above 16.

    python bench/hostile_inputs.py [--timeout 60] [--only NAME]

Each case runs the installed `llm-pick` next to this interpreter in a fresh process, in a
temporary folder, and prints the wall time, the exit code and the first stderr line. A case
still running at the timeout is killed (with its process group) and shown as such.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from gguf import GGUFValueType as T
from gguf_files import raw_array, raw_header, raw_key, raw_string, write_gguf

Case = Callable[[Path], tuple[list[str], dict[str, str]]]
CASES: dict[str, Case] = {}


def case(name: str) -> Callable[[Case], Case]:
    def add(function: Case) -> Case:
        CASES[name] = function
        return function

    return add


def meta_only(folder: Path, name: str, **extra: tuple[T, object]) -> list[str]:
    path = write_gguf(folder / f"{name}.gguf", tensors=False, extra=dict(extra))
    return ["memory", str(path)]


GGUF_FACTS = {
    "block_count 10^7": {"llama.block_count": (T.UINT32, 10**7)},
    "block_count 2^32-1": {"llama.block_count": (T.UINT32, 2**32 - 1)},
    "block_count -5": {"llama.block_count": (T.INT32, -5)},
    "head_count NaN": {"llama.attention.head_count": (T.FLOAT32, float("nan"))},
    "embedding_length inf": {"llama.embedding_length": (T.FLOAT32, float("inf"))},
    "head_count 0": {"llama.attention.head_count": (T.UINT32, 0)},
    "head_count_kv 0": {"llama.attention.head_count_kv": (T.UINT32, 0)},
    "expert_count 10^9": {
        "llama.expert_count": (T.UINT32, 10**9),
        "llama.expert_used_count": (T.UINT32, 2),
    },
}
for label, keys in GGUF_FACTS.items():
    CASES[f"gguf {label}"] = lambda folder, keys=keys: (
        ["memory", str(write_gguf(folder / "m.gguf", tensors=False, extra=keys))],
        {},
    )


def big(folder: Path, body: bytes, tensors: int = 0, keys: int = 1) -> list[str]:
    path = folder / "big.gguf"
    path.write_bytes(raw_header(tensors=tensors, keys=keys) + body)
    return ["memory", str(path)]


@case("gguf 16M-entry string array (128 MB)")
def strings(folder: Path) -> tuple[list[str], dict[str, str]]:
    count = 16_000_000
    body = raw_key("tokenizer.ggml.tokens", 9, raw_array(8, count, b"\0" * 8 * count))
    return big(folder, body), {}


@case("gguf 3.9M-entry string array (at the item cap)")
def strings_at_cap(folder: Path) -> tuple[list[str], dict[str, str]]:
    count = 3_900_000
    body = raw_key("tokenizer.ggml.tokens", 9, raw_array(8, count, b"\0" * 8 * count))
    return big(folder, body), {}


@case("gguf 100k keys (at the key cap)")
def many_keys(folder: Path) -> tuple[list[str], dict[str, str]]:
    count = 100_000
    body = b"".join(raw_key(f"k{i}", 4, struct.pack("<I", i)) for i in range(count))
    return big(folder, body, keys=count), {}


@case("gguf 10M nested empty arrays (120 MB)")
def nested(folder: Path) -> tuple[list[str], dict[str, str]]:
    count = 10_000_000
    inner = struct.pack("<IQ", 4, 0)
    return big(folder, raw_key("x", 9, raw_array(9, count, inner * count))), {}


def tensor_table(folder: Path, count: int) -> tuple[list[str], dict[str, str]]:
    entry = raw_string("t") + struct.pack("<IQIQ", 1, 32, 0, 0)
    body = raw_key("general.architecture", 8, raw_string("llama")) + entry * count
    return big(folder, body + b"\0" * 4096, tensors=count), {}


CASES["gguf 1M tensor entries (33 MB)"] = lambda folder: tensor_table(folder, 1_000_000)
CASES["gguf 100k tensor entries (at the tensor cap)"] = lambda folder: tensor_table(folder, 99_999)


CONFIG = {
    "model_type": "llama",
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "num_hidden_layers": 2,
    "vocab_size": 96,
    "max_position_embeddings": 4096,
}
CONFIG_TEXT = {
    "layers NaN": '"num_hidden_layers": NaN',
    "layers Infinity": '"num_hidden_layers": Infinity',
    "hidden 1e400": '"hidden_size": 1e400',
    "heads 0": '"num_attention_heads": 0',
    "layers -3": '"num_hidden_layers": -3',
    "layers 2.5": '"num_hidden_layers": 2.5',
    "hidden a list": '"hidden_size": [64]',
    "model_type a list": '"model_type": ["llama"]',
}
for label, text in CONFIG_TEXT.items():

    def make(folder: Path, text: str = text) -> tuple[list[str], dict[str, str]]:
        model = folder / "model"
        model.mkdir()
        body = json.dumps(CONFIG)[:-1] + ", " + text + "}"  # the last key wins in json.loads
        (model / "config.json").write_text(body)
        return ["import", str(model)], {}

    CASES[f"config {label}"] = make


@case("safetensors FIFO")
def fifo(folder: Path) -> tuple[list[str], dict[str, str]]:
    model = folder / "model"
    model.mkdir()
    (model / "config.json").write_text(json.dumps(CONFIG))
    os.mkfifo(model / "model.safetensors")
    return ["import", str(model)], {}


def headers(folder: Path, megabytes: float, files: int = 1) -> tuple[list[str], dict[str, str]]:
    """A model folder whose safetensors files each have a header of about `megabytes` MiB."""
    model = folder / "model"
    model.mkdir()
    (model / "config.json").write_text(json.dumps(CONFIG))
    entry = '"t%d": {"dtype": "BF16", "shape": [1], "data_offsets": [0, 2]}'
    parts, size, i = [], 0, 0
    while size < megabytes * 2**20 - 100:
        parts.append(entry % i)
        size += len(parts[-1]) + 1
        i += 1
    raw = ("{" + ",".join(parts) + "}").encode()
    for n in range(files):
        shard = model / f"model-{n + 1:05d}-of-{files:05d}.safetensors"
        shard.write_bytes(struct.pack("<Q", len(raw)) + raw + b"\0\0")
    return ["import", str(model)], {}


CASES["safetensors 90 MB header"] = lambda folder: headers(folder, 90)
CASES["safetensors 16 MiB header (1 file)"] = lambda folder: headers(folder, 16)
CASES["safetensors 4 x 16 MiB headers (1 folder)"] = lambda folder: headers(folder, 16, 4)


def tools(folder: Path, scripts: dict[str, str]) -> dict[str, str]:
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    for helper in ("sleep", "cat"):
        (bin_dir / helper).symlink_to(shutil.which(helper) or helper)
    for name, script in scripts.items():
        path = bin_dir / name
        path.write_text("#!/bin/sh\n" + script + "\n")
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return {"PATH": str(bin_dir)}


@case("detect: nvidia-smi hangs")
def hang_one(folder: Path) -> tuple[list[str], dict[str, str]]:
    return ["hardware"], tools(folder, {"nvidia-smi": "sleep 60"})


@case("detect: all three tools hang")
def hang_all(folder: Path) -> tuple[list[str], dict[str, str]]:
    names = ("nvidia-smi", "rocm-smi", "sysctl")
    return ["hardware"], tools(folder, dict.fromkeys(names, "sleep 60"))


@case("detect: card printed, child left holding stdout")
def child(folder: Path) -> tuple[list[str], dict[str, str]]:
    script = f"echo 'NVIDIA GeForce RTX 4090, 24564'\nsleep 60 &\necho $! > {folder}/child.pid"
    return ["hardware"], tools(folder, {"nvidia-smi": script})


@case("--min-bits 17")
def min_bits(folder: Path) -> tuple[list[str], dict[str, str]]:
    return ["recommend", "--vram", "24", "--min-bits", "17"], {}


def run(name: str, build: Case, timeout: float) -> None:
    exe = Path(sys.executable).parent / "llm-pick"
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        args, env_extra = build(folder)
        env = {**os.environ, "XDG_CACHE_HOME": str(folder / "cache"), **env_extra}
        start = time.perf_counter()
        proc = subprocess.Popen(
            [str(exe), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
        try:
            out, err = proc.communicate(timeout=timeout)
            seconds = time.perf_counter() - start
            shown = f"{seconds:7.2f} s  exit {proc.returncode}"
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            shown = f">{timeout:5.0f} s  killed"
        line = (err.decode(errors="replace").strip().splitlines() or [""])[0]
        line = line.replace(str(folder), "TMP")
        if name.startswith("detect") and proc.returncode == 0:
            line = "card: " + ("yes" if b"4090" in out else "none") + "; " + line
        marker = folder / "child.pid"
        if marker.exists():
            pid = int(marker.read_text())
            alive = Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)
            line = f"[child {'STILL RUNNING' if alive else 'gone'}] " + line
            if alive:
                os.kill(pid, signal.SIGKILL)
        print(f"{name:48s} {shown}  {line[:130]}", flush=True)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except OSError:
        return "Z"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    args = parser.parse_args()
    for name, build in CASES.items():
        if args.only in name:
            run(name, build, args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
