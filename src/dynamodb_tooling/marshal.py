"""Python values ↔ DynamoDB AttributeValues, fast.

Marshalling is a dispatch table keyed by the *exact* type of a value (``type(value)``), so the
common types cost one dict lookup and one small call; subclasses (``IntEnum``, ``StrEnum``, a
``Mapping`` that is not a ``dict``...) are resolved once by an ``isinstance`` fallback and cached
in the table. Containers carry their nesting level down, so a value nested deeper than
DynamoDB's 32 levels is refused (never a ``RecursionError``). Unmarshalling dispatches on the
single type tag of each AttributeValue through a table of small functions. Numbers are exact by
default (``int`` for integers, ``Decimal`` otherwise); ``use_decimal=False`` selects a second,
separately built table that reads non-integers as ``float``, so the recursion never passes
options around.

Errors are found on the fast path without bookkeeping: when a value fails, the value is walked
again slowly to name the attribute path (``profile.tags[2]``) in the :class:`MarshallingError`.

>>> marshall_item({"id": "u1", "age": 42, "tags": {"a"}})
{'id': {'S': 'u1'}, 'age': {'N': '42'}, 'tags': {'SS': ['a']}}
>>> unmarshall_item({"id": {"S": "u1"}, "age": {"N": "42"}})
{'id': 'u1', 'age': 42}
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Final, NoReturn, TypeAlias

from dynamodb_tooling._item_size import MAX_DEPTH, TOO_DEEP, describe, item_size, too_deep_error
from dynamodb_tooling._types import AttributeValue, Item
from dynamodb_tooling.errors import MarshallingError

__all__ = [
    "MAX_DEPTH",
    "MAX_ITEM_SIZE",
    "item_size",
    "marshall",
    "marshall_item",
    "unmarshall",
    "unmarshall_item",
]

MAX_ITEM_SIZE: Final[int] = 409_600
"""DynamoDB's maximum item size in bytes (400 KB), as measured by :func:`item_size`."""

_Marshaller: TypeAlias = Callable[[Any, int], AttributeValue]
_Unmarshaller: TypeAlias = Callable[[Any], Any]

# Every int strictly inside ±10**38 has at most 38 digits, so only bigger ints are inspected.
_INT_DIGITS_LIMIT: Final = 10**38
# Floats are sent as repr(); repr(1e126) reads back as 1E+126, which DynamoDB refuses.
_FLOAT_MAX: Final = 1e126
_FLOAT_MIN: Final = 1e-130
_MAX_DIGITS: Final = 38
_MAX_ADJUSTED_EXPONENT: Final = 125
_MIN_ADJUSTED_EXPONENT: Final = -130
_NUMBER_RANGE: Final = (
    "DynamoDB numbers have at most 38 significant digits and a magnitude between 1E-130 and "
    "9.9999999999999999999999999999999999999E+125; store it as a string instead"
)
_SUPPORTED: Final = (
    "supported types are str, int, float, Decimal, bool, None, bytes/bytearray/memoryview, "
    "list/tuple, dict/Mapping with str keys, set/frozenset, datetime/date and Enum"
)


class _BadValueError(MarshallingError):
    """A value that failed on the fast path; :meth:`at` adds the attribute path for the user."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(f"{problem}: {fix}")
        self.problem = problem
        self.fix = fix

    def at(self, path: str) -> MarshallingError:
        where = f" at {path}" if path else ""
        return MarshallingError(f"{self.problem}{where}: {self.fix}")


# ---------------------------------------------------------------------------------------------
# Marshalling: Python → AttributeValue
# ---------------------------------------------------------------------------------------------


# Every marshaller takes the value and its nesting level (only containers look at the level).
def _m_str(value: str, depth: int = 0) -> AttributeValue:
    return {"S": value}


def _m_bool(value: bool, depth: int = 0) -> AttributeValue:
    return {"BOOL": value}


def _m_none(value: None, depth: int = 0) -> AttributeValue:
    return {"NULL": True}


def _m_bytes(value: bytes, depth: int = 0) -> AttributeValue:
    return {"B": value}


def _m_int(value: int, depth: int = 0) -> AttributeValue:
    if -_INT_DIGITS_LIMIT < value < _INT_DIGITS_LIMIT:
        return {"N": f"{value}"}
    return {"N": _big_int_text(value)}


def _big_int_text(value: int) -> str:
    # 10**126 needs 419 bits: anything longer is out of range (and may be too long for str()).
    if value.bit_length() <= 420:
        text = str(value)
        digits = text.lstrip("-")
        if len(digits) <= 126 and len(digits.rstrip("0")) <= _MAX_DIGITS:
            return text
    raise _BadValueError(f"int out of range ({describe(value)})", _NUMBER_RANGE)


def _m_float(value: float, depth: int = 0) -> AttributeValue:
    # NaN fails every comparison and ±inf fails the upper bound, so one test covers them all.
    if _FLOAT_MIN <= abs(value) < _FLOAT_MAX or value == 0.0:
        return {"N": f"{value!r}"}
    if value != value or value in (float("inf"), float("-inf")):
        raise _BadValueError(
            f"cannot store float {value!r}",
            "DynamoDB numbers must be finite; store None or omit the attribute instead",
        )
    raise _BadValueError(f"float out of range ({value!r})", _NUMBER_RANGE)


def _m_decimal(value: Decimal, depth: int = 0) -> AttributeValue:
    if not value.is_finite():
        raise _BadValueError(
            f"cannot store Decimal {str(value)!r}",
            "DynamoDB numbers must be finite; store None or omit the attribute instead",
        )
    if value:
        text = str(value)
        if len(text) <= _MAX_DIGITS and "E" not in text:
            # At most 38 characters hold at most 38 digits, and without an exponent str()
            # only writes adjusted exponents from -6 up: surely in range.
            return {"N": text}
        _sign, digits, _exponent = value.as_tuple()
        significant = len(digits)
        while digits[significant - 1] == 0:  # trailing zeros are not significant
            significant -= 1
        adjusted = value.adjusted()
        if (
            significant > _MAX_DIGITS
            or adjusted > _MAX_ADJUSTED_EXPONENT
            or adjusted < _MIN_ADJUSTED_EXPONENT
        ):
            raise _BadValueError(f"Decimal out of range ({str(value)!r})", _NUMBER_RANGE)
        return {"N": str(value)}
    return {"N": "0"}  # not "0E-200" or "-0": zero has no exponent DynamoDB could refuse


def _m_bytes_like(value: bytearray | memoryview, depth: int = 0) -> AttributeValue:
    return {"B": bytes(value)}


def _m_date(value: date, depth: int = 0) -> AttributeValue:
    return {"S": value.isoformat()}


def _m_enum(value: Enum, depth: int = 0) -> AttributeValue:
    return _marshall_value(value.value, depth)


def _m_str_subclass(value: str, depth: int = 0) -> AttributeValue:
    return {"S": str.__str__(value)}


def _m_int_subclass(value: int, depth: int = 0) -> AttributeValue:
    return _m_int(int(value))


def _m_float_subclass(value: float, depth: int = 0) -> AttributeValue:
    return _m_float(float(value))


def _checked_key(key: object) -> str:
    if isinstance(key, str):
        return key
    raise _BadValueError(
        f"map key {describe(key)} is not a string",
        "DynamoDB map keys and attribute names must be str; convert the keys with str()",
    )


def _m_map(value: Mapping[str, Any], depth: int = 0) -> AttributeValue:
    # ``depth`` is this map's nesting level (an attribute's own value is level 1, an item 0).
    # A plain loop, not a comprehension: on 3.11 a comprehension is a call of its own.
    if depth > MAX_DEPTH:
        raise _BadValueError(f"value nested more than {MAX_DEPTH} levels deep", TOO_DEEP)
    table = _MARSHALLERS
    inner = depth + 1
    out: dict[str, AttributeValue] = {}
    try:
        for k, v in value.items():
            if type(k) is not str:
                k = _checked_key(k)
            t = type(v)
            if t is str:
                out[k] = {"S": v}
            elif t is int and -_INT_DIGITS_LIMIT < v < _INT_DIGITS_LIMIT:
                out[k] = {"N": f"{v}"}  # _m_int, inlined
            else:
                out[k] = table[t](v, inner)
    except KeyError:
        # A type not in the table yet (a subclass, or unsupported): resolve it and start over.
        return {"M": {_checked_key(k): _marshall_value(v, inner) for k, v in value.items()}}
    return {"M": out}


def _m_list(value: list[Any] | tuple[Any, ...], depth: int = 0) -> AttributeValue:
    if depth > MAX_DEPTH:
        raise _BadValueError(f"value nested more than {MAX_DEPTH} levels deep", TOO_DEEP)
    table = _MARSHALLERS
    inner = depth + 1
    out: list[AttributeValue] = []
    append = out.append
    try:
        for v in value:
            t = type(v)
            append({"S": v} if t is str else table[t](v, inner))
    except KeyError:
        return {"L": [_marshall_value(v, inner) for v in value]}
    return {"L": out}


_ONLY_STR: Final = frozenset({str})
_ONLY_INT: Final = frozenset({int})
_ONLY_BYTES: Final = frozenset({bytes})
_NUMBER_TYPES: Final = frozenset({int, float, Decimal})


def _m_set(value: AbstractSet[Any], depth: int = 0) -> AttributeValue:
    # Members are sorted so that the same set always compiles to the same request.
    kinds = set(map(type, value))
    if kinds == _ONLY_STR:
        return {"SS": sorted(value)}
    if kinds == _ONLY_INT:
        ordered = sorted(value)
        if ordered[0] > -_INT_DIGITS_LIMIT and ordered[-1] < _INT_DIGITS_LIMIT:
            return {"NS": [f"{v}" for v in ordered]}
    if kinds and kinds <= _NUMBER_TYPES:
        table = _MARSHALLERS
        # Marshalled before sorting: a NaN is refused as such, not left to sorted() to trip on.
        pairs = [(v, table[type(v)](v, 0)["N"]) for v in value]
        pairs.sort(key=_first)
        texts = [text for _, text in pairs]
        if len(kinds) > 1:
            # Python keeps 0.1 and Decimal("0.10") apart, DynamoDB calls them duplicates.
            texts = list({Decimal(text): text for text in texts}.values())
        return {"NS": texts}
    if kinds == _ONLY_BYTES:
        return {"BS": sorted(value)}
    return _m_set_slow(value)


def _first(pair: tuple[Any, str]) -> Any:
    return pair[0]


_SET_TAGS: Final = frozenset({"S", "N", "B"})


def _m_set_slow(value: AbstractSet[Any]) -> AttributeValue:
    if not value:
        raise _BadValueError(
            "empty set", "DynamoDB rejects empty sets; store None or omit the attribute"
        )
    members: dict[str, list[Any]] = {}
    for member in value:
        if isinstance(member, bool):
            raise _BadValueError(
                f"set member {member!r} is a bool",
                "a DynamoDB set holds only strings, only numbers or only bytes; use a list",
            )
        ((tag, inner),) = _marshall_value(member).items()
        if tag not in _SET_TAGS:
            raise _BadValueError(
                f"set member {describe(member)} cannot go in a set",
                "a DynamoDB set holds only strings, only numbers or only bytes; use a list",
            )
        members.setdefault(tag, []).append(inner)
    if len(members) > 1:
        names = sorted({type(v).__name__ for v in value})
        raise _BadValueError(
            f"mixed set of {', '.join(names)}",
            "a DynamoDB set holds only strings, only numbers or only bytes; "
            "use a list for mixed values",
        )
    ((tag, inners),) = members.items()
    unique = set(inners)
    if tag == "S":
        return {"SS": sorted(unique)}
    if tag == "N":
        return {"NS": sorted(unique, key=Decimal)}
    return {"BS": sorted(unique)}


def _m_unsupported(value: object, depth: int = 0) -> NoReturn:
    raise _BadValueError(
        f"cannot marshall {describe(value)}",
        f"{_SUPPORTED}; convert it to one of these first",
    )


_MARSHALLERS: dict[type, _Marshaller] = {
    str: _m_str,
    int: _m_int,
    bool: _m_bool,
    float: _m_float,
    dict: _m_map,
    list: _m_list,
    type(None): _m_none,
    Decimal: _m_decimal,
    bytes: _m_bytes,
    bytearray: _m_bytes_like,
    memoryview: _m_bytes_like,
    tuple: _m_list,
    set: _m_set,
    frozenset: _m_set,
    datetime: _m_date,
    date: _m_date,
}

# Checked in order for types not in the table; Enum first so IntEnum/StrEnum use their value.
_FALLBACKS: Final[tuple[tuple[type | tuple[type, ...], _Marshaller], ...]] = (
    (Enum, _m_enum),
    (str, _m_str_subclass),
    (int, _m_int_subclass),
    (float, _m_float_subclass),
    (Decimal, _m_decimal),
    ((bytes, bytearray, memoryview), _m_bytes_like),
    (date, _m_date),
    (Mapping, _m_map),
    ((list, tuple), _m_list),
    (AbstractSet, _m_set),
)


def _resolve(cls: type) -> _Marshaller:
    handler = _MARSHALLERS.get(cls)
    if handler is not None:
        return handler
    for base, fallback in _FALLBACKS:
        if issubclass(cls, base):
            _MARSHALLERS[cls] = fallback
            return fallback
    return _m_unsupported


def _marshall_value(value: Any, depth: int = 0) -> AttributeValue:
    return _resolve(type(value))(value, depth)


def _locate_marshall_problem(value: Any, path: str, depth: int) -> NoReturn:
    """Walk a value that failed to marshall again, and raise an error naming where it failed."""
    handler = _resolve(type(value))
    if handler is _m_enum:
        _locate_marshall_problem(value.value, path, depth)
    if (handler is _m_map or handler is _m_list) and depth <= MAX_DEPTH:
        if handler is _m_map:
            for key, child in value.items():
                try:
                    key = _checked_key(key)
                except _BadValueError as problem:
                    raise problem.at(path) from None
                _locate_child(child, f"{path}.{key}" if path else key, depth + 1)
        else:
            for index, child in enumerate(value):
                _locate_child(child, f"{path}[{index}]", depth + 1)
    try:
        handler(value, depth)
    except _BadValueError as problem:
        raise problem.at(path) from None
    raise MarshallingError(f"cannot marshall {describe(value)}" + (f" at {path}" if path else ""))


def _locate_child(child: Any, path: str, depth: int) -> None:
    try:
        _marshall_value(child, depth)
    except _BadValueError:
        _locate_marshall_problem(child, path, depth)


def marshall(value: Any) -> AttributeValue:
    """Convert one Python value to a DynamoDB AttributeValue.

    >>> marshall({"n": 1, "tags": ["a", None]})
    {'M': {'n': {'N': '1'}, 'tags': {'L': [{'S': 'a'}, {'NULL': True}]}}}
    """
    cls = type(value)
    handler = _MARSHALLERS.get(cls) or _resolve(cls)
    try:
        return handler(value, 1)
    except _BadValueError:
        _locate_marshall_problem(value, "", 1)


#: What an attribute marshaller raises for a value it refuses (not an error users see:
#: :func:`marshall_item` of the whole item then locates the value and words the error).
ValueRefused = _BadValueError


def marshaller_of(cls: type) -> Callable[[Any, int], AttributeValue]:
    """How :func:`marshall_item` marshals an attribute value of exactly type ``cls``: call it
    with the value and ``1`` (an attribute's own nesting level). It raises
    :data:`ValueRefused` for a value DynamoDB cannot store."""
    return _MARSHALLERS.get(cls) or _resolve(cls)


def marshall_item(item: Mapping[str, Any]) -> Item:
    """Convert a Python mapping of attribute name → value to a DynamoDB item."""
    try:
        return _m_map(item, 0)["M"]
    except _BadValueError:
        _locate_marshall_problem(item, "", 0)


# ---------------------------------------------------------------------------------------------
# Unmarshalling: AttributeValue → Python
# ---------------------------------------------------------------------------------------------


def _same(inner: Any) -> Any:
    return inner


def _null(inner: Any) -> None:
    return None


def _float_number(text: str) -> int | float:
    if text.isdigit():  # most numbers are non-negative ints: one C call decides
        return int(text)
    if "." in text or "e" in text or "E" in text:
        return float(text)
    return int(text)


def _decimal_number(text: str) -> int | Decimal:
    if text.isdigit():
        return int(text)
    if "." in text or "e" in text or "E" in text:
        return Decimal(text)
    return int(text)


def _binary(inner: bytes | bytearray | memoryview | str) -> bytes:
    if type(inner) is bytes:
        return inner
    if isinstance(inner, str):  # a raw wire response keeps B base64-encoded
        return base64.b64decode(inner, validate=True)
    return bytes(inner)


def _binary_set(inner: list[bytes | str]) -> set[bytes]:
    return {_binary(member) for member in inner}


def _build_unmarshallers(number: Callable[[str], Any]) -> dict[str, _Unmarshaller]:
    """One tag → function table; M and L close over their own table, so no option is threaded."""
    table: dict[str, _Unmarshaller] = {}

    def map_(inner: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
        # Plain loops beat comprehensions on 3.11; `(t,) = av` fails unless exactly one tag.
        out: dict[str, Any] = {}
        for k, av in inner.items():
            (t,) = av
            if t == "S":
                out[k] = av[t]
            elif t == "N":  # `number`, its first (most taken) branch inlined
                text = av[t]
                out[k] = int(text) if text.isdigit() else number(text)
            else:
                out[k] = table[t](av[t])
        return out

    def list_(inner: list[Mapping[str, Any]]) -> list[Any]:
        out: list[Any] = []
        append = out.append
        for av in inner:
            (t,) = av
            append(av[t] if t == "S" else table[t](av[t]))
        return out

    def number_set(inner: list[str]) -> set[Any]:
        try:
            return set(map(int, inner))  # all ints (the usual case): no Python call per member
        except ValueError:
            return set(map(number, inner))

    table.update(
        S=_same,
        N=number,
        B=_binary,
        BOOL=_same,
        NULL=_null,
        M=map_,
        L=list_,
        SS=set,
        NS=number_set,
        BS=_binary_set,
    )
    return table


_EXACT_UNMARSHALLERS: Final = _build_unmarshallers(_decimal_number)
_FLOAT_UNMARSHALLERS: Final = _build_unmarshallers(_float_number)
# What malformed input raises on the fast path (binascii.Error is a ValueError).
_UNMARSHALL_FAILURES: Final = (KeyError, TypeError, ValueError, AttributeError, ArithmeticError)
_TAG_FIXES: Final = {
    "S": "expected a str",
    "N": "expected a number string such as '42' or '-1.5E3'",
    "B": "expected bytes, or a base64-encoded str",
    "BOOL": "expected a bool",
    "NULL": "expected True",
    "SS": "expected a list of str",
    "NS": "expected a list of number strings",
    "BS": "expected a list of bytes",
}


def _locate_unmarshall_problem(av: Any, path: str, table: Mapping[str, _Unmarshaller]) -> NoReturn:
    """Walk an AttributeValue that failed to unmarshall, and raise an error naming the path."""
    where = f" at {path}" if path else ""
    if not isinstance(av, Mapping) or len(av) != 1:
        raise MarshallingError(
            f"malformed AttributeValue {describe(av)}{where}: expected a mapping with exactly "
            "one type tag, e.g. {'S': 'text'}"
        )
    ((tag, inner),) = av.items()
    if tag not in table:
        raise MarshallingError(
            f"unknown AttributeValue type tag {tag!r}{where}: expected one of {', '.join(table)}"
        )
    if tag == "M" and isinstance(inner, Mapping):
        for key, child in inner.items():
            _locate_unmarshall_child(child, f"{path}.{key}" if path else str(key), table)
    elif tag == "L" and isinstance(inner, list | tuple):
        for index, child in enumerate(inner):
            _locate_unmarshall_child(child, f"{path}[{index}]", table)
    fix = _TAG_FIXES.get(tag, "expected a dict" if tag == "M" else "expected a list")
    raise MarshallingError(f"invalid {tag} value {describe(inner)}{where}: {fix}")


def _locate_unmarshall_child(child: Any, path: str, table: Mapping[str, _Unmarshaller]) -> None:
    try:
        ((tag, inner),) = child.items()
        table[tag](inner)
    except _UNMARSHALL_FAILURES:
        _locate_unmarshall_problem(child, path, table)


def unmarshall(value: Mapping[str, Any], *, use_decimal: bool = True) -> Any:
    """Convert one DynamoDB AttributeValue to a Python value.

    Numbers are exact: ``N`` becomes an ``int`` when it has no ``.``/``e``/``E``, else a
    ``Decimal`` — also inside maps, lists and number sets. ``use_decimal=False`` reads the
    non-integers as ``float`` instead (faster, but ``0.1 + 0.2``-style digits are lost; ints stay
    ints either way).

    >>> unmarshall({"L": [{"N": "1"}, {"N": "1.5"}, {"SS": ["a"]}]})
    [1, Decimal('1.5'), {'a'}]
    """
    table = _EXACT_UNMARSHALLERS if use_decimal else _FLOAT_UNMARSHALLERS
    try:
        ((tag, inner),) = value.items()
        return table[tag](inner)
    except _UNMARSHALL_FAILURES:
        _locate_unmarshall_problem(value, "", table)
    except RecursionError:
        raise too_deep_error(value, 1) from None


def unmarshall_item(item: Mapping[str, Any], *, use_decimal: bool = True) -> dict[str, Any]:
    """Convert a DynamoDB item (attribute name → AttributeValue) to a Python dict.

    Numbers are exact (``int`` or ``Decimal``) unless ``use_decimal=False``; see
    :func:`unmarshall`. Every read of the library uses the exact default.
    """
    table = _EXACT_UNMARSHALLERS if use_decimal else _FLOAT_UNMARSHALLERS
    try:
        result: dict[str, Any] = table["M"](item)
    except _UNMARSHALL_FAILURES:
        _locate_unmarshall_problem({"M": item}, "", table)
    except RecursionError:
        raise too_deep_error({"M": item}, 0) from None
    return result
