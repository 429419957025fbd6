"""Casting attribute values between Python and their stored form, by declared type.

``to_storage`` validates and converts a Python value into what is written (dates as ISO
strings, decimals kept exact, sets as sets; NaN, infinities and malformed integer strings are
refused); ``from_storage`` turns what was read back into the declared Python type. Items are read
with exact numbers (``int`` or ``Decimal``), so a ``Decimal`` attribute keeps every digit and
numbers inside maps and lists stay exact; only a ``float`` (``number``) attribute becomes a
``float``. Both raise :class:`AttributeCastError` naming the model and attribute.

Datetimes are stored as ISO-8601 strings in UTC (so string order is time order). A naive
datetime (no ``tzinfo``) is handled by the ``query_builder.naive_datetimes`` policy: ``"utc"``
(the default) takes it to be UTC, ``"refuse"`` raises before anything is written. A stored
datetime without an offset (written by another tool) is read as UTC. ``uuid.UUID``
attributes are stored as their canonical string and read back as ``uuid.UUID``.
"""

from __future__ import annotations

import base64
import math
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Literal

from dynamodb_tooling.errors import DynamoDBToolingError
from dynamodb_tooling.schema.definitions import AttributeDefinition, AttributeType


class AttributeCastError(DynamoDBToolingError, TypeError):
    """A value does not fit its attribute's declared type."""

    #: What the attribute takes ("a string"), when the error says what a value should be.
    expected: str | None = None


def _fail(what: str, value: Any, expected: str) -> AttributeCastError:
    shown = repr(value) if not isinstance(value, str) or len(value) <= 80 else f"{value[:77]!r}..."
    error = AttributeCastError(f"{what} must be {expected}, got {type(value).__name__} {shown}")
    error.expected = expected
    return error


def _masked(error: AttributeCastError, what: str, value: Any) -> AttributeCastError:
    """``error`` reworded without the value of a hidden attribute."""
    if error.expected is None:
        return AttributeCastError(f"{what} (hidden) has a value it cannot take (not shown)")
    masked = AttributeCastError(
        f"{what} (hidden) must be {error.expected}, got a value of type "
        f"{type(value).__name__} (not shown)"
    )
    masked.expected = error.expected
    return masked


def _enum_values(kind: type[Enum]) -> str:
    return ", ".join(repr(member.value) for member in kind)


def _enum_member(kind: type[Enum], value: Any, given: Any, what: str) -> Enum:
    """The member of ``kind`` whose value is ``value`` (``given`` as written, for the error)."""
    try:
        return kind(value)
    except (ValueError, TypeError):
        pass
    raise _fail(what, given, f"a {kind.__name__} (one of {_enum_values(kind)})")


_INTEGER_TEXT = re.compile(r"[+-]?[0-9]{1,126}")
#: DynamoDB numbers stay below 10**126; bigger ones could not be stored anyway.
_MAX_ADJUSTED = 125
_FINITE = "a finite number (DynamoDB stores no NaN or Infinity; use None for 'no value')"


def _finite(value: float | Decimal) -> bool:
    if isinstance(value, Decimal):
        return value.is_finite()
    return math.isfinite(value)


def _integer(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise _fail(what, value, "an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal | float):
        if not _finite(value):
            raise _fail(what, value, f"an integer, i.e. {_FINITE}")
        if Decimal(value).adjusted() <= _MAX_ADJUSTED and value == int(value):
            return int(value)
        raise _fail(what, value, "an integer (a whole number below 10**126)")
    if isinstance(value, str) and _INTEGER_TEXT.fullmatch(value.strip()):
        return int(value)
    raise _fail(what, value, "an integer (an int, or a string of digits such as '-42')")


def _number(value: Any, what: str) -> int | float | Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise _fail(what, value, "a number")
    if not isinstance(value, int) and not _finite(value):
        raise _fail(what, value, _FINITE)
    return value


def _float(value: Any, what: str) -> float:
    """A stored number read back for a ``float`` (``number``) attribute."""
    try:
        result = float(_number(value, what))
    except OverflowError:  # an int beyond 1.8e308
        result = math.inf
    if math.isinf(result):
        raise _fail(what, value, "a number within float range (declare it Decimal)")
    return result


def _decimal(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise _fail(what, value, "a decimal number")
    try:
        # A float converts through repr() (0.1 stays 0.1, not 0.1000000000000000055511...).
        if isinstance(value, Decimal | int):
            number = Decimal(value)
        else:
            number = Decimal(repr(value) if isinstance(value, float) else value.strip())
    except ArithmeticError:
        raise _fail(what, value, "a decimal number") from None
    if not number.is_finite():
        raise _fail(what, value, f"a decimal number, i.e. {_FINITE}")
    return number


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
        return from_timestamp(value, what, millis=value > 10**11)
    raise _fail(what, value, "a datetime")


def from_timestamp(value: int | float | Decimal, what: str, *, millis: bool) -> datetime:
    """A unix timestamp (seconds, or milliseconds with ``millis``) as a UTC datetime."""
    try:
        return datetime.fromtimestamp(float(value) / (1000 if millis else 1), tz=UTC)
    except (ValueError, OverflowError, OSError, ArithmeticError):
        raise _fail(what, value, "a unix timestamp within the datetime range") from None


def as_utc(moment: datetime) -> datetime:
    """Aware datetimes converted to UTC; naive ones are taken to be UTC already."""
    tz = moment.tzinfo
    if tz is UTC:
        return moment
    if tz is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


#: What a naive datetime (no tzinfo) written to a datetime attribute means: ``"utc"`` (taken
#: to be UTC) or ``"refuse"`` (an :class:`AttributeCastError`): ``query_builder.naive_datetimes``.
NaivePolicy = Literal["utc", "refuse"]

_AWARE = (
    "a timezone-aware datetime (query_builder.naive_datetimes is 'refuse'): attach a timezone, "
    "e.g. datetime.now(UTC) or moment.replace(tzinfo=UTC)"
)


def refuse_naive(moment: datetime, what: str) -> datetime:
    """``moment`` when it is aware; a naive one is refused (the ``"refuse"`` policy)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise _fail(what, moment, _AWARE)
    return moment


def _datetime_out(value: Any, what: str) -> str:
    # Stored in UTC so that string order is time order (sort keys, range conditions).
    return as_utc(parse_datetime(value, what)).isoformat()


def _aware_datetime_out(value: Any, what: str) -> str:
    """:func:`_datetime_out` under the ``"refuse"`` policy (naive ISO strings refused too)."""
    return as_utc(refuse_naive(parse_datetime(value, what), what)).isoformat()


def _datetime_in(value: Any, what: str) -> datetime:
    """A stored datetime; one without an offset (another tool's) is read as UTC."""
    moment = parse_datetime(value, what)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


_UUID = "a UUID (a uuid.UUID, or its string form such as '12345678-1234-5678-1234-567812345678')"


def _uuid_out(value: Any, what: str) -> str:
    """A ``uuid.UUID`` attribute's stored form: the canonical (lower-case, hyphenated) string."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str):
        try:
            return str(uuid.UUID(value))
        except ValueError:
            pass
    raise _fail(what, value, _UUID)


def _uuid_in(value: Any, what: str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, str):
        try:
            return uuid.UUID(value)
        except ValueError:
            pass
    raise _fail(what, value, _UUID)


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


def to_storage(
    attribute: AttributeDefinition, value: Any, model: str, *, naive: NaivePolicy = "utc"
) -> Any:
    """The value to write for ``attribute`` (``None`` stays ``None``; nullability checked);
    ``naive`` is the naive-datetime policy (see the module docstring)."""
    what = f"{model}.{attribute.name}"
    if value is None:
        if not attribute.nullable:
            raise AttributeCastError(
                f"{what} is not nullable; give it a value or declare it Optional/nullable"
            )
        return None
    try:
        stored = _stored(attribute, value, what, naive)
    except AttributeCastError as exc:
        if not attribute.hidden:
            raise
        error = exc
    else:
        if attribute.type in SET_TYPES and not stored:
            return None  # DynamoDB has no empty sets: an empty set is stored as no attribute
        return stored
    raise _masked(error, what, value) from None


def _stored(attribute: AttributeDefinition, value: Any, what: str, naive: NaivePolicy) -> Any:
    if attribute.python_type is uuid.UUID:
        return _uuid_out(value, what)
    given = value
    if isinstance(value, Enum):
        value = value.value
    if naive == "refuse" and attribute.type == "datetime":
        stored = _aware_datetime_out(value, what)
    else:
        stored = _TO_STORAGE[attribute.type](value, what)
    kind = _enum_of(attribute)
    if kind is not None:
        # A member, or a member's value; anything else is refused before it is written.
        return _enum_member(kind, stored, given, what).value
    return stored


def _enum_of(attribute: AttributeDefinition) -> type[Enum] | None:
    kind = attribute.python_type
    return kind if isinstance(kind, type) and issubclass(kind, Enum) else None


#: Set attributes: an empty one is not stored, and a missing one reads back as empty.
SET_TYPES: frozenset[AttributeType] = frozenset({"string_set", "number_set", "binary_set"})


def _binary_in(value: Any, what: str) -> bytes:
    return base64.b64decode(value) if isinstance(value, str) else _binary(value, what)


_FROM_STORAGE: dict[AttributeType, Callable[[Any, str], Any]] = {
    **_TO_STORAGE,
    "number": _float,
    "datetime": _datetime_in,
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
    what = f"{model}.{attribute.name}"
    try:
        if attribute.python_type is uuid.UUID:
            return _uuid_in(value, what)
        result = _FROM_STORAGE[attribute.type](value, what)
    except AttributeCastError as exc:
        if not attribute.hidden:
            raise
        error = _masked(exc, what, value)
    else:
        kind = _enum_of(attribute)
        if kind is None:
            return result
        try:
            return kind(result)
        except (ValueError, TypeError):
            shown = "(not shown: the attribute is hidden)" if attribute.hidden else repr(result)
            error = AttributeCastError(
                f"{what}: the stored item holds {shown}, a value the {kind.__name__} enum does "
                f"not have (its values: {_enum_values(kind)}); fix the stored item or add the "
                f"value to {kind.__name__}"
            )
    raise error from None


def values_equal(a: Any, b: Any) -> bool:
    """Deep equality for dirty tracking: 1 == 1.0 == Decimal(1), sets by content, nested.

    Values too deeply nested to compare count as changed (writing them then fails with a clear
    nesting error instead of a ``RecursionError`` here)."""
    try:
        return _equal(a, b)
    except RecursionError:
        return False


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


# Compiled casts: one function per attribute, built once per model (see the transformer's
# per-model plans). Each behaves exactly as ``to_storage`` / ``from_storage`` for its
# attribute; hidden and Enum attributes take those general paths, the common types a
# type check.
_SAME_TYPE: dict[AttributeType, type] = {"string": str, "integer": int, "boolean": bool}


def plain_type(attribute: AttributeDefinition) -> type | None:
    """The type whose values (of exactly that type) the attribute's compiled encoder and
    decoder return unchanged, or ``None``."""
    if attribute.hidden or attribute.python_type is not None:
        return None
    return _SAME_TYPE.get(attribute.type)


def _all_of(kind: type) -> Callable[[Any, str, Callable[[Any, str], Any]], Any]:
    """A quick cast of a set whose members are all exactly ``kind`` (a copy); ``cast`` (the
    general one) takes any other set."""

    def quick(value: Any, what: str, cast: Callable[[Any, str], Any]) -> Any:
        for member in value:
            if type(member) is not kind:
                return cast(value, what)
        return set(value)

    return quick


def _finite_decimal(value: Decimal, what: str, cast: Callable[[Any, str], Any]) -> Any:
    return value if value.is_finite() else cast(value, what)


# Exact types some casts take without their general checks (never an Enum: the exact type is
# known), each giving what the general cast gives for them: (type, quick cast).
_QUICK_TO_STORAGE: dict[AttributeType, tuple[type, Callable[[Any, str, Any], Any]]] = {
    "decimal": (Decimal, _finite_decimal),
    "datetime": (datetime, lambda value, what, cast: as_utc(value).isoformat()),
    "list": (list, lambda value, what, cast: list(value)),
    "map": (dict, lambda value, what, cast: dict(value)),
    "string_set": (set, _all_of(str)),
    "number_set": (set, _all_of(int)),
}


def _unused(value: Any, what: str, cast: Callable[[Any, str], Any]) -> Any:
    return cast(value, what)


def _quick_aware(value: datetime, what: str, cast: Callable[[Any, str], Any]) -> Any:
    if value.tzinfo is UTC:
        return value.isoformat()
    return as_utc(refuse_naive(value, what)).isoformat()


def compile_encoder(
    attribute: AttributeDefinition, model: str, naive: NaivePolicy = "utc"
) -> Callable[[Any], Any]:
    """``lambda value: to_storage(attribute, value, model, naive=naive)``, specialised."""
    if attribute.hidden or attribute.python_type is not None:
        return lambda value: to_storage(attribute, value, model, naive=naive)
    cast = _TO_STORAGE[attribute.type]
    what = f"{model}.{attribute.name}"
    quick_type, quick = _QUICK_TO_STORAGE.get(attribute.type, (None, _unused))
    if naive == "refuse" and attribute.type == "datetime":
        cast, quick = _aware_datetime_out, _quick_aware
    nullable = attribute.nullable
    is_set = attribute.type in SET_TYPES
    same = _SAME_TYPE.get(attribute.type)

    def encode(value: Any) -> Any:
        kind = type(value)
        if kind is same:
            return value
        if kind is quick_type:
            stored = quick(value, what, cast)
        elif value is None:
            if not nullable:
                raise AttributeCastError(
                    f"{what} is not nullable; give it a value or declare it Optional/nullable"
                )
            return None
        else:
            stored = cast(value.value if isinstance(value, Enum) else value, what)
        if is_set and not stored:
            return None  # DynamoDB has no empty sets: an empty set is stored as no attribute
        return stored

    return encode


def compile_decoder(attribute: AttributeDefinition, model: str) -> Callable[[Any], Any]:
    """``lambda value: from_storage(attribute, value, model)``, specialised."""
    if attribute.hidden or attribute.python_type is not None:
        return lambda value: from_storage(attribute, value, model)
    cast = _FROM_STORAGE[attribute.type]
    what = f"{model}.{attribute.name}"
    same = _SAME_TYPE.get(attribute.type)
    # The types some casts take without their general checks, each giving what the general
    # cast gives for them (one call a value).
    if attribute.type == "decimal":

        def decode_decimal(value: Any) -> Any:
            if type(value) is Decimal and value.is_finite():
                return value
            return None if value is None else cast(value, what)

        return decode_decimal
    if attribute.type == "list" or attribute.type == "map":
        exact: type[list[Any]] | type[dict[Any, Any]] = list if attribute.type == "list" else dict

        def decode_copy(value: Any) -> Any:
            if type(value) is exact:
                return exact(value)
            return None if value is None else cast(value, what)

        return decode_copy
    if attribute.type == "datetime":

        def decode_datetime(value: Any) -> Any:
            if type(value) is str:
                try:
                    moment = datetime.fromisoformat(value)
                except ValueError:
                    pass  # parse_datetime words the error
                else:
                    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
            return None if value is None else cast(value, what)

        return decode_datetime

    def decode(value: Any) -> Any:
        if type(value) is same or value is None:
            return value
        return cast(value, what)

    return decode
