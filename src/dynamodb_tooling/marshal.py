"""Python values ↔ DynamoDB AttributeValues (first version; see issue 2 for the full contract)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from dynamodb_tooling._types import AttributeValue, Item
from dynamodb_tooling.errors import MarshallingError


def marshall(value: Any) -> AttributeValue:
    """One Python value → one AttributeValue."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int | float | Decimal):
        return {"N": str(value)}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"B": bytes(value)}
    if isinstance(value, Mapping):
        return {"M": {str(k): marshall(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [marshall(v) for v in value]}
    raise MarshallingError(f"cannot marshall {type(value).__name__}")


def unmarshall(value: AttributeValue) -> Any:
    """One AttributeValue → one Python value."""
    ((tag, inner),) = value.items()
    if tag == "NULL":
        return None
    if tag == "N":
        text = str(inner)
        return int(text) if text.lstrip("-").isdigit() else float(text)
    if tag == "M":
        return {k: unmarshall(v) for k, v in inner.items()}  # type: ignore[union-attr]
    if tag == "L":
        return [unmarshall(v) for v in inner]  # type: ignore[union-attr]
    return inner


def marshall_item(item: Mapping[str, Any]) -> Item:
    """A Python mapping → a DynamoDB item."""
    return {str(k): marshall(v) for k, v in item.items()}


def unmarshall_item(item: Mapping[str, AttributeValue]) -> dict[str, Any]:
    """A DynamoDB item → a Python dict."""
    return {k: unmarshall(v) for k, v in item.items()}
