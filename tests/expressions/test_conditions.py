"""Conditions (FilterExpression / ConditionExpression), compiled to exact request parameters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dynamodb_tooling.errors import ExpressionError
from dynamodb_tooling.expressions import (
    And,
    Attr,
    Comparison,
    Condition,
    Not,
    Or,
    Path,
    Placeholders,
    and_,
    attr,
    compile_expressions,
    if_not_exists,
    key,
    list_append,
    not_,
    or_,
)


def compiled(condition: Condition) -> dict[str, Any]:
    return compile_expressions(filter=condition)


def expected(text: str, names: dict[str, str], values: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {"FilterExpression": text, "ExpressionAttributeNames": names}
    if values:
        params["ExpressionAttributeValues"] = values
    return params


AGE = {"#n0": "age"}
THIRTY = {":v0": {"N": "30"}}


@pytest.mark.parametrize(
    ("build", "operator"),
    [
        (lambda a: a.eq(30), "="),
        (lambda a: a.ne(30), "<>"),
        (lambda a: a.lt(30), "<"),
        (lambda a: a.lte(30), "<="),
        (lambda a: a.gt(30), ">"),
        (lambda a: a.gte(30), ">="),
        (lambda a: a == 30, "="),
        (lambda a: a != 30, "<>"),
        (lambda a: a < 30, "<"),
        (lambda a: a <= 30, "<="),
        (lambda a: a > 30, ">"),
        (lambda a: a >= 30, ">="),
    ],
)
def test_comparisons(build: Callable[[Attr], Condition], operator: str) -> None:
    assert compiled(build(attr("age"))) == expected(f"#n0 {operator} :v0", AGE, THIRTY)


@pytest.mark.parametrize(
    ("build", "operator"),
    [
        (lambda a: 30 == a, "="),  # noqa: SIM300
        (lambda a: 30 != a, "<>"),  # noqa: SIM300
        (lambda a: 30 < a, ">"),  # noqa: SIM300
        (lambda a: 30 <= a, ">="),  # noqa: SIM300
        (lambda a: 30 > a, "<"),  # noqa: SIM300
        (lambda a: 30 >= a, "<="),  # noqa: SIM300
    ],
)
def test_reflected_comparisons_keep_the_attribute_on_the_left(
    build: Callable[[Attr], Condition], operator: str
) -> None:
    assert compiled(build(attr("age"))) == expected(f"#n0 {operator} :v0", AGE, THIRTY)


def test_comparison_with_none_and_strings() -> None:
    assert compiled(attr("a").eq(None) & (attr("b") == "x")) == expected(
        "#n0 = :v0 AND #n1 = :v1",
        {"#n0": "a", "#n1": "b"},
        {":v0": {"NULL": True}, ":v1": {"S": "x"}},
    )


def test_comparing_two_attributes() -> None:
    assert compiled(attr("a") > attr("b.c")) == expected(
        "#n0 > #n1.#n2", {"#n0": "a", "#n1": "b", "#n2": "c"}, {}
    )


def test_between() -> None:
    assert compiled(attr("age").between(18, 65)) == expected(
        "#n0 BETWEEN :v0 AND :v1", AGE, {":v0": {"N": "18"}, ":v1": {"N": "65"}}
    )


def test_between_attributes() -> None:
    assert compiled(attr("x").between(attr("lo"), attr("hi"))) == expected(
        "#n0 BETWEEN #n1 AND #n2", {"#n0": "x", "#n1": "lo", "#n2": "hi"}, {}
    )


def test_is_in() -> None:
    assert compiled(attr("status").is_in(["a", "b", "c"])) == expected(
        "#n0 IN (:v0, :v1, :v2)",
        {"#n0": "status"},
        {":v0": {"S": "a"}, ":v1": {"S": "b"}, ":v2": {"S": "c"}},
    )


def test_is_in_sorts_a_set_so_output_is_deterministic() -> None:
    assert compiled(attr("n").is_in({3, 1, 2})) == expected(
        "#n0 IN (:v0, :v1, :v2)",
        {"#n0": "n"},
        {":v0": {"N": "1"}, ":v1": {"N": "2"}, ":v2": {"N": "3"}},
    )


def test_is_in_accepts_one_hundred_values() -> None:
    params = compiled(attr("n").is_in(range(100)))
    assert len(params["ExpressionAttributeValues"]) == 100
    assert params["FilterExpression"].endswith(":v98, :v99)")


@pytest.mark.parametrize("count", [0, 101])
def test_is_in_refuses_too_few_or_too_many_values(count: int) -> None:
    with pytest.raises(ExpressionError, match=rf"1 to 100 values .*got {count}"):
        attr("n").is_in(range(count))


@pytest.mark.parametrize("values", ["abc", b"abc", 5])
def test_is_in_refuses_a_non_list(values: Any) -> None:
    with pytest.raises(ExpressionError, match=r"is_in\(\) takes a list"):
        attr("n").is_in(values)


def test_begins_with() -> None:
    assert compiled(attr("sk").begins_with("POST#")) == expected(
        "begins_with(#n0, :v0)", {"#n0": "sk"}, {":v0": {"S": "POST#"}}
    )
    assert compiled(attr("b").begins_with(b"\x01")) == expected(
        "begins_with(#n0, :v0)", {"#n0": "b"}, {":v0": {"B": b"\x01"}}
    )


def test_begins_with_refuses_non_strings() -> None:
    with pytest.raises(ExpressionError, match="str or bytes prefix, got int"):
        attr("sk").begins_with(1)  # type: ignore[arg-type]


def test_contains() -> None:
    assert compiled(attr("tags").contains("red")) == expected(
        "contains(#n0, :v0)", {"#n0": "tags"}, {":v0": {"S": "red"}}
    )
    assert compiled(attr("tags").contains(attr("favourite"))) == expected(
        "contains(#n0, #n1)", {"#n0": "tags", "#n1": "favourite"}, {}
    )


def test_exists_and_not_exists() -> None:
    assert compiled(attr("a").exists() & attr("b[0]").not_exists()) == expected(
        "attribute_exists(#n0) AND attribute_not_exists(#n1[0])", {"#n0": "a", "#n1": "b"}, {}
    )


@pytest.mark.parametrize("type_name", ["S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"])
def test_attribute_type(type_name: Any) -> None:
    assert compiled(attr("a").attribute_type(type_name)) == expected(
        "attribute_type(#n0, :v0)", {"#n0": "a"}, {":v0": {"S": type_name}}
    )


@pytest.mark.parametrize("type_name", ["STRING", "s", "", "MAP"])
def test_attribute_type_refuses_unknown_types(type_name: Any) -> None:
    with pytest.raises(ExpressionError, match=r"unknown attribute type.*S, SS, N, NS"):
        attr("a").attribute_type(type_name)


@pytest.mark.parametrize(
    ("build", "text"),
    [
        (lambda s: s.eq(2), "size(#n0) = :v0"),
        (lambda s: s.ne(2), "size(#n0) <> :v0"),
        (lambda s: s.lt(2), "size(#n0) < :v0"),
        (lambda s: s.lte(2), "size(#n0) <= :v0"),
        (lambda s: s.gt(2), "size(#n0) > :v0"),
        (lambda s: s.gte(2), "size(#n0) >= :v0"),
        (lambda s: s > 2, "size(#n0) > :v0"),
        (lambda s: s == 2, "size(#n0) = :v0"),
        (lambda s: s.is_in([2]), "size(#n0) IN (:v0)"),
    ],
)
def test_size(build: Callable[[Any], Condition], text: str) -> None:
    assert compiled(build(attr("tags").size())) == expected(
        text, {"#n0": "tags"}, {":v0": {"N": "2"}}
    )


def test_size_between_and_size_on_the_right() -> None:
    assert compiled(attr("a.b").size().between(1, 3)) == expected(
        "size(#n0.#n1) BETWEEN :v0 AND :v1",
        {"#n0": "a", "#n1": "b"},
        {":v0": {"N": "1"}, ":v1": {"N": "3"}},
    )
    assert compiled(attr("n") < attr("tags").size()) == expected(
        "#n0 < size(#n1)", {"#n0": "n", "#n1": "tags"}, {}
    )


def test_reserved_words_are_always_placeholders() -> None:
    condition = (attr("name") == "Ada") & (attr("size").size() > 1) & attr("status").exists()
    assert compiled(condition) == expected(
        "#n0 = :v0 AND size(#n1) > :v1 AND attribute_exists(#n2)",
        {"#n0": "name", "#n1": "size", "#n2": "status"},
        {":v0": {"S": "Ada"}, ":v1": {"N": "1"}},
    )


def test_injection_attempts_stay_inside_placeholders() -> None:
    sneaky = "a = :x OR #b"
    assert compiled(attr(sneaky) == ") OR (1 = 1") == expected(
        "#n0 = :v0", {"#n0": sneaky}, {":v0": {"S": ") OR (1 = 1"}}
    )


def test_the_same_attribute_reuses_its_placeholder() -> None:
    assert compiled((attr("age") > 18) & (attr("age") < 65)) == expected(
        "#n0 > :v0 AND #n0 < :v1", AGE, {":v0": {"N": "18"}, ":v1": {"N": "65"}}
    )


# Grouping ------------------------------------------------------------------------------------


def test_or_inside_and_is_parenthesized() -> None:
    condition = ((attr("a") == 1) | (attr("b") > 2)) & attr("c").exists()
    assert compiled(condition) == expected(
        "(#n0 = :v0 OR #n1 > :v1) AND attribute_exists(#n2)",
        {"#n0": "a", "#n1": "b", "#n2": "c"},
        {":v0": {"N": "1"}, ":v1": {"N": "2"}},
    )


def test_and_inside_or_needs_no_parentheses() -> None:
    condition = ((attr("a") == 1) & (attr("b") == 2)) | (attr("c") == 3)
    assert compiled(condition)["FilterExpression"] == "#n0 = :v0 AND #n1 = :v1 OR #n2 = :v2"


def test_nested_ands_and_ors_are_flattened() -> None:
    a, b, c, d = (attr(n).exists() for n in "abcd")
    assert isinstance((a & b) & (c & d), And)
    assert ((a & b) & (c & d)) == And((a, b, c, d))
    assert ((a | b) | (c | d)) == Or((a, b, c, d))
    assert compiled((a & b) & (c & d))["FilterExpression"] == (
        "attribute_exists(#n0) AND attribute_exists(#n1) AND attribute_exists(#n2) "
        "AND attribute_exists(#n3)"
    )


def test_not_parenthesizes_its_operand() -> None:
    assert compiled(~(attr("a") == 1)) == expected(
        "NOT (#n0 = :v0)", {"#n0": "a"}, {":v0": {"N": "1"}}
    )
    condition = ~((attr("a") == 1) | attr("b").exists()) & (attr("c") == 2)
    assert compiled(condition)["FilterExpression"] == (
        "NOT (#n0 = :v0 OR attribute_exists(#n1)) AND #n2 = :v1"
    )


def test_and_of_ors_inside_or() -> None:
    a, b, c, d = (attr(n).exists() for n in "abcd")
    condition = ((a | b) & (c | d)) | ~a
    assert compiled(condition)["FilterExpression"] == (
        "(attribute_exists(#n0) OR attribute_exists(#n1)) AND "
        "(attribute_exists(#n2) OR attribute_exists(#n3)) OR NOT (attribute_exists(#n0))"
    )


def test_helper_functions_match_operators() -> None:
    a, b, c = (attr(n).exists() for n in "abc")
    assert and_(a, b, c) == And((a, b, c))
    assert or_(a, b, c) == Or((a, b, c))
    assert not_(a) == Not(a)
    assert and_(a) is a
    assert or_(a) is a
    assert and_(and_(a, b), c) == (a & b) & c


def test_helpers_need_at_least_one_condition() -> None:
    with pytest.raises(ExpressionError, match=r"and_\(\) needs at least one condition"):
        and_()
    with pytest.raises(ExpressionError, match=r"or_\(\) needs at least one condition"):
        or_()


def test_combining_with_something_else_is_refused() -> None:
    with pytest.raises(ExpressionError, match="got KeyCondition; key conditions go in"):
        attr("a").exists() & (key("pk") == 1)  # type: ignore[operator]
    with pytest.raises(ExpressionError, match=r"or_\(\) combines conditions .*got bool"):
        or_(attr("a").exists(), True)  # type: ignore[arg-type]
    with pytest.raises(ExpressionError, match=r"not_\(\) combines conditions"):
        not_("a")  # type: ignore[arg-type]


def test_conditions_have_no_truth_value() -> None:
    with pytest.raises(ExpressionError, match="combine conditions with &, \\| and ~"):
        bool(attr("a") > 1)
    with pytest.raises(ExpressionError, match="no truth value"):
        bool(attr("a").exists())
    with pytest.raises(ExpressionError, match="parenthesize"):
        assert 1 < attr("a") < 5  # chained comparisons need a truth value


def test_attributes_work_as_dict_keys_and_set_members() -> None:
    assert bool(attr("a") == attr("a")) is True
    assert bool(attr("a") == attr("b")) is False
    assert bool(attr("a") != attr("b")) is True
    assert bool(attr("a") == 1) is False
    assert len({attr("a"), attr("a"), attr("b")}) == 2
    assert {attr("a.b"): 1}[attr("a.b")] == 1
    assert hash(attr("x").size()) == hash(attr("x").size())
    assert bool(attr("x").size() == attr("x").size()) is True


def test_conditions_are_immutable_values() -> None:
    condition = attr("a") == 1
    assert isinstance(condition, Comparison)
    with pytest.raises(AttributeError):
        condition.operator = "<"  # type: ignore[misc]
    assert (attr("a") == 1) == (attr("a") == 1)
    assert (attr("a") == 1) != (attr("a") == 2)


@pytest.mark.parametrize(
    ("operand", "label"),
    [
        (attr("a") + 1, "arithmetic"),
        (if_not_exists("a", 1), "if_not_exists"),
        (list_append([1], [2]), "list_append"),
    ],
)
def test_update_only_operands_are_refused_in_conditions(operand: object, label: str) -> None:
    with pytest.raises(ExpressionError, match=rf"{label}.* cannot be used in a condition"):
        attr("x") == operand  # noqa: B015


def test_attr_accepts_a_path() -> None:
    assert attr(Path.of("a.b")).path == Path.of("a.b")


def test_render_composes_with_a_shared_placeholders() -> None:
    ph = Placeholders()
    first = (attr("a") == 1).render(ph)
    second = (attr("a") > attr("b")).render(ph)
    assert (first, second) == ("#n0 = :v0", "#n0 > #n1")
    assert ph.names == {"#n0": "a", "#n1": "b"}
