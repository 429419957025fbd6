"""Checks of DynamoDB's limits, made before a request is sent."""

from __future__ import annotations

from collections.abc import Mapping, Sized
from typing import Any

import orjson

from dynamodb_tooling._types import AttributeValue, Item
from dynamodb_tooling.errors import RequestValidationError
from dynamodb_tooling.marshal import MAX_ITEM_SIZE, item_size

MAX_TRANSACTION_ITEMS = 100
MAX_BATCH_GET_KEYS = 100
MAX_BATCH_WRITE_ITEMS = 25
MAX_BATCH_STATEMENTS = 25
#: DynamoDB's largest key value (a partition key; sort keys stop at 1,024 bytes).
MAX_KEY_VALUE_BYTES = 2048


def require_table(table: str) -> str:
    if not table:
        raise RequestValidationError("a table name is required (got an empty string)")
    return table


def require_key(key: Mapping[str, Any], operation: str) -> None:
    if not key:
        raise RequestValidationError(
            f"{operation} needs the item's primary key (partition key and, if the table has one, "
            "sort key); got an empty key"
        )


def check_key_size(key: Mapping[str, AttributeValue], operation: str) -> None:
    """Refuse a key with a value over 2,048 bytes, which no table key may hold.

    Which attribute is the sort key (limit 1,024 bytes) is not known here: the key scheme
    (``schema.keys.KeyScheme``) checks both limits by name for every key the ORM builds.
    """
    for name, av in key.items():
        inner = av.get("S", av.get("B")) if isinstance(av, Mapping) else None
        if isinstance(inner, str | bytes) and len(inner) * 4 > MAX_KEY_VALUE_BYTES:
            size = len(inner) if isinstance(inner, bytes) else len(inner.encode("utf-8", "replace"))
            if size > MAX_KEY_VALUE_BYTES:
                raise RequestValidationError(
                    f"{operation}: key attribute {name!r} is {size:,} bytes, above DynamoDB's "
                    f"limit of {MAX_KEY_VALUE_BYTES:,} bytes for a partition key (1,024 bytes "
                    "for a sort key); no item can have this key — use a shorter value"
                )


def size_bound(item: Mapping[str, AttributeValue]) -> int | None:
    """A cheap upper bound of :func:`item_size` for a marshalled item (its JSON length, about
    15 times faster than the exact walk), or ``None`` when JSON cannot bound it (bytes, lone
    surrogates, anything but AttributeValues of plain types).

    JSON (UTF-8) writes every name and string at least as long as its UTF-8 bytes (escapes are
    longer than what they encode), a number's text plus its ``{"N":""}`` wrapper above its
    stored size (at most one byte per two digits plus two), and every map or list entry and
    AttributeValue wrapper with more punctuation than DynamoDB's per-entry overhead.
    """
    try:
        return len(orjson.dumps(item))
    except TypeError:  # orjson.JSONEncodeError: bytes, lone surrogates, other objects
        return None


def check_item_size(item: Mapping[str, AttributeValue], what: str = "item") -> Item:
    """Refuse an item above 400 KB (see :func:`refuse_oversized`); a copy of ``item``."""
    refuse_oversized(item, what)
    return dict(item)


def refuse_oversized(item: Mapping[str, AttributeValue], what: str = "item") -> None:
    """Refuse an item above 400 KB. A cheap upper bound (:func:`size_bound`) is tried first;
    the exact walk (:func:`item_size`) only runs when the bound does not clear the limit."""
    bound = size_bound(item)
    if bound is not None and bound <= MAX_ITEM_SIZE:
        return
    size = item_size(item)
    if size > MAX_ITEM_SIZE:
        raise RequestValidationError(
            f"the {what} is {size:,} bytes, above DynamoDB's limit of {MAX_ITEM_SIZE:,} bytes "
            "(400 KB); store large values in S3 and keep a reference, or split the item"
        )


def check_count(items: Sized, limit: int, what: str, fix: str) -> None:
    count = len(items)
    if count == 0:
        raise RequestValidationError(f"{what} needs at least one item; got none")
    if count > limit:
        raise RequestValidationError(
            f"{what} has {count} items, above DynamoDB's limit of {limit}; {fix}"
        )


def check_positive(value: int | None, name: str) -> None:
    if value is not None and value < 1:
        raise RequestValidationError(f"{name} must be at least 1 (got {value})")
