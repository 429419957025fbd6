"""Conditions for FilterExpression and ConditionExpression, and how they group when rendered.

DynamoDB evaluates NOT before AND before OR. Rendering therefore flattens nested ANDs (and ORs),
parenthesizes an OR inside an AND, and always parenthesizes the operand of NOT.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Literal, TypeAlias

from dynamodb_tooling.errors import ExpressionError
from dynamodb_tooling.expressions._operand import Operand
from dynamodb_tooling.expressions._placeholders import Placeholders

ComparisonOperator: TypeAlias = Literal["=", "<>", "<", "<=", ">", ">="]
FunctionName: TypeAlias = Literal[
    "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains"
]

_NO_TRUTH_VALUE = (
    "a condition has no truth value: combine conditions with &, | and ~ "
    "(not `and`, `or`, `not`), and parenthesize each comparison, e.g. "
    "(attr('a') == 1) & (attr('b') > 2)"
)


class Condition(ABC):
    """A boolean expression; combine with ``&`` (AND), ``|`` (OR) and ``~`` (NOT)."""

    __slots__ = ()

    @abstractmethod
    def render(self, ph: Placeholders) -> str:
        """The condition's text, allocating placeholders from ``ph``."""

    def __and__(self, other: Condition) -> Condition:
        return and_(self, other)

    def __or__(self, other: Condition) -> Condition:
        return or_(self, other)

    def __invert__(self) -> Condition:
        return not_(self)

    def __bool__(self) -> bool:
        raise ExpressionError(_NO_TRUTH_VALUE)


@dataclass(frozen=True, slots=True)
class Comparison(Condition):
    """``left <op> right`` with one of ``= <> < <= > >=``."""

    left: Operand
    operator: ComparisonOperator
    right: Operand

    def render(self, ph: Placeholders) -> str:
        return f"{self.left.render(ph)} {self.operator} {self.right.render(ph)}"

    def __bool__(self) -> bool:
        # Like SQLAlchemy: `a == b` is truthy only when both sides are the same operand, so
        # attributes can be dict keys and set members; any other use of a truth value is a bug.
        if self.operator == "=":
            return self.left.same_as(self.right)
        if self.operator == "<>":
            return not self.left.same_as(self.right)
        raise ExpressionError(_NO_TRUTH_VALUE)


@dataclass(frozen=True, slots=True)
class Between(Condition):
    """``operand BETWEEN low AND high`` (inclusive)."""

    operand: Operand
    low: Operand
    high: Operand

    def render(self, ph: Placeholders) -> str:
        return f"{self.operand.render(ph)} BETWEEN {self.low.render(ph)} AND {self.high.render(ph)}"


@dataclass(frozen=True, slots=True)
class In(Condition):
    """``operand IN (v0, v1, ...)`` with 1 to 100 candidates."""

    operand: Operand
    candidates: tuple[Operand, ...]

    def render(self, ph: Placeholders) -> str:
        candidates = ", ".join(c.render(ph) for c in self.candidates)
        return f"{self.operand.render(ph)} IN ({candidates})"


@dataclass(frozen=True, slots=True)
class FunctionCondition(Condition):
    """A condition function: ``begins_with(#a, :v)``, ``attribute_exists(#a)``..."""

    function: FunctionName
    arguments: tuple[Operand, ...]

    def render(self, ph: Placeholders) -> str:
        return f"{self.function}({', '.join(a.render(ph) for a in self.arguments)})"


@dataclass(frozen=True, slots=True)
class And(Condition):
    """Two or more conditions that must all hold."""

    conditions: tuple[Condition, ...]

    def render(self, ph: Placeholders) -> str:
        return " AND ".join(_grouped(c, ph) for c in self.conditions)


@dataclass(frozen=True, slots=True)
class Or(Condition):
    """Two or more conditions of which at least one must hold."""

    conditions: tuple[Condition, ...]

    def render(self, ph: Placeholders) -> str:
        return " OR ".join(c.render(ph) for c in self.conditions)


@dataclass(frozen=True, slots=True)
class Not(Condition):
    """The negation of a condition; renders ``NOT (...)``."""

    condition: Condition

    def render(self, ph: Placeholders) -> str:
        return f"NOT ({self.condition.render(ph)})"


def _grouped(condition: Condition, ph: Placeholders) -> str:
    rendered = condition.render(ph)
    return f"({rendered})" if isinstance(condition, Or) else rendered


def and_(*conditions: Condition) -> Condition:
    """All of ``conditions`` (nested ANDs are flattened); one condition is returned as is."""
    flat = _flatten(And, conditions, "and_")
    return flat[0] if len(flat) == 1 else And(flat)


def or_(*conditions: Condition) -> Condition:
    """Any of ``conditions`` (nested ORs are flattened); one condition is returned as is."""
    flat = _flatten(Or, conditions, "or_")
    return flat[0] if len(flat) == 1 else Or(flat)


def not_(condition: Condition) -> Condition:
    """The negation of ``condition``."""
    _check_condition(condition, "not_")
    return Not(condition)


def _flatten(
    kind: type[And] | type[Or], conditions: tuple[Condition, ...], function: str
) -> tuple[Condition, ...]:
    if not conditions:
        raise ExpressionError(f"{function}() needs at least one condition")
    flat: list[Condition] = []
    for condition in conditions:
        _check_condition(condition, function)
        flat.extend(condition.conditions if isinstance(condition, kind) else (condition,))
    return tuple(flat)


def _check_condition(condition: object, function: str) -> None:
    if not isinstance(condition, Condition):
        raise ExpressionError(
            f"{function}() combines conditions built with attr(...), got "
            f"{type(condition).__name__}; key conditions go in key_condition=, not in a filter"
        )
