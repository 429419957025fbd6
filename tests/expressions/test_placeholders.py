"""Placeholders: deterministic allocation, name reuse, marshalled values."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dynamodb_tooling.errors import ExpressionError, MarshallingError
from dynamodb_tooling.expressions import Placeholders


def test_names_are_allocated_in_order_of_first_use_and_reused() -> None:
    ph = Placeholders()
    assert [ph.name("age"), ph.name("name"), ph.name("age"), ph.name("size")] == [
        "#n0",
        "#n1",
        "#n0",
        "#n2",
    ]
    assert ph.names == {"#n0": "age", "#n1": "name", "#n2": "size"}


def test_every_value_gets_a_new_placeholder() -> None:
    ph = Placeholders()
    assert [ph.value(1), ph.value(1), ph.value("x")] == [":v0", ":v1", ":v2"]
    assert ph.values == {":v0": {"N": "1"}, ":v1": {"N": "1"}, ":v2": {"S": "x"}}


def test_values_are_marshalled() -> None:
    ph = Placeholders()
    ph.value(None)
    ph.value(True)
    ph.value(b"\x00")
    ph.value({"a": [1, "b"]})
    assert ph.values == {
        ":v0": {"NULL": True},
        ":v1": {"BOOL": True},
        ":v2": {"B": b"\x00"},
        ":v3": {"M": {"a": {"L": [{"N": "1"}, {"S": "b"}]}}},
    }


def test_already_marshalled_values_are_kept_as_is() -> None:
    ph = Placeholders()
    assert ph.marshalled({"SS": ["a"]}) == ":v0"
    assert ph.values == {":v0": {"SS": ["a"]}}


def test_names_and_values_are_copies() -> None:
    ph = Placeholders()
    ph.name("a")
    ph.value(1)
    ph.names.clear()
    ph.values.clear()
    assert ph.names == {"#n0": "a"}
    assert ph.values == {":v0": {"N": "1"}}


def test_names_and_values_are_empty_at_first() -> None:
    assert Placeholders().names == {}
    assert Placeholders().values == {}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"b", "a", "c"}, {"SS": ["a", "b", "c"]}),
        (frozenset({10, 2, Decimal("1.5")}), {"NS": ["1.5", "2", "10"]}),
        ({b"b", b"a"}, {"BS": [b"a", b"b"]}),
    ],
)
def test_sets_become_sorted_dynamodb_sets(value: object, expected: object) -> None:
    ph = Placeholders()
    ph.value(value)
    assert ph.values == {":v0": expected}


def test_an_empty_set_is_refused() -> None:
    with pytest.raises(ExpressionError, match="empty set"):
        Placeholders().value(set())


def test_a_mixed_set_is_refused() -> None:
    with pytest.raises(ExpressionError, match="only strings, only numbers or only bytes"):
        Placeholders().value({"a", 1})


def test_a_set_of_bools_is_refused() -> None:
    with pytest.raises(ExpressionError, match="bool"):
        Placeholders().value({True})


def test_an_unmarshallable_value_is_refused() -> None:
    with pytest.raises(MarshallingError):
        Placeholders().value(object())
