"""`@record()`: a frozen, slotted, keyword-only dataclass without the code generation.

`@dataclass(frozen=True, slots=True, kw_only=True)` compiles four to six methods from source
text for each class (`__init__`, `__repr__`, `__setattr__`, `__delattr__`, `__eq__`,
`__hash__`): 0.5-0.7 ms a class at import, about 15 ms for the catalog's types on every run
(docs/performance.md). A record is the same dataclass (fields, `dataclasses.fields`,
`replace`, `asdict`, pydantic validation) whose methods are shared functions reading the
fields: same behaviour, same errors on assignment, no compile step. `eq=False` keeps identity
equality and hashing, as the dataclass option does; a record compared by value keeps its hash
once computed (the memos key on architectures thousands of times a run).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Set
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")
_set = object.__setattr__


@dataclass_transform(
    kw_only_default=True, frozen_default=True, field_specifiers=(dataclasses.field,)
)
def record(*, eq: bool = True, kw_only: bool = True) -> Callable[[type[T]], type[T]]:
    """The class as `@dataclass(frozen=True, slots=True, kw_only=kw_only, eq=eq)` makes it."""

    def make(cls: type[T]) -> type[T]:
        plain_class: Any = cls
        fields = dataclasses.fields(
            dataclasses.dataclass(plain_class, init=False, repr=False, eq=False, kw_only=kw_only)
        )
        for item in fields:
            plain = item.init and item.repr and item.compare and item.hash is None
            if not plain:
                raise TypeError(f"{cls.__name__}.{item.name}: records take plain fields only")
        names = tuple(item.name for item in fields)
        made = _slotted(cls, names, ("_hash",) if eq else ())
        methods = {
            "__init__": _init(made, fields) if kw_only else _positional(_init(made, fields), names),
            "__repr__": _repr,
            "__setattr__": _setattr(made, frozenset(names)),
            "__delattr__": _delattr(made, frozenset(names)),
            "__getstate__": _getstate,
            "__setstate__": _setstate,
        }
        if eq:
            methods["__eq__"], methods["__hash__"] = _eq_hash(names)
        for name, method in methods.items():
            if name not in vars(cls):  # a method the class defines is kept, as dataclass keeps it
                setattr(made, name, method)
        return made  # type: ignore[no-any-return]

    return make


def _slotted(cls: Any, names: tuple[str, ...], extra: tuple[str, ...]) -> Any:
    """The class again with `__slots__` (as dataclass(slots=True) makes it) and `extra` slots:
    the field defaults stay in the fields, not on the class."""
    body = {key: value for key, value in cls.__dict__.items() if key not in names}
    body.pop("__dict__", None)
    body.pop("__weakref__", None)
    made = type(cls)(cls.__name__, cls.__bases__, {**body, "__slots__": names + extra})
    made.__qualname__ = cls.__qualname__
    return made


def _init(cls: type, fields: tuple[dataclasses.Field[Any], ...]) -> Callable[..., None]:
    missing = dataclasses.MISSING
    required = frozenset(f.name for f in fields if f.default is missing and _no_factory(f))
    defaults = {f.name: f.default for f in fields if f.default is not missing}
    factories: tuple[tuple[str, Callable[[], Any]], ...] = tuple(
        (f.name, f.default_factory)  # type: ignore[misc]
        for f in fields
        if not _no_factory(f)
    )
    known = frozenset(f.name for f in fields)
    post_init = hasattr(cls, "__post_init__")
    name = cls.__qualname__

    def __init__(self: Any, **given: Any) -> None:
        if not required <= given.keys() or not given.keys() <= known:
            _bad_call(name, required - given.keys(), given.keys() - known)
        values = {**defaults, **given}
        for field, factory in factories:
            if field not in given:
                values[field] = factory()
        for field, value in values.items():
            _set(self, field, value)
        if post_init:
            self.__post_init__()

    return __init__


def _positional(init: Callable[..., None], names: tuple[str, ...]) -> Callable[..., None]:
    """`init` that also takes the fields in order as positional arguments."""

    def __init__(self: Any, *given: Any, **named: Any) -> None:
        if len(given) > len(names):
            raise TypeError(f"__init__() takes {len(names)} positional arguments at most")
        for name, value in zip(names, given, strict=False):
            if name in named:
                raise TypeError(f"__init__() got multiple values for argument {name!r}")
            named[name] = value
        init(self, **named)

    return __init__


def _no_factory(item: dataclasses.Field[Any]) -> bool:
    return item.default_factory is dataclasses.MISSING


def _bad_call(name: str, missing: Set[str], unknown: Set[str]) -> None:
    if unknown:
        raise TypeError(f"{name}.__init__() got an unexpected keyword argument {min(unknown)!r}")
    listed = ", ".join(repr(field) for field in sorted(missing))
    raise TypeError(f"{name}.__init__() missing required keyword-only argument(s): {listed}")


def _repr(self: Any) -> str:
    shown = ", ".join(
        f"{item.name}={getattr(self, item.name)!r}" for item in dataclasses.fields(self)
    )
    return f"{type(self).__qualname__}({shown})"


def _setattr(cls: Any, names: frozenset[str]) -> Callable[[Any, str, Any], None]:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    return __setattr__


def _delattr(cls: Any, names: frozenset[str]) -> Callable[[Any, str], None]:
    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return __delattr__


def _getstate(self: Any) -> list[Any]:
    return [getattr(self, item.name) for item in dataclasses.fields(self)]


def _setstate(self: Any, state: list[Any]) -> None:
    for item, value in zip(dataclasses.fields(self), state, strict=True):
        _set(self, item.name, value)


def _eq_hash(names: tuple[str, ...]) -> tuple[Callable[[Any, Any], Any], Callable[[Any], int]]:
    values = attrgetter(*names)

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    def __hash__(self: Any) -> int:  # kept: memo keys hash the same record often
        try:
            return self._hash  # type: ignore[no-any-return]
        except AttributeError:
            found = hash(values(self))
            _set(self, "_hash", found)
            return found

    return __eq__, __hash__
