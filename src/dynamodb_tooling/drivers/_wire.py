"""DynamoDB's JSON wire format for the lean driver: request bodies and responses.

Our wire dicts hold binary values (``B``, ``BS``) as Python ``bytes``; on the wire they are
base64 strings. :func:`encode` writes a request body with orjson (bytes → base64, datetimes →
epoch seconds); :func:`decode` parses a response and turns the binary values of every item it
carries back into ``bytes`` (and, for table and backup operations, ``...DateTime`` numbers into
aware UTC datetimes), as botocore does.

>>> encode({"Key": {"pk": {"B": b"\\x00\\x01"}}})
b'{"Key":{"pk":{"B":"AAE="}}}'
>>> decode("GetItem", b'{"Item":{"pk":{"B":"AAE="}}}')
{'Item': {'pk': {'B': b'\\x00\\x01'}}}
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import orjson

from dynamodb_tooling.errors import RequestValidationError
from dynamodb_tooling.requests import DATA_OPERATIONS

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME

#: Operations whose responses carry items (binary values to decode); every other operation
#: is a table/backup operation whose ``...DateTime`` members are timestamps.
_ITEM_OPERATIONS = DATA_OPERATIONS


def _default(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp()
    raise TypeError(f"{type(value).__name__} is not a DynamoDB wire value")


def encode(params: Any, operation: str = "") -> bytes:
    """The JSON body for ``params`` (a request's wire dict)."""
    try:
        return orjson.dumps(params, default=_default, option=_OPTIONS)
    except TypeError as exc:
        where = f"{operation}: " if operation else ""
        raise RequestValidationError(
            f"{where}the request cannot be written as DynamoDB JSON ({exc}); parameters hold "
            "str, numbers as strings, bool, None, bytes, lists and dicts"
        ) from exc


def decode(operation: str, body: bytes) -> dict[str, Any]:
    """A response body as our wire dict (binary values as ``bytes``)."""
    response: dict[str, Any] = orjson.loads(body) if body else {}
    if operation in _ITEM_OPERATIONS:
        if b'"B' in body:  # cheap: no binary value can be present otherwise
            decode_binary(response)
    elif b"DateTime" in body:
        _timestamps(response)
    return response


def _b64(value: str | bytes) -> bytes:
    return base64.b64decode(value)


def _value(value: dict[str, Any]) -> None:
    if "B" in value:
        value["B"] = _b64(value["B"])
    elif "BS" in value:
        value["BS"] = [_b64(v) for v in value["BS"]]
    elif "M" in value:
        _item(value["M"])
    elif "L" in value:
        for element in value["L"]:
            _value(element)


def _item(item: dict[str, Any] | None) -> None:
    if item:
        for value in item.values():
            _value(value)


def _items(items: list[dict[str, Any]] | None) -> None:
    for item in items or ():
        _item(item)


def _responses(responses: Any) -> None:
    if isinstance(responses, dict):  # BatchGetItem: table → items
        for items in responses.values():
            _items(items)
        return
    for entry in responses or ():  # TransactGetItems, ExecuteTransaction, BatchExecuteStatement
        _item(entry.get("Item"))
        error = entry.get("Error")
        if error:
            _item(error.get("Item"))


def _unprocessed_items(tables: dict[str, Any] | None) -> None:
    for writes in (tables or {}).values():
        for write in writes:
            if "PutRequest" in write:
                _item(write["PutRequest"].get("Item"))
            if "DeleteRequest" in write:
                _item(write["DeleteRequest"].get("Key"))


def _metrics(metrics: Any) -> None:
    if not metrics:
        return
    if "ItemCollectionKey" in metrics:  # one write
        _item(metrics["ItemCollectionKey"])
        return
    for entries in metrics.values():  # batch/transaction: table → list of metrics
        for entry in entries:
            _item(entry.get("ItemCollectionKey"))


def decode_binary(response: dict[str, Any]) -> dict[str, Any]:
    """Base64-decode (in place) every ``B``/``BS`` value in the items of a response or error
    body; the response's own members are known by name, so an attribute called ``B`` is
    never mistaken for a value."""
    for name in ("Item", "Attributes", "LastEvaluatedKey"):
        _item(response.get(name))
    _items(response.get("Items"))
    if "Responses" in response:
        _responses(response["Responses"])
    for table in (response.get("UnprocessedKeys") or {}).values():
        _items(table.get("Keys"))
    _unprocessed_items(response.get("UnprocessedItems"))
    _metrics(response.get("ItemCollectionMetrics"))
    for reason in response.get("CancellationReasons") or ():
        _item(reason.get("Item"))
    return response


def _timestamps(value: Any) -> None:
    if isinstance(value, dict):
        for name, member in value.items():
            if (
                name.endswith("DateTime")
                and isinstance(member, int | float)
                and not isinstance(member, bool)
            ):
                value[name] = datetime.fromtimestamp(member, tz=UTC)
            else:
                _timestamps(member)
    elif isinstance(value, list):
        for member in value:
            _timestamps(member)
