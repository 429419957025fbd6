"""Updates (UpdateExpression): every action, their combination, and the errors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from dynamodb_tooling.errors import ExpressionError
from dynamodb_tooling.expressions import (
    Path,
    Placeholders,
    Update,
    UpdateAction,
    attr,
    if_not_exists,
    list_append,
)
from dynamodb_tooling.expressions import compile_expressions as compile_


def compiled(update: Update) -> dict[str, Any]:
    return compile_(update=update)


def test_set_a_value() -> None:
    assert compiled(Update().set("name", "Ada")) == {
        "UpdateExpression": "SET #n0 = :v0",
        "ExpressionAttributeNames": {"#n0": "name"},
        "ExpressionAttributeValues": {":v0": {"S": "Ada"}},
    }


def test_set_nested_paths_and_several_values() -> None:
    update = Update().set("a.b[2].c", 1).set("d", {"x": [True]})
    assert compiled(update) == {
        "UpdateExpression": "SET #n0.#n1[2].#n2 = :v0, #n3 = :v1",
        "ExpressionAttributeNames": {"#n0": "a", "#n1": "b", "#n2": "c", "#n3": "d"},
        "ExpressionAttributeValues": {
            ":v0": {"N": "1"},
            ":v1": {"M": {"x": {"L": [{"BOOL": True}]}}},
        },
    }


def test_set_copies_another_attribute() -> None:
    assert compiled(Update().set("a", attr("b"))) == {
        "UpdateExpression": "SET #n0 = #n1",
        "ExpressionAttributeNames": {"#n0": "a", "#n1": "b"},
    }


def test_set_arithmetic() -> None:
    update = Update().set("a", attr("a") + 5).set("b", attr("b") - 2).set("c", 10 - attr("d"))
    assert compiled(update) == {
        "UpdateExpression": "SET #n0 = #n0 + :v0, #n1 = #n1 - :v1, #n2 = :v2 - #n3",
        "ExpressionAttributeNames": {"#n0": "a", "#n1": "b", "#n2": "c", "#n3": "d"},
        "ExpressionAttributeValues": {":v0": {"N": "5"}, ":v1": {"N": "2"}, ":v2": {"N": "10"}},
    }


def test_set_arithmetic_between_attributes_and_with_if_not_exists() -> None:
    update = Update().set("total", attr("a") + attr("b")).set("n", if_not_exists("n", 0) + 1)
    assert compiled(update) == {
        "UpdateExpression": "SET #n0 = #n1 + #n2, #n3 = if_not_exists(#n3, :v0) + :v1",
        "ExpressionAttributeNames": {"#n0": "total", "#n1": "a", "#n2": "b", "#n3": "n"},
        "ExpressionAttributeValues": {":v0": {"N": "0"}, ":v1": {"N": "1"}},
    }


def test_set_if_not_exists_function() -> None:
    assert compiled(Update().set("a", if_not_exists("b", "x"))) == {
        "UpdateExpression": "SET #n0 = if_not_exists(#n1, :v0)",
        "ExpressionAttributeNames": {"#n0": "a", "#n1": "b"},
        "ExpressionAttributeValues": {":v0": {"S": "x"}},
    }


def test_set_list_append_function() -> None:
    update = Update().set("l", list_append(attr("l"), ["x"])).set("m", list_append([1], attr("o")))
    assert compiled(update) == {
        "UpdateExpression": "SET #n0 = list_append(#n0, :v0), #n1 = list_append(:v1, #n2)",
        "ExpressionAttributeNames": {"#n0": "l", "#n1": "m", "#n2": "o"},
        "ExpressionAttributeValues": {
            ":v0": {"L": [{"S": "x"}]},
            ":v1": {"L": [{"N": "1"}]},
        },
    }


def test_set_if_not_exists() -> None:
    assert compiled(Update().set_if_not_exists("created_at", "2024")) == {
        "UpdateExpression": "SET #n0 = if_not_exists(#n0, :v0)",
        "ExpressionAttributeNames": {"#n0": "created_at"},
        "ExpressionAttributeValues": {":v0": {"S": "2024"}},
    }


def test_increment_and_decrement_work_on_missing_attributes() -> None:
    update = Update().increment("views").decrement("stock.count", by=Decimal("2.5"))
    assert compiled(update) == {
        "UpdateExpression": (
            "SET #n0 = if_not_exists(#n0, :v0) + :v1, #n1.#n2 = if_not_exists(#n1.#n2, :v2) - :v3"
        ),
        "ExpressionAttributeNames": {"#n0": "views", "#n1": "stock", "#n2": "count"},
        "ExpressionAttributeValues": {
            ":v0": {"N": "0"},
            ":v1": {"N": "1"},
            ":v2": {"N": "0"},
            ":v3": {"N": "2.5"},
        },
    }


def test_append_and_prepend_to_list() -> None:
    update = Update().append_to_list("tags", ["a", "b"]).prepend_to_list("log", ("x",))
    assert compiled(update) == {
        "UpdateExpression": (
            "SET #n0 = list_append(if_not_exists(#n0, :v0), :v1), "
            "#n1 = list_append(:v2, if_not_exists(#n1, :v3))"
        ),
        "ExpressionAttributeNames": {"#n0": "tags", "#n1": "log"},
        "ExpressionAttributeValues": {
            ":v0": {"L": []},
            ":v1": {"L": [{"S": "a"}, {"S": "b"}]},
            ":v2": {"L": [{"S": "x"}]},
            ":v3": {"L": []},
        },
    }


def test_remove_attributes_and_list_elements() -> None:
    assert compiled(Update().remove("a", "tags[2]", "m.k")) == {
        "UpdateExpression": "REMOVE #n0, #n1[2], #n2.#n3",
        "ExpressionAttributeNames": {"#n0": "a", "#n1": "tags", "#n2": "m", "#n3": "k"},
    }


def test_remove_two_elements_of_one_list() -> None:
    assert compiled(Update().remove("tags[0]", "tags[3]"))["UpdateExpression"] == (
        "REMOVE #n0[0], #n0[3]"
    )


def test_add_a_number_and_a_set() -> None:
    update = Update().add("count", 3).add("tags", {"b", "a"}).add("ids", frozenset({2, 1}))
    assert compiled(update) == {
        "UpdateExpression": "ADD #n0 :v0, #n1 :v1, #n2 :v2",
        "ExpressionAttributeNames": {"#n0": "count", "#n1": "tags", "#n2": "ids"},
        "ExpressionAttributeValues": {
            ":v0": {"N": "3"},
            ":v1": {"SS": ["a", "b"]},
            ":v2": {"NS": ["1", "2"]},
        },
    }


def test_delete_from_sets() -> None:
    update = Update().delete("tags", {"a"}).delete("blobs", {b"x"})
    assert compiled(update) == {
        "UpdateExpression": "DELETE #n0 :v0, #n1 :v1",
        "ExpressionAttributeNames": {"#n0": "tags", "#n1": "blobs"},
        "ExpressionAttributeValues": {":v0": {"SS": ["a"]}, ":v1": {"BS": [b"x"]}},
    }


def test_clauses_render_in_set_remove_add_delete_order() -> None:
    update = (
        Update().delete("e", {"x"}).add("d", 1).remove("c[2]").set("a", "v").set("b", attr("b") + 1)
    )
    assert compiled(update) == {
        "UpdateExpression": (
            "SET #n0 = :v0, #n1 = #n1 + :v1 REMOVE #n2[2] ADD #n3 :v2 DELETE #n4 :v3"
        ),
        "ExpressionAttributeNames": {"#n0": "a", "#n1": "b", "#n2": "c", "#n3": "d", "#n4": "e"},
        "ExpressionAttributeValues": {
            ":v0": {"S": "v"},
            ":v1": {"N": "1"},
            ":v2": {"N": "1"},
            ":v3": {"SS": ["x"]},
        },
    }


def test_reserved_words() -> None:
    update = Update().set("name", "x").remove("status").add("size", 1)
    assert compiled(update)["ExpressionAttributeNames"] == {
        "#n0": "name",
        "#n1": "status",
        "#n2": "size",
    }


def test_update_is_generative_and_immutable() -> None:
    base = Update().set("a", 1)
    first = base.set("b", 2)
    second = base.remove("c")
    assert base.actions == (UpdateAction("SET", Path.of("a"), base.actions[0].value),)
    assert len(first.actions) == 2
    assert len(second.actions) == 2
    assert compiled(base)["UpdateExpression"] == "SET #n0 = :v0"
    with pytest.raises(AttributeError):
        base.actions = ()  # type: ignore[misc]


def test_paths_can_be_given_as_path_or_attr() -> None:
    update = Update().set(Path.of("weird.name"), 1).remove(attr("x[0]"))
    assert compiled(update) == {
        "UpdateExpression": "SET #n0 = :v0 REMOVE #n1[0]",
        "ExpressionAttributeNames": {"#n0": "weird.name", "#n1": "x"},
        "ExpressionAttributeValues": {":v0": {"N": "1"}},
    }


def test_render_with_shared_placeholders() -> None:
    ph = Placeholders()
    ph.name("b")
    assert Update().set("a", attr("b")).render(ph) == "SET #n1 = #n0"


# Errors --------------------------------------------------------------------------------------


def test_an_empty_update_is_refused() -> None:
    with pytest.raises(ExpressionError, match="empty Update: add at least one action"):
        compiled(Update())


@pytest.mark.parametrize(
    ("first", "second", "words"),
    [
        ("a", "a", "the path 'a' twice"),
        ("a", "a.b", "overlapping paths 'a' .* and 'a.b'"),
        ("a.b", "a", "overlapping paths 'a.b' .* and 'a'"),
        ("l", "l[1]", "overlapping paths 'l' .* and 'l\\[1\\]'"),
    ],
)
def test_overlapping_paths_are_refused(first: str, second: str, words: str) -> None:
    with pytest.raises(ExpressionError, match=rf"{words}.*overlap"):
        Update().set(first, 1).remove(second)


def test_overlaps_between_any_actions_are_refused() -> None:
    with pytest.raises(ExpressionError, match=r"twice \(ADD and DELETE\)"):
        Update().add("s", {"a"}).delete("s", {"b"})
    with pytest.raises(ExpressionError, match=r"twice \(REMOVE and REMOVE\)"):
        Update().remove("a", "a")
    with pytest.raises(ExpressionError, match=r"twice \(SET and SET\)"):
        Update().increment("n").set("n", 1)


def test_distinct_list_elements_do_not_overlap() -> None:
    assert compiled(Update().set("l[0]", 1).remove("l[1]"))["UpdateExpression"] == (
        "SET #n0[0] = :v0 REMOVE #n0[1]"
    )


@pytest.mark.parametrize("value", ["1", True, None, [1], {"a": 1}])
def test_add_refuses_non_numbers_and_non_sets(value: Any) -> None:
    with pytest.raises(ExpressionError, match="ADD takes a number or a non-empty set"):
        Update().add("a", value)


def test_add_refuses_empty_and_mixed_sets() -> None:
    with pytest.raises(ExpressionError, match="empty set"):
        Update().add("a", set())
    with pytest.raises(ExpressionError, match="only strings, only numbers or only bytes"):
        Update().add("a", {1, "a"})  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [1, "a", ["a"], None])
def test_delete_refuses_non_sets(value: Any) -> None:
    with pytest.raises(ExpressionError, match=r"DELETE takes a non-empty set.*remove\(\)"):
        Update().delete("a", value)


def test_delete_refuses_an_empty_set() -> None:
    with pytest.raises(ExpressionError, match="empty set"):
        Update().delete("a", set())


def test_remove_needs_a_path() -> None:
    with pytest.raises(ExpressionError, match=r"remove\(\) needs at least one path"):
        Update().remove()


@pytest.mark.parametrize("by", ["1", True, None])
def test_increment_needs_a_number(by: Any) -> None:
    with pytest.raises(ExpressionError, match=r"increment\(\) takes a number"):
        Update().increment("n", by=by)
    with pytest.raises(ExpressionError, match=r"decrement\(\) takes a number"):
        Update().decrement("n", by=by)


@pytest.mark.parametrize("values", ["abc", {"a"}, 5])
def test_list_helpers_need_a_list(values: Any) -> None:
    with pytest.raises(ExpressionError, match=r"append_to_list\(\) takes a list"):
        Update().append_to_list("l", values)
    with pytest.raises(ExpressionError, match=r"prepend_to_list\(\) takes a list"):
        Update().prepend_to_list("l", values)


def test_arithmetic_needs_numbers() -> None:
    with pytest.raises(ExpressionError, match="arithmetic needs numbers, got S value 'x'"):
        attr("a") + "x"
    with pytest.raises(ExpressionError, match="arithmetic needs numbers, got BOOL"):
        True - attr("a")


def test_arithmetic_cannot_nest() -> None:
    # DynamoDB allows one + or - per SET value.
    with pytest.raises(TypeError):
        (attr("a") + 1) + 2  # type: ignore[operator]
    with pytest.raises(ExpressionError, match=r"arithmetic \(\+/-\) cannot be used inside"):
        attr("a") + (attr("b") + 1)


def test_list_append_needs_lists() -> None:
    with pytest.raises(ExpressionError, match=r"list_append\(\) takes lists, got S.*attr\('l'\)"):
        list_append("l", [1])
    with pytest.raises(ExpressionError, match=r"list_append\(\) takes lists, got N"):
        list_append([1], 2)


def test_size_is_not_a_set_value() -> None:
    with pytest.raises(ExpressionError, match=r"size\(\) cannot be used as the value of Update"):
        Update().set("n", attr("tags").size())
