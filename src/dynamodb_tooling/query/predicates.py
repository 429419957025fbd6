"""What a query asks for, recorded as data: predicates and groups of them.

The builder records intent (``where("age", ">", 30)``) rather than DynamoDB syntax; the planner
decides which predicates become a key condition and which a filter. ``where`` / ``or_where``
follow SQL precedence, as in Laravel: ``a OR b AND c`` is ``a OR (b AND c)``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.expressions import Condition, and_, attr, not_, or_

Operator = Literal[
    "=",
    "<>",
    "<",
    "<=",
    ">",
    ">=",
    "between",
    "in",
    "not_in",
    "begins_with",
    "contains",
    "exists",
    "not_exists",
]
Connector = Literal["and", "or"]

#: "No value given" for ``where(attribute, value)`` vs ``where(attribute, operator, value)``.
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()

OPERATORS: dict[str, Operator] = {
    "=": "=",
    "==": "=",
    "eq": "=",
    "<>": "<>",
    "!=": "<>",
    "ne": "<>",
    "<": "<",
    "lt": "<",
    "<=": "<=",
    "lte": "<=",
    ">": ">",
    "gt": ">",
    ">=": ">=",
    "gte": ">=",
}


@dataclass(frozen=True)
class Predicate:
    """``attribute op value`` (``value2`` is the upper bound of ``between``)."""

    attribute: str
    op: Operator
    value: Any = None
    value2: Any = None

    def to_condition(self) -> Condition:
        a = attr(self.attribute)
        if self.op in ("=", "<>", "<", "<=", ">", ">="):
            method = {"=": a.eq, "<>": a.ne, "<": a.lt, "<=": a.lte, ">": a.gt, ">=": a.gte}
            return method[self.op](self.value)
        if self.op == "between":
            return a.between(self.value, self.value2)
        if self.op == "in":
            return a.is_in(list(self.value))
        if self.op == "not_in":
            return not_(a.is_in(list(self.value)))
        if self.op == "begins_with":
            return a.begins_with(self.value)
        if self.op == "contains":
            return a.contains(self.value)
        return a.exists() if self.op == "exists" else a.not_exists()

    def matches(self, item: dict[str, Any]) -> bool:
        """Evaluate on a fetched item (for filters applied after a GetItem)."""
        present = self.attribute in item and item[self.attribute] is not None
        value = item.get(self.attribute)
        if self.op == "exists":
            return self.attribute in item
        if self.op == "not_exists":
            return self.attribute not in item
        if not present:
            return self.op in ("<>", "not_in")
        return _compare(self, value)


def _compare(predicate: Predicate, value: Any) -> bool:
    op, target = predicate.op, predicate.value
    try:
        if op in _ORDERING:
            return bool(_ORDERING[op](value, target))
        if op == "between":
            return bool(target <= value <= predicate.value2)
        if op in ("in", "not_in"):
            return (value in list(target)) == (op == "in")
        if op == "begins_with":
            return isinstance(value, str) and value.startswith(target)
        return bool(target in value)  # contains
    except TypeError:
        return False


_ORDERING: dict[str, Callable[[Any, Any], Any]] = {
    "=": operator.eq,
    "<>": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass(frozen=True)
class Group:
    """Clauses joined by connectors (``where(lambda q: ...)``), optionally negated."""

    clauses: tuple[tuple[Connector, Clause], ...]
    negated: bool = False

    def to_condition(self) -> Condition | None:
        condition = to_condition(self.clauses)
        if condition is None or not self.negated:
            return condition
        return not_(condition)

    def matches(self, item: dict[str, Any]) -> bool:
        result = matches(self.clauses, item)
        return not result if self.negated else result


Clause: TypeAlias = Predicate | Group


def or_terms(clauses: Sequence[tuple[Connector, Clause]]) -> list[list[Clause]]:
    """Split on OR: ``a OR b AND c`` → ``[[a], [b, c]]`` (each inner list is AND-ed)."""
    terms: list[list[Clause]] = []
    for connector, clause in clauses:
        if connector == "or" or not terms:
            terms.append([clause])
        else:
            terms[-1].append(clause)
    return terms


def to_condition(clauses: Sequence[tuple[Connector, Clause]]) -> Condition | None:
    """The DynamoDB condition for clauses (``None`` when there are none)."""
    ors: list[Condition] = []
    for term in or_terms(clauses):
        parts = [c for c in (clause.to_condition() for clause in term) if c is not None]
        if parts:
            ors.append(parts[0] if len(parts) == 1 else and_(*parts))
    if not ors:
        return None
    return ors[0] if len(ors) == 1 else or_(*ors)


def matches(clauses: Sequence[tuple[Connector, Clause]], item: dict[str, Any]) -> bool:
    terms = or_terms(clauses)
    return not terms or any(all(c.matches(item) for c in term) for term in terms)


def predicate(attribute: str, op_or_value: Any, value: Any, *, has_value: bool) -> Predicate:
    """``where("age", 30)`` / ``where("age", ">", 30)`` → a predicate (operator checked)."""
    if not attribute:
        raise QueryError("where() needs an attribute name")
    if not has_value:
        op_or_value, value = "=", op_or_value
    if value is None and op_or_value in ("=", "==", "eq"):
        return Predicate(attribute, "not_exists")  # None is never stored: Laravel's whereNull
    if value is None and op_or_value in ("<>", "!=", "ne"):
        return Predicate(attribute, "exists")
    op = OPERATORS.get(op_or_value.lower()) if isinstance(op_or_value, str) else None
    if op is None:
        known = ", ".join(sorted(set(OPERATORS)))
        raise QueryError(
            f"unknown operator {op_or_value!r} in where({attribute!r}, ...); use one of {known}, "
            "or "
            "where_in / where_between / where_begins_with / where_contains / where_null"
        )
    return Predicate(attribute, op, value)
