"""Typed attribute references: ``User.age > 30`` builds a predicate for ``where()``.

``AttributeRef[T]`` compares with values of ``T`` only, so a type checker rejects
``User.age > "thirty"`` when the model annotates ``age: Field[int]``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Generic, TypeVar

from dynamodb_tooling.query.predicates import Predicate

T = TypeVar("T")


class AttributeRef(Generic[T]):
    """A reference to a model attribute, for building conditions."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"AttributeRef({self.name!r})"

    def __eq__(self, value: T) -> Predicate:  # type: ignore[override]
        return Predicate(self.name, "=", value)

    def __ne__(self, value: T) -> Predicate:  # type: ignore[override]
        return Predicate(self.name, "<>", value)

    def __lt__(self, value: T) -> Predicate:
        return Predicate(self.name, "<", value)

    def __le__(self, value: T) -> Predicate:
        return Predicate(self.name, "<=", value)

    def __gt__(self, value: T) -> Predicate:
        return Predicate(self.name, ">", value)

    def __ge__(self, value: T) -> Predicate:
        return Predicate(self.name, ">=", value)

    __hash__ = None  # type: ignore[assignment]

    def between(self, low: T, high: T) -> Predicate:
        return Predicate(self.name, "between", low, high)

    def in_(self, values: Iterable[T]) -> Predicate:
        return Predicate(self.name, "in", tuple(values))

    def not_in(self, values: Iterable[T]) -> Predicate:
        return Predicate(self.name, "not_in", tuple(values))

    def begins_with(self, prefix: str) -> Predicate:
        return Predicate(self.name, "begins_with", prefix)

    def contains(self, value: Any) -> Predicate:
        return Predicate(self.name, "contains", value)

    def is_null(self) -> Predicate:
        return Predicate(self.name, "not_exists")

    def is_not_null(self) -> Predicate:
        return Predicate(self.name, "exists")
