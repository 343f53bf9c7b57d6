"""What a recommendation is asked for: the `Query` record, checked as the CLI checks it (the
same messages), and the formats it lets the pipeline try."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import field, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from llm_pick.catalog.record import record
from llm_pick.catalog.types import Model
from llm_pick.errors import InputError
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.limits import MAX_BILLIONS, MAX_TOP, count, finite
from llm_pick.estimate.quant import QUANTS, Quant, get_quant
from llm_pick.estimate.sizing import Sizing
from llm_pick.scoring import criteria
from llm_pick.scoring.constraints import SPECIALTIES, Constraints
from llm_pick.scoring.profiles import Profile

if TYPE_CHECKING:  # the local stores and files: imported by --installed only
    from llm_pick.catalog.stores import Installed
    from llm_pick.estimate.modelfile import FileModel

GGUF = tuple(q.name for q in QUANTS.values() if q.family == "gguf")
RUNTIMES = ("llama.cpp", "vllm", "ollama", "mlx")
# vLLM's macOS build runs on the CPU only ("On macOS the VLLM_TARGET_DEVICE is automatically
# set to cpu, which is currently the only supported device", FP32/FP16; GPU inference through
# the community vllm-metal plugin, which runs MLX: docs.vllm.ai getting_started/installation/
# cpu, Apple silicon tab), so no figure for the Apple GPU is vLLM's
VLLM_ON_METAL = (
    "--runtime vllm has no Metal backend: on {gpu} vLLM runs on the CPU only (its GPU "
    "plugin vllm-metal runs MLX); use --runtime llama.cpp, ollama or mlx"
)
# With no GPU (--vram 0) vLLM would run its CPU backend ("basic model inferencing and serving
# on x86 CPU platform", ARM64 with NEON, macOS: docs.vllm.ai getting_started/installation/cpu),
# which llm-pick does not model any more than on a Mac: refused as vLLM on Apple silicon is
VLLM_ON_CPU = (
    "--runtime vllm is sized on a CUDA or ROCm GPU only: with --vram 0 (CPU only) vLLM would "
    "run its CPU backend, which llm-pick does not model; use --runtime llama.cpp or ollama"
)
# llm-pick sizes MLX as llama.cpp on the same Apple GPU (reports/runtime_pick.py MLX_NOTE);
# MLX's other builds (mlx[cpu] on Linux, mlx[cuda]: ml-explore.github.io/mlx install) are not
# modelled (here and off Apple)
MLX_ON_CPU = (
    "--runtime mlx is sized on an Apple silicon GPU only, not on a CPU-only machine (--vram 0): "
    "llm-pick does not model MLX's CPU build; use --runtime llama.cpp or ollama"
)
MLX_OFF_APPLE = (
    "--runtime mlx is sized on Apple silicon only, not on {gpu}: llm-pick does not model MLX's "
    "CUDA or CPU builds; use --runtime llama.cpp, vllm or ollama"
)
SERVE_KV = ("bf16", "fp8")  # vLLM's KV cache types (estimate/serving.py KV_DTYPE_BYTES)
FLOATS = ("fp16",)  # 16-bit weights: only with min_bits above 8.5 or a forced quant


@record()
class Query:
    """A recommendation request. `sizing.context` is the tokens memory is sized for
    (--context); the required context is the larger of it and `constraints.min_context`."""

    constraints: Constraints = field(default_factory=Constraints)
    hardware: Hardware | None = None
    sizing: Sizing = field(default_factory=Sizing)
    quant: str | None = None  # force one format
    min_bits: float | None = None
    profile: Profile | None = None
    weights: Mapping[str, float] | None = None  # raw weights (profile + overrides)
    top: int = 10
    kv_fixed: bool = False  # the user chose the KV type; else a quantized KV is a fallback
    explained: str | None = None  # explain: this model has every format assessed, not only
    # those that may win (the others are searched as recommend searches them)
    runtime: str | None = None  # fixed runtime (RUNTIMES); None: chosen per hardware and batch
    serve_kv: str | None = None
    """vLLM's KV cache type as --kv-dtype fixes it: "bf16" (--kv-dtype fp16: the model's 16-bit
    type, vLLM's --kv-cache-dtype auto) or "fp8" (--kv-dtype fp8: --kv-cache-dtype fp8);
    None: 16-bit, FP8 only where a 16-bit cache cannot hold the batch (ranking/serve.py)."""
    installed: Mapping[str, Installed] = field(default_factory=dict)
    """recommend --installed: model id -> the file on this machine; each such model is assessed
    in its file's format only, and run from that copy."""
    files: Mapping[str, FileModel] = field(default_factory=dict)
    """recommend --installed: model id -> its file as read; the model is sized from the file
    (the exact bytes of its tensors), not from the catalog entry's shapes."""

    def __post_init__(self) -> None:
        if self.sizing.mode != "inference":
            raise InputError(f"recommend sizes inference, not {self.sizing.mode}")
        if self.quant is not None:
            forced = get_quant(self.quant)
            if self.sizing.kv_dtype != "fp16" and forced.family != "gguf":
                raise InputError(
                    f"--kv-dtype {self.sizing.kv_dtype} is a llama.cpp option: use a GGUF --quant"
                )
            object.__setattr__(self, "quant", forced.name)
        if self.serve_kv not in (None, *SERVE_KV):
            raise InputError(f"vLLM KV cache type {self.serve_kv!r} is not one of bf16, fp8")
        if self.runtime is not None and self.runtime not in RUNTIMES:
            raise InputError(f"--runtime: {self.runtime!r} is not one of {', '.join(RUNTIMES)}")
        gpu = self.hardware.gpu if self.hardware else None
        if self.runtime == "mlx" and gpu is not None and gpu.backend != "metal":
            raise InputError(MLX_OFF_APPLE.format(gpu=gpu.name))
        if self.runtime == "vllm" and gpu is not None and gpu.backend == "metal":
            raise InputError(VLLM_ON_METAL.format(gpu=gpu.name))
        if self.runtime in ("vllm", "mlx") and self.hardware and not self.hardware.vram_gib:
            raise InputError(VLLM_ON_CPU if self.runtime == "vllm" else MLX_ON_CPU)
        finite("--min-bits", self.min_bits, maximum=32)
        count("--top", self.top, MAX_TOP)
        low, high = self.constraints.min_params, self.constraints.max_params
        finite("--min-params", low, maximum=MAX_BILLIONS, allow_zero=True)
        finite("--max-params", high, maximum=MAX_BILLIONS, allow_zero=True)
        if low is not None and high is not None and low > high:
            raise InputError(f"--min-params {low:g} is above --max-params {high:g}")

    def __repr__(self) -> str:
        hardware = self.hardware.label if self.hardware else "no hardware"
        profile = self.profile.name if self.profile else "balanced"
        return f"Query({hardware}, profile {profile}, top {self.top})"

    def replace(self, **changes: object) -> Query:
        """A copy with some fields changed (checked again)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def required_context(self) -> int | None:
        needs = [n for n in (self.constraints.min_context, self.sizing.context) if n]
        return max(needs) if needs else None

    def wanted(self) -> Constraints:
        """The constraints every model is checked against (built here only): the asked ones,
        the required context (the larger of --min-context and --context), the profile's
        variants when the query names none, and the specialists neither the profile nor
        --needs asks for (left out: docs/scoring.md)."""
        wanted = self.constraints._replace(min_context=self.required_context)
        profile = self.profile
        if profile is not None and profile.variants and not wanted.variants:
            wanted = wanted._replace(variants=tuple(profile.variants))
        asked = set(wanted.needs) | set(profile.specialists if profile is not None else ())
        left_out = tuple(kind for kind in SPECIALTIES if kind not in asked)
        return wanted._replace(specialists=left_out)

    def sizing_for(self, model: Model, kv_dtype: str | None = None) -> Sizing:
        """How this model is sized: the required context, else min(4096, its context)."""
        sized = _at(self.sizing, self.required_context or self.sizing.tokens(model))
        return sized if kv_dtype is None else sized.with_kv(kv_dtype)

    def formats_of(self, model: Model) -> list[Quant] | None:
        """The one format of an installed copy or imported file; for a model llama.cpp cannot
        load, the GGUF formats Ollama's library has of it (no other runtime runs a GGUF of
        it: a pick in another format would have no command); None: the formats are open."""
        copy = self.installed.get(model.id)
        if copy is not None and copy.quant:
            return [get_quant(copy.quant)]
        own = model.runtimes.file if model.runtimes else None  # an imported file: its format
        if own is not None and own.quant in QUANTS:
            return [QUANTS[own.quant]]
        return _ollama_only(model, self.candidates)  # the candidates built only when needed

    def candidates(self) -> list[Quant]:
        """Formats to try: every GGUF type, plus 16-bit weights with min_bits above 8.5."""
        if self.quant:
            return [get_quant(self.quant)]
        names = GGUF + (FLOATS if (self.min_bits or 0) > 8.5 else ())
        quants = [QUANTS[name] for name in names]
        if self.min_bits is not None:
            quants = [q for q in quants if q.nominal_bits >= self.min_bits]
        return sorted(quants, key=lambda q: (-q.nominal_bits, q.name))


def _ollama_only(model: Model, candidates: Callable[[], list[Quant]]) -> list[Quant] | None:
    """The candidates Ollama's library has of a model llama.cpp cannot load (Llama 3.2
    Vision's mllama), best first; None when llama.cpp loads it or Ollama has none of them."""
    runtimes = model.runtimes
    if runtimes is None or runtimes.ollama is None:
        return None
    if not any(u.runtime == "llama.cpp" for u in runtimes.unsupported or ()):
        return None
    tags = {tag.lower() for tag in runtimes.ollama.quants}
    return [q for q in candidates() if q.family == "gguf" and q.name in tags] or None


@lru_cache(maxsize=256)
def _at(sizing: Sizing, tokens: int) -> Sizing:
    """sizing.at(tokens) once per sizing and context: a pass sizes every model at one of a
    few contexts, and a new Sizing runs every check again (records are immutable)."""
    return sizing.at(tokens)


def query_weights(query: Query) -> dict[str, float]:
    """The profile's weights (with overrides); licence terms count only when the query asks
    about commercial use (docs/scoring.md)."""
    profile = query.profile or _balanced()
    raw = dict(query.weights if query.weights is not None else profile.weights)
    asked = query.constraints
    others = sum(value for name, value in raw.items() if name != "license")
    if not (asked.commercial or asked.unconditional or asked.licenses) and others > 0:
        raw["license"] = 0.0
    return criteria.normalize(raw)


def _balanced() -> Profile:
    from llm_pick.scoring.profiles import get_profile

    return get_profile("balanced")
