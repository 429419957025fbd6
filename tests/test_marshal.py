"""dynamodb_tooling.marshal: exact AttributeValues for every type, errors, sizes."""

from __future__ import annotations

import re
from collections import OrderedDict
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum, IntEnum, StrEnum
from types import MappingProxyType
from typing import Any

import pytest

from dynamodb_tooling._types import AttributeValue
from dynamodb_tooling.errors import MarshallingError
from dynamodb_tooling.marshal import (
    MAX_ITEM_SIZE,
    item_size,
    marshall,
    marshall_item,
    unmarshall,
    unmarshall_item,
)

DIGITS_39 = "1.23456789012345678901234567890123456789"  # 1 + 38 digits after the point


class Color(Enum):
    RED = "red"
    NESTED = {"k": 1}


class Level(IntEnum):
    HIGH = 3


class Mode(StrEnum):
    FAST = "fast"


class Name(str):
    pass


class Count(int):
    pass


class Ratio(float):
    pass


# --- marshall: scalars ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("hello", {"S": "hello"}),
        ("", {"S": ""}),
        ("日本語", {"S": "日本語"}),
        (True, {"BOOL": True}),
        (False, {"BOOL": False}),
        (None, {"NULL": True}),
        (0, {"N": "0"}),
        (-42, {"N": "-42"}),
        (10**37 + 1, {"N": "10000000000000000000000000000000000001"}),
        (-(10**38) + 1, {"N": "-" + "9" * 38}),
        (10**50, {"N": "1" + "0" * 50}),
        (1.5, {"N": "1.5"}),
        (-0.25, {"N": "-0.25"}),
        (0.0, {"N": "0.0"}),
        (1e16, {"N": "1e+16"}),
        (0.1, {"N": "0.1"}),
        (Decimal("1.50"), {"N": "1.50"}),
        (Decimal("-7"), {"N": "-7"}),
        (Decimal("0E-10"), {"N": "0"}),
        (Decimal(DIGITS_39[:39]), {"N": DIGITS_39[:39]}),
        (b"\x00\xff", {"B": b"\x00\xff"}),
        (bytearray(b"ab"), {"B": b"ab"}),
        (memoryview(b"cd"), {"B": b"cd"}),
    ],
)
def test_marshall_scalars(value: Any, expected: AttributeValue) -> None:
    assert marshall(value) == expected


def test_bool_is_not_a_number() -> None:
    assert marshall([True, 1]) == {"L": [{"BOOL": True}, {"N": "1"}]}


def test_int_keeps_every_digit_and_round_trips() -> None:
    big = 10**37 + 1
    assert marshall(big) == {"N": str(big)}
    assert unmarshall(marshall(big)) == big
    assert type(unmarshall(marshall(big))) is int


def test_bytes_like_become_bytes() -> None:
    for value in (bytearray(b"x"), memoryview(b"x")):
        assert type(marshall(value)["B"]) is bytes


def test_datetimes_become_iso_strings() -> None:
    aware = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    paris = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone(timedelta(hours=2)))
    naive = datetime(2024, 5, 6, 7, 8, 9, 123456)
    assert marshall(aware) == {"S": "2024-05-06T07:08:09+00:00"}
    assert marshall(paris) == {"S": "2024-05-06T07:08:09+02:00"}
    assert marshall(naive) == {"S": "2024-05-06T07:08:09.123456"}
    assert marshall(date(2024, 5, 6)) == {"S": "2024-05-06"}


def test_enums_marshall_their_value() -> None:
    assert marshall(Color.RED) == {"S": "red"}
    assert marshall(Color.NESTED) == {"M": {"k": {"N": "1"}}}
    assert marshall(Level.HIGH) == {"N": "3"}
    assert marshall(Mode.FAST) == {"S": "fast"}


def test_subclasses_take_the_fallback_path_and_give_plain_values() -> None:
    assert marshall(Name("ada")) == {"S": "ada"}
    assert type(marshall(Name("ada"))["S"]) is str
    assert marshall(Count(7)) == {"N": "7"}
    assert marshall(Ratio(0.5)) == {"N": "0.5"}
    # Twice: the second call goes through the handler cached by the first.
    assert marshall([Name("a"), Count(1)]) == {"L": [{"S": "a"}, {"N": "1"}]}
    assert marshall([Name("a"), Count(1)]) == {"L": [{"S": "a"}, {"N": "1"}]}


# --- marshall: containers ---------------------------------------------------------------------


def test_list_and_tuple_become_l() -> None:
    expected = {"L": [{"S": "a"}, {"N": "1"}, {"NULL": True}]}
    assert marshall(["a", 1, None]) == expected
    assert marshall(("a", 1, None)) == expected
    assert marshall([]) == {"L": []}


def test_mappings_become_m() -> None:
    expected = {"M": {"a": {"N": "1"}, "b": {"S": "x"}}}
    assert marshall({"a": 1, "b": "x"}) == expected
    assert marshall(OrderedDict(a=1, b="x")) == expected
    assert marshall(MappingProxyType({"a": 1, "b": "x"})) == expected
    assert marshall({}) == {"M": {}}


def test_nested_structures() -> None:
    value = {
        "profile": {
            "name": "Ada",
            "tags": ["x", 2, [3.5, {"deep": None}]],
            "flags": {"on": True},
        },
        "scores": (1, 2),
    }
    assert marshall(value) == {
        "M": {
            "profile": {
                "M": {
                    "name": {"S": "Ada"},
                    "tags": {
                        "L": [
                            {"S": "x"},
                            {"N": "2"},
                            {"L": [{"N": "3.5"}, {"M": {"deep": {"NULL": True}}}]},
                        ]
                    },
                    "flags": {"M": {"on": {"BOOL": True}}},
                }
            },
            "scores": {"L": [{"N": "1"}, {"N": "2"}]},
        }
    }


def test_nesting_up_to_32_levels_round_trips() -> None:
    value: Any = "leaf"
    for _ in range(16):
        value = {"next": [value]}  # 32 levels: 16 maps and 16 lists
    assert unmarshall(marshall(value)) == value
    assert unmarshall_item(marshall_item({"deep": value})) == {"deep": value}


@pytest.mark.parametrize("levels", [33, 1_500, 5_000])
def test_nesting_deeper_than_32_levels_is_refused_with_the_path(levels: int) -> None:
    value: Any = "leaf"
    for _ in range(levels):
        value = {"a": value}
    with pytest.raises(MarshallingError) as caught:
        marshall_item({"profile": value})
    path = "profile" + ".a" * 32
    assert str(caught.value) == (
        f"value nested more than 32 levels deep at {path}: DynamoDB allows at most 32 levels of "
        "nested maps and lists; flatten the value or store it as a JSON string"
    )
    with pytest.raises(MarshallingError, match=r"nested more than 32 levels deep at \[0\]"):
        marshall([value])  # marshall() counts the value itself as level 1


def test_lists_count_as_nesting_levels() -> None:
    value: Any = 1
    for _ in range(32):
        value = [value]
    assert marshall_item({"x": value})["x"]["L"][0]["L"][0]["L"]  # 32 levels are fine
    with pytest.raises(MarshallingError, match=r"32 levels deep at x(\[0\]){32}: DynamoDB"):
        marshall_item({"x": [value]})


def test_unmarshalling_a_deeper_than_python_attribute_value_is_a_marshalling_error() -> None:
    av: dict[str, Any] = {"S": "leaf"}
    for _ in range(5_000):
        av = {"M": {"a": av}}
    with pytest.raises(MarshallingError, match=r"nested more than 32 levels deep at p(\.a){32}:"):
        unmarshall_item({"p": av})
    with pytest.raises(MarshallingError, match=r"nested more than 32 levels deep at (a\.){31}a:"):
        unmarshall(av)
    with pytest.raises(MarshallingError, match=r"nested more than 32 levels deep at p(\.a){32}:"):
        item_size({"p": av})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"b", "a", "c"}, {"SS": ["a", "b", "c"]}),
        (frozenset({"x"}), {"SS": ["x"]}),
        ({3, 1, 2}, {"NS": ["1", "2", "3"]}),
        ({1.5, 2}, {"NS": ["1.5", "2"]}),
        ({Decimal("2.50"), 1}, {"NS": ["1", "2.50"]}),
        ({0.1, Decimal("0.10")}, {"NS": ["0.1"]}),
        ({b"b", b"a"}, {"BS": [b"a", b"b"]}),
        ({Mode.FAST, "slow"}, {"SS": ["fast", "slow"]}),
        ({Level.HIGH, 1}, {"NS": ["1", "3"]}),
    ],
)
def test_sets(value: Any, expected: AttributeValue) -> None:
    assert marshall(value) == expected


def test_marshall_item() -> None:
    assert marshall_item({"pk": "USER#1", "age": 30, "tags": {"a"}}) == {
        "pk": {"S": "USER#1"},
        "age": {"N": "30"},
        "tags": {"SS": ["a"]},
    }
    assert marshall_item({}) == {}


def test_marshall_item_with_subclass_values() -> None:
    assert marshall_item({"level": Level.HIGH, "name": Name("n")}) == {
        "level": {"N": "3"},
        "name": {"S": "n"},
    }


# --- marshall: errors -------------------------------------------------------------------------


def _error(value: Any) -> str:
    with pytest.raises(MarshallingError) as caught:
        marshall_item({"attr": value})
    assert type(caught.value) is MarshallingError
    return str(caught.value)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_floats_are_refused(value: float) -> None:
    message = _error(value)
    assert repr(value) in message
    assert "at attr" in message
    assert "finite" in message
    assert "store None" in message


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", "sNaN"])
def test_non_finite_decimals_are_refused(text: str) -> None:
    message = _error(Decimal(text))
    assert text in message
    assert "finite" in message


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity"])  # sNaN: unhashable
@pytest.mark.parametrize("other", [1, 2.5, Decimal("3.5")])
def test_a_number_set_holding_a_non_finite_decimal_is_refused_with_the_path(
    text: str, other: Any
) -> None:
    # Sorting the members first would raise decimal.InvalidOperation on the NaN.
    message = _error({Decimal(text), other})
    assert text in message
    assert "at attr" in message
    assert "finite" in message
    with pytest.raises(MarshallingError, match=r"at meta\.s: DynamoDB numbers must be finite"):
        marshall_item({"meta": {"s": {Decimal(text), other}}})


@pytest.mark.parametrize(
    "value",
    [
        10**38 + 1,  # 39 significant digits
        -(10**38) - 1,
        10**126,  # magnitude too large, even with one significant digit
        1e126,
        -1e200,
        1e-131,
        5e-324,
        Decimal(DIGITS_39),  # 39 significant digits
        Decimal("1E+126"),
        Decimal("1E-131"),
        2**5000,  # too long for str(): refused before it is converted
    ],
)
def test_out_of_range_numbers_are_refused(value: Any) -> None:
    message = _error(value)
    assert "out of range" in message
    assert "38 significant digits" in message
    assert "store it as a string" in message


@pytest.mark.parametrize(
    "value",
    [
        10**38 - 1,
        10**125,
        Decimal("9.9999999999999999999999999999999999999E+125"),
        Decimal("1E-130"),
        Decimal("-1E-130"),
        1e-130,
        9.999e125,
    ],
)
def test_numbers_at_the_edge_of_the_range_are_accepted(value: Any) -> None:
    assert "N" in marshall(value)


def test_decimal_keeps_38_digits() -> None:
    value = Decimal(DIGITS_39[:39])  # 38 significant digits
    assert marshall(value) == {"N": "1.2345678901234567890123456789012345678"}
    assert unmarshall(marshall(value), use_decimal=True) == value


def test_empty_set_is_refused() -> None:
    message = _error(set())
    assert "empty set at attr" in message
    assert "store None or omit the attribute" in message
    assert "store None or omit the attribute" in _error(frozenset())


def test_mixed_set_is_refused() -> None:
    message = _error({1, "a"})
    assert "mixed set of int, str at attr" in message
    assert "use a list" in message
    assert "mixed set" in _error({b"a", "a"})


@pytest.mark.parametrize(
    ("value", "named"), [({True, 2}, "True"), ({None}, "None"), ({(1, 2)}, "tuple")]
)
def test_set_members_must_be_strings_numbers_or_bytes(value: Any, named: str) -> None:
    message = _error(value)
    assert named in message
    assert "only strings, only numbers or only bytes" in message


def test_non_string_map_key_is_refused() -> None:
    message = _error({"ok": 1, 3: "x"})
    assert "map key int 3 is not a string at attr" in message
    assert "str()" in message


def test_non_string_attribute_name_is_refused() -> None:
    with pytest.raises(MarshallingError, match=r"map key int 1 is not a string: .*str\(\)"):
        marshall_item({1: "x"})  # type: ignore[dict-item]


@pytest.mark.parametrize("value", [object(), 1j, lambda: None, iter([])])
def test_unsupported_type_is_refused(value: Any) -> None:
    message = _error(value)
    assert f"cannot marshall {type(value).__name__}" in message
    assert "supported types are" in message


def test_error_names_the_attribute_path() -> None:
    item = {"id": "u1", "profile": {"name": "Ada", "tags": ["a", "b", float("nan")]}}
    with pytest.raises(MarshallingError, match=re.escape("at profile.tags[2]")):
        marshall_item(item)
    with pytest.raises(MarshallingError, match=re.escape("empty set at a[1].b[0]")):
        marshall_item({"a": [1, {"b": [set()]}]})


def test_error_path_through_an_enum_and_a_tuple() -> None:
    class Bad(Enum):
        X = ("ok", object())

    with pytest.raises(MarshallingError, match=re.escape("cannot marshall object")) as caught:
        marshall_item({"e": Bad.X})
    assert "at e[1]" in str(caught.value)


def test_top_level_marshall_error_has_no_path() -> None:
    with pytest.raises(MarshallingError) as caught:
        marshall(float("nan"))
    assert str(caught.value).startswith("cannot store float nan: ")
    with pytest.raises(MarshallingError, match=re.escape("at x[0]")):
        marshall({"x": [object()]})


def test_marshalling_error_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        marshall(object())


# --- unmarshall -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("av", "expected"),
    [
        ({"S": "x"}, "x"),
        ({"S": ""}, ""),
        ({"N": "42"}, 42),
        ({"N": "-42"}, -42),
        ({"N": "10000000000000000000000000000000000001"}, 10**37 + 1),
        ({"N": "1.5"}, Decimal("1.5")),
        ({"N": "1e+16"}, Decimal("1e16")),
        ({"N": "1E3"}, Decimal(1000)),
        ({"N": "-6442539352.1150042112"}, Decimal("-6442539352.1150042112")),
        ({"N": "4611686018427387905"}, 2**62 + 1),
        ({"B": b"\x00"}, b"\x00"),
        ({"B": "AAE="}, b"\x00\x01"),
        ({"B": bytearray(b"ab")}, b"ab"),
        ({"BOOL": True}, True),
        ({"BOOL": False}, False),
        ({"NULL": True}, None),
        ({"SS": ["a", "b"]}, {"a", "b"}),
        ({"NS": ["1", "2.5"]}, {1, Decimal("2.5")}),
        ({"BS": [b"a", "Yg=="]}, {b"a", b"b"}),
        ({"L": [{"S": "a"}, {"N": "1"}]}, ["a", 1]),
        ({"M": {"a": {"L": [{"M": {"b": {"NULL": True}}}]}}}, {"a": [{"b": None}]}),
        ({"M": {}}, {}),
        ({"L": []}, []),
    ],
)
def test_unmarshall(av: dict[str, Any], expected: Any) -> None:
    result = unmarshall(av)
    assert result == expected
    assert type(result) is type(expected)


def test_number_types() -> None:
    assert type(unmarshall({"N": "7"})) is int
    assert type(unmarshall({"N": "7.0"})) is Decimal
    assert type(unmarshall({"N": "7e0"})) is Decimal
    assert type(unmarshall({"N": "-7"})) is int


def test_numbers_are_exact_by_default() -> None:
    text = "-6442539352.1150042112"  # 20 significant digits: a float keeps 17
    assert unmarshall({"N": text}) == Decimal(text)
    assert str(unmarshall({"N": "1.10"})) == "1.10"
    assert unmarshall({"N": "4611686018427387905"}) == 2**62 + 1
    nested = {"M": {"a": {"L": [{"N": "0.1"}, {"N": "2"}, {"NS": ["0.5", "3"]}]}}}
    assert unmarshall(nested) == {"a": [Decimal("0.1"), 2, {Decimal("0.5"), 3}]}
    item = unmarshall_item({"m": {"M": {"x": {"N": text}}}, "n": {"N": "12"}})
    assert item == {"m": {"x": Decimal(text)}, "n": 12}
    assert type(item["n"]) is int
    assert unmarshall(nested, use_decimal=True) == unmarshall(nested)


def test_use_decimal_false_reads_non_integers_as_float() -> None:
    nested = {"M": {"a": {"L": [{"N": "0.1"}, {"N": "2"}, {"NS": ["0.5", "3"]}]}}}
    result = unmarshall(nested, use_decimal=False)
    assert result == {"a": [0.1, 2, {0.5, 3}]}
    assert [type(v) for v in result["a"][:2]] == [float, int]
    assert type(unmarshall_item({"f": {"N": "7e0"}}, use_decimal=False)["f"]) is float


def test_use_decimal() -> None:
    assert unmarshall({"N": "1.10"}, use_decimal=True) == Decimal("1.10")
    assert str(unmarshall({"N": "1.10"}, use_decimal=True)) == "1.10"
    assert type(unmarshall({"N": "1E+3"}, use_decimal=True)) is Decimal
    assert type(unmarshall({"N": "12"}, use_decimal=True)) is int  # ints stay ints
    assert unmarshall({"NS": ["1", "0.5"]}, use_decimal=True) == {1, Decimal("0.5")}


def test_use_decimal_keeps_38_digits() -> None:
    text = DIGITS_39[:39]
    assert unmarshall_item({"n": {"N": text}}, use_decimal=True) == {"n": Decimal(text)}


def test_unmarshall_item() -> None:
    item = {"pk": {"S": "USER#1"}, "n": {"N": "3"}, "f": {"N": "0.5"}, "gone": {"NULL": True}}
    assert unmarshall_item(item) == {"pk": "USER#1", "n": 3, "f": Decimal("0.5"), "gone": None}
    assert type(unmarshall_item(item, use_decimal=False)["f"]) is float
    assert unmarshall_item({}) == {}


def test_round_trip_of_an_item() -> None:
    item = {
        "id": "u1",
        "n": 10**37 + 1,
        "f": 2.5,
        "ok": False,
        "none": None,
        "raw": b"\x01",
        "tags": {"a", "b"},
        "nums": {1, 2},
        "blobs": {b"x"},
        "nested": {"l": [1, "two", [3.0], {"x": None}]},
    }
    assert unmarshall_item(marshall_item(item)) == item


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"a": {"X": "1"}}, "unknown AttributeValue type tag 'X' at a: expected one of S, N"),
        ({"a": {}}, "malformed AttributeValue dict {} at a: expected a mapping with exactly one"),
        ({"a": {"S": "x", "N": "1"}}, "malformed AttributeValue dict"),
        ({"a": "x"}, "malformed AttributeValue str 'x' at a"),
        ({"a": {"N": "abc"}}, "invalid N value str 'abc' at a: expected a number string"),
        ({"a": {"B": "!!"}}, "invalid B value str '!!' at a: expected bytes, or a base64"),
        ({"a": {"M": []}}, "invalid M value list [] at a: expected a dict"),
        ({"a": {"L": 5}}, "invalid L value int 5 at a: expected a list"),
        (
            {"a": {"M": {"b": {"L": [{"S": "ok"}, {"Q": 1}]}}}},
            "unknown AttributeValue type tag 'Q' at a.b[1]",
        ),
        ({"a": {"L": [{"S": "ok"}, {}]}}, "malformed AttributeValue dict {} at a[1]"),
        ({"a": {"NS": ["1", "x"]}}, "invalid NS value list ['1', 'x'] at a"),
    ],
)
def test_unmarshall_errors_name_the_problem_and_path(item: dict[str, Any], message: str) -> None:
    for use_decimal in (False, True):
        with pytest.raises(MarshallingError) as caught:
            unmarshall_item(item, use_decimal=use_decimal)
        assert message in str(caught.value)


def test_unmarshall_error_at_the_top() -> None:
    with pytest.raises(MarshallingError, match="unknown AttributeValue type tag 'Z': expected"):
        unmarshall({"Z": 1})
    with pytest.raises(MarshallingError, match="malformed AttributeValue"):
        unmarshall({})


# --- item_size --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "size"),
    [
        ({}, 0),
        ({"id": {"S": "u1"}}, 4),
        ({"é": {"S": "日本"}}, 2 + 6),  # UTF-8 bytes of name and value
        ({"n": {"N": "0"}}, 1 + 1),
        ({"n": {"N": "7"}}, 1 + 2),
        ({"n": {"N": "12"}}, 1 + 2),
        ({"n": {"N": "123"}}, 1 + 3),
        ({"n": {"N": "1000"}}, 1 + 2),  # trailing zeros are trimmed
        ({"n": {"N": "-123"}}, 1 + 4),  # a negative number takes one byte more
        ({"n": {"N": "0.5"}}, 1 + 2),
        ({"n": {"N": "1" * 38}}, 1 + 20),
        ({"n": {"N": "-" + "1" * 38}}, 1 + 21),  # capped at 21 bytes
        ({"b": {"B": b"abc"}}, 1 + 3),
        ({"b": {"B": "YWJj"}}, 1 + 3),  # base64 on the wire, raw length counted
        ({"t": {"BOOL": True}}, 1 + 1),
        ({"z": {"NULL": True}}, 1 + 1),
        ({"m": {"M": {}}}, 1 + 3),
        ({"l": {"L": []}}, 1 + 3),
        ({"m": {"M": {"a": {"S": "xy"}}}}, 1 + 3 + (1 + 1 + 2)),
        ({"l": {"L": [{"N": "1"}, {"BOOL": True}]}}, 1 + 3 + (1 + 2) + (1 + 1)),
        ({"s": {"SS": ["ab", "c"]}}, 1 + 3),
        ({"s": {"NS": ["1", "22"]}}, 1 + 2 + 2),
        ({"s": {"BS": [b"abc", b"d"]}}, 1 + 4),
    ],
)
def test_item_size(item: dict[str, AttributeValue], size: int) -> None:
    assert item_size(item) == size


def test_item_size_of_a_marshalled_item() -> None:
    item = marshall_item({"pk": "USER#1", "age": 42, "tags": ["a", "bc"], "ok": True})
    # pk 2+6, age 3+2, tags 4+(3+(1+1)+(1+2)), ok 2+1
    assert item_size(item) == 8 + 5 + 12 + 3


def test_max_item_size() -> None:
    assert MAX_ITEM_SIZE == 409_600
    assert item_size(marshall_item({"blob": "x" * (MAX_ITEM_SIZE - 4)})) == MAX_ITEM_SIZE


@pytest.mark.parametrize("av", [{"X": 1}, {}, {"S": "a", "N": "1"}, "text"])
def test_item_size_refuses_malformed_values(av: Any) -> None:
    with pytest.raises(MarshallingError, match=r"cannot size .*exactly one type tag among S, N"):
        item_size({"a": av})


@pytest.mark.parametrize("text", ["abc", "NaN", "Infinity", ""])
def test_item_size_refuses_bad_numbers(text: str) -> None:
    with pytest.raises(MarshallingError, match="invalid N value"):
        item_size({"n": {"N": text}})
