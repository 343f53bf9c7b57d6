"""Hard constraints on catalog facts (licence, context, languages, size, family).

Each failed constraint yields one reason a user can act on. Memory fit is checked in
ranking/pipeline.py, where the quantization is chosen. Used by `list` filters and by `recommend`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.catalog.types import UNKNOWN_LANGUAGE, Model


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
    needs: tuple[str, ...] = ()
    """Capabilities the model must have (catalog.types.NEEDS: vision, reasoning, tools, ...)."""
    specialists: tuple[str, ...] = ()
    """Specialisations left out (code, reasoning): a general profile ranks general models."""

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
            "needs": list(self.needs),
            "specialists_left_out": list(self.specialists),
        }


def _listed(label: str, value: str, allowed: tuple[str, ...], ok: bool) -> str:
    return f"{label} {value}" + ("" if ok else f" not in [{', '.join(allowed)}]")


def _commercial(model: Model, wanted: Constraints, ok: bool) -> str:
    lic = model.license
    if ok:
        return f"commercial use {lic.commercial_use} ({lic.name})"
    if lic.commercial_use == "unknown":
        return "licence unknown: not stated in the imported file (set it with `import --license`)"
    if lic.commercial_use == "prohibited":
        return f"licence prohibits commercial use ({lic.name})"
    return f"licence allows commercial use only under conditions ({lic.name})"


def _languages(model: Model, wanted: Constraints, ok: bool) -> str:
    if ok:
        return f"languages include {', '.join(wanted.languages)}"
    if UNKNOWN_LANGUAGE in model.languages:
        return "languages unknown: not stated in the imported file (set them with `import --lang`)"
    missing = [code for code in wanted.languages if code not in model.languages]
    have = ", ".join(model.languages[:8]) + (", ..." if len(model.languages) > 8 else "")
    return f"languages [{have}] lack {', '.join(missing)}"


def _needs(model: Model, wanted: Constraints, ok: bool) -> str:
    if ok:
        return f"has {', '.join(wanted.needs)}"
    caps = model.capabilities
    if caps is None:
        return f"capabilities not recorded in the catalog (needs {', '.join(wanted.needs)})"
    missing = [need for need in wanted.needs if not caps.has(need)]
    if "tools" in missing and caps.tools is None:
        missing.remove("tools")
        unstated = ["tool calling not stated on the model card"]
    else:
        unstated = []
    words = {
        "vision": "no image input",
        "audio": "no audio input",
        "reasoning": "no reasoning mode",
        "tools": "no native tool calling",
        "code": "not code-focused",
    }
    return "; ".join([words[need] for need in missing] + unstated) + " (model card)"


def _size(model: Model, bound: float, ok: bool, low: bool) -> str:
    sign = (">=" if ok else "<") if low else ("<=" if ok else ">")
    return f"{model.parameters.total / 1e9:.3g}B parameters {sign} {bound:g}B " + (
        "minimum" if low else "maximum"
    )


SPECIALTIES = ("code", "reasoning")


def specialties(model: Model) -> tuple[str, ...]:
    """What the card says the model is specialised for: code (Devstral, Codestral), or
    reasoning when every answer reasons first (Magistral, the reasoning variants)."""
    caps = model.capabilities
    if caps is None:
        return ()
    return (("code",) if caps.code else ()) + (("reasoning",) if caps.reasoning == "always" else ())


def _specialist(model: Model, wanted: Constraints, ok: bool) -> str:
    if ok:
        return "a general model"
    kind = next(k for k in specialties(model) if k in wanted.specialists)
    return (
        f"a {kind} specialist (model card): a general profile ranks general models; "
        f"ask with --needs {kind} or --profile coding"
    )


# (name, set by the query?, passes?, detail): each detail is formatted only when needed.
Check = tuple[str, Any, Any, Any]
_CHECKS: tuple[Check, ...] = (
    (
        "exclude",
        lambda w: w.exclude,
        lambda m, w: m.id not in w.exclude,
        lambda m, w, ok: "not excluded" if ok else "excluded with --exclude",
    ),
    (
        "family",
        lambda w: w.families,
        lambda m, w: m.family in w.families,
        lambda m, w, ok: _listed("family", m.family, w.families, ok),
    ),
    (
        "variant",
        lambda w: w.variants,
        lambda m, w: m.variant in w.variants,
        lambda m, w, ok: _listed("variant", m.variant, w.variants, ok),
    ),
    (
        "commercial",
        lambda w: w.commercial or w.unconditional,
        lambda m, w: (
            m.license.commercial_use == "allowed"
            or (m.license.commercial_use == "conditional" and not w.unconditional)
        ),
        _commercial,
    ),
    (
        "license",
        lambda w: w.licenses,
        lambda m, w: m.license.id in w.licenses,
        lambda m, w, ok: _listed("licence", m.license.id, w.licenses, ok),
    ),
    (
        "context",
        lambda w: w.min_context,
        lambda m, w: m.context_length >= w.min_context,
        lambda m, w, ok: (
            f"context {m.context_length} {'>=' if ok else '<'} {w.min_context} required"
        ),
    ),
    (
        "languages",
        lambda w: w.languages,
        lambda m, w: all(code in m.languages for code in w.languages),
        _languages,
    ),
    (
        "needs",
        lambda w: w.needs,
        lambda m, w: m.capabilities is not None and all(m.capabilities.has(n) for n in w.needs),
        _needs,
    ),
    (
        "specialist",
        lambda w: w.specialists,
        lambda m, w: not set(specialties(m)) & set(w.specialists),
        _specialist,
    ),
    (
        "min_params",
        lambda w: w.min_params is not None,
        lambda m, w: m.parameters.total / 1e9 >= w.min_params,
        lambda m, w, ok: _size(m, w.min_params, ok, low=True),
    ),
    (
        "max_params",
        lambda w: w.max_params is not None,
        lambda m, w: m.parameters.total / 1e9 <= w.max_params,
        lambda m, w, ok: _size(m, w.max_params, ok, low=False),
    ),
)


def active(wanted: Constraints) -> tuple[Check, ...]:
    """The checks this query sets (compute once per query for large catalogs)."""
    return tuple(check for check in _CHECKS if check[1](wanted))


def evaluate(
    model: Model,
    wanted: Constraints,
    *,
    failures_only: bool = False,
    checks: tuple[Check, ...] | None = None,
) -> list[tuple[str, bool, str]]:
    """The constraints the query sets: (name, passed, detail); unset ones are skipped."""
    results = []
    for name, _, passes, describe in active(wanted) if checks is None else checks:
        ok = bool(passes(model, wanted))
        if not (ok and failures_only):
            results.append((name, ok, describe(model, wanted, ok)))
    return results


def check(model: Model, wanted: Constraints) -> list[str]:
    """Reasons the model fails the constraints; empty when it passes."""
    return [detail for _, _, detail in evaluate(model, wanted, failures_only=True)]


def passing(models: Iterable[Model], wanted: Constraints) -> list[Model]:
    return [model for model in models if not check(model, wanted)]
