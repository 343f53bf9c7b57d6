"""Hard constraints on catalog facts (licence, context, languages, size, family).

Each failed constraint yields one reason a user can act on. Memory fit is checked in
scoring.py, where the quantization is chosen. Used by `list` filters and by `recommend`.
"""

from __future__ import annotations

from typing import NamedTuple

from collections.abc import Iterable

from .schema import Model

_PREFIX = {"": 1, "k": 1024, "m": 1024 * 1024}


class Constraints(NamedTuple):
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


def evaluate(model: Model, wanted: Constraints) -> list[tuple[str, bool, str]]:
    """Every constraint the query sets: (name, passed, detail). Unset ones are skipped."""
    results: list[tuple[str, bool, str]] = []
    lic = model.license
    if wanted.exclude:
        out = model.id in wanted.exclude
        results.append(("exclude", not out, "excluded with --exclude" if out else "not excluded"))
    if wanted.families:
        ok = model.family in wanted.families
        results.append(("family", ok, f"family {model.family}" + ("" if ok else
                        f" not in [{', '.join(wanted.families)}]")))  # fmt: skip
    if wanted.variants:
        ok = model.variant in wanted.variants
        results.append(("variant", ok, f"variant {model.variant}" + ("" if ok else
                        f" not in [{', '.join(wanted.variants)}]")))  # fmt: skip
    if wanted.commercial or wanted.unconditional:
        use = lic.commercial_use
        if use == "prohibited":
            results.append(("commercial", False, f"licence prohibits commercial use ({lic.name})"))
        elif use == "conditional" and wanted.unconditional:
            results.append(("commercial", False,
                            f"licence allows commercial use only under conditions ({lic.name})"))
        else:
            results.append(("commercial", True, f"commercial use {use} ({lic.name})"))
    if wanted.licenses:
        ok = lic.id in wanted.licenses
        results.append(("license", ok, f"licence {lic.id}" + ("" if ok else
                        f" not in [{', '.join(wanted.licenses)}]")))  # fmt: skip
    if wanted.min_context:
        ok = model.context_length >= wanted.min_context
        sign = ">=" if ok else "<"
        results.append(("context", ok,
                        f"context {model.context_length} {sign} {wanted.min_context} required"))
    if wanted.languages:
        missing = [code for code in wanted.languages if code not in model.languages]
        have = ", ".join(model.languages[:8]) + (", ..." if len(model.languages) > 8 else "")
        detail = f"languages [{have}] lack {', '.join(missing)}" if missing else (
            f"languages include {', '.join(wanted.languages)}")  # fmt: skip
        results.append(("languages", not missing, detail))
    billions = model.parameters.total / 1e9
    if wanted.min_params is not None:
        ok = billions >= wanted.min_params
        results.append(("min_params", ok, f"{billions:.3g}B parameters "
                        f"{'>=' if ok else '<'} {wanted.min_params:g}B minimum"))  # fmt: skip
    if wanted.max_params is not None:
        ok = billions <= wanted.max_params
        results.append(("max_params", ok, f"{billions:.3g}B parameters "
                        f"{'<=' if ok else '>'} {wanted.max_params:g}B maximum"))  # fmt: skip
    return results


def check(model: Model, wanted: Constraints) -> list[str]:
    """Reasons the model fails the constraints; empty when it passes."""
    return [detail for _, passed, detail in evaluate(model, wanted) if not passed]


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
