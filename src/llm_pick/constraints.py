"""Hard constraints on catalog facts (licence, context, languages, size, family).

Each failed constraint yields one reason a user can act on. Memory fit is checked in
scoring.py, where the quantization is chosen. Used by `list` filters and by `recommend`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .schema import Model

_PREFIX = {"": 1, "k": 1024, "m": 1024 * 1024}


@dataclass(frozen=True, slots=True, kw_only=True)
class Constraints:
    commercial: bool = False
    """Commercial use must be allowed (conditional licences pass; their conditions are shown)."""
    unconditional: bool = False
    """Commercial use must be allowed without conditions."""
    min_context: int | None = None
    languages: tuple[str, ...] = ()
    min_params: float | None = None  # billions
    max_params: float | None = None  # billions
    licenses: tuple[str, ...] = ()
    families: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def describe(self) -> dict[str, object]:
        return {
            "commercial": self.commercial,
            "unconditional": self.unconditional,
            "min_context": self.min_context,
            "languages": list(self.languages),
            "min_params_billion": self.min_params,
            "max_params_billion": self.max_params,
            "licenses": list(self.licenses),
            "families": list(self.families),
            "variants": list(self.variants),
            "exclude": list(self.exclude),
        }


def check(model: Model, wanted: Constraints) -> list[str]:
    """Reasons the model fails the constraints; empty when it passes."""
    reasons = []
    lic = model.license
    if wanted.exclude and model.id in wanted.exclude:
        reasons.append("excluded with --exclude")
    if wanted.families and model.family not in wanted.families:
        reasons.append(f"family {model.family} not in [{', '.join(wanted.families)}]")
    if wanted.variants and model.variant not in wanted.variants:
        reasons.append(f"variant {model.variant} not in [{', '.join(wanted.variants)}]")
    if (wanted.commercial or wanted.unconditional) and lic.commercial_use == "prohibited":
        reasons.append(f"licence prohibits commercial use ({lic.name})")
    elif wanted.unconditional and lic.commercial_use == "conditional":
        reasons.append(f"licence allows commercial use only under conditions ({lic.name})")
    if wanted.licenses and lic.id not in wanted.licenses:
        reasons.append(f"licence {lic.id} not in [{', '.join(wanted.licenses)}]")
    if wanted.min_context and model.context_length < wanted.min_context:
        reasons.append(f"context {model.context_length} < {wanted.min_context} required")
    missing = [code for code in wanted.languages if code not in model.languages]
    if missing:
        have = ", ".join(model.languages[:8]) + (", ..." if len(model.languages) > 8 else "")
        reasons.append(f"languages [{have}] lack {', '.join(missing)}")
    billions = model.parameters.total / 1e9
    if wanted.min_params is not None and billions < wanted.min_params:
        reasons.append(f"{billions:.3g}B parameters < {wanted.min_params:g}B minimum")
    if wanted.max_params is not None and billions > wanted.max_params:
        reasons.append(f"{billions:.3g}B parameters > {wanted.max_params:g}B maximum")
    return reasons


def passing(models: Iterable[Model], wanted: Constraints) -> list[Model]:
    return [model for model in models if not check(model, wanted)]


def parse_tokens(text: str) -> int:
    """'32k' -> 32768, '128K' -> 131072, '4096' -> 4096 (k = 1024 tokens, m = 1024**2)."""
    value = text.strip().lower().replace("_", "")
    suffix = value[-1:] if value[-1:] in ("k", "m") else ""
    number = value[: len(value) - len(suffix)]
    try:
        amount = float(number) if "." in number else int(number)
    except ValueError:
        raise ValueError(f"{text!r} is not a token count (e.g. 4096, 32k)") from None
    tokens = int(amount * _PREFIX[suffix])
    if tokens != amount * _PREFIX[suffix] or tokens <= 0:
        raise ValueError(f"{text!r} is not a positive whole number of tokens")
    return tokens
