"""Operands only a SET action accepts: ``a + b``, ``a - b``, ``if_not_exists``, ``list_append``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from dynamodb_tooling.errors import ExpressionError
from dynamodb_tooling.expressions._operand import Context, Operand, Value, as_operand
from dynamodb_tooling.expressions._placeholders import Placeholders
from dynamodb_tooling.expressions._values import kind_of
from dynamodb_tooling.expressions.paths import Path, PathRef, as_path


class Arithmetical(Operand):
    """Mixin: ``+`` and ``-`` build an :class:`Arithmetic` SET value."""

    __slots__ = ()

    def __add__(self, other: object) -> Arithmetic:
        return arithmetic(self, "+", other)

    def __radd__(self, other: object) -> Arithmetic:
        return arithmetic(other, "+", self)

    def __sub__(self, other: object) -> Arithmetic:
        return arithmetic(self, "-", other)

    def __rsub__(self, other: object) -> Arithmetic:
        return arithmetic(other, "-", self)


@dataclass(frozen=True, slots=True)
class Arithmetic(Operand):
    """``left + right`` or ``left - right``; a SET value (``SET #a = #a + :v``)."""

    left: Operand
    operator: Literal["+", "-"]
    right: Operand

    contexts: ClassVar[frozenset[Context]] = frozenset({"set"})
    label: ClassVar[str] = "arithmetic (+/-)"

    def render(self, ph: Placeholders) -> str:
        return f"{self.left.render(ph)} {self.operator} {self.right.render(ph)}"


@dataclass(frozen=True, slots=True)
class IfNotExists(Arithmetical):
    """``if_not_exists(path, default)``: the attribute, or ``default`` when it is missing."""

    target: Path
    default: Operand

    contexts: ClassVar[frozenset[Context]] = frozenset({"set", "argument"})
    label: ClassVar[str] = "if_not_exists()"

    def render(self, ph: Placeholders) -> str:
        return f"if_not_exists({self.target.render(ph)}, {self.default.render(ph)})"


@dataclass(frozen=True, slots=True)
class ListAppend(Operand):
    """``list_append(first, second)``: the two lists concatenated."""

    first: Operand
    second: Operand

    contexts: ClassVar[frozenset[Context]] = frozenset({"set"})
    label: ClassVar[str] = "list_append()"

    def render(self, ph: Placeholders) -> str:
        return f"list_append({self.first.render(ph)}, {self.second.render(ph)})"


def arithmetic(left: object, operator: Literal["+", "-"], right: object) -> Arithmetic:
    """``left <operator> right``; values must be numbers, operands attributes or if_not_exists."""
    return Arithmetic(_number_operand(left), operator, _number_operand(right))


def if_not_exists(target: PathRef, default: object) -> IfNotExists:
    """``if_not_exists(path, default)``, for ``Update.set``: ``attr("n") + 1`` needs n to exist,
    ``if_not_exists("n", 0) + 1`` does not."""
    return IfNotExists(as_path(target), as_operand(default, "argument"))


def list_append(first: object, second: object) -> ListAppend:
    """``list_append(first, second)``; each is a list value, ``attr(...)`` or ``if_not_exists``."""
    return ListAppend(_list_operand(first), _list_operand(second))


def _number_operand(value: object) -> Operand:
    operand = as_operand(value, "argument")
    if isinstance(operand, Value) and kind_of(operand.wire) != "N":
        raise ExpressionError(
            f"arithmetic needs numbers, got {kind_of(operand.wire)} value {value!r}; "
            "pass an int, float or Decimal (or attr(...) to use another attribute)"
        )
    return operand


def _list_operand(value: object) -> Operand:
    operand = as_operand(value, "argument")
    if isinstance(operand, Value) and kind_of(operand.wire) != "L":
        hint = f"; to refer to an attribute write attr({value!r})" if isinstance(value, str) else ""
        raise ExpressionError(
            f"list_append() takes lists, got {kind_of(operand.wire)} value {value!r}; "
            f"wrap a single element in a list{hint}"
        )
    return operand
