"""The plain-JSON encoding: every type survives, text that looks typed stays text."""

from decimal import Decimal
from typing import Any

import pytest

from dynamodb_tooling.marshal import marshall_item, unmarshall_item
from dynamodb_tooling.transfer import (
    EncodingError,
    decode_cell,
    decode_item,
    decode_value,
    encode_cell,
    encode_item,
    encode_value,
)
from tests.transfer.samples import EVERY_TYPE


@pytest.mark.parametrize("item", EVERY_TYPE)
def test_every_type_round_trips_exactly(item: dict[str, Any]) -> None:
    stored = unmarshall_item(marshall_item(item))  # as read back from a table
    line = encode_item(stored)
    back = decode_item(line)
    assert back == stored
    assert marshall_item(back) == marshall_item(stored)  # the same wire values
    assert encode_item(back) == line  # byte-identical the second time
    assert "\n" not in line


def test_the_encoding_is_plain_json_with_tags_only_where_json_has_no_type() -> None:
    assert encode_value("a") == '"a"'
    assert encode_value(Decimal("1.50")) == "1.50"
    assert encode_value(10**30) == "1" + "0" * 30
    assert encode_value(b"\x00") == '{"$binary":"AA=="}'
    assert encode_value({"b", "a"}) == '{"$set":["a","b"]}'
    assert encode_value({Decimal("10"), 2}) == '{"$set":[2,10]}'  # numbers by value
    assert encode_value({"$x": 1}) == '{"$map":[["$x",1]]}'  # escaped: not a tag
    assert encode_value({"$x": 1, "y": 2}) == '{"$x":1,"y":2}'  # two keys: no tag possible
    assert encode_item({"b": 1, "a": [True, None]}) == '{"a":[true,null],"b":1}'
    assert decode_value("1.0") == Decimal("1.0")
    assert type(decode_value("7")) is int


def test_csv_cells_are_bare_text_unless_the_text_would_read_as_something_else() -> None:
    assert encode_cell("Ada Lovelace") == "Ada Lovelace"
    assert encode_cell("123") == '"123"'
    assert encode_cell("") == '""'
    assert encode_cell("true") == '"true"'
    assert encode_cell(123) == "123"
    assert encode_cell({"a"}) == '{"$set":["a"]}'
    for value in ("Ada", "123", "", "null", '"q"', " 5", "NaN", "01234", 5, Decimal("0.10")):
        assert decode_cell(encode_cell(value)) == value
    assert decode_cell("01234") == "01234"  # not a JSON number: text


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[1]", "an item is a JSON object"),
        ('{"a": NaN}', "NaN is not a DynamoDB number"),
        ('{"b": {"$binary": "***"}}', "not valid base64"),
        ('{"s": {"$set": []}}', "non-empty array"),
        ("{", "not an item"),
    ],
)
def test_bad_lines_say_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(EncodingError, match=problem) as caught:
        decode_item(text, "line 9")
    assert str(caught.value).startswith("line 9:")


def test_values_that_are_not_item_values_are_refused() -> None:
    with pytest.raises(EncodingError, match="cannot encode object"):
        encode_value(object())
