"""Pagination cursors: round trips, URL safety, tamper and scope checks, stable scopes."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dynamodb_tooling.errors import CursorError, QueryError
from dynamodb_tooling.query.cursor import (
    CURSOR_VERSION,
    MAX_CURSOR_LENGTH,
    SCOPE_PARAMETERS,
    CursorCodec,
    scope_of,
)

URL_SAFE = re.compile(r"[A-Za-z0-9_-]+")
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
QUERY = {
    "TableName": "MainTable",
    "IndexName": "GSI1",
    "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :sk)",
    "ExpressionAttributeNames": {"#pk": "gsi1pk", "#sk": "gsi1sk"},
    "ExpressionAttributeValues": {":pk": {"S": "TEAM#1"}, ":sk": {"S": "USER#"}},
}
SCOPE = scope_of(QUERY)
KEY = {
    "pk": {"S": "USER#01HZ"},
    "sk": {"S": "USER#01HZ"},
    "gsi1pk": {"S": "TEAM#1"},
    "gsi1sk": {"S": "USER#01HZ"},
}
codec = CursorCodec("test secret")


def _raw(cursor: str) -> bytes:
    return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# -- round trips ------------------------------------------------------------------------------


def test_round_trip_of_a_string_key() -> None:
    cursor = codec.encode(KEY, scope=SCOPE)
    assert codec.decode(cursor, scope=SCOPE) == KEY


def test_round_trip_of_number_binary_and_unicode_keys() -> None:
    key = {
        "pk": {"S": "ÜSER#日本語#🙂"},
        "sk": {"B": bytes(range(256))},
        "n": {"N": "-12.5E+3"},
    }
    decoded = codec.decode(codec.encode(key, scope=SCOPE), scope=SCOPE)
    assert decoded == key
    assert type(decoded["sk"]["B"]) is bytes


def test_round_trip_of_every_attribute_value_type() -> None:
    key = {
        "m": {"M": {"inner": {"L": [{"B": b"\x00"}, {"NULL": True}, {"BOOL": False}]}}},
        "sets": {"L": [{"SS": ["a", "b"]}, {"NS": ["1", "2"]}, {"BS": [b"x", b"\xff"]}]},
    }
    assert codec.decode(codec.encode(key, scope=SCOPE), scope=SCOPE) == key


def test_bytes_like_b_values_come_back_as_bytes() -> None:
    key = {"pk": {"B": bytearray(b"ab")}, "sk": {"B": memoryview(b"cd")}}
    assert codec.decode(codec.encode(key, scope=SCOPE), scope=SCOPE) == {
        "pk": {"B": b"ab"},
        "sk": {"B": b"cd"},
    }


def test_cursors_are_url_safe_unpadded_and_deterministic() -> None:
    for key in (KEY, {"pk": {"B": b"\xfb\xff\xfe" * 40}}, {"pk": {"S": "?&=/+ #%"}}):
        cursor = codec.encode(key, scope=SCOPE)
        assert URL_SAFE.fullmatch(cursor), cursor
        assert "=" not in cursor
        assert codec.encode(key, scope=SCOPE) == cursor


def test_layout_is_version_tag_mac_then_compact_json() -> None:
    raw = _raw(codec.encode({"pk": {"S": "é"}, "sk": {"B": b"\x01"}}, scope=SCOPE))
    assert raw[0] == CURSOR_VERSION == 1
    assert json.loads(raw[21:]) == {"pk": {"S": "é"}, "sk": {"B": "AQ=="}}
    assert raw[21:] == '{"pk":{"S":"é"},"sk":{"B":"AQ=="}}'.encode()


def test_str_and_bytes_secrets_are_the_same_key() -> None:
    cursor = CursorCodec("s3cret").encode(KEY, scope=SCOPE)
    assert CursorCodec(b"s3cret").decode(cursor, scope=SCOPE) == KEY


def test_per_process_codecs_share_one_secret() -> None:
    first, second = CursorCodec(), CursorCodec(None)
    assert first.per_process is True
    assert codec.per_process is False
    assert second.decode(first.encode(KEY, scope=SCOPE), scope=SCOPE) == KEY


def test_a_real_sized_binary_key_fits_under_the_length_limit() -> None:
    key = {  # the largest LastEvaluatedKey: table and index keys at their size limits
        "pk": {"B": b"\xff" * 2048},
        "sk": {"B": b"\xff" * 1024},
        "gsi1pk": {"B": b"\xff" * 2048},
        "gsi1sk": {"B": b"\xff" * 1024},
    }
    cursor = codec.encode(key, scope=SCOPE)
    assert len(cursor) < MAX_CURSOR_LENGTH
    assert codec.decode(cursor, scope=SCOPE) == key


# -- refusing cursors -------------------------------------------------------------------------


def test_flipping_any_character_is_refused() -> None:
    cursor = codec.encode({"pk": {"S": "USER#1"}, "sk": {"B": b"\x00\x01"}}, scope=SCOPE)
    for position, char in enumerate(cursor):
        for replacement in {ALPHABET[(ALPHABET.index(char) + 1) % 64], "A", "_"} - {char}:
            tampered = cursor[:position] + replacement + cursor[position + 1 :]
            with pytest.raises(CursorError):
                codec.decode(tampered, scope=SCOPE)


def test_altered_contents_say_so() -> None:
    raw = bytearray(_raw(codec.encode(KEY, scope=SCOPE)))
    raw[-3] ^= 0x01  # inside the JSON body
    with pytest.raises(CursorError, match="the cursor was altered"):
        codec.decode(_b64(bytes(raw)), scope=SCOPE)


def test_a_cursor_from_another_query_is_refused() -> None:
    cursor = codec.encode(KEY, scope=SCOPE)
    other = scope_of({**QUERY, "IndexName": "GSI2"})
    with pytest.raises(CursorError, match="belongs to a different query") as refused:
        codec.decode(cursor, scope=other)
    assert "per-process" not in str(refused.value)


def test_a_cursor_signed_with_another_secret_is_refused() -> None:
    cursor = CursorCodec("old secret").encode(KEY, scope=SCOPE)
    with pytest.raises(CursorError, match="signed with a different secret"):
        codec.decode(cursor, scope=SCOPE)


def test_the_per_process_codec_explains_restarts() -> None:
    cursor = codec.encode(KEY, scope=SCOPE)
    with pytest.raises(CursorError, match=r"query_builder\.cursor_secret"):
        CursorCodec().decode(cursor, scope=SCOPE)


@pytest.mark.parametrize(
    ("cursor", "message"),
    [
        ("", "the cursor is empty"),
        ("abc!", r"characters outside \[A-Za-z0-9_-\]"),
        ("YWJj=", "characters outside"),
        ("YWJj\n", "characters outside"),
        (" YWJj", "characters outside"),
        ("abc+def/", "characters outside"),
        ("a", "not valid base64url"),
        ("abcde", "not valid base64url"),
        ("YWJ", "not canonical base64url"),  # 'J' carries set low bits 'I' would not
        ("YWJj", "truncated"),
        ("A" * 28, "truncated"),
        ("A" * (MAX_CURSOR_LENGTH + 1), "too long"),
        ("null", "truncated"),
    ],
)
def test_garbage_is_refused_with_a_clear_message(cursor: str, message: str) -> None:
    with pytest.raises(CursorError, match=message):
        codec.decode(cursor, scope=SCOPE)


@pytest.mark.parametrize("cursor", [None, 123, b"YWJj", ["x"]])
def test_non_strings_are_refused(cursor: Any) -> None:
    with pytest.raises(CursorError, match="a cursor is a string, not"):
        codec.decode(cursor, scope=SCOPE)


def test_an_unknown_version_is_refused() -> None:
    raw = bytearray(_raw(codec.encode(KEY, scope=SCOPE)))
    raw[0] = 2
    with pytest.raises(CursorError, match=r"incompatible version .*version byte 2, expected 1"):
        codec.decode(_b64(bytes(raw)), scope=SCOPE)


@pytest.mark.parametrize(
    "body", [b"not json", b"[]", b"{}", b'{"pk":"x"}', b'{"pk":{"B":"**"}}', b"\xff"]
)
def test_a_genuine_cursor_with_an_unreadable_key_is_still_a_cursor_error(body: bytes) -> None:
    # Only someone holding the secret can produce these; the codec must still not crash.
    header = bytes([CURSOR_VERSION]) + codec._tag(SCOPE)
    cursor = _b64(header + codec._mac(header, SCOPE, body) + body)
    with pytest.raises(CursorError, match="the cursor's key is unreadable"):
        codec.decode(cursor, scope=SCOPE)


def test_cursor_error_is_a_query_error() -> None:
    with pytest.raises(QueryError):
        codec.decode("", scope=SCOPE)


# -- encoding mistakes and secrets ------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        {},
        [("pk", {"S": "x"})],
        {"pk": "USER#1"},
        {"pk": {"S": "x", "N": "1"}},
        {"pk": {"S": 1}},
        {"pk": {"B": "not bytes"}},
        {"pk": {"X": "x"}},
        {"pk": {"SS": ["a", 1]}},
        {"pk": {"BS": ["a"]}},
        {"pk": {"M": {1: {"S": "x"}}}},
        {1: {"S": "x"}},
        {"pk": {"S": "\ud800"}},
    ],
)
def test_encoding_something_that_is_not_a_wire_key_is_a_type_error(key: Any) -> None:
    with pytest.raises(TypeError, match="cannot make a cursor from this key"):
        codec.encode(key, scope=SCOPE)


def test_secrets_must_be_non_empty_bytes_or_str() -> None:
    with pytest.raises(ValueError, match="the cursor secret is empty"):
        CursorCodec("")
    with pytest.raises(ValueError, match="the cursor secret is empty"):
        CursorCodec(b"")
    with pytest.raises(TypeError, match="a cursor secret is bytes or str, not int"):
        CursorCodec(42)  # type: ignore[arg-type]


def test_repr_never_shows_the_secret() -> None:
    assert repr(CursorCodec("hunter2")) == "<CursorCodec (configured secret)>"
    assert repr(CursorCodec()) == "<CursorCodec (per-process random secret)>"


# -- scope_of ---------------------------------------------------------------------------------


def test_scope_is_a_sha256_hex_digest_pinned_across_versions_and_processes() -> None:
    assert re.fullmatch(r"[0-9a-f]{64}", SCOPE)
    assert scope_of({"TableName": "MainTable"}) == (
        "4501aa1664f257c3a62d663fd7673f29289f4ff5a43669ce4eab0bc690b11339"
    )


def test_scope_does_not_depend_on_key_order() -> None:
    reordered = {
        "ExpressionAttributeValues": {":sk": {"S": "USER#"}, ":pk": {"S": "TEAM#1"}},
        "ExpressionAttributeNames": {"#sk": "gsi1sk", "#pk": "gsi1pk"},
        "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :sk)",
        "IndexName": "GSI1",
        "TableName": "MainTable",
    }
    assert scope_of(reordered) == SCOPE


def test_scope_ignores_paging_projection_and_capacity_parameters() -> None:
    noisy = {
        **QUERY,
        "Limit": 10,
        "ExclusiveStartKey": KEY,
        "ProjectionExpression": "#pk",
        "ConsistentRead": True,
        "ReturnConsumedCapacity": "TOTAL",
        "Select": "ALL_ATTRIBUTES",
        "ScanIndexForward": True,
        "FilterExpression": None,
    }
    assert scope_of(noisy) == SCOPE


@pytest.mark.parametrize(
    "change",
    [
        {"TableName": "Other"},
        {"IndexName": "GSI2"},
        {"KeyConditionExpression": "#pk = :pk"},
        {"FilterExpression": "#a > :a"},
        {"ExpressionAttributeNames": {"#pk": "gsi2pk", "#sk": "gsi1sk"}},
        {"ExpressionAttributeValues": {":pk": {"S": "TEAM#2"}, ":sk": {"S": "USER#"}}},
        {"ScanIndexForward": False},
        {"Segment": 0},
        {"TotalSegments": 4},
    ],
)
def test_every_scope_parameter_changes_the_scope(change: dict[str, Any]) -> None:
    assert set(change) <= set(SCOPE_PARAMETERS)
    assert scope_of({**QUERY, **change}) != SCOPE


def test_segments_of_different_scans_differ() -> None:
    scan = {"TableName": "T", "Segment": 0}
    assert scope_of({**scan, "TotalSegments": 2}) != scope_of({**scan, "TotalSegments": 4})
    assert scope_of({**scan, "TotalSegments": 2}) != scope_of({**scan, "Segment": 1})


def test_wire_sets_are_order_insensitive_but_lists_are_not() -> None:
    def values(av: dict[str, Any]) -> str:
        return scope_of({"TableName": "T", "ExpressionAttributeValues": {":v": av}})

    assert values({"SS": ["a", "b", "c"]}) == values({"SS": ["c", "a", "b"]})
    assert values({"NS": ["1", "2"]}) == values({"NS": ["2", "1"]})
    assert values({"BS": [b"a", b"b"]}) == values({"BS": [b"b", b"a"]})
    assert values({"L": [{"S": "a"}, {"S": "b"}]}) != values({"L": [{"S": "b"}, {"S": "a"}]})
    assert values({"B": b"a"}) != values({"S": "a"})


def test_scope_accepts_python_values_too() -> None:
    def values(value: Any) -> str:
        return scope_of({"TableName": "T", "ExpressionAttributeValues": {":v": value}})

    assert values({"a", "b"}) == values(frozenset({"b", "a"}))
    assert values(b"x") != values("x")
    assert values(Decimal("1.5")) != values("1.5")
    assert values((1, 2)) == values([1, 2])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (object(), "holds a object, which cannot be fingerprinted"),
        ({1: "x"}, "has a non-string key 1"),
        (float("nan"), "cannot fingerprint"),
    ],
)
def test_scope_of_unfingerprintable_values_is_a_type_error(value: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        scope_of({"TableName": "T", "ExpressionAttributeValues": {":v": value}})


def test_scope_is_the_same_in_processes_with_different_hash_seeds() -> None:
    program = (
        "from dynamodb_tooling.query.cursor import scope_of;"
        "print(scope_of({'TableName': 'T', 'ExpressionAttributeValues':"
        " {':v': {'SS': list({'alpha', 'beta', 'gamma', 'delta', 'eps'})},"
        "  ':w': {'alpha', 'beta', 'gamma', 'delta'}}}))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", program],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1


# -- properties -------------------------------------------------------------------------------

attribute_values = st.one_of(
    st.builds(lambda s: {"S": s}, st.text(min_size=1, max_size=40)),
    st.builds(
        lambda n: {"N": str(n)}, st.integers() | st.decimals(allow_nan=False, allow_infinity=False)
    ),
    st.builds(lambda b: {"B": b}, st.binary(min_size=1, max_size=40)),
)
keys = st.dictionaries(st.text(min_size=1, max_size=12), attribute_values, min_size=1, max_size=4)


@settings(max_examples=60, deadline=None)
@given(
    key=keys,
    scope=st.text(st.characters(codec="utf-8") | st.characters(categories=["Cs"]), max_size=20),
    secret=st.binary(min_size=1, max_size=32),
)
def test_property_round_trip(key: dict[str, Any], scope: str, secret: bytes) -> None:
    codec = CursorCodec(secret)
    cursor = codec.encode(key, scope=scope)
    assert URL_SAFE.fullmatch(cursor)
    assert codec.decode(cursor, scope=scope) == key


@settings(max_examples=40, deadline=None)
@given(key=keys, data=st.data())
def test_property_any_single_character_change_is_refused(key: dict[str, Any], data: Any) -> None:
    cursor = codec.encode(key, scope=SCOPE)
    position = data.draw(st.integers(0, len(cursor) - 1), label="position")
    replacement = data.draw(st.sampled_from(ALPHABET.replace(cursor[position], "")))
    with pytest.raises(CursorError):
        codec.decode(cursor[:position] + replacement + cursor[position + 1 :], scope=SCOPE)


@settings(max_examples=30, deadline=None)
@given(key=keys, scope=st.text(max_size=20), other=st.text(max_size=20))
def test_property_another_scope_is_refused(key: dict[str, Any], scope: str, other: str) -> None:
    cursor = codec.encode(key, scope=scope)
    if other == scope:
        assert codec.decode(cursor, scope=other) == key
    else:
        with pytest.raises(CursorError, match="belongs to a different query"):
            codec.decode(cursor, scope=other)
