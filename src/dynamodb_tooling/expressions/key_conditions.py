"""KeyConditionExpression: partition key equality, optionally AND one sort key condition.

Key attributes are top-level names, so ``key("a.b")`` names the attribute literally called
``a.b``. Which attribute is the partition key follows from the shape: in ``(key("pk") == 1) &
(key("sk") > 2)`` the equality is the partition key; when both sides are equalities the left
one is. The partition key is always rendered first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NoReturn, TypeAlias

from dynamodb_tooling._types import AttributeValue
from dynamodb_tooling.errors import ExpressionError
from dynamodb_tooling.expressions._placeholders import Placeholders
from dynamodb_tooling.expressions._values import attribute_value, kind_of

KeyOperator: TypeAlias = Literal["=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"]

_KEY_KINDS = frozenset({"S", "N", "B"})
_NOT_A_FILTER = (
    "a key condition is partition key equality optionally AND-ed (&) with one sort key "
    "condition; {what} is not allowed there, put such conditions in filter= with attr(...)"
)


@dataclass(frozen=True, slots=True)
class KeyTerm:
    """One part of a key condition: ``#pk = :v`` or a sort key comparison."""

    name: str
    operator: KeyOperator
    values: tuple[AttributeValue, ...]

    def render(self, ph: Placeholders) -> str:
        name = ph.name(self.name)
        values = [ph.marshalled(v) for v in self.values]
        if self.operator == "BETWEEN":
            return f"{name} BETWEEN {values[0]} AND {values[1]}"
        if self.operator == "begins_with":
            return f"begins_with({name}, {values[0]})"
        return f"{name} {self.operator} {values[0]}"


@dataclass(frozen=True, slots=True)
class KeyCondition:
    """A KeyConditionExpression; AND a sort key condition on with ``&``."""

    terms: tuple[KeyTerm, ...]

    def __post_init__(self) -> None:
        names = [t.name for t in self.terms]
        repeated = next((n for n in names if names.count(n) > 1), None)
        if repeated is not None:
            raise ExpressionError(
                f"key attribute {repeated!r} appears twice in one key condition; a key "
                "condition takes one partition key equality and at most one sort key condition "
                "(use between() for a range)"
            )
        if len(self.terms) > 2:
            raise ExpressionError(
                f"a key condition has at most two parts (partition key and sort key), got "
                f"{len(self.terms)}: {', '.join(names)}"
            )
        if len(self.terms) == 2 and all(t.operator != "=" for t in self.terms):
            raise ExpressionError(
                f"two sort key conditions ({names[0]!r}, {names[1]!r}): one side must be the "
                "partition key equality, e.g. (key('pk') == value) & (key('sk') > other)"
            )

    @property
    def partition(self) -> KeyTerm:
        """The partition key equality."""
        for term in self.terms:
            if term.operator == "=":
                return term
        raise ExpressionError(
            f"the key condition on {self.terms[0].name!r} needs a partition key equality: "
            f"a {self.terms[0].operator!r} condition can only be the sort key part, AND it "
            "with (key('pk') == value)"
        )

    @property
    def sort(self) -> KeyTerm | None:
        """The sort key condition, when there is one."""
        partition = self.partition
        return next((t for t in self.terms if t is not partition), None)

    def render(self, ph: Placeholders) -> str:
        """``#n0 = :v0 AND begins_with(#n1, :v1)``: partition key first."""
        rendered = self.partition.render(ph)
        sort = self.sort
        return rendered if sort is None else f"{rendered} AND {sort.render(ph)}"

    def __and__(self, other: KeyCondition) -> KeyCondition:
        if not isinstance(other, KeyCondition):
            raise ExpressionError(_NOT_A_FILTER.format(what=f"AND with {type(other).__name__}"))
        return KeyCondition(self.terms + other.terms)

    def __or__(self, other: object) -> NoReturn:
        raise ExpressionError(_NOT_A_FILTER.format(what="OR (|)"))

    def __ror__(self, other: object) -> NoReturn:
        raise ExpressionError(_NOT_A_FILTER.format(what="OR (|)"))

    def __invert__(self) -> NoReturn:
        raise ExpressionError(_NOT_A_FILTER.format(what="NOT (~)"))

    def __bool__(self) -> NoReturn:
        raise ExpressionError(
            "a key condition has no truth value: combine parts with & and parenthesize each "
            "comparison, e.g. (key('pk') == 1) & (key('sk') > 2)"
        )


@dataclass(frozen=True, slots=True, eq=False)
class KeyAttr:
    """A key attribute in a key condition: ``key("pk") == "USER#1"``."""

    name: str

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ExpressionError(f"a key attribute name must be a non-empty str: {self.name!r}")

    def eq(self, value: object) -> KeyCondition:
        """``#k = :v`` (the partition key, or an exact sort key)."""
        return self._term("=", value)

    def lt(self, value: object) -> KeyCondition:
        """``#k < :v`` (sort key only)."""
        return self._term("<", value)

    def lte(self, value: object) -> KeyCondition:
        """``#k <= :v`` (sort key only)."""
        return self._term("<=", value)

    def gt(self, value: object) -> KeyCondition:
        """``#k > :v`` (sort key only)."""
        return self._term(">", value)

    def gte(self, value: object) -> KeyCondition:
        """``#k >= :v`` (sort key only)."""
        return self._term(">=", value)

    def between(self, low: object, high: object) -> KeyCondition:
        """``#k BETWEEN :lo AND :hi`` (sort key only, inclusive)."""
        return self._term("BETWEEN", low, high)

    def begins_with(self, prefix: str | bytes) -> KeyCondition:
        """``begins_with(#k, :prefix)`` (string or binary sort key only)."""
        if not isinstance(prefix, str | bytes):
            raise ExpressionError(
                f"begins_with() takes a str or bytes prefix, got {type(prefix).__name__}"
            )
        return self._term("begins_with", prefix)

    def _term(self, operator: KeyOperator, *values: object) -> KeyCondition:
        return KeyCondition((KeyTerm(self.name, operator, tuple(map(self._key_value, values))),))

    def _key_value(self, value: object) -> AttributeValue:
        if isinstance(value, KeyAttr):
            raise ExpressionError(
                f"key {self.name!r} is compared with key {value.name!r}; key conditions "
                "compare a key with a value"
            )
        wire = attribute_value(value)
        if kind_of(wire) not in _KEY_KINDS:
            raise ExpressionError(
                f"key {self.name!r} is compared with a {kind_of(wire)} value ({value!r}); "
                "key attributes hold strings, numbers or bytes"
            )
        return wire

    def __eq__(self, value: object) -> KeyCondition:  # type: ignore[override]
        if isinstance(value, KeyAttr):
            # Key attributes compare by identity, so they stay usable as dict keys.
            return NotImplemented
        return self.eq(value)

    def __ne__(self, value: object) -> NoReturn:
        raise ExpressionError(_NOT_A_FILTER.format(what="<> (!=)"))

    def __lt__(self, value: object) -> KeyCondition:
        return self.lt(value)

    def __le__(self, value: object) -> KeyCondition:
        return self.lte(value)

    def __gt__(self, value: object) -> KeyCondition:
        return self.gt(value)

    def __ge__(self, value: object) -> KeyCondition:
        return self.gte(value)

    def __hash__(self) -> int:
        return hash((KeyAttr, self.name))


def key(name: str) -> KeyAttr:
    """A key attribute for a key condition: ``(key("pk") == "A") & key("sk").begins_with("B")``."""
    return KeyAttr(name)
