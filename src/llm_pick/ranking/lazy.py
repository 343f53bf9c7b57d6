"""Rankings read lazily (ranking/topn.py): a `Ranking` whose first candidates are known and
whose rest is computed once, when read; the `Excluded` models, those known by their reasons
alone decided exactly when read."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import overload

from llm_pick.catalog.types import Model
from llm_pick.ranking.result import Candidate, Exclusion, Recommendation


class Ranking(Sequence[Candidate]):
    """A ranking whose length and first candidates are known; any other candidate is read from
    the exhaustive ranking, computed once, when first asked for."""

    def __init__(
        self, head: tuple[Candidate, ...], length: int, rest: Callable[[], Sequence[Candidate]]
    ) -> None:
        self._head, self._length, self._rest = head, length, rest
        self._all: tuple[Candidate, ...] | None = None

    def full(self) -> tuple[Candidate, ...]:
        if self._all is None:
            self._all = tuple(self._rest())
        return self._all

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> Candidate: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Candidate, ...]: ...

    def __getitem__(self, index: int | slice) -> Candidate | tuple[Candidate, ...]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._length)
            if step == 1 and stop <= len(self._head):
                return self._head[start:stop]
            return self.full()[index]
        if 0 <= index < len(self._head):
            return self._head[index]
        return self.full()[index]

    def __iter__(self) -> Iterator[Candidate]:
        yield from self._head
        yield from self.full()[len(self._head) :]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Ranking | tuple):
            return tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Ranking({len(self._head)} of {self._length} computed)"


Reasons = tuple[Model, tuple[str, ...]]  # an excluded model known by its reasons alone


class Excluded(Sequence[Exclusion]):
    """The exclusions by model id. Those of models a constraint excludes while some format
    runs are known by their reasons (all the JSON answer and the counts read), and decided
    exactly by `exact` (with the format that would have been chosen) when read."""

    def __init__(
        self, items: list[Exclusion | Reasons], exact: Callable[[Model], Exclusion]
    ) -> None:
        self._items = sorted(items, key=lambda item: item[0].id)
        self._exact = exact

    def reasons(self) -> list[tuple[Model, tuple[str, ...]]]:
        return [(item[0], item[1]) for item in self._items]

    def find(self, model_id: str) -> Exclusion | None:  # decided exactly; None: not excluded
        at = next((i for i, item in enumerate(self._items) if item[0].id == model_id), None)
        return None if at is None else self._at(at)

    def _at(self, index: int) -> Exclusion:
        item = self._items[index]
        if not isinstance(item, Exclusion):
            found = self._items[index] = self._exact(item[0])
            return found
        return item

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> Exclusion: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Exclusion, ...]: ...

    def __getitem__(self, index: int | slice) -> Exclusion | tuple[Exclusion, ...]:
        if isinstance(index, slice):
            return tuple(self._at(i) for i in range(*index.indices(len(self._items))))
        if not -len(self._items) <= index < len(self._items):
            raise IndexError("exclusion index out of range")
        return self._at(index % len(self._items))

    def __iter__(self) -> Iterator[Exclusion]:
        return (self._at(i) for i in range(len(self._items)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Excluded | tuple):
            return tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


def excluded_reasons(rec: Recommendation) -> list[tuple[Model, tuple[str, ...]]]:
    """Each excluded model and its reasons (an `Excluded` says them without deciding more)."""
    found = rec.excluded
    if isinstance(found, Excluded):
        return found.reasons()
    return [(item.model, item.reasons) for item in found]
