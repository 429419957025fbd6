"""Casting attribute values between Python and their stored form, by declared type.

``to_storage`` validates and converts a Python value into what is written (dates as ISO
strings, decimals kept exact, sets as sets); ``from_storage`` turns what was read back into the
declared Python type. Both raise :class:`AttributeCastError` naming the model and attribute.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from dynamodb_tooling.errors import DynamoDBToolingError
from dynamodb_tooling.schema.definitions import AttributeDefinition, AttributeType


class AttributeCastError(DynamoDBToolingError, TypeError):
    """A value does not fit its attribute's declared type."""


def _fail(what: str, value: Any, expected: str) -> AttributeCastError:
    return AttributeCastError(f"{what} must be {expected}, got {type(value).__name__} {value!r}")


def _integer(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise _fail(what, value, "an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal | float) and value == int(value):
        return int(value)
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    raise _fail(what, value, "an integer")


def _number(value: Any, what: str) -> int | float | Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise _fail(what, value, "a number")
    return value


def _decimal(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise _fail(what, value, "a decimal number")
    try:
        return Decimal(str(value))
    except ArithmeticError:
        raise _fail(what, value, "a decimal number") from None


def _string(value: Any, what: str) -> str:
    if isinstance(value, Enum):
        value = value.value
    if not isinstance(value, str):
        raise _fail(what, value, "a string")
    return value


def _boolean(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(what, value, "a bool")
    return value


def parse_datetime(value: Any, what: str) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise _fail(what, value, "an ISO-8601 datetime") from None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        seconds = float(value) / (1000 if value > 10**11 else 1)
        return datetime.fromtimestamp(seconds, tz=UTC)
    raise _fail(what, value, "a datetime")


def as_utc(moment: datetime) -> datetime:
    """Aware datetimes converted to UTC; naive ones are taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _datetime_out(value: Any, what: str) -> str:
    # Stored in UTC so that string order is time order (sort keys, range conditions).
    return as_utc(parse_datetime(value, what)).isoformat()


def _date_out(value: Any, what: str) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise _fail(what, value, "an ISO-8601 date") from None
    raise _fail(what, value, "a date")


def _binary(value: Any, what: str) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise _fail(what, value, "bytes")


def _mapping(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(what, value, "a mapping")
    return dict(value)


def _sequence(value: Any, what: str) -> list[Any]:
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
        raise _fail(what, value, "a list")
    return list(value)


def _set_of(item: Callable[[Any, str], Any], label: str) -> Callable[[Any, str], set[Any]]:
    def cast(value: Any, what: str) -> set[Any]:
        if not isinstance(value, set | frozenset | list | tuple):
            raise _fail(what, value, f"a set of {label}")
        return {item(v, what) for v in value}

    return cast


def _any(value: Any, what: str) -> Any:
    return value


_TO_STORAGE: dict[AttributeType, Callable[[Any, str], Any]] = {
    "string": _string,
    "integer": _integer,
    "number": _number,
    "decimal": _decimal,
    "boolean": _boolean,
    "datetime": _datetime_out,
    "date": _date_out,
    "binary": _binary,
    "map": _mapping,
    "json": _any,
    "list": _sequence,
    "string_set": _set_of(_string, "strings"),
    "number_set": _set_of(_number, "numbers"),
    "binary_set": _set_of(_binary, "bytes"),
    "any": _any,
}


def to_storage(attribute: AttributeDefinition, value: Any, model: str) -> Any:
    """The value to write for ``attribute`` (``None`` stays ``None``; nullability checked)."""
    what = f"{model}.{attribute.name}"
    if value is None:
        if not attribute.nullable:
            raise AttributeCastError(
                f"{what} is not nullable; give it a value or declare it Optional/nullable"
            )
        return None
    if isinstance(value, Enum):
        value = value.value
    return _TO_STORAGE[attribute.type](value, what)


def _binary_in(value: Any, what: str) -> bytes:
    return base64.b64decode(value) if isinstance(value, str) else _binary(value, what)


_FROM_STORAGE: dict[AttributeType, Callable[[Any, str], Any]] = {
    **_TO_STORAGE,
    "datetime": parse_datetime,
    "date": lambda v, w: date.fromisoformat(_date_out(v, w)),
    "binary": _binary_in,
    "string_set": lambda v, w: set(v),
    "number_set": lambda v, w: set(v),
    "binary_set": lambda v, w: {_binary_in(x, w) for x in v},
}


def from_storage(attribute: AttributeDefinition, value: Any, model: str) -> Any:
    """The Python value of a stored ``value`` for ``attribute``."""
    if value is None:
        return None
    result = _FROM_STORAGE[attribute.type](value, f"{model}.{attribute.name}")
    kind = attribute.python_type
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(result)
    return result


def values_equal(a: Any, b: Any) -> bool:
    """Deep equality for dirty tracking: 1 == 1.0 == Decimal(1), sets by content, nested."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(values_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)
