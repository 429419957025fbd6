"""Property tests: marshalling round-trips, and agrees with boto3 where both apply."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from hypothesis import given, settings
from hypothesis import strategies as st

from dynamodb_tooling.marshal import (
    MAX_ITEM_SIZE,
    item_size,
    marshall,
    marshall_item,
    unmarshall,
    unmarshall_item,
)

LIMIT = 10**38 - 1  # the largest magnitude that always fits in 38 significant digits

ints = st.integers(min_value=-LIMIT, max_value=LIMIT)
floats = st.floats(allow_nan=False, allow_infinity=False).filter(
    lambda f: f == 0.0 or 1e-130 <= abs(f) < 1e126
)
keys = st.text(max_size=8)
scalars = st.one_of(
    st.text(max_size=20), ints, floats, st.booleans(), st.none(), st.binary(max_size=16)
)
sets = st.one_of(
    st.sets(st.text(max_size=8), min_size=1, max_size=4),
    st.sets(ints, min_size=1, max_size=4),
    st.sets(st.binary(max_size=8), min_size=1, max_size=4),
)
values = st.recursive(
    st.one_of(scalars, sets),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)
    ),
    max_leaves=12,
)
items = st.dictionaries(keys.filter(bool), values, max_size=6)


def typed(value: Any) -> Any:
    """The value with every leaf's type attached, so True and 1, 1 and 1.0 stay apart."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    if isinstance(value, set | frozenset):
        return (type(value).__name__, sorted((type(v).__name__, v) for v in value))
    return (type(value).__name__, value)


def exact(value: Any) -> Any:
    """What the exact (default) decoding reads back: floats as the Decimal of their repr."""
    if isinstance(value, dict):
        return {k: exact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [exact(v) for v in value]
    return Decimal(repr(value)) if isinstance(value, float) else value


@settings(max_examples=150, deadline=None)
@given(values)
def test_round_trip(value: Any) -> None:
    assert typed(unmarshall(marshall(value))) == typed(exact(value))
    assert typed(unmarshall(marshall(value), use_decimal=False)) == typed(value)


@settings(max_examples=100, deadline=None)
@given(items)
def test_item_round_trip(item: dict[str, Any]) -> None:
    marshalled = marshall_item(item)
    assert typed(unmarshall_item(marshalled)) == typed(exact(item))
    assert typed(unmarshall_item(marshalled, use_decimal=False)) == typed(item)
    assert 0 <= item_size(marshalled) < MAX_ITEM_SIZE


@settings(max_examples=100, deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False, places=None))
def test_decimals_round_trip_exactly(value: Decimal) -> None:
    digits = len(value.as_tuple().digits)
    if value and (digits > 38 or not -130 <= value.adjusted() <= 125):
        return
    assert unmarshall(marshall(value)) == value
    assert unmarshall_item(marshall_item({"m": {"l": [value]}})) == {"m": {"l": [value]}}


@settings(max_examples=100, deadline=None)
@given(st.one_of(ints, st.text(max_size=10), st.booleans(), st.none(), sets))
def test_agrees_with_boto3(value: Any) -> None:
    ours, theirs = marshall(value), TypeSerializer().serialize(value)
    for tag in ("SS", "NS", "BS"):  # boto3 keeps set order, we sort
        if tag in theirs:
            theirs[tag] = sorted(theirs[tag], key=Decimal if tag == "NS" else None)
    assert ours == theirs
    assert TypeDeserializer().deserialize(ours) == value
