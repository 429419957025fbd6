"""DynamoDB item sizes, and the AttributeValue error helpers shared with the marshaller.

:func:`item_size` is re-exported by :mod:`dynamodb_tooling.marshal`, its public home.
:data:`MAX_DEPTH`, :func:`describe` and :func:`too_deep_error` live here too (marshal re-exports
``MAX_DEPTH``), so both modules word their errors alike without importing each other.
"""

from __future__ import annotations

import base64
import reprlib
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Final

from dynamodb_tooling._types import AttributeValue
from dynamodb_tooling.errors import MarshallingError

__all__ = ["MAX_DEPTH", "TOO_DEEP", "describe", "item_size", "too_deep_error"]

MAX_DEPTH: Final[int] = 32
"""DynamoDB's maximum nesting of maps and lists (an attribute's own map or list is level 1)."""

# ---------------------------------------------------------------------------------------------
# Shared with marshal
# ---------------------------------------------------------------------------------------------

_short_repr = reprlib.Repr()
_short_repr.maxstring = 60
_short_repr.maxother = 60
TOO_DEEP: Final = (
    f"DynamoDB allows at most {MAX_DEPTH} levels of nested maps and lists; flatten the value "
    "or store it as a JSON string"
)


def describe(value: object) -> str:
    return f"{type(value).__name__} {_short_repr.repr(value)}"


def too_deep_error(av: Any, level: int) -> MarshallingError:
    """The error for an AttributeValue too deep to walk, naming the path (found without
    recursion) of its first map or list nested deeper than :data:`MAX_DEPTH`."""
    stack, path = [(av, "", level)], ""
    while stack:
        node, where, depth = stack.pop()
        ((tag, inner),) = (
            node.items() if isinstance(node, Mapping) and len(node) == 1 else [("", 0)]
        )
        if tag in ("M", "L") and depth > MAX_DEPTH:
            path = f" at {where}" if where else ""
            break
        if tag == "M" and isinstance(inner, Mapping):
            stack += [(c, f"{where}.{k}" if where else str(k), depth + 1) for k, c in inner.items()]
        elif tag == "L" and isinstance(inner, list | tuple):
            stack += [(c, f"{where}[{i}]", depth + 1) for i, c in enumerate(inner)]
    return MarshallingError(
        f"AttributeValue nested more than {MAX_DEPTH} levels deep{path}: {TOO_DEEP}"
    )


# ---------------------------------------------------------------------------------------------
# Item size
# ---------------------------------------------------------------------------------------------


def _utf8_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def _number_size(text: str) -> int:
    """Bytes DynamoDB stores for a number.

    The published rule is "1 byte per two significant digits, plus 1". Digits are stored in
    pairs aligned on the decimal point (base 100), so ``1.5`` takes two pairs (``01`` and
    ``50``); negative numbers take one byte more; the maximum is 21 bytes.
    """
    try:
        number = Decimal(text)
    except (ArithmeticError, TypeError):
        number = Decimal("NaN")
    sign, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int):  # NaN or Infinity
        raise MarshallingError(
            f"invalid N value {text!r}: expected a finite number string such as '42'"
        )
    if not number:
        return 1
    significant = len(digits)
    while digits[significant - 1] == 0:
        significant -= 1
        exponent += 1
    highest = exponent + significant - 1  # power of ten of the leading digit
    pairs = highest // 2 - exponent // 2 + 1
    return min(pairs + 1 + sign, 21)


def _binary_size(inner: bytes | bytearray | memoryview | str) -> int:
    if isinstance(inner, str):
        return len(base64.b64decode(inner))
    return len(inner)


def _map_size(inner: Mapping[str, Mapping[str, Any]]) -> int:
    return 3 + sum(_utf8_size(k) + 1 + _value_size(av) for k, av in inner.items())


def _list_size(inner: list[Mapping[str, Any]]) -> int:
    return 3 + sum(1 + _value_size(av) for av in inner)


_SIZERS: Final[dict[str, Callable[[Any], int]]] = {
    "S": _utf8_size,
    "N": _number_size,
    "B": _binary_size,
    "BOOL": lambda _: 1,
    "NULL": lambda _: 1,
    "M": _map_size,
    "L": _list_size,
    "SS": lambda inner: sum(map(_utf8_size, inner)),
    "NS": lambda inner: sum(map(_number_size, inner)),
    "BS": lambda inner: sum(map(_binary_size, inner)),
}


def _value_size(av: Mapping[str, Any]) -> int:
    try:
        ((tag, inner),) = av.items()
        sizer = _SIZERS[tag]
    except (AttributeError, ValueError, KeyError):
        raise MarshallingError(
            f"cannot size {describe(av)}: expected an AttributeValue with exactly one type tag "
            f"among {', '.join(_SIZERS)}"
        ) from None
    return sizer(inner)


def item_size(item: Mapping[str, AttributeValue]) -> int:
    """The size of a marshalled item in bytes, by DynamoDB's published sizing rules.

    Each attribute counts its name's UTF-8 length plus its value: S is UTF-8 bytes, N about one
    byte per two significant digits plus one, B raw bytes, BOOL/NULL one byte, M/L three bytes
    plus one per element plus the elements, sets the sum of their members. Compare the result
    with :data:`MAX_ITEM_SIZE`.

    >>> item_size({"id": {"S": "u1"}, "n": {"N": "123"}})
    8
    """
    try:
        return sum(_utf8_size(name) + _value_size(av) for name, av in item.items())
    except RecursionError:
        raise too_deep_error({"M": item}, 0) from None
