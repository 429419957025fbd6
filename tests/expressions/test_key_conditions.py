"""Key conditions (KeyConditionExpression): partition key equality plus one sort key condition."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dynamodb_tooling.errors import ExpressionError
from dynamodb_tooling.expressions import KeyAttr, KeyCondition, Placeholders, attr, key
from dynamodb_tooling.expressions import compile_expressions as compile_


def compiled(condition: KeyCondition) -> dict[str, Any]:
    return compile_(key_condition=condition)


PK = key("pk") == "USER#1"


def test_partition_key_equality() -> None:
    assert compiled(PK) == {
        "KeyConditionExpression": "#n0 = :v0",
        "ExpressionAttributeNames": {"#n0": "pk"},
        "ExpressionAttributeValues": {":v0": {"S": "USER#1"}},
    }
    assert compiled(key("pk").eq("USER#1")) == compiled(PK)


@pytest.mark.parametrize(
    ("build", "text"),
    [
        (lambda k: k.eq(5), "#n1 = :v1"),
        (lambda k: k.lt(5), "#n1 < :v1"),
        (lambda k: k.lte(5), "#n1 <= :v1"),
        (lambda k: k.gt(5), "#n1 > :v1"),
        (lambda k: k.gte(5), "#n1 >= :v1"),
        (lambda k: k == 5, "#n1 = :v1"),
        (lambda k: k < 5, "#n1 < :v1"),
        (lambda k: k <= 5, "#n1 <= :v1"),
        (lambda k: k > 5, "#n1 > :v1"),
        (lambda k: k >= 5, "#n1 >= :v1"),
        (lambda k: 5 < k, "#n1 > :v1"),  # noqa: SIM300
    ],
)
def test_sort_key_comparisons(build: Callable[[KeyAttr], KeyCondition], text: str) -> None:
    assert compiled(PK & build(key("sk"))) == {
        "KeyConditionExpression": f"#n0 = :v0 AND {text}",
        "ExpressionAttributeNames": {"#n0": "pk", "#n1": "sk"},
        "ExpressionAttributeValues": {":v0": {"S": "USER#1"}, ":v1": {"N": "5"}},
    }


def test_sort_key_between() -> None:
    assert compiled(PK & key("sk").between("A", "M")) == {
        "KeyConditionExpression": "#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2",
        "ExpressionAttributeNames": {"#n0": "pk", "#n1": "sk"},
        "ExpressionAttributeValues": {
            ":v0": {"S": "USER#1"},
            ":v1": {"S": "A"},
            ":v2": {"S": "M"},
        },
    }


def test_sort_key_begins_with() -> None:
    assert compiled(PK & key("sk").begins_with("POST#")) == {
        "KeyConditionExpression": "#n0 = :v0 AND begins_with(#n1, :v1)",
        "ExpressionAttributeNames": {"#n0": "pk", "#n1": "sk"},
        "ExpressionAttributeValues": {":v0": {"S": "USER#1"}, ":v1": {"S": "POST#"}},
    }


def test_the_partition_key_renders_first_whatever_the_order_written() -> None:
    assert compiled(key("sk").begins_with("P") & PK) == compiled(PK & key("sk").begins_with("P"))


def test_two_equalities_take_the_left_one_as_partition_key() -> None:
    condition = (key("gsi1pk") == "A") & (key("gsi1sk") == "B")
    assert compiled(condition)["KeyConditionExpression"] == "#n0 = :v0 AND #n1 = :v1"
    assert compiled(condition)["ExpressionAttributeNames"] == {"#n0": "gsi1pk", "#n1": "gsi1sk"}
    assert condition.partition.name == "gsi1pk"
    sort = condition.sort
    assert sort is not None
    assert sort.name == "gsi1sk"


def test_key_names_are_literal_and_reserved_words_are_fine() -> None:
    condition = (key("name") == "x") & (key("a.b") > 1)
    assert compiled(condition)["ExpressionAttributeNames"] == {"#n0": "name", "#n1": "a.b"}


def test_numbers_and_bytes_are_key_values() -> None:
    condition = (key("pk") == 7) & key("sk").begins_with(b"\x01")
    assert compiled(condition)["ExpressionAttributeValues"] == {
        ":v0": {"N": "7"},
        ":v1": {"B": b"\x01"},
    }


def test_or_is_refused() -> None:
    with pytest.raises(ExpressionError, match=r"OR \(\|\) is not allowed.*filter="):
        PK | (key("sk") == 1)


def test_not_is_refused() -> None:
    with pytest.raises(ExpressionError, match=r"NOT \(~\) is not allowed"):
        _ = ~PK


def test_not_equal_is_refused() -> None:
    with pytest.raises(ExpressionError, match=r"<> \(!=\) is not allowed"):
        key("pk") != 1  # noqa: B015


def test_two_sort_key_conditions_are_refused() -> None:
    with pytest.raises(ExpressionError, match="at most two parts"):
        PK & (key("sk") > 1) & (key("other") < 5)
    with pytest.raises(ExpressionError, match="two sort key conditions"):
        (key("sk") > 1) & (key("other") < 5)


def test_the_same_attribute_twice_is_refused() -> None:
    with pytest.raises(ExpressionError, match=r"'sk' appears twice.*between"):
        PK & (key("sk") > 1) & (key("sk") < 5)
    with pytest.raises(ExpressionError, match="'pk' appears twice"):
        PK & (key("pk") == "USER#2")


def test_a_partition_key_without_equality_is_refused_when_rendered() -> None:
    lone = key("pk") > 1
    with pytest.raises(ExpressionError, match="needs a partition key equality"):
        compiled(lone)


def test_filters_cannot_be_mixed_in() -> None:
    with pytest.raises(ExpressionError, match="AND with Comparison is not allowed"):
        PK & (attr("a") == 1)  # type: ignore[operator]


def test_key_values_must_be_strings_numbers_or_bytes() -> None:
    with pytest.raises(ExpressionError, match="compared with a BOOL value"):
        key("pk") == True  # noqa: E712, B015
    with pytest.raises(ExpressionError, match="compared with a NULL value"):
        key("pk").eq(None)
    with pytest.raises(ExpressionError, match="compared with a L value"):
        key("sk").between([1], [2])


def test_begins_with_takes_a_string_or_bytes() -> None:
    with pytest.raises(ExpressionError, match="str or bytes prefix, got int"):
        key("sk").begins_with(5)  # type: ignore[arg-type]


def test_a_key_is_compared_with_values_not_other_keys() -> None:
    with pytest.raises(ExpressionError, match="compared with key 'sk'"):
        key("pk").lt(key("sk"))


def test_key_names_must_be_non_empty() -> None:
    with pytest.raises(ExpressionError, match="non-empty str"):
        key("")


def test_key_conditions_have_no_truth_value() -> None:
    with pytest.raises(ExpressionError, match="no truth value"):
        bool(PK)


def test_key_attributes_stay_hashable() -> None:
    pk = key("pk")
    assert {pk: 1}[pk] == 1
    assert pk in [pk]
    assert key("pk") not in [pk]  # key attributes compare by identity
    assert hash(key("pk")) == hash(key("pk"))


def test_render_with_shared_placeholders() -> None:
    ph = Placeholders()
    assert PK.render(ph) == "#n0 = :v0"
    assert (attr("pk") == 1).render(ph) == "#n0 = :v1"
