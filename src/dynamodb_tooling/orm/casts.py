"""Custom casts: Eloquent's ``CastsAttributes`` in Python (``attribute(cast=Money())``).

A cast turns what is stored into what the model hands out (``get``) and back (``set``)::

    class MoneyCast(Cast[Money]):
        stored_as = "decimal"                  # the stored (DynamoDB) type

        def get(self, model, key, value, attributes):
            return None if value is None else Money(value)

        def set(self, model, key, value, attributes):
            return None if value is None else value.amount

    class Order(Model):
        total: Money = attribute(cast=MoneyCast())

The instance holds the *stored* form (what ``set`` returned); ``order.total`` (and
``get_attribute("total")``, ``to_dict()``) runs ``get`` on it. ``set`` runs when a value is
assigned, passed to the constructor or ``create``; hydration (``from_item``) stores what was
read without calling ``set``. The stored form is cast and validated by its declared type
(``stored_as``, ``attribute(type=...)``, or the annotation when it names a storable type).
Cast values are computed on each read: treat them as values (frozen dataclasses) and assign
a new one to change the attribute.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar, Generic, Protocol, TypeVar, runtime_checkable

from dynamodb_tooling.schema.casts import AttributeCastError
from dynamodb_tooling.schema.definitions import AttributeType
from dynamodb_tooling.schema.errors import SchemaError
from dynamodb_tooling.schema.stacks import TYPE_ALIASES

T = TypeVar("T")


@runtime_checkable
class CastsAttributes(Protocol):
    """What ``attribute(cast=...)`` takes: an object with ``get`` and/or ``set``.

    ``model`` is the instance, ``key`` the attribute's name, ``value`` the stored form (for
    ``get``) or the assigned value (for ``set``), ``attributes`` the instance's stored values
    (read-only)."""

    def get(self, model: Any, key: str, value: Any, attributes: Mapping[str, Any]) -> Any: ...

    def set(self, model: Any, key: str, value: Any, attributes: Mapping[str, Any]) -> Any: ...


class Cast(Generic[T]):
    """A base class for custom casts: override ``get`` and/or ``set`` (both pass values
    through unchanged by default) and say how the stored form is stored with ``stored_as``
    (an attribute type such as ``"string"``, ``"decimal"``, ``"map"``; ``None``: from the
    annotation, or ``"any"``)."""

    stored_as: ClassVar[AttributeType | None] = None

    def get(self, model: Any, key: str, value: Any, attributes: Mapping[str, Any]) -> T:
        """The value the model hands out for the stored ``value``."""
        result: T = value
        return result

    def set(self, model: Any, key: str, value: Any, attributes: Mapping[str, Any]) -> Any:
        """The stored form of an assigned ``value``."""
        return value


class AsJson(Cast[Any]):
    """Store a value as JSON *text* (a DynamoDB string) instead of a native map or list.

    ``dict``/``list``/``Any`` attributes are stored natively as maps and lists (queryable with
    nested paths); use ``attribute(cast=AsJson())`` for interchange with tools that expect a
    JSON string. Values must be JSON types; a ``Decimal`` is written as a JSON number when a
    float represents it exactly (``Decimal("10.5")``) and refused otherwise.
    """

    stored_as: ClassVar[AttributeType | None] = "string"

    def get(self, model: Any, key: str, value: Any, attributes: Mapping[str, Any]) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError as exc:
            what = f"{type(model).__name__}.{key}"
            message = f"{what}: the stored value is not valid JSON ({exc})"
            raise AttributeCastError(message) from None

    def set(self, model: Any, key: str, value: Any, attributes: Mapping[str, Any]) -> Any:
        if value is None:
            return None
        what = f"{type(model).__name__}.{key}"

        def number(member: Any) -> Any:
            if isinstance(member, Decimal) and member.is_finite():
                if member == member.to_integral_value():
                    return int(member)
                if Decimal(repr(float(member))) == member:
                    return float(member)
            if isinstance(member, set | frozenset):
                return sorted(member)
            raise AttributeCastError(
                f"{what}: {type(member).__name__} {member!r} cannot be written as JSON exactly; "
                "convert it (str, int, float) or store the attribute natively (no AsJson cast)"
            )

        try:
            return json.dumps(value, default=number, separators=(",", ":"), allow_nan=False)
        except ValueError as exc:  # NaN / infinity
            raise AttributeCastError(f"{what}: {exc}; use None for 'no value'") from None


def resolve_cast(cast: Any, where: str) -> tuple[AttributeType | None, CastsAttributes | None]:
    """``attribute(cast=...)``: a type name (``"integer"``, ``"json"``...: the stored type,
    as in Stacks definitions) or a cast object / class (instantiated with no arguments)."""
    if isinstance(cast, str):
        kind = TYPE_ALIASES.get(cast.lower())
        if kind is None:
            known = ", ".join(sorted(set(TYPE_ALIASES.values())))
            raise SchemaError(
                f"{where}: attribute(cast={cast!r}) is not supported yet: a cast string names a "
                f"type (known: {known}); for other casts pass a cast object with get()/set() "
                "(see dynamodb_tooling.orm.casts)"
            )
        return kind, None
    if isinstance(cast, type):
        try:
            cast = cast()
        except TypeError as exc:
            raise SchemaError(
                f"{where}: cast={cast.__name__} cannot be made without arguments ({exc}); "
                f"pass an instance: cast={cast.__name__}(...)"
            ) from None
    has_get = callable(getattr(cast, "get", None))
    has_set = callable(getattr(cast, "set", None))
    if not (has_get or has_set):
        raise SchemaError(
            f"{where}: cast={cast!r} has neither get() nor set(); a cast object defines "
            "get(model, key, value, attributes) and/or set(model, key, value, attributes)"
        )
    stored_as = getattr(cast, "stored_as", None)
    if stored_as is not None and stored_as not in _ATTRIBUTE_TYPES:
        raise SchemaError(
            f"{where}: {type(cast).__name__}.stored_as={stored_as!r} is not an attribute type "
            f"(one of {', '.join(sorted(_ATTRIBUTE_TYPES))})"
        )
    resolved: CastsAttributes = cast
    return stored_as, resolved


_ATTRIBUTE_TYPES = frozenset(TYPE_ALIASES.values())

__all__ = ["AsJson", "Cast", "CastsAttributes", "resolve_cast"]
