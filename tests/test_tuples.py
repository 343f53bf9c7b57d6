"""catalog/tuples.py's NamedTuple makes the class typing.NamedTuple makes, without typing's
check of each annotation (start-up): same fields, defaults, docstring, methods and errors."""

from __future__ import annotations

import importlib
import pkgutil
import typing
from typing import Any

import pytest

import llm_pick
from llm_pick.catalog import tuples


def _pair(base: Any) -> type:
    class Point(base):  # type: ignore[misc,valid-type]
        """A point."""

        x: int
        y: float = 0.5
        label: str | None = None

        @property
        def norm(self) -> float:
            return abs(self.x) + abs(self.y)

        def moved(self, by: int) -> Point:
            return self._replace(x=self.x + by)  # type: ignore[no-any-return]

    return Point


MINE, TYPING = _pair(tuples.NamedTuple), _pair(typing.NamedTuple)


def test_the_class_behaves_as_typings() -> None:
    for made in (MINE, TYPING):
        point = made(1, label="a")
        assert point == (1, 0.5, "a") and hash(point) == hash((1, 0.5, "a"))
        assert point.norm == 1.5 and point.moved(2) == made(3, 0.5, "a")
        assert point._asdict() == {"x": 1, "y": 0.5, "label": "a"}
        assert made._make([2, 3.0, None]) == made(2, 3.0)
    for attribute in ("_fields", "_field_defaults", "__doc__", "__match_args__", "__qualname__"):
        assert getattr(MINE, attribute) == getattr(TYPING, attribute), attribute
    assert repr(MINE(1)) == repr(TYPING(1)) == "Point(x=1, y=0.5, label=None)"
    assert MINE.__module__ == TYPING.__module__ == __name__
    assert list(MINE.__annotations__) == list(TYPING.__annotations__)
    assert typing.get_type_hints(MINE, localns={"Point": MINE}) == typing.get_type_hints(
        TYPING, localns={"Point": TYPING}
    )
    with pytest.raises(TypeError):
        MINE()
    with pytest.raises(AttributeError):
        MINE(1).x = 2  # type: ignore[misc]


def test_what_typing_refuses_is_refused() -> None:
    with pytest.raises(TypeError):

        class Order(tuples.NamedTuple):
            a: int = 0
            b: int

    with pytest.raises(AttributeError):

        class Replaced(tuples.NamedTuple):
            a: int

            def _asdict(self) -> dict[str, Any]:
                return {}

    with pytest.raises(TypeError):
        tuples.NamedTuple("Functional", [("a", int)])


def _package_tuples() -> list[type]:
    found = []
    for info in pkgutil.walk_packages(llm_pick.__path__, "llm_pick."):
        if info.name.endswith(("__main__", ".hub")):
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and value.__bases__ == (tuple,)
                and hasattr(value, "_fields")
                and value.__module__ == info.name
            ):
                found.append(value)
    return found


def test_every_tuple_record_of_the_package_keeps_its_annotations() -> None:
    records = _package_tuples()
    assert len(records) >= 40
    for made in records:
        assert list(made.__annotations__) == list(made._fields), made
        assert all(isinstance(hint, str) for hint in made.__annotations__.values()), made
        fields = list(made._fields)
        defaults = fields[len(fields) - len(made._field_defaults) :]
        assert list(made._field_defaults) == defaults, made  # the defaults are the last fields
