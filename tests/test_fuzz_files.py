"""Generated model files (issue 17, fuzzing): GGUF metadata of any type and value, GGUF headers
with bytes overwritten or cut, config.json documents and safetensors headers. Any of them
gives a result or one `Error:` line with exit 1, within a bounded time, never a traceback;
and what `import` writes always passes `catalog validate`."""

from __future__ import annotations

import json
import struct
import tempfile
import time
from pathlib import Path
from typing import Any

from conftest import Result, examples, run
from gguf import GGUFValueType as T
from gguf_files import write_gguf
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_import import CONFIG, LICENCE

SECONDS = 5.0  # per generated input, far above what a well-formed one takes
FUZZ = settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def clean(result: Result) -> None:
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result
    if result.code != 0:
        assert result.code == 1, (result.code, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr


def timed(*args: str) -> Result:
    start = time.monotonic()
    result = run(*args)
    assert time.monotonic() - start < SECONDS, args
    clean(result)
    return result


def imported_and_valid(source: Path, folder: Path) -> None:
    """`import` gives an error and writes nothing, or writes what `catalog validate` takes."""
    out = folder / "out.yaml"
    result = timed("import", str(source), *LICENCE, "-o", str(out))
    event(f"import: exit {result.code}")  # --hypothesis-show-statistics: both outcomes occur
    if result.code != 0:
        assert not out.exists()
        return
    check = run("catalog", "validate", str(out))
    assert check.code == 0, (check.stdout, check.stderr, out.read_text()[:2000])
    out.unlink()


# ---- GGUF metadata of any type and value ---------------------------------------------

KEYS = [
    "llama.block_count",
    "llama.context_length",
    "llama.embedding_length",
    "llama.feed_forward_length",
    "llama.attention.head_count",
    "llama.attention.head_count_kv",
    "llama.attention.key_length",
    "llama.attention.sliding_window",
    "llama.expert_count",
    "llama.expert_used_count",
    "llama.expert_feed_forward_length",
    "llama.rope.freq_base",
    "general.file_type",
    "general.alignment",
    "general.name",
]
PLAUSIBLE = st.sampled_from([1, 2, 4, 8, 16, 32, 64, 128, 2048])  # often a working model
VALUES = st.one_of(
    st.tuples(st.just(T.UINT32), PLAUSIBLE),
    st.tuples(st.just(T.UINT32), PLAUSIBLE),
    st.tuples(st.just(T.UINT32), st.integers(0, 2**32 - 1)),
    st.tuples(st.just(T.UINT32), st.integers(0, 300)),
    st.tuples(st.just(T.INT32), st.integers(-(2**31), 2**31 - 1)),
    st.tuples(st.just(T.UINT64), st.integers(0, 2**64 - 1)),
    st.tuples(st.just(T.INT64), st.integers(-(2**63), -1)),
    st.tuples(st.just(T.FLOAT32), st.floats(width=32)),
    st.tuples(st.just(T.FLOAT64), st.floats()),
    st.tuples(st.just(T.BOOL), st.booleans()),
    st.tuples(st.just(T.STRING), st.text(max_size=20)),
)


ARRAYS = st.tuples(
    st.just(T.ARRAY), st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=6), st.just(T.UINT32)
)


@FUZZ
@given(
    values=st.dictionaries(st.sampled_from(KEYS), st.one_of(VALUES, ARRAYS), max_size=3),
    tensors=st.sampled_from([True, True, True, False]),
)
def test_gguf_metadata_of_any_value(values: dict[str, tuple[Any, ...]], tensors: bool) -> None:
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        path = write_gguf(folder / "fuzz.gguf", extra=values, tensors=tensors)
        timed("memory", str(path))
        imported_and_valid(path, folder)


# ---- GGUF headers with bytes overwritten or cut ----------------------------------------


@FUZZ
@given(
    edits=st.lists(st.tuples(st.integers(0, 4000), st.binary(min_size=1, max_size=8)), max_size=4),
    cut=st.one_of(st.none(), st.integers(0, 4000)),
    counts=st.lists(st.tuples(st.integers(0, 4000), st.integers(0, 2**64 - 1)), max_size=2),
)
def test_gguf_headers_with_bytes_changed(
    edits: list[tuple[int, bytes]], cut: int | None, counts: list[tuple[int, int]]
) -> None:
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        raw = bytearray(write_gguf(folder / "good.gguf").read_bytes())
        for at, data in edits:
            raw[at : at + len(data)] = data
        for at, number in counts:  # a count or length anywhere: the usual attack
            raw[at : at + 8] = struct.pack("<Q", number)
        path = folder / "bad.gguf"
        path.write_bytes(bytes(raw if cut is None else raw[:cut]))
        timed("memory", str(path))
        imported_and_valid(path, folder)


# ---- config.json documents -------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.integers(0, 5000),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=10),
    ),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
CONFIG_KEYS = [
    *CONFIG,
    "num_local_experts",
    "num_experts",
    "num_experts_per_tok",
    "sliding_window",
    "head_dim",
    "attention_bias",
    "text_config",
    "n_layer",
    "multi_query",
    "num_kv_heads",
]
MODEL_TYPES = st.sampled_from(["llama", "mistral", "mixtral", "falcon", "bloom", "qwen2", "phi3"])


@FUZZ
@given(
    changes=st.dictionaries(
        st.sampled_from(CONFIG_KEYS), st.one_of(PLAUSIBLE, PLAUSIBLE, JSON_VALUES), max_size=3
    ),
    kind=st.one_of(MODEL_TYPES, MODEL_TYPES, MODEL_TYPES, JSON_VALUES),
)
def test_config_json_of_any_value(changes: dict[str, Any], kind: Any) -> None:
    document = {**CONFIG, **changes, "model_type": kind}
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp) / "model"
        folder.mkdir()
        (folder / "config.json").write_text(json.dumps(document, allow_nan=True))
        imported_and_valid(folder, Path(temp))


# ---- safetensors headers ---------------------------------------------------------------

SHAPES = st.one_of(
    st.lists(st.integers(1, 4096), min_size=1, max_size=3),
    st.lists(st.integers(1, 4096), min_size=1, max_size=3),
    st.lists(st.integers(0, 2**20), max_size=4),
    st.lists(st.integers(-5, 2**70), max_size=3),
    JSON_VALUES,
)
TENSORS = st.dictionaries(
    st.text(max_size=12),
    st.one_of(
        st.fixed_dictionaries({"dtype": st.just("BF16"), "shape": SHAPES}),
        st.fixed_dictionaries({"dtype": st.just("BF16"), "shape": SHAPES}),
        JSON_VALUES,
    ),
    max_size=6,
)


@FUZZ
@given(
    header=st.one_of(TENSORS, TENSORS, TENSORS, JSON_VALUES),
    length=st.one_of(st.none(), st.none(), st.none(), st.integers(0, 2**64 - 1)),
    padding=st.integers(0, 64),
)
def test_safetensors_headers_of_any_shape(header: Any, length: int | None, padding: int) -> None:
    raw = json.dumps(header, allow_nan=True).encode()
    prefix = struct.pack("<Q", len(raw) if length is None else length)
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp) / "model"
        folder.mkdir()
        (folder / "config.json").write_text(json.dumps(CONFIG))
        (folder / "model.safetensors").write_bytes(prefix + raw + b"\0" * padding)
        imported_and_valid(folder, Path(temp))
