"""Type checks for dynamodb_tooling.marshal, run by ``mypy --strict src tests/typing``."""

from __future__ import annotations

from typing import Any, assert_type

from dynamodb_tooling._types import AttributeValue, Item
from dynamodb_tooling.marshal import (
    MAX_ITEM_SIZE,
    item_size,
    marshall,
    marshall_item,
    unmarshall,
    unmarshall_item,
)


def check_marshal_signatures() -> None:
    av = marshall("a")
    assert_type(av, AttributeValue)
    assert_type(marshall({"n": 1, "tags": {"x"}}), AttributeValue)
    item = marshall_item({"pk": "USER#1", "n": 1})
    assert_type(item, Item)
    assert_type(marshall_item({}), Item)
    assert_type(unmarshall(av), Any)
    assert_type(unmarshall({"N": "1"}, use_decimal=True), Any)
    assert_type(unmarshall_item(item), dict[str, Any])
    assert_type(unmarshall_item({}, use_decimal=True), dict[str, Any])
    assert_type(item_size(item), int)
    assert_type(MAX_ITEM_SIZE, int)
