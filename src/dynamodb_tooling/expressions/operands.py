"""Attribute operands for conditions and updates: ``attr("a.b")`` and ``attr("a").size()``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar, Literal, TypeAlias, get_args

from dynamodb_tooling.errors import ExpressionError
from dynamodb_tooling.expressions._operand import Context, Operand, Value, as_operand
from dynamodb_tooling.expressions._placeholders import Placeholders
from dynamodb_tooling.expressions._values import is_set
from dynamodb_tooling.expressions.conditions import (
    Between,
    Comparison,
    ComparisonOperator,
    Condition,
    FunctionCondition,
    FunctionName,
    In,
)
from dynamodb_tooling.expressions.paths import Path, path
from dynamodb_tooling.expressions.update_operands import Arithmetical

AttributeTypeName: TypeAlias = Literal["S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"]
"""The type names ``attribute_type()`` accepts."""

MAX_IN_CANDIDATES = 100
"""DynamoDB's limit on the values of one ``IN``."""


class Comparable(Operand):
    """Mixin: comparison methods and operators that build :class:`Condition` objects."""

    __slots__ = ()

    def eq(self, other: object) -> Condition:
        """``self = other``."""
        return self._compare("=", other)

    def ne(self, other: object) -> Condition:
        """``self <> other``."""
        return self._compare("<>", other)

    def lt(self, other: object) -> Condition:
        """``self < other``."""
        return self._compare("<", other)

    def lte(self, other: object) -> Condition:
        """``self <= other``."""
        return self._compare("<=", other)

    def gt(self, other: object) -> Condition:
        """``self > other``."""
        return self._compare(">", other)

    def gte(self, other: object) -> Condition:
        """``self >= other``."""
        return self._compare(">=", other)

    def between(self, low: object, high: object) -> Condition:
        """``self BETWEEN low AND high`` (both ends inclusive)."""
        return Between(self, as_operand(low, "condition"), as_operand(high, "condition"))

    def is_in(self, values: Iterable[object]) -> Condition:
        """``self IN (...)`` with 1 to 100 values (DynamoDB's limit)."""
        return In(self, _in_candidates(values))

    def _compare(self, operator: ComparisonOperator, other: object) -> Condition:
        return Comparison(self, operator, as_operand(other, "condition"))

    # Operators return conditions, as in SQLAlchemy; hence the ignored override of object.
    def __eq__(self, other: object) -> Condition:  # type: ignore[override]
        return self.eq(other)

    def __ne__(self, other: object) -> Condition:  # type: ignore[override]
        return self.ne(other)

    def __lt__(self, other: object) -> Condition:
        return self.lt(other)

    def __le__(self, other: object) -> Condition:
        return self.lte(other)

    def __gt__(self, other: object) -> Condition:
        return self.gt(other)

    def __ge__(self, other: object) -> Condition:
        return self.gte(other)


@dataclass(frozen=True, slots=True, eq=False)
class Attr(Comparable, Arithmetical):
    """A document path used as an operand: compare it, test it, or use it in an update."""

    path: Path

    contexts: ClassVar[frozenset[Context]] = frozenset({"condition", "set", "argument"})
    label: ClassVar[str] = "an attribute"

    def render(self, ph: Placeholders) -> str:
        return self.path.render(ph)

    def same_as(self, other: Operand) -> bool:
        return isinstance(other, Attr) and other.path == self.path

    def __hash__(self) -> int:
        return hash((Attr, self.path))

    def begins_with(self, prefix: str | bytes) -> Condition:
        """``begins_with(self, prefix)`` for string and binary attributes."""
        if not isinstance(prefix, str | bytes):
            raise ExpressionError(
                f"begins_with() takes a str or bytes prefix, got {type(prefix).__name__}"
            )
        return self._function("begins_with", as_operand(prefix, "condition"))

    def contains(self, value: object) -> Condition:
        """``contains(self, value)``: a substring of a string, or an element of a set or list."""
        return self._function("contains", as_operand(value, "condition"))

    def exists(self) -> Condition:
        """``attribute_exists(self)``."""
        return self._function("attribute_exists")

    def not_exists(self) -> Condition:
        """``attribute_not_exists(self)``."""
        return self._function("attribute_not_exists")

    def attribute_type(self, type_name: AttributeTypeName) -> Condition:
        """``attribute_type(self, :t)`` with t one of S SS N NS B BS BOOL NULL L M."""
        if type_name not in get_args(AttributeTypeName):
            raise ExpressionError(
                f"unknown attribute type {type_name!r}; use one of "
                f"{', '.join(get_args(AttributeTypeName))}"
            )
        return self._function("attribute_type", Value({"S": type_name}))

    def size(self) -> Size:
        """``size(self)``: an operand to compare (``attr("tags").size() > 2``)."""
        return Size(self.path)

    def _function(self, name: FunctionName, *arguments: Operand) -> Condition:
        return FunctionCondition(name, (self, *arguments))


@dataclass(frozen=True, slots=True, eq=False)
class Size(Comparable):
    """``size(path)``: the length of a string, binary, set, list or map; compare it."""

    target: Path

    contexts: ClassVar[frozenset[Context]] = frozenset({"condition"})
    label: ClassVar[str] = "size()"

    def render(self, ph: Placeholders) -> str:
        return f"size({self.target.render(ph)})"

    def same_as(self, other: Operand) -> bool:
        return isinstance(other, Size) and other.target == self.target

    def __hash__(self) -> int:
        return hash((Size, self.target))


def attr(target: str | Path) -> Attr:
    """An attribute operand: ``attr("age") > 30``, ``attr("a.b[2]").exists()``."""
    return Attr(target if isinstance(target, Path) else path(target))


def _in_candidates(values: Iterable[object]) -> tuple[Operand, ...]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise ExpressionError(
            f"is_in() takes a list of values, got {type(values).__name__}; "
            "write is_in([value]) for a single value"
        )
    items = _sorted_if_set(values)
    if not 1 <= len(items) <= MAX_IN_CANDIDATES:
        raise ExpressionError(
            f"is_in() takes 1 to {MAX_IN_CANDIDATES} values (DynamoDB's limit), got "
            f"{len(items)}; split larger lists with or_() or filter in Python"
        )
    return tuple(as_operand(v, "condition") for v in items)


def _sorted_if_set(values: Iterable[object]) -> list[object]:
    # Set iteration order varies between runs; sorting keeps the rendered expression stable.
    items = list(values)
    if is_set(values):
        try:
            return sorted(items)  # type: ignore[type-var]
        except TypeError:
            return items
    return items
