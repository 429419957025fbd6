"""Python values → AttributeValues for expressions, including the sets ADD and DELETE need."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from decimal import Decimal
from typing import TypeAlias, TypeGuard

from dynamodb_tooling._types import AttributeValue
from dynamodb_tooling.errors import ExpressionError
from dynamodb_tooling.marshal import marshall

Number: TypeAlias = int | float | Decimal
"""A value DynamoDB stores as ``N`` (``bool`` excluded)."""

ScalarSet: TypeAlias = AbstractSet[str] | AbstractSet[Number] | AbstractSet[bytes]
"""A Python set DynamoDB stores as ``SS``, ``NS`` or ``BS``."""


def is_number(value: object) -> TypeGuard[Number]:
    """True for ints, floats and Decimals, but not for bools (which DynamoDB stores as BOOL)."""
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def is_set(value: object) -> TypeGuard[AbstractSet[object]]:
    """True for ``set`` and ``frozenset`` (and other abstract sets), never for mappings."""
    return isinstance(value, AbstractSet)


def attribute_value(value: object) -> AttributeValue:
    """Marshall one value; sets become SS/NS/BS with their elements sorted (deterministic)."""
    if is_set(value):
        return set_value(value)
    return marshall(value)


def set_value(values: AbstractSet[object]) -> AttributeValue:
    """A non-empty, homogeneous Python set → ``SS``, ``NS`` or ``BS``."""
    if not values:
        raise ExpressionError(
            "empty set: DynamoDB rejects empty sets; pass at least one element "
            "(or REMOVE the attribute instead)"
        )
    strings = [v for v in values if isinstance(v, str)]
    if len(strings) == len(values):
        return {"SS": sorted(strings)}
    numbers = [v for v in values if is_number(v)]
    if len(numbers) == len(values):
        return {"NS": [marshall(n)["N"] for n in sorted(numbers, key=Decimal)]}
    blobs = [bytes(v) for v in values if isinstance(v, bytes | bytearray | memoryview)]
    if len(blobs) == len(values):
        return {"BS": sorted(blobs)}
    kinds = ", ".join(sorted({type(v).__name__ for v in values}))
    raise ExpressionError(
        f"a set must hold only strings, only numbers or only bytes, got {kinds}; "
        "use a list for mixed values"
    )


def kind_of(value: AttributeValue) -> str:
    """The AttributeValue's type tag (``S``, ``N``, ``SS``...)."""
    return next(iter(value))
