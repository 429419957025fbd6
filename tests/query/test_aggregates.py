"""Client-side aggregates: value lookup, number rules, None skipping, the large-input warning."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from dynamodb_tooling.errors import PerformanceWarning
from dynamodb_tooling.query.aggregates import (
    avg_of,
    data_get,
    describe,
    max_of,
    min_of,
    sum_of,
    value_getter,
    warn_if_large,
)


@dataclass
class Person:
    name: str
    age: int | None = None
    address: dict[str, Any] | None = None


# -- data_get ---------------------------------------------------------------------------------


def test_data_get_reads_mapping_keys_and_object_attributes() -> None:
    assert data_get({"age": 3}, "age") == 3
    assert data_get(Person("Ada", 36), "age") == 36
    assert data_get(Person("Ada"), "name") == "Ada"


def test_data_get_gives_the_default_for_missing_values() -> None:
    assert data_get({}, "age") is None
    assert data_get(Person("Ada"), "height") is None
    assert data_get({}, "age", 0) == 0
    assert data_get(None, "age", "x") == "x"
    assert data_get([1, 2], "age", "x") == "x"


def test_data_get_walks_dotted_paths_through_mappings_objects_and_sequences() -> None:
    item = {"user": Person("Ada", address={"city": "London", "lines": ["1 Road", "Flat 2"]})}
    assert data_get(item, "user.name") == "Ada"
    assert data_get(item, "user.address.city") == "London"
    assert data_get(item, "user.address.lines.1") == "Flat 2"
    assert data_get(item, "user.address.lines.2") is None
    assert data_get(item, "user.address.lines.x") is None
    assert data_get(item, "user.address.zip", "-") == "-"
    assert data_get({"a": "text"}, "a.0") is None  # strings are values, not sequences


def test_data_get_prefers_an_exact_key_containing_a_dot() -> None:
    assert data_get({"a.b": 1, "a": {"b": 2}}, "a.b") == 1
    assert data_get({"a": {"b": 2}}, "a.b") == 2


def test_value_getter_and_describe() -> None:
    assert value_getter(None)(5) == 5
    assert value_getter("a")({"a": 1}) == 1
    assert value_getter(len)("abc") == 3
    assert describe(None) == "the items"
    assert describe("age") == "'age'"
    assert describe(len) == "<len>"


# -- sum_of -----------------------------------------------------------------------------------


def test_sum_of_ints_is_an_exact_int() -> None:
    total = sum_of([{"n": 10**30}, {"n": 1}], "n")
    assert total == 10**30 + 1
    assert type(total) is int


def test_sum_of_nothing_is_zero() -> None:
    assert sum_of([], "n") == 0
    assert sum_of([{"n": None}, {}], "n") == 0


def test_sum_of_skips_none_and_missing_values_on_dicts_and_objects() -> None:
    assert sum_of([{"n": 1}, {"n": None}, {}, {"n": 2}], "n") == 3
    assert sum_of([Person("a", 3), Person("b"), Person("c", 4)], "age") == 7


def test_sum_of_floats_is_correctly_rounded() -> None:
    total = sum_of([0.1] * 10)
    assert total == 1.0
    assert type(total) is float
    assert sum_of([1, 2.5]) == 3.5


def test_sum_of_with_a_decimal_is_a_decimal_and_floats_keep_their_repr() -> None:
    total = sum_of([Decimal("1.10"), 2, 0.1])
    assert total == Decimal("3.20")
    assert isinstance(total, Decimal)


def test_sum_of_decimals_uses_dynamodbs_38_digit_precision() -> None:
    big = Decimal("1" * 38)
    assert sum_of([big, Decimal("0.1")]) == Decimal("1" * 38)  # rounded to 38 digits
    assert sum_of([Decimal("1" * 30), Decimal("0.00000001")]) == Decimal("1" * 30 + ".00000001")


def test_sum_of_a_callable() -> None:
    assert sum_of([{"a": 1, "b": 2}, {"a": 3, "b": 4}], lambda item: item["a"] * item["b"]) == 14


@pytest.mark.parametrize("value", ["3", True, [1], object()])
def test_sum_of_refuses_non_numbers_naming_the_attribute(value: object) -> None:
    with pytest.raises(TypeError, match=r"cannot sum 'n': .* is a \w+, not a number"):
        sum_of([{"n": 1}, {"n": value}], "n")


# -- avg_of -----------------------------------------------------------------------------------


def test_avg_of_ints_and_floats_is_a_float() -> None:
    assert avg_of([{"n": 1}, {"n": 2}], "n") == 1.5
    mean = avg_of([2, 2])
    assert mean == 2.0
    assert type(mean) is float
    assert avg_of([1, 2.5, None]) == 1.75


def test_avg_of_with_a_decimal_is_a_decimal() -> None:
    mean = avg_of([Decimal("1"), 2])
    assert mean == Decimal("1.5")
    assert isinstance(mean, Decimal)
    thirds = avg_of([Decimal(1), Decimal(2), Decimal(2)])
    assert thirds == Decimal("1." + "6" * 36 + "7")  # 38 significant digits


def test_avg_of_nothing_is_none() -> None:
    assert avg_of([]) is None
    assert avg_of([{"n": None}, {}], "n") is None


def test_avg_of_refuses_non_numbers() -> None:
    with pytest.raises(TypeError, match="cannot avg the items: 'x' is a str"):
        avg_of([1, "x"])


# -- min_of / max_of --------------------------------------------------------------------------


def test_min_and_max_of_numbers_of_mixed_types_return_the_value_itself() -> None:
    values = [{"n": 3}, {"n": Decimal("1.5")}, {"n": None}, {}, {"n": 2.25}]
    smallest = min_of(values, "n")
    assert smallest == Decimal("1.5")
    assert isinstance(smallest, Decimal)
    assert max_of(values, "n") == 3


def test_min_and_max_of_strings_such_as_iso_timestamps() -> None:
    stamps = [{"at": "2024-05-01T00:00:00Z"}, {"at": "2023-01-01T00:00:00Z"}]
    assert min_of(stamps, "at") == "2023-01-01T00:00:00Z"
    assert max_of(stamps, "at") == "2024-05-01T00:00:00Z"


def test_min_and_max_of_nothing_is_none() -> None:
    assert min_of([]) is None
    assert max_of([None, None]) is None
    assert min_of([Person("a")], "age") is None


def test_min_and_max_of_a_callable() -> None:
    assert min_of(["bbb", "a", "cc"], len) == 1
    assert max_of(["bbb", "a", "cc"], len) == 3


def test_min_and_max_refuse_incomparable_values_clearly() -> None:
    with pytest.raises(TypeError, match=r"cannot take the min of 'n': its values \(int, str\)"):
        min_of([{"n": 1}, {"n": "a"}], "n")
    with pytest.raises(TypeError, match="cannot take the max of the items"):
        max_of([1, "a"])


# -- warn_if_large ----------------------------------------------------------------------------


def test_warn_if_large_is_silent_at_or_below_the_threshold() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert warn_if_large(10, 10, "User.sum('age')") is False
        assert warn_if_large(0, 1, "x") is False
        assert warn_if_large(10**9, None, "x") is False


def test_warn_if_large_names_the_operation_and_suggests_a_better_approach() -> None:
    with pytest.warns(PerformanceWarning) as record:
        assert warn_if_large(12_345, 10_000, "User.sum('age')") is True
    (warning,) = record
    message = str(warning.message)
    assert message.startswith(
        "User.sum('age') processed 12,345 items on the client (more than the threshold of 10,000)"
    )
    assert "atomic counter" in message
    assert "key condition" in message
    assert "query_builder.aggregate_warning_threshold" in message


def test_warn_if_large_takes_custom_advice() -> None:
    with pytest.warns(PerformanceWarning, match=r"sorted 3 .*\. Order by the index sort key\.$"):
        warn_if_large(3, 2, "sorted 3", advice="Order by the index sort key.")


def _user_function() -> None:
    warn_if_large(2, 1, "Model.sum('n')")  # the first line outside the library


def test_warn_if_large_blames_the_first_line_outside_the_library_by_default() -> None:
    with pytest.warns(PerformanceWarning) as record:
        _user_function()
    first_line = _user_function.__code__.co_firstlineno
    assert (record[0].filename, record[0].lineno) == (__file__, first_line + 1)


def test_warn_if_large_stacklevel_one_blames_the_caller() -> None:
    with pytest.warns(PerformanceWarning) as record:
        warn_if_large(2, 1, "x", stacklevel=1)
    first_line = test_warn_if_large_stacklevel_one_blames_the_caller.__code__.co_firstlineno
    assert (record[0].filename, record[0].lineno) == (__file__, first_line + 2)
