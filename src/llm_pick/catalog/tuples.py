"""`NamedTuple` for the package's tuple records: `typing.NamedTuple` to type checkers, and at
run time the class `typing.NamedTuple` makes (`collections.namedtuple` with the class's
defaults, docstring and methods) without typing's check of each annotation.

With `from __future__ import annotations` every annotation is a string, and typing turns each
into a `ForwardRef`, compiling it: about 0.27 M instructions a field, some 65 M for the 248
fields a `recommend` run defines (docs/performance.md). Here the annotations stay the strings
the class wrote (as any other class keeps them; `typing.get_type_hints` reads both).
tests/test_tuples.py holds every tuple record of the package to what typing makes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
else:
    from collections import namedtuple

    _KEPT = frozenset({"__module__", "__annotations__"})  # set by namedtuple itself
    _REFUSED = frozenset(
        {"__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults"}
        | {"_make", "_replace", "_asdict", "_source"}
    )

    class _Maker(type):
        def __new__(cls, name: str, bases: tuple[type, ...], body: dict[str, Any]) -> Any:
            if bases != (_Base,):
                raise TypeError("a NamedTuple class takes no other base")
            hints = body.get("__annotations__", {})
            fields = list(hints)
            with_default = [field for field in fields if field in body]
            if fields[len(fields) - len(with_default) :] != with_default:
                raise TypeError(f"{name}: a field without a default follows one with a default")
            made = namedtuple(
                name, fields, defaults=[body[f] for f in with_default], module=body["__module__"]
            )
            made.__annotations__ = made.__new__.__annotations__ = dict(hints)
            for key, value in body.items():
                if key in _REFUSED:
                    raise AttributeError(f"Cannot overwrite NamedTuple attribute {key}")
                if key not in _KEPT and key not in hints:
                    setattr(made, key, value)
            return made

    _Base = type.__new__(_Maker, "NamedTuple", (), {})

    def NamedTuple(*args: Any, **kwargs: Any) -> Any:
        raise TypeError("llm_pick's NamedTuple takes the class syntax only")

    NamedTuple.__mro_entries__ = lambda bases: (_Base,)
