"""Python annotations → declared attribute types (``int | None`` → integer, nullable).

``str``, ``int``, ``float``, ``Decimal`` (exact), ``bool``, ``datetime``, ``date``, ``bytes``,
``uuid.UUID`` (stored as its string), ``dict``/``list``/``tuple``/``Any`` (stored natively as
maps and lists), ``set[str]``/``set[int]``/``set[Decimal]``/``set[bytes]`` (DynamoDB sets),
``Literal[...]`` and ``Enum`` subclasses (stored by value, read back as members).
"""

from __future__ import annotations

import types
import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Literal, Union, get_args, get_origin

from dynamodb_tooling.schema.definitions import AttributeType
from dynamodb_tooling.schema.errors import SchemaError

_SIMPLE: dict[Any, AttributeType] = {
    str: "string",
    int: "integer",
    float: "number",
    Decimal: "decimal",
    bool: "boolean",
    datetime: "datetime",
    date: "date",
    bytes: "binary",
    uuid.UUID: "string",
    dict: "map",
    list: "list",
    tuple: "list",
    Any: "any",
}
_SETS: dict[Any, AttributeType] = {
    str: "string_set",
    int: "number_set",
    float: "number_set",
    Decimal: "number_set",
    bytes: "binary_set",
}


def unwrap_field(annotation: Any) -> Any:
    """``Field[int]`` → ``int`` (the stored type behind a typed descriptor annotation)."""
    origin = get_origin(annotation)
    if isinstance(origin, type) and origin.__name__ == "Field" and get_args(annotation):
        return get_args(annotation)[0]
    return annotation


def attribute_type(annotation: Any, where: str) -> tuple[AttributeType, bool]:
    """The attribute type and whether ``None`` is allowed."""
    annotation = unwrap_field(annotation)
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        nullable = len(members) < len(get_args(annotation))
        if len(members) != 1:
            raise SchemaError(f"{where}: unions of several types are not supported; pick one type")
        kind, _ = attribute_type(members[0], where)
        return kind, nullable
    if annotation in _SIMPLE:
        return _SIMPLE[annotation], False
    if origin in (dict, list, tuple):
        return _SIMPLE[origin], False
    if origin in (set, frozenset):
        (member,) = get_args(annotation) or (str,)
        if member not in _SETS:
            raise SchemaError(f"{where}: sets hold str, numbers or bytes, not {member!r}")
        return _SETS[member], False
    if origin is Literal:
        return _by_values(get_args(annotation), where), False
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _by_values([member.value for member in annotation], where), False
    raise SchemaError(
        f"{where}: cannot store values annotated {annotation!r}; use str, int, float, Decimal, "
        "bool, datetime, date, bytes, UUID, dict, list, set[...] or an Enum, or give a cast: "
        "attribute(cast=...) (see dynamodb_tooling.orm.casts)"
    )


def _by_values(values: Any, where: str) -> AttributeType:
    """The type of Literal / Enum members: all bool, all int or all str."""
    values = list(values)
    if values and all(isinstance(v, bool) for v in values):
        return "boolean"
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "integer"
    if values and all(isinstance(v, str) for v in values):
        return "string"
    raise SchemaError(f"{where}: Literal/Enum values must be all str, all int or all bool")


def enum_class(annotation: Any) -> type[Enum] | None:
    """The Enum an annotation names (``Color`` or ``Color | None``), if any."""
    found = python_type(annotation)
    return found if isinstance(found, type) and issubclass(found, Enum) else None


def python_type(annotation: Any) -> type | None:
    """The Python type values are read back as when it is richer than the stored type: the
    Enum or ``uuid.UUID`` an annotation names (``Color``, ``UUID | None``), if any."""
    annotation = unwrap_field(annotation)
    if get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        return python_type(members[0]) if len(members) == 1 else None
    if annotation is uuid.UUID:
        return uuid.UUID
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return annotation
    return None


def is_optional(annotation: Any) -> bool:
    """Whether an annotation allows ``None`` (``X | None``, ``Optional[X]``)."""
    annotation = unwrap_field(annotation)
    if get_origin(annotation) in (Union, types.UnionType):
        return type(None) in get_args(annotation)
    return annotation is None or annotation is type(None)
