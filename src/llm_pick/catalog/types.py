"""The catalog's types: plain frozen dataclasses, no I/O.

They are validated by pydantic (validation.py), which reads the constraints in the
annotations, the `__pydantic_config__` and the attribute docstrings (they become the JSON
Schema's descriptions). Neither pydantic nor annotated_types is imported on the hot path: the
annotations stay strings, and the constrained names below (Positive, Text, ...) are plain
placeholders until `bind_constraints()` replaces them, just before pydantic reads them.
"""

from __future__ import annotations

import re
from dataclasses import field
from typing import Any, Literal

from llm_pick.catalog.constrained import (
    Codes,
    Note,
    ParamCount,
    Percent,
    Shots,
    Text,
    Texts,
    Tokens,
)
from llm_pick.catalog.dates import date
from llm_pick.catalog.localfile import LocalFile
from llm_pick.catalog.longctx import EffectiveContext
from llm_pick.catalog.record import record
from llm_pick.catalog.releasekinds import NotLoaded, WeightDiff
from llm_pick.catalog.runfields import (
    GGUF_QUANT_PATTERN,
    OLLAMA_QUANT_PATTERN,
    check_ollama,
    check_quants,
    check_repo,
)
from llm_pick.catalog.shapes import Architecture

_STRICT: Any = {"extra": "forbid", "use_attribute_docstrings": True}

# The families data/runtimes.yaml knows. A catalog entry may name any other family id
# (lowercase letters, digits, dots and dashes); runtime support for it then comes from the
# entry's `runtimes.supported`, or is assumed to be none (the documented default).
KnownFamily = Literal["llama", "mistral", "mixtral", "bloom", "falcon"]
Family = str
FAMILY_PATTERN = "[a-z][a-z0-9.-]*"
# Fields a fine-tune (an entry with base_model) may leave out: they come from its base.
INHERITED = ("family", "parameters", "architecture", "context_length", "languages")
Variant = Literal["base", "chat", "instruct", "fine-tune"]
Commercial = Literal["allowed", "conditional", "prohibited", "unknown"]

# unknown (an imported file that does not state its licence) ranks below prohibited: it never
# claims more than its base, and --commercial excludes it.
COMMERCIAL_RANK = {"unknown": -1, "prohibited": 0, "conditional": 1, "allowed": 2}
UNKNOWN_LANGUAGE = "und"  # ISO 639-2 "undetermined": the languages are not stated

# The scoring criteria (scoring/criteria.py computes them; profiles weight them).
CRITERIA = ("quality", "speed", "context", "license", "ecosystem", "languages")
MAX_WEIGHT = 1e6


def check_weights(weights: dict[str, float]) -> None:
    """The one check of criterion weights (profiles, --weight): ValueError with the reason."""
    import math

    unknown = sorted(set(weights) - set(CRITERIA))
    if unknown:
        raise ValueError(f"unknown criterion {', '.join(unknown)}; valid: {', '.join(CRITERIA)}")
    for name, weight in weights.items():
        if not (math.isfinite(weight) and 0 <= weight <= MAX_WEIGHT):
            raise ValueError(f"the weight of {name} must be a number from 0 to {MAX_WEIGHT:.0f}")
    if sum(weights.values()) <= 0:
        raise ValueError("every criterion weight is 0: give at least one a positive weight")


@record(eq=False)
class Parameters:
    """Parameter counts, with their source."""

    __pydantic_config__ = _STRICT

    total: ParamCount
    """Total parameter count, every expert included."""
    active: ParamCount | None = None
    """Parameters used per token (MoE: router-selected experts only). Defaults to total."""
    exact: bool = False
    """True when `total` is an exact count (e.g. safetensors metadata), not a rounded figure."""
    source: Note | None = None
    """Where the count comes from."""

    def __post_init__(self) -> None:
        if self.active is None:
            object.__setattr__(self, "active", self.total)
        elif self.active > self.total:
            raise ValueError(f"active ({self.active}) exceeds total ({self.total}) parameters")

    @property
    def active_count(self) -> int:
        return self.total if self.active is None else self.active


@record(eq=False)
class License:
    """The licence of the weights and what it allows commercially."""

    __pydantic_config__ = _STRICT

    id: Text
    """Short licence id, e.g. apache-2.0, llama2, bigscience-bloom-rail-1.0."""
    name: Text
    """Full licence name."""
    url: Text
    """Where the licence text can be read."""
    commercial_use: Commercial
    """allowed; conditional (allowed under conditions stated in `conditions`); prohibited;
    unknown (not stated where the entry was imported from: --commercial excludes it)."""
    conditions: Note | None = None
    """The conditions or prohibition, in words. Required when commercial_use is conditional
    or prohibited."""
    key_conditions: list[Note] | None = None
    """The few conditions a commercial user must know (hosting, user-count and revenue caps,
    regional limits, research-only, use policies), one short line each, from the licence text."""

    def __post_init__(self) -> None:
        use = self.commercial_use
        if use in ("conditional", "prohibited") and not (self.conditions or "").strip():
            raise ValueError(f"conditions are required when commercial_use is {use}")


@record(eq=False)
class Benchmark:
    """A published benchmark score."""

    __pydantic_config__ = _STRICT

    value: Percent
    """Score in percent (0-100)."""
    source: Text
    """Paper table or model card the value comes from."""
    shots: Shots | None = None
    """Few-shot examples used; null when the source does not say."""
    protocol: str | None = None
    """How the score was obtained (shots, scoring, harness), e.g. '5-shot' or '5-shot, instruct
    dialogue format, generated answer (Meta)'. The key names the scale: scores under one key
    share one protocol (docs/scoring.md lists the keys the quality scale reads)."""
    metric: str | None = None
    """The metric as the source names it (acc, acc_norm, pass@1, maj@1, ...), when it says."""


@record(eq=False)
class GgufRepo:
    """A Hugging Face repository of GGUF files for this model."""

    __pydantic_config__ = _STRICT

    repo: Text
    """owner/name on Hugging Face, as `llama-server -hf` takes it (each part 1-96 letters,
    digits, _ . -, not starting or ending with . or -)."""
    quants: list[str]
    """The quantizations seen in the repository (llm-pick names, lowercase: q4_k_m, q8_0;
    lowercase letters, digits and _)."""
    source: Text
    """Where the repository and its files were seen."""
    hf_ready: bool = True
    """False when large files are byte-split parts (.partXofY) that `-hf` cannot load."""
    mmproj: Note | None = None
    """The multimodal projector file (vision/audio encoder) in the repository, e.g.
    mmproj-F16.gguf; llama.cpp loads it beside the model (`--mmproj`)."""
    mmproj_bytes: ParamCount | None = None
    """The projector file's size in bytes, when the listing shows it."""
    file_tags: dict[str, str] = field(default_factory=dict)
    """Quantizations whose files the repository spells otherwise than llm-pick's name in
    capitals, as its file names spell them (q4_k_m: Q4_K): the `-hf REPO:TAG` tag."""

    def __post_init__(self) -> None:
        check_repo("repo", self.repo)
        check_quants(self.quants, GGUF_QUANT_PATTERN)
        check_quants(list(self.file_tags.values()), OLLAMA_QUANT_PATTERN)
        if unknown := sorted(set(self.file_tags) - set(self.quants)):
            raise ValueError(f"file_tags: {', '.join(unknown)} not in quants")

    def tag(self, quant: str) -> str:
        """The `-hf REPO:TAG` tag of a quantization, as the repository's files spell it."""
        return self.file_tags.get(quant, quant.upper())


@record(eq=False)
class OllamaTags:
    """The Ollama library tags of this model, one per quantization."""

    __pydantic_config__ = _STRICT

    pattern: Text
    """The tag with `{quant}` (exactly once) where the quantization goes, e.g.
    llama3.1:8b-instruct-{quant}; filled in, an Ollama name ([namespace/]model:tag)."""
    quants: list[str]
    """Quantizations the library has, spelled as in the tags (q4_K_M, q8_0, fp16; letters,
    digits and _)."""
    source: Text
    """Where the tags were seen."""

    def __post_init__(self) -> None:
        check_quants(self.quants, OLLAMA_QUANT_PATTERN)
        check_ollama(self.pattern, self.quants)


@record(eq=False)
class Runtimes:
    """How to run the model: GGUF files, Ollama tags, and runtimes for an unlisted family."""

    __pydantic_config__ = _STRICT

    gguf: GgufRepo | None = None
    """GGUF files for llama.cpp (`llama-server -hf REPO:QUANT`)."""
    ollama: OllamaTags | None = None
    """Ollama library tags (`ollama run TAG`)."""
    supported: list[str] | None = None
    """Runtime ids (data/runtimes.yaml) that run this model; used only when the family is not
    one data/runtimes.yaml lists."""
    weight_diff: WeightDiff | None = None
    """The release is a weight diff: how the weights are recovered (no run command)."""
    unsupported: list[NotLoaded] | None = None
    """Runtimes of its family that cannot load this model's architecture."""
    file: LocalFile | None = None
    """The GGUF file on this machine an imported entry was read from (it runs as it is)."""


Modality = Literal["text", "image", "audio"]
Reasoning = Literal["none", "always", "toggle"]
# What `--needs` asks for, and the capability each one reads.
NEEDS = ("vision", "audio", "reasoning", "tools", "code")


@record(eq=False)
class Capabilities:
    """What the released checkpoint does, from its model card."""

    __pydantic_config__ = _STRICT

    input: list[Modality] = field(default_factory=lambda: ["text"])
    """Input modalities the checkpoint accepts (text, image, audio)."""
    reasoning: Reasoning = "none"
    """Thinking mode: none, always (every answer reasons first), or toggle (switchable)."""
    tools: bool | None = None
    """Native function calling per the model card; null when the card does not say."""
    code: bool = False
    """A code-focused model (Devstral, Codestral)."""
    source: Text
    """Where the capabilities are stated (model card quote)."""

    def has(self, need: str) -> bool:
        """Whether the model meets one `--needs` value (NEEDS)."""
        if need == "vision":
            return "image" in self.input
        if need == "audio":
            return "audio" in self.input
        if need == "reasoning":
            return self.reasoning != "none"
        return bool(getattr(self, need))

    @property
    def offers(self) -> list[str]:
        """The `--needs` values this model meets, in NEEDS order."""
        return [need for need in NEEDS if self.has(need)]


@record(eq=False)
class Encoder:
    """A vision or audio encoder in the checkpoint: llama.cpp runs it from a separate
    multimodal projector (mmproj) GGUF file."""

    __pydantic_config__ = _STRICT

    kind: Literal["vision", "audio"]
    """What the encoder reads."""
    parameters: ParamCount | None = None
    """Encoder and projector parameters, when sourced."""
    source: Note | None = None
    """Where the encoder's size comes from."""


@record(eq=False)
class Model:
    """One catalog entry: an open-weight model and its sourced facts."""

    __pydantic_config__ = _STRICT

    id: Text
    """Unique id: lowercase letters, digits, dots and dashes."""
    name: Text
    """Display name."""
    family: Family = None  # type: ignore[assignment]
    """Model family: any lowercase id (llama, mistral, qwen, ...). A fine-tune may leave it out
    to inherit its base's."""
    organization: Text
    """Who released the weights."""
    release_date: date | None = None
    """Public release date."""
    variant: Variant
    """base, chat, instruct, or a third-party fine-tune."""
    base_model: Note | None = None
    """Id of the catalog model this one was fine-tuned from."""
    hf_repo: Note | None = None
    """Hugging Face repository of the weights: owner/name (each part 1-96 letters, digits,
    _ . -, not starting or ending with . or -)."""
    parameters: Parameters = None  # type: ignore[assignment]
    """Parameter counts (a fine-tune may leave them out to inherit its base's)."""
    architecture: Architecture = None  # type: ignore[assignment]
    """The shapes memory estimation needs (from config.json); inherited when left out."""
    context_length: Tokens = None  # type: ignore[assignment]
    """Context the model was trained or documented for, in tokens; inherited when left out."""
    license: License
    """Licence of the weights."""
    languages: Codes = None  # type: ignore[assignment]
    """ISO 639-1 codes (639-3 where no 639-1 code exists) documented by the model card or paper;
    inherited when left out."""
    benchmarks: dict[str, Benchmark] = field(default_factory=dict)
    """Published scores (mmlu, hellaswag, ...) with shots and source."""
    sources: Texts
    """Where each fact comes from: paper table, model card, config.json, licence."""
    notes: Note | None = None
    """Caveats, disagreements between sources, corrections of popular claims."""
    runtimes: Runtimes | None = None
    """GGUF repository, Ollama tags (for the run commands) and runtime support, sourced."""
    capabilities: Capabilities | None = None
    """Modalities, reasoning mode, tool calling and code focus from the model card; null when
    not recorded (then the model meets no `--needs` except text)."""
    encoder: Encoder | None = None
    """A vision or audio encoder (llama.cpp: a separate mmproj file)."""
    effective_context: list[EffectiveContext] = field(default_factory=list)
    """Published long-context evaluations (RULER, NoLiMa) of this checkpoint, as printed."""

    def __post_init__(self) -> None:
        if not _ID.match(self.id):
            raise ValueError(f"id {self.id!r} must match {ID_PATTERN}")
        if self.hf_repo is not None:
            check_repo("hf_repo", self.hf_repo)
        if self.base_model == self.id:
            raise ValueError("base_model cannot be the model itself")
        if self.variant == "fine-tune" and self.base_model is None:
            raise ValueError("a fine-tune must name its base_model")
        missing = [name for name in INHERITED if getattr(self, name) is None]
        if missing and self.base_model is None:
            raise ValueError(
                f"{', '.join(missing)}: required (only an entry with base_model may leave "
                "them out, to inherit them from its base)"
            )
        if self.family is not None and not _FAMILY.match(self.family):
            raise ValueError(f"family {self.family!r} must match {FAMILY_PATTERN} (lowercase)")
        if missing:
            return  # checked again once the catalog fills them in from the base
        if not _LANGUAGES.match(" ".join(self.languages)):
            bad = next(code for code in self.languages if not _LANGUAGES.match(code))
            raise ValueError(f"language {bad!r} is not an ISO 639 code (2-3 lowercase letters)")
        arch, params = self.architecture, self.parameters
        if arch.moe and params.active_count >= params.total:
            raise ValueError("a mixture-of-experts model must have active < total parameters")
        if not arch.moe and params.active_count != params.total:
            raise ValueError("a dense model has active == total parameters")

    @property
    def attention(self) -> str:
        return self.architecture.attention

    @property
    def moe(self) -> bool:
        return self.architecture.moe


ID_PATTERN = "[a-z0-9][a-z0-9.-]*"
_ID = re.compile(ID_PATTERN + r"\Z")
_FAMILY = re.compile(FAMILY_PATTERN + r"\Z")
_LANGUAGES = re.compile(r"[a-z]{2,3}( [a-z]{2,3})*\Z")  # space-separated codes


@record(eq=False)
class CatalogFile:
    """A catalog file: `schema_version: 1` and a list of models."""

    __pydantic_config__ = _STRICT

    schema_version: Literal[1]
    """Format version of this file."""
    as_of: date | None = None
    """The day the curator last checked the file against the families' releases."""
    models: list[Model]
    """The model entries."""
