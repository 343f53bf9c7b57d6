"""catalog/record.py: a record behaves as the frozen, slotted, keyword-only dataclass it
stands for (issue 23: the catalog's types without dataclass code generation at import)."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from dataclasses import FrozenInstanceError, dataclass, field
from typing import Any

import pytest

from llm_pick.catalog.record import record


@record()
class Rec:
    a: int
    b: str = "x"
    c: list[int] = field(default_factory=lambda: [1])


@dataclass(frozen=True, slots=True, kw_only=True)
class Dc:
    a: int
    b: str = "x"
    c: list[int] = field(default_factory=lambda: [1])


@record(eq=False)
class ById:
    a: int


@record()
class Checked:
    a: int
    doubled: int = 0

    def __post_init__(self) -> None:
        if self.a < 0:
            raise ValueError("a must not be negative")
        object.__setattr__(self, "doubled", 2 * self.a)


def test_values_defaults_and_factories_as_the_dataclass() -> None:
    made, model = Rec(a=1), Dc(a=1)
    assert (made.a, made.b, made.c) == (model.a, model.b, model.c)
    assert Rec(a=1).c is not Rec(a=1).c  # a fresh default each time
    assert repr(made) == repr(model).replace("Dc(", "Rec(")
    assert Rec(a=2, b="y", c=[3]) == Rec(a=2, b="y", c=[3])
    other: object = Dc(a=2)
    assert Rec(a=2) != Rec(a=3) and Rec(a=2) != other


def test_hash_is_by_value_and_kept() -> None:
    frozen_fields: Any = record()(type("Frozen", (), {"__annotations__": {"a": "int", "b": "str"}}))
    one, two = frozen_fields(a=1, b="p"), frozen_fields(a=1, b="p")
    assert hash(one) == hash(two) == hash(one)
    assert {one: "found"}[two] == "found"
    assert frozen_fields(a=2, b="p") != one


def test_identity_records_compare_by_identity() -> None:
    one, two = ById(a=1), ById(a=1)
    assert one != two and one == one
    assert len({one, two}) == 2


@pytest.mark.parametrize("cls", [Rec, Dc])
def test_assignment_and_deletion_fail_as_frozen(cls: type) -> None:
    made = cls(a=1)
    with pytest.raises(FrozenInstanceError):
        made.a = 2
    with pytest.raises(FrozenInstanceError):
        del made.a
    with pytest.raises((FrozenInstanceError, AttributeError, TypeError)):
        made.other = 1
    assert not hasattr(made, "__dict__")


@pytest.mark.parametrize("cls", [Rec, Dc])
def test_bad_calls_fail_as_the_dataclass_does(cls: type) -> None:
    with pytest.raises(TypeError):
        cls(1)  # keyword-only
    with pytest.raises(TypeError, match="'a'"):
        cls()
    with pytest.raises(TypeError, match="'z'"):
        cls(a=1, z=2)


def test_post_init_runs_and_may_set_fields() -> None:
    assert Checked(a=3).doubled == 6
    with pytest.raises(ValueError, match="negative"):
        Checked(a=-1)


def test_dataclass_functions_work_on_records() -> None:
    made = Rec(a=1, c=[2])
    assert dataclasses.is_dataclass(made)
    assert [f.name for f in dataclasses.fields(made)] == ["a", "b", "c"]
    assert dataclasses.asdict(made) == {"a": 1, "b": "x", "c": [2]}
    assert dataclasses.replace(made, b="y") == Rec(a=1, b="y", c=[2])
    assert getattr(Checked, "__slots__", None) == ("a", "doubled", "_hash")


def test_copies_and_pickles_round_trip() -> None:
    made = Checked(a=4)
    for again in (copy.copy(made), copy.deepcopy(made), pickle.loads(pickle.dumps(made))):
        assert again == made and again.doubled == 8 and hash(again) == hash(made)


def test_records_take_plain_fields_only() -> None:
    body = {"__annotations__": {"a": "int"}, "a": field(default=0, repr=False)}
    with pytest.raises(TypeError, match="plain fields"):
        record()(type("Odd", (), body))


def test_pydantic_validates_records_into_records() -> None:
    from pydantic import TypeAdapter

    made = TypeAdapter(Checked).validate_python({"a": 5})
    assert type(made) is Checked and made.doubled == 10
    with pytest.raises(ValueError, match="negative"):
        TypeAdapter(Checked).validate_python({"a": -5})


def test_a_method_the_class_defines_is_kept() -> None:
    @record()
    class Shown:
        a: int

        def __repr__(self) -> str:
            return f"<{self.a}>"

    assert repr(Shown(a=1)) == "<1>" and Shown(a=1) == Shown(a=1)
