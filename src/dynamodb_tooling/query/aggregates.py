"""Client-side aggregates over items: ``sum``, ``avg``, ``min``, ``max`` and their warning.

DynamoDB has no server-side aggregation, so ``User.where(...).sum("age")`` reads every matching
item and adds them up here. These helpers are pure: they take any iterable of items (dicts or
objects) and never do IO. The query builder calls :func:`warn_if_large` with the number of items it
had to read, so an aggregate that quietly reads a whole table says so.

Rules shared by every aggregate:

* ``attribute`` names a key of a mapping item (``item["age"]``) or an attribute of an object item
  (``item.age``), with Laravel's dot notation for nested values (``"address.city"``); a callable
  is applied to each item; ``None`` aggregates the items themselves.
* ``None`` and missing values are skipped, as SQL's ``SUM``/``AVG``/``MIN``/``MAX`` skip NULL.
* ``sum``/``avg`` accept ``int``, ``float`` and ``Decimal`` (never ``bool``): anything else is a
  ``TypeError`` naming the attribute and the value, because silently skipping a string would give
  a wrong total.
* Number types: when any value is a ``Decimal`` the result is a ``Decimal`` (floats are converted
  through ``repr``, so ``0.1`` counts as ``Decimal("0.1")``) computed with DynamoDB's 38 digits of
  precision; otherwise ``sum`` of ints is an exact ``int``, ``sum`` involving floats is a
  ``float`` (``math.fsum``, correctly rounded), and ``avg`` is always a ``float``. Items read
  from the table hold ``int`` and ``Decimal`` (never float, unless an attribute is declared
  ``float``), so aggregates over stored numbers are exact.
* ``min``/``max`` compare any mutually comparable values (numbers of mixed types, strings such as
  ISO-8601 timestamps) and return the value itself; an empty input gives ``None``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Context, Decimal
from functools import reduce
from typing import Any, TypeAlias, TypeVar, overload

from dynamodb_tooling._warnings import warn_at_caller
from dynamodb_tooling.errors import PerformanceWarning

T = TypeVar("T")

Number: TypeAlias = int | float | Decimal
"""What :func:`sum_of` returns: ``int``, ``float`` or ``Decimal`` (see the module rules)."""

_DYNAMODB_PRECISION = Context(prec=38)  # DynamoDB numbers carry up to 38 significant digits

_DEFAULT_ADVICE = (
    "Every one of those items was read (and billed) to compute one value. Keep the figure "
    "up to date as items change instead (an atomic counter: UpdateItem with ADD, or a DynamoDB "
    "Stream consumer), or narrow the query with a key condition; raise "
    "query_builder.aggregate_warning_threshold if this volume is expected."
)


def data_get(item: Any, key: str, default: Any = None) -> Any:
    """The value of ``key`` in ``item``: a mapping key, a sequence index or an object attribute.

    Laravel's ``data_get``: an exact key wins; otherwise a dotted key walks nested values.
    Missing values give ``default``.

    >>> data_get({"user": {"name": "Ada"}}, "user.name")
    'Ada'
    """
    found, value = _lookup(item, key)
    if found:
        return value
    if "." not in key:
        return default
    current = item
    for segment in key.split("."):
        found, current = _lookup(current, segment)
        if not found:
            return default
    return current


def _lookup(item: Any, key: str) -> tuple[bool, Any]:
    if isinstance(item, Mapping):
        return (True, item[key]) if key in item else (False, None)
    if isinstance(item, Sequence) and not isinstance(item, str | bytes | bytearray):
        if key.isdigit() and int(key) < len(item):
            return True, item[int(key)]
        return False, None
    try:
        return True, getattr(item, key)
    except AttributeError:
        return False, None


@overload
def value_getter(key: str | None) -> Callable[[Any], Any]: ...
@overload
def value_getter(key: Callable[[T], Any]) -> Callable[[T], Any]: ...
@overload
def value_getter(key: str | Callable[[T], Any] | None) -> Callable[[T], Any]: ...
def value_getter(key: str | Callable[[T], Any] | None) -> Callable[[T], Any]:
    """A function reading ``key`` from an item (see :func:`data_get`); ``None`` reads the item."""
    if key is None:
        return _identity
    if isinstance(key, str):
        return lambda item: data_get(item, key)
    return key


def _identity(item: Any) -> Any:
    return item


def describe(key: str | Callable[..., Any] | None) -> str:
    """How error messages name ``key``: ``'age'``, ``<callable name>`` or ``the items``."""
    if key is None:
        return "the items"
    if isinstance(key, str):
        return repr(key)
    return f"<{getattr(key, '__qualname__', type(key).__name__)}>"


def sum_of(items: Iterable[T], attribute: str | Callable[[T], Any] | None = None) -> Number:
    """The total of ``attribute`` over ``items`` (``0`` when there is nothing to add).

    >>> sum_of([{"n": 1}, {"n": None}, {}, {"n": 2.5}], "n")
    3.5
    """
    values = _numbers(items, attribute, "sum")
    if any(isinstance(value, Decimal) for value in values):
        return reduce(_DYNAMODB_PRECISION.add, map(_to_decimal, values), Decimal(0))
    if any(isinstance(value, float) for value in values):
        return math.fsum(values)
    return sum(values, 0)


def avg_of(
    items: Iterable[T], attribute: str | Callable[[T], Any] | None = None
) -> float | Decimal | None:
    """The mean of ``attribute`` over ``items``; ``None`` when no item has a value.

    >>> avg_of([{"n": 1}, {"n": 2}], "n")
    1.5
    """
    values = _numbers(items, attribute, "avg")
    if not values:
        return None
    total = sum_of(values)
    if isinstance(total, Decimal):
        return _DYNAMODB_PRECISION.divide(total, Decimal(len(values)))
    return total / len(values)


def min_of(items: Iterable[T], attribute: str | Callable[[T], Any] | None = None) -> Any:
    """The smallest value of ``attribute`` over ``items``; ``None`` when no item has a value."""
    return _extreme(items, attribute, min, "min")


def max_of(items: Iterable[T], attribute: str | Callable[[T], Any] | None = None) -> Any:
    """The largest value of ``attribute`` over ``items``; ``None`` when no item has a value."""
    return _extreme(items, attribute, max, "max")


def warn_if_large(
    count: int,
    threshold: int | None,
    what: str,
    *,
    advice: str | None = None,
    stacklevel: int | None = None,
) -> bool:
    """Emit a :class:`PerformanceWarning` when ``count`` items exceed ``threshold``.

    ``what`` names the operation (``"User.sum('age')"``); ``advice`` replaces the default
    suggestion (keep a running total, narrow with a key condition). The warning blames the first
    line outside the library (``stacklevel``, counted as for :func:`warnings.warn` from the
    caller of this function, overrides that).
    ``threshold=None`` never warns. Returns whether it warned.
    """
    if threshold is None or count <= threshold:
        return False
    message = (
        f"{what} processed {count:,} items on the client (more than the threshold of "
        f"{threshold:,}). {advice or _DEFAULT_ADVICE}"
    )
    if stacklevel is None:
        warn_at_caller(message, PerformanceWarning)
    else:
        warnings.warn(message, PerformanceWarning, stacklevel=stacklevel + 1)
    return True


def _numbers(
    items: Iterable[T], attribute: str | Callable[[T], Any] | None, operation: str
) -> list[Number]:
    get = value_getter(attribute)
    numbers: list[Number] = []
    for item in items:
        value = get(item)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise TypeError(
                f"cannot {operation} {describe(attribute)}: {value!r} is a "
                f"{type(value).__name__}, not a number (int, float and Decimal values are "
                "aggregated; None and missing values are skipped)"
            )
        numbers.append(value)
    return numbers


def _to_decimal(value: Number) -> Decimal:
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def _extreme(
    items: Iterable[T],
    attribute: str | Callable[[T], Any] | None,
    pick: Callable[[list[Any]], Any],
    operation: str,
) -> Any:
    get = value_getter(attribute)
    values = [value for value in map(get, items) if value is not None]
    if not values:
        return None
    try:
        return pick(values)
    except TypeError:
        kinds = ", ".join(sorted({type(value).__name__ for value in values}))
        raise TypeError(
            f"cannot take the {operation} of {describe(attribute)}: its values ({kinds}) cannot "
            "be compared with each other"
        ) from None
