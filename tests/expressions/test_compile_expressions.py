"""compile_expressions: one shared Placeholders for every expression of a request."""

from __future__ import annotations

from typing import Any

import pytest

from dynamodb_tooling.errors import ExpressionError
from dynamodb_tooling.expressions import Update, attr, compile_expressions, key, projection


def test_nothing_compiles_to_nothing() -> None:
    assert compile_expressions() == {}


def test_query_with_key_condition_filter_and_projection_shares_placeholders() -> None:
    params = compile_expressions(
        key_condition=(key("pk") == "USER#1") & key("sk").begins_with("POST#"),
        filter=(attr("status") == "live") & (attr("sk") > "POST#2"),
        projection=["title", "status", "sk"],
    )
    assert params == {
        "KeyConditionExpression": "#n0 = :v0 AND begins_with(#n1, :v1)",
        "FilterExpression": "#n2 = :v2 AND #n1 > :v3",
        "ProjectionExpression": "#n3, #n2, #n1",
        "ExpressionAttributeNames": {"#n0": "pk", "#n1": "sk", "#n2": "status", "#n3": "title"},
        "ExpressionAttributeValues": {
            ":v0": {"S": "USER#1"},
            ":v1": {"S": "POST#"},
            ":v2": {"S": "live"},
            ":v3": {"S": "POST#2"},
        },
    }


def test_conditional_update_renders_condition_before_update() -> None:
    params = compile_expressions(
        update=Update().set("version", attr("version") + 1),
        condition=attr("version") == 3,
    )
    assert params == {
        "ConditionExpression": "#n0 = :v0",
        "UpdateExpression": "SET #n0 = #n0 + :v1",
        "ExpressionAttributeNames": {"#n0": "version"},
        "ExpressionAttributeValues": {":v0": {"N": "3"}, ":v1": {"N": "1"}},
    }


def test_every_expression_at_once_is_rendered_in_order() -> None:
    params = compile_expressions(
        projection=projection("e"),
        update=Update().remove("d"),
        condition=attr("c").exists(),
        filter=attr("b").exists(),
        key_condition=key("a") == 1,
    )
    assert list(params) == [
        "KeyConditionExpression",
        "FilterExpression",
        "ConditionExpression",
        "UpdateExpression",
        "ProjectionExpression",
        "ExpressionAttributeNames",
        "ExpressionAttributeValues",
    ]
    assert params["ExpressionAttributeNames"] == {
        "#n0": "a",
        "#n1": "b",
        "#n2": "c",
        "#n3": "d",
        "#n4": "e",
    }


def test_values_map_is_omitted_when_there_are_no_values() -> None:
    assert compile_expressions(condition=attr("pk").not_exists()) == {
        "ConditionExpression": "attribute_not_exists(#n0)",
        "ExpressionAttributeNames": {"#n0": "pk"},
    }


def test_a_single_string_projection_is_one_path() -> None:
    assert compile_expressions(projection="a.b") == {
        "ProjectionExpression": "#n0.#n1",
        "ExpressionAttributeNames": {"#n0": "a", "#n1": "b"},
    }


def test_compiling_twice_gives_the_same_result() -> None:
    kwargs: dict[str, Any] = {
        "filter": attr("tags").contains("x") | attr("n").is_in({"b", "a"}),
        "update": Update().add("s", {"z", "y"}),
    }
    assert compile_expressions(**kwargs) == compile_expressions(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"key_condition": attr("a") == 1}, "key_condition= takes a KeyCondition, got Comparison"),
        ({"filter": key("a") == 1}, "filter= takes a Condition, got KeyCondition"),
        ({"condition": "a = b"}, "condition= takes a Condition, got str"),
        ({"update": {"a": 1}}, "update= takes an Update, got dict"),
    ],
)
def test_wrong_kinds_of_expression_are_refused(kwargs: dict[str, Any], words: str) -> None:
    with pytest.raises(ExpressionError, match=words):
        compile_expressions(**kwargs)


def test_an_empty_projection_list_is_refused() -> None:
    with pytest.raises(ExpressionError, match="projection=None"):
        compile_expressions(projection=[])
