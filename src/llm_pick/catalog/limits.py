"""Numbers read from model files (GGUF headers, config.json, safetensors headers) checked
against the catalog's own limits. The bounds are read from the constrained types
(catalog/constrained.py, as types.py and shapes.py apply them), never restated here, so a file
cannot give a value that `catalog validate` would refuse. No pydantic."""

from __future__ import annotations

import math
from functools import cache
from typing import Any

from llm_pick.catalog.tuples import NamedTuple


class Bound(NamedTuple):
    kind: type  # int or float
    low: float | None
    low_open: bool  # the value must be above `low`, not equal to it
    high: float | None


@cache
def bounds(cls: type) -> dict[str, Bound]:
    """The numeric fields of catalog dataclass `cls`, with their bounds."""
    import types
    import typing

    from annotated_types import Ge, Gt, Le

    from llm_pick.catalog.constrained import bind_constraints

    bind_constraints()
    found = {}
    for name, hint in typing.get_type_hints(cls, include_extras=True).items():
        if typing.get_origin(hint) in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(hint) if a is not type(None)]
            if len(options) != 1:
                continue
            hint = options[0]
        extras: tuple[Any, ...] = ()
        if typing.get_origin(hint) is typing.Annotated:
            hint, *rest = typing.get_args(hint)
            extras = tuple(rest)
        if hint not in (int, float):
            continue
        low: Any = None
        high: Any = None
        low_open = False
        for extra in extras:
            if isinstance(extra, Ge):
                low = extra.ge
            elif isinstance(extra, Gt):
                low, low_open = extra.gt, True
            elif isinstance(extra, Le):
                high = extra.le
        found[name] = Bound(hint, low, low_open, high)
    return found


def _figure(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def number(value: Any) -> int | float:
    """`value` if it is a finite number (not a bool), else ValueError saying what it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"is {shown(value)}, not a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"is {value}, not a finite number")
    return value


def checked(cls: type, field: str, value: Any) -> Any:
    """`value` as field `field` of `cls` accepts it (a whole float becomes an int), or
    ValueError saying why not: not a number, not finite, not whole, out of bounds."""
    bound = bounds(cls)[field]
    value = number(value)
    if bound.kind is int:
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(f"is {value!r}, not a whole number")
        value = int(value)
    else:
        value = float(value)
    low, high = bound.low, bound.high
    if low is not None and (value < low or (bound.low_open and value == low)):
        lowest = f"above {_figure(low)}" if bound.low_open else f"at least {_figure(low)}"
        if bound.kind is int and bound.low_open:
            lowest = f"at least {int(low) + 1}"
        raise ValueError(f"is {shown(value)}: it must be {lowest}")
    if high is not None and value > high:
        raise ValueError(f"is {shown(value)}: more than the catalog's limit of {_figure(high)}")
    return value


def problems(item: Any, kind: type | None = None) -> list[tuple[str, str]]:
    """(field, reason) for every numeric field of dataclass instance `item` out of bounds; or of
    a mapping of its fields (`kind` names the dataclass), checked before it is built."""
    found = []
    if kind is None:
        kind = type(item)
    for field in bounds(kind):
        value = item.get(field) if isinstance(item, dict) else getattr(item, field)
        if value is None:
            continue
        try:
            checked(kind, field, value)
        except ValueError as error:
            found.append((field, str(error)))
    return found
