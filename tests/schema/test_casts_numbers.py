"""Casting numbers by declared type: bad numbers are AttributeCastErrors naming the model
attribute and the value (never a raw ValueError/OverflowError), reads are exact, and only a
declared float reads back as a float."""

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.schema import ModelDefinition, Registry, Traits
from dynamodb_tooling.schema.casts import (
    AttributeCastError,
    from_storage,
    to_storage,
    values_equal,
)
from dynamodb_tooling.schema.definitions import AttributeDefinition, AttributeType
from dynamodb_tooling.schema.naming import make_attribute
from dynamodb_tooling.schema.transformer import EntityTransformer


def attr(type_: AttributeType, name: str = "n") -> AttributeDefinition:
    return make_attribute(name, type_)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (float("nan"), "float nan"),
        (float("inf"), "float inf"),
        (float("-inf"), "float -inf"),
        (Decimal("NaN"), "Decimal Decimal('NaN')"),
        (Decimal("-Infinity"), "Decimal Decimal('-Infinity')"),
        ("--5", "str '--5'"),
        ("1.5", "str '1.5'"),
        ("", "str ''"),
        ("٣", "str '٣'"),  # an Arabic-Indic digit: isdigit() says yes, DynamoDB says no
        ("1_000", "str '1_000'"),
        ("9" * 5000, "str '99999"),  # beyond int()'s 4,300-digit limit
        (1.5, "float 1.5"),
        (Decimal("1E+1000000000"), "Decimal Decimal('1E+1000000000')"),
        (True, "bool True"),
    ],
)
def test_bad_integers_are_cast_errors_naming_the_attribute_and_value(
    value: Any, shown: str
) -> None:
    with pytest.raises(AttributeCastError) as caught:
        to_storage(attr("integer", "age"), value, "User")
    message = str(caught.value)
    assert message.startswith("User.age must be an integer")
    assert f", got {shown}" in message


@pytest.mark.parametrize(
    ("value", "expected"),
    [(42, 42), ("-42", -42), ("+7", 7), (Decimal("3"), 3), (4.0, 4), (Decimal("1E+2"), 100)],
)
def test_good_integers_are_cast_to_int(value: Any, expected: int) -> None:
    result = to_storage(attr("integer"), value, "User")
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize("type_", ["number", "decimal"])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), Decimal("NaN"), Decimal("Inf")])
def test_non_finite_numbers_are_refused(type_: AttributeType, value: Any) -> None:
    with pytest.raises(AttributeCastError, match=r"^Sensor\.n must be .*finite number"):
        to_storage(attr(type_), value, "Sensor")


def test_non_finite_members_of_a_number_set_are_refused() -> None:
    with pytest.raises(AttributeCastError, match=r"^Sensor\.n must be a finite number.*got float"):
        to_storage(attr("number_set"), {1.5, float("nan")}, "Sensor")


def test_decimal_strings_are_checked() -> None:
    assert to_storage(attr("decimal"), " 1.10 ", "M") == Decimal("1.10")
    assert to_storage(attr("decimal"), 0.1, "M") == Decimal("0.1")  # repr, not binary noise
    assert to_storage(attr("decimal"), 10**5000, "M") == Decimal(10**5000)  # no str() limit
    for bad in ("nan", "abc", "--1"):
        with pytest.raises(AttributeCastError, match=r"^M\.n must be a decimal number"):
            to_storage(attr("decimal"), bad, "M")


def test_reads_are_exact_and_only_a_declared_float_becomes_a_float() -> None:
    precise = Decimal("-6442539352.1150042112")
    assert from_storage(attr("decimal"), precise, "M") == precise
    assert type(from_storage(attr("decimal"), 3, "M")) is Decimal
    assert from_storage(attr("integer"), 2**62 + 1, "M") == 2**62 + 1
    assert type(from_storage(attr("integer"), Decimal("5"), "M")) is int
    value = from_storage(attr("number"), Decimal("0.1"), "M")
    assert (value, type(value)) == (0.1, float)
    assert type(from_storage(attr("number"), 3, "M")) is float
    assert from_storage(attr("map"), {"x": precise}, "M") == {"x": precise}
    assert from_storage(attr("number_set"), {precise, 2**62 + 1}, "M") == {precise, 2**62 + 1}
    with pytest.raises(AttributeCastError, match=r"^M\.n must be a number within float range"):
        from_storage(attr("number"), Decimal("1E+400"), "M")


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 10**30, Decimal("-1E+20")])
def test_impossible_timestamps_are_cast_errors(value: Any) -> None:
    with pytest.raises(AttributeCastError, match=r"^Event\.at must be a unix timestamp"):
        to_storage(attr("datetime", "at"), value, "Event")
    registry = Registry(validate_config())
    registry.register(ModelDefinition("Event", "EVENT", traits=Traits(timestamps=True)))
    transformer = EntityTransformer(registry)
    with pytest.raises(AttributeCastError, match=r"^Event\.created_at must be a unix timestamp"):
        transformer.from_item({"_et": "Event", "id": "e1", "created_at": value})
    assert isinstance(transformer.parse_timestamp(1_700_000_000), datetime)


def test_values_too_deep_to_compare_count_as_changed() -> None:
    a: Any = 1
    b: Any = 1
    for _ in range(5_000):
        a, b = {"a": a}, {"a": b}
    assert values_equal(a, b) is False
    assert values_equal({"x": [Decimal("1.0")]}, {"x": [1]}) is True
