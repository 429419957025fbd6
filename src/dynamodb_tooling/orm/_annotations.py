"""Python annotations → declared attribute types (``int | None`` → integer, nullable)."""

from __future__ import annotations

import types
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


def attribute_type(annotation: Any, where: str) -> tuple[AttributeType, bool]:
    """The attribute type and whether ``None`` is allowed."""
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
        values = get_args(annotation)
        return ("integer" if all(isinstance(v, int) for v in values) else "string"), False
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        if issubclass(annotation, int):
            return "integer", False
        return "string", False
    raise SchemaError(
        f"{where}: cannot store values annotated {annotation!r}; use str, int, float, Decimal, "
        "bool, datetime, date, bytes, dict, list, set[...] or an Enum"
    )
