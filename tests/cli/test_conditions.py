"""The ``--where`` / ``--filter`` syntax compiles through the query builder: the requests are
compared as dicts, no server involved."""

from __future__ import annotations

from typing import Any

import pytest

from dynamodb_tooling import BelongsTo, Model, attribute
from dynamodb_tooling.cli.commands._conditions import parse_filter, parse_where, typed_value
from dynamodb_tooling.config import validate_config
from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.query.builder import table
from dynamodb_tooling.schema import Registry

registry = Registry(validate_config())


class Crew(Model, registry=registry):
    name: str


class Sailor(Model, registry=registry):
    email: str = attribute(unique=True)
    name: str
    age: int | None = None
    active: bool = True
    crew = BelongsTo(Crew)


def filtered(*expressions: str, where: tuple[str, ...] = ()) -> dict[str, Any]:
    query: Any = Sailor.query()
    for text in where:
        query = parse_where(text, Sailor.__definition__)(query)
    for expression in expressions:
        query = parse_filter(expression, Sailor.__definition__)(query)
    params: dict[str, Any] = query.to_params()
    return params


def same(expression: str, build: Any) -> None:
    assert filtered(expression) == build(Sailor.query()).to_params()


def test_comparisons_are_typed_by_the_model() -> None:
    same("age > 30", lambda q: q.where("age", ">", 30))
    same("age >= 30 and name != Bob", lambda q: q.where("age", ">=", 30).where("name", "<>", "Bob"))
    same("name = 30", lambda q: q.where("name", "30"))  # a string attribute keeps the text
    same("active = false", lambda q: q.where("active", False))
    same("age = '30'", lambda q: q.where("age", "30"))


def test_word_operators() -> None:
    same("age between 18 and 65", lambda q: q.where_between("age", 18, 65))
    same("name in (Ada, 'Bob L.')", lambda q: q.where_in("name", ["Ada", "Bob L."]))
    same("name not in (Ada)", lambda q: q.where_not_in("name", ["Ada"]))
    same("name BEGINS_WITH 12", lambda q: q.where_begins_with("name", "12"))
    same("email contains '@x'", lambda q: q.where_contains("email", "@x"))
    same("age is null", lambda q: q.where_null("age"))
    same("age is not null", lambda q: q.where_not_null("age"))
    same("age exists", lambda q: q.where_not_null("age"))
    same("age not exists", lambda q: q.where_null("age"))
    same("age = null", lambda q: q.where_null("age"))


def test_and_or_not_and_parentheses() -> None:
    same(
        "age > 30 and (name = Ada or name = Bob)",
        lambda q: q.where("age", ">", 30).where(
            lambda g: g.where(lambda a: a.where("name", "Ada")).or_where(
                lambda b: b.where("name", "Bob")
            )
        ),
    )
    same(
        "not (name = Ada)",
        lambda q: q.where_not(lambda g: g.where("name", "Ada")),
    )


def test_where_equalities_become_the_key_condition() -> None:
    params = filtered("age > 3", where=("crew_id=C1",))
    assert params["IndexName"] == "GSI1"
    assert params["ExpressionAttributeValues"][":v0"] == {"S": "CREW#C1"}
    assert params["FilterExpression"] == "#n2 > :v2"
    by_email = filtered(where=("email='ada@example.com'",))
    assert by_email["Key"]["pk"] == {"S": "_UNIQUE#SAILOR#email#ada@example.com"}


def test_raw_tables_read_bare_values_as_json_or_text() -> None:
    raw = table("Raw", registry=registry)
    query = parse_filter("n = 5 and s = abc and t = true", None)(raw)
    values = query.to_params()["ExpressionAttributeValues"]
    assert list(values.values()) == [{"N": "5"}, {"S": "abc"}, {"BOOL": True}]
    keyed = parse_where("pk=USER#1", None)(raw).force_query().to_params()
    assert keyed["KeyConditionExpression"] == "#n0 = :v0"
    assert keyed["ExpressionAttributeValues"] == {":v0": {"S": "USER#1"}}
    assert typed_value("1.50", "x", None) == typed_value("1.5", "x", None)
    assert typed_value("[1]", "x", None) == "[1]"  # only scalars are read as JSON


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("age >", "expected a value for 'age', found the end at column 6"),
        ("age 30", "expected an operator"),
        ("(age > 3", "expected ')', found the end"),
        ("age > 3 name = x", "expected 'and', 'or' or the end, found 'name'"),
        ("age between 1 or 2", "expected 'and', found 'or'"),
        ("= 3", "expected an attribute name"),
        ("nme = x", "Sailor has no attribute 'nme'; did you mean 'name'?"),
        ("   ", "--filter is empty"),
    ],
)
def test_mistakes_are_named_with_their_column(expression: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        filtered(expression)
    assert message in str(caught.value)


def test_where_needs_attr_equals_value() -> None:
    with pytest.raises(QueryError, match="is not ATTR=VALUE"):
        parse_where("age>3", Sailor.__definition__)
