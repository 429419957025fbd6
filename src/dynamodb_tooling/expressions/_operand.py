"""The operand base class, literal values, and where each kind of operand may appear."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar, Literal, TypeAlias

from dynamodb_tooling._types import AttributeValue
from dynamodb_tooling.errors import ExpressionError
from dynamodb_tooling.expressions._placeholders import Placeholders
from dynamodb_tooling.expressions._values import attribute_value

Context: TypeAlias = Literal["condition", "set", "argument"]
"""Where an operand sits: a condition, the value of a SET action, or inside a SET function."""

_PLACES: dict[Context, str] = {
    "condition": "in a condition",
    "set": "as the value of Update.set()",
    "argument": "inside +/-, if_not_exists() or list_append()",
}


class Operand(ABC):
    """Anything that evaluates to a value inside an expression: a path, a literal, a function."""

    __slots__ = ()

    #: The contexts DynamoDB's grammar accepts this operand in.
    contexts: ClassVar[frozenset[Context]]
    #: How error messages name this kind of operand.
    label: ClassVar[str]

    @abstractmethod
    def render(self, ph: Placeholders) -> str:
        """The operand's text, allocating placeholders from ``ph``."""

    def same_as(self, other: Operand) -> bool:
        """Structural identity, used by ``bool(a == b)`` so attributes work as dict keys."""
        return self is other


@dataclass(frozen=True, slots=True)
class Value(Operand):
    """A literal value, marshalled when the expression is built; renders as ``:v<i>``."""

    wire: AttributeValue

    contexts: ClassVar[frozenset[Context]] = frozenset({"condition", "set", "argument"})
    label: ClassVar[str] = "a value"

    def render(self, ph: Placeholders) -> str:
        return ph.marshalled(self.wire)


def as_operand(value: object, context: Context) -> Operand:
    """Keep operands as they are, wrap anything else as a :class:`Value`; check the context."""
    operand = value if isinstance(value, Operand) else Value(attribute_value(value))
    if context not in operand.contexts:
        allowed = " or ".join(_PLACES[c] for c in sorted(operand.contexts))
        raise ExpressionError(
            f"{operand.label} cannot be used {_PLACES[context]}; it is only valid {allowed}"
        )
    return operand
