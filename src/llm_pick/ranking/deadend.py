"""When no model passes: the models nearest to passing, each with the one change that admits
it, as an option to paste (`--min-context 128k`, `--ram 32`, `--kv-dtype q8_0`, drop
`--commercial`). Every change is checked by running the model through the pipeline again with
it (`admits`, given by the caller), never guessed. A model that fails two things has no one
change. Changes are ordered by cost: how far the asked value moves (log2 of the ratio: 16 GiB
-> 24 GiB costs 0.58, 32k -> 8k tokens costs 2), a quantized KV cache 0.2, dropping a
constraint 1.5; the same change for several models is one line naming them all."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence

from llm_pick.catalog.tuples import NamedTuple
from llm_pick.catalog.types import Model
from llm_pick.estimate.advice import memory_fixes
from llm_pick.estimate.assess import Assessment
from llm_pick.estimate.hardware import GIB, Hardware
from llm_pick.estimate.sizing import Sizing
from llm_pick.ranking.query import Query
from llm_pick.ranking.result import SCOPE, Exclusion

DROP = 1.5  # dropping a constraint: worth about a tripling of memory
KV = 0.2  # a q8_0 KV cache: a small loss (scoring/quant_tables.py), no hardware change
TRIED = 12  # the excluded models tried, nearest first (each change is a pipeline run)
LINES = 3
NAMED = 3  # models named on one line

Admits = Callable[[Model, Query], bool]


class Change(NamedTuple):
    option: str  # as the user types it
    cost: float
    query: Query


class Fix(NamedTuple):
    option: str
    models: tuple[str, ...]
    reason: str  # why the first of them is out now

    def line(self) -> str:
        names = ", ".join(self.models[:NAMED])
        if len(self.models) > NAMED:
            names += f" and {len(self.models) - NAMED} more"
        return f"{self.option}: admits {names} (now {self.models[0]} {self.reason})"

    def as_dict(self) -> dict[str, object]:
        return {"change": self.option, "models": list(self.models), "now": self.reason}


def tokens(count: int) -> str:
    """128k for 131,072; the plain count otherwise (both parse as --context/--min-context)."""
    return f"{count // 1024}k" if count % 1024 == 0 else str(count)


def one_change(excluded: Sequence[Exclusion], query: Query, admits: Admits) -> list[Fix]:
    """The cheapest change for each of the nearest excluded models, one line per change."""
    near = sorted(
        (e for e in excluded if len(e.failed) == 1 and not e.failed & SCOPE),
        key=lambda e: (distance(e, query), e.model.id),
    )[:TRIED]
    found: dict[str, tuple[float, list[str], str]] = {}
    for exclusion in near:
        for change in sorted(changes(exclusion, query), key=lambda c: c.cost):
            if admits(exclusion.model, change.query):
                cost, models, reason = found.get(change.option, (change.cost, [], ""))
                found[change.option] = (
                    min(cost, change.cost),
                    [*models, exclusion.model.id],
                    reason or exclusion.reasons[0],
                )
                break
    ordered = sorted(found.items(), key=lambda item: (item[1][0], item[0]))
    return [Fix(option, tuple(models), reason) for option, (_, models, reason) in ordered][:LINES]


def distance(exclusion: Exclusion, query: Query) -> float:
    """How far a model failing one thing is from passing, before any check (to try the
    nearest first): log2 of the memory or context short, else the cost of a dropped constraint."""
    hardware = query.hardware
    if "memory" in exclusion.failed and exclusion.needed_bytes and hardware is not None:
        usable = max(1.0, hardware.vram_gib * hardware.gpus, hardware.ram_gib) * GIB
        return max(0.0, math.log2(exclusion.needed_bytes / usable))
    if "context" in exclusion.failed:
        return math.log2((query.required_context or 1) / exclusion.model.context_length)
    return DROP


def changes(exclusion: Exclusion, query: Query) -> Iterator[Change]:
    """The one-option changes that may admit a model failing one thing (checked later)."""
    (failed,) = exclusion.failed
    model, asked = exclusion.model, query.constraints
    if failed == "memory" and exclusion.smallest is not None and query.hardware is not None:
        yield from memory_changes(exclusion, query)
    elif failed == "context":
        yield from context_changes(model, query)
    elif failed == "commercial":
        if asked.unconditional and model.license.commercial_use == "conditional":
            relaxed = asked._replace(unconditional=False, commercial=True)
            yield Change(
                "--commercial instead of --unconditional", 1.0, query.replace(constraints=relaxed)
            )
        else:
            relaxed = asked._replace(commercial=False, unconditional=False)
            flag = "--unconditional" if asked.unconditional else "--commercial"
            yield Change(f"drop {flag}", DROP, query.replace(constraints=relaxed))
    elif failed == "languages":
        missing = [code for code in asked.languages if code not in model.languages]
        kept = tuple(code for code in asked.languages if code not in missing)
        words = " ".join(f"--lang {code}" for code in missing)
        yield Change(
            f"drop {words}", DROP, query.replace(constraints=asked._replace(languages=kept))
        )
    elif failed == "needs":
        has = model.capabilities
        missing = [n for n in asked.needs if has is None or not has.has(n)]
        kept = tuple(n for n in asked.needs if n not in missing)
        words = " ".join(f"--needs {n}" for n in missing)
        yield Change(f"drop {words}", DROP, query.replace(constraints=asked._replace(needs=kept)))
    elif failed == "specialist":
        from llm_pick.scoring.constraints import specialties

        kinds = [k for k in specialties(model) if k in query.wanted().specialists]
        needs = tuple(dict.fromkeys([*asked.needs, *kinds]))
        words = " ".join(f"--needs {k}" for k in kinds)
        yield Change(words, 1.0, query.replace(constraints=asked._replace(needs=needs)))


def context_changes(model: Model, query: Query) -> Iterator[Change]:
    """The context the model has, asked for by the option that set the larger requirement."""
    has, asked = model.context_length, query.constraints
    required = query.required_context or 0
    prompt = query.sizing.prompt_tokens or 0  # the context may not drop below the prompt
    cost = math.log2(required / has) if has else math.inf
    if asked.min_context and asked.min_context > has and (query.sizing.context or 0) <= has:
        relaxed = asked._replace(min_context=has)
        yield Change(f"--min-context {tokens(has)}", cost, query.replace(constraints=relaxed))
    elif (query.sizing.context or 0) > has and max(asked.min_context or 0, prompt) <= has:
        yield Change(f"--context {tokens(has)}", cost, query.replace(sizing=query.sizing.at(has)))


def memory_changes(exclusion: Exclusion, query: Query) -> Iterator[Change]:
    """More memory, RAM for offload, a quantized KV cache, or a shorter context."""
    assert query.hardware is not None and exclusion.smallest is not None
    floor = max(query.constraints.min_context or 0, query.sizing.prompt_tokens or 0)
    found = memory_options(exclusion.smallest, query.hardware, query.sizing, floor, query.kv_fixed)
    for option, cost, hardware, sizing in found:
        yield Change(option, cost, query.replace(hardware=hardware, sizing=sizing))


def memory_options(
    smallest: Assessment, hardware: Hardware, sizing: Sizing, floor: int, kv_fixed: bool
) -> Iterator[tuple[str, float, Hardware, Sizing]]:
    """(option, cost, hardware, sizing) that may make the smallest format fit; `floor`: the
    context may not drop below it (--min-context)."""
    if sizing.kv_dtype == "fp16" and sizing.flash_attn and kv_fixed:
        yield "--kv-dtype q8_0", KV, hardware, sizing.with_kv("q8_0")
    context = smallest.estimate.context
    shorter = context // 2
    while shorter >= max(512, floor) and context > floor:
        yield (
            f"--context {tokens(shorter)}",
            math.log2(context / shorter),
            hardware,
            sizing.at(shorter),
        )
        shorter //= 2
    for fix in memory_fixes(smallest, hardware):
        for option, cost, changed in _hardware_change(fix, hardware):
            yield option, cost, changed, sizing


def _hardware_change(fix: str, hardware: Hardware) -> Iterator[tuple[str, float, Hardware]]:
    """A fix of estimate/advice.py (`--vram N`, `--gpus N`, `--ram N ...`), and the next two
    whole numbers (the fix is computed from the smallest format; the check decides)."""
    words = fix.split()
    flag, value = words[0], int(words[1])
    for step in range(3):
        n = value + step
        if flag == "--vram" and hardware.vram_gib > 0:
            changed = hardware._replace(vram_gib=float(n), label=f"{n} GiB GPU")
            cost = math.log2(n / hardware.vram_gib)
        elif flag == "--gpus":
            changed = hardware._replace(gpus=n)
            cost = math.log2(n / hardware.gpus)
        elif flag == "--ram":
            changed = hardware._replace(ram_gib=float(n))
            cost = math.log2(n / max(hardware.ram_gib, 1.0)) + 0.5  # offload is slow
        else:
            return
        yield f"{flag} {n}", cost, changed
