"""UpdateExpression: an immutable, generative builder of SET, REMOVE, ADD and DELETE actions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

from dynamodb_tooling.errors import ExpressionError
from dynamodb_tooling.expressions._operand import Operand, Value, as_operand
from dynamodb_tooling.expressions._placeholders import Placeholders
from dynamodb_tooling.expressions._values import (
    Number,
    ScalarSet,
    attribute_value,
    is_number,
    is_set,
)
from dynamodb_tooling.expressions.paths import Path, PathRef, as_path
from dynamodb_tooling.expressions.update_operands import (
    Arithmetic,
    IfNotExists,
    ListAppend,
    arithmetic,
    if_not_exists,
)

Clause: TypeAlias = Literal["SET", "REMOVE", "ADD", "DELETE"]

CLAUSE_ORDER: tuple[Clause, ...] = ("SET", "REMOVE", "ADD", "DELETE")
"""The order clauses are rendered in."""


@dataclass(frozen=True, slots=True)
class UpdateAction:
    """One action: ``SET #p = v``, ``REMOVE #p``, ``ADD #p :v`` or ``DELETE #p :v``."""

    clause: Clause
    path: Path
    value: Operand | None = None

    def render(self, ph: Placeholders) -> str:
        target = self.path.render(ph)
        if self.value is None:
            return target
        separator = " = " if self.clause == "SET" else " "
        return f"{target}{separator}{self.value.render(ph)}"


@dataclass(frozen=True, slots=True)
class Update:
    """An UpdateExpression; every method returns a new Update, so partial updates are reusable.

    >>> Update().set("name", "Ada").increment("logins").remove("token")  # doctest: +SKIP

    ``increment``/``decrement`` use ``SET #p = if_not_exists(#p, 0) + :by`` rather than ``ADD``:
    it works on a missing attribute as ADD does, and it also works on nested paths and shares
    the SET clause with other assignments (AWS recommends SET over ADD for numbers).
    """

    actions: tuple[UpdateAction, ...] = ()

    def set(self, target: PathRef, value: object) -> Update:
        """``SET #p = value``; value is a Python value, ``attr(...)``, arithmetic,
        ``if_not_exists(...)`` or ``list_append(...)``."""
        return self._with("SET", as_path(target), as_operand(value, "set"))

    def set_if_not_exists(self, target: PathRef, value: object) -> Update:
        """``SET #p = if_not_exists(#p, :v)``: assign only when the attribute is missing."""
        where = as_path(target)
        return self._with("SET", where, if_not_exists(where, value))

    def increment(self, target: PathRef, by: Number = 1) -> Update:
        """``SET #p = if_not_exists(#p, :zero) + :by`` (a missing attribute counts as 0)."""
        return self._counter(target, "+", by, "increment")

    def decrement(self, target: PathRef, by: Number = 1) -> Update:
        """``SET #p = if_not_exists(#p, :zero) - :by`` (a missing attribute counts as 0)."""
        return self._counter(target, "-", by, "decrement")

    def append_to_list(self, target: PathRef, values: Sequence[object]) -> Update:
        """``SET #p = list_append(if_not_exists(#p, :empty), :values)``."""
        where = as_path(target)
        new = _list_value(values, "append_to_list")
        return self._with("SET", where, ListAppend(_existing_list(where), new))

    def prepend_to_list(self, target: PathRef, values: Sequence[object]) -> Update:
        """``SET #p = list_append(:values, if_not_exists(#p, :empty))``."""
        where = as_path(target)
        new = _list_value(values, "prepend_to_list")
        return self._with("SET", where, ListAppend(new, _existing_list(where)))

    def remove(self, *targets: PathRef) -> Update:
        """``REMOVE #a, #b[2]``: delete attributes or list elements."""
        if not targets:
            raise ExpressionError("remove() needs at least one path")
        update = self
        for target in targets:
            update = update._with("REMOVE", as_path(target), None)
        return update

    def add(self, target: PathRef, value: Number | ScalarSet) -> Update:
        """``ADD #p :v``: add a number to a number, or elements to a set."""
        if not (is_number(value) or is_set(value)):
            raise ExpressionError(
                f"ADD takes a number or a non-empty set, got {type(value).__name__} for "
                f"{as_path(target)}; use set() to assign other values"
            )
        return self._with("ADD", as_path(target), Value(attribute_value(value)))

    def delete(self, target: PathRef, values: ScalarSet) -> Update:
        """``DELETE #p :v``: remove elements from a set."""
        if not is_set(values):
            raise ExpressionError(
                f"DELETE takes a non-empty set of elements to remove, got "
                f"{type(values).__name__} for {as_path(target)}; use remove() to delete "
                "an attribute or list element"
            )
        return self._with("DELETE", as_path(target), Value(attribute_value(values)))

    @property
    def idempotent(self) -> bool:
        """Whether applying the update twice leaves the item as applying it once: false when it
        adds to a number (``ADD``, ``SET #a = #a + :n``) or appends to a list."""
        for action in self.actions:
            if action.clause == "ADD" and isinstance(action.value, Value):
                if "N" in action.value.wire:
                    return False
            elif action.clause == "SET" and isinstance(action.value, Arithmetic | ListAppend):
                return False
            elif action.clause == "REMOVE" and any(
                isinstance(e, int) for e in action.path.elements
            ):
                return False  # REMOVE a[0] twice removes two elements
        return True

    def render(self, ph: Placeholders) -> str:
        """``SET ... REMOVE ... ADD ... DELETE ...``; an empty Update is an error."""
        if not self.actions:
            raise ExpressionError(
                "empty Update: add at least one action with set(), remove(), add() or delete()"
            )
        clauses = []
        for clause in CLAUSE_ORDER:
            actions = [a.render(ph) for a in self.actions if a.clause == clause]
            if actions:
                clauses.append(f"{clause} {', '.join(actions)}")
        return " ".join(clauses)

    def _counter(
        self, target: PathRef, operator: Literal["+", "-"], by: Number, name: str
    ) -> Update:
        if not is_number(by):
            raise ExpressionError(f"{name}() takes a number, got {type(by).__name__} {by!r}")
        where = as_path(target)
        return self._with("SET", where, arithmetic(if_not_exists(where, 0), operator, by))

    def _with(self, clause: Clause, where: Path, value: Operand | None) -> Update:
        for action in self.actions:
            if action.path.overlaps(where):
                raise ExpressionError(_overlap_message(action, clause, where))
        return Update((*self.actions, UpdateAction(clause, where, value)))


def _overlap_message(existing: UpdateAction, clause: Clause, where: Path) -> str:
    if existing.path == where:
        touched = f"the path {str(where)!r} twice ({existing.clause} and {clause})"
    else:
        touched = (
            f"overlapping paths {str(existing.path)!r} ({existing.clause}) "
            f"and {str(where)!r} ({clause})"
        )
    return (
        f"the update touches {touched}; DynamoDB rejects an UpdateExpression whose document "
        "paths overlap; combine them into one action or send two updates"
    )


def _list_value(values: Sequence[object], method: str) -> Value:
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise ExpressionError(
            f"{method}() takes a list of elements, got {type(values).__name__}; "
            f"write {method}(path, [element]) for one element"
        )
    return Value(attribute_value(list(values)))


def _existing_list(where: Path) -> IfNotExists:
    return IfNotExists(where, Value({"L": []}))
