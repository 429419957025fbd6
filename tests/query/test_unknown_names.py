"""Model queries refuse attribute names the model does not store, when the builder method is
called (a typo would otherwise scan and find nothing); raw table queries stay free-form."""

from collections.abc import Callable
from typing import Any

import pytest

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.query.builder import QueryBuilder, table
from dynamodb_tooling.query.predicates import Predicate
from dynamodb_tooling.query.state import QueryState
from dynamodb_tooling.schema import ModelDefinition, Registry, Traits
from dynamodb_tooling.schema.naming import make_attribute
from tests.schema import blog

Query = QueryBuilder[dict[str, Any]]

DOC = ModelDefinition(
    name="Doc",
    prefix="DOC",
    attributes=(
        make_attribute("title", "string"),
        make_attribute("meta", "map", nullable=True),
        make_attribute("expires", "integer", nullable=True),
    ),
    traits=Traits(versioning=True, ttl=True),
)


@pytest.fixture(scope="module")
def registry() -> Registry:
    found = Registry(validate_config())
    for definition in (*blog.BLOG, DOC):
        found.register(definition)
    return found


def query(registry: Registry, model: str) -> Query:
    return QueryBuilder(QueryState(model=model), registry=registry, hydrate=dict)


TYPO_CALLS: list[Callable[[Query], Any]] = [
    lambda q: q.where("nmae", "Ada"),
    lambda q: q.where("nmae", "=", "Ada"),
    lambda q: q.or_where("nmae", "Ada"),
    lambda q: q.where(lambda g: g.where("nmae", "Ada")),
    lambda q: q.where_not(lambda g: g.where("nmae", "Ada")),
    lambda q: q.where_in("nmae", ["Ada"]),
    lambda q: q.where_not_in("nmae", ["Ada"]),
    lambda q: q.where_between("nmae", "a", "b"),
    lambda q: q.where_null("nmae"),
    lambda q: q.where_not_null("nmae"),
    lambda q: q.where_exists("nmae"),
    lambda q: q.where_begins_with("nmae", "A"),
    lambda q: q.where_contains("nmae", "d"),
    lambda q: q.order_by("nmae"),
    lambda q: q.order_by_desc("nmae"),
    lambda q: q.latest("nmae"),
    lambda q: q.oldest("nmae"),
    lambda q: q.select("email", "nmae"),
    lambda q: q.pluck("nmae"),
    lambda q: q.value("nmae"),
    lambda q: q.sum("nmae"),
    lambda q: q.avg("nmae"),
    lambda q: q.min("nmae"),
    lambda q: q.max("nmae"),
]


@pytest.mark.parametrize("call", TYPO_CALLS)
def test_a_typo_is_refused_with_a_did_you_mean(registry: Registry, call: Any) -> None:
    # no client is configured: the error must come before any request is attempted
    with pytest.raises(QueryError, match=r"^User has no attribute 'nmae'; did you mean 'name'\?"):
        call(query(registry, "User").where("team_id", "t1"))


def test_a_typed_predicate_is_checked_too(registry: Registry) -> None:
    with pytest.raises(QueryError, match="User has no attribute 'agee'; did you mean 'age'"):
        query(registry, "User").where(Predicate("agee", ">", 3))


def test_a_name_with_no_close_match_lists_the_attributes(registry: Registry) -> None:
    with pytest.raises(QueryError) as raised:
        query(registry, "Team").where("zzz", 1)
    message = str(raised.value)
    assert message.startswith("Team has no attribute 'zzz' (it has id, name)")
    assert "table(...)" in message  # how to query a free-form name


def test_managed_attributes_only_when_the_trait_is_on(registry: Registry) -> None:
    # Team has no timestamps: latest() would sort on an attribute no item has
    with pytest.raises(QueryError, match="Team has no attribute 'created_at'"):
        query(registry, "Team").latest()
    with pytest.raises(QueryError, match="Doc has no attribute 'deleted_at'"):
        query(registry, "Doc").where_null("deleted_at")


def test_declared_keys_foreign_keys_and_managed_names_are_accepted(registry: Registry) -> None:
    users = query(registry, "User")
    built = (
        users.where("id", "u1")
        .where("team_id", "t1")
        .where("created_at", ">", "2026-01-01T00:00:00+00:00")
        .where_null("deleted_at")
        .order_by("updated_at")
        .select("email", "name")
    )
    assert [clause.attribute for _, clause in built.state.wheres] == [
        "id",
        "team_id",
        "created_at",
        "deleted_at",
    ]
    # a collection child's ancestor key; versioning and ttl attributes
    assert query(registry, "OrderLine").where("user_id", "u1").where("order_id", "o1").state.wheres
    docs = query(registry, "Doc").where("_v", 2).where("ttl", ">", 5).order_by("expires")
    params = docs.to_params()
    assert params["FilterExpression"] == "#n0 = :v0 AND #n1 > :v1 AND #n2 = :v2"
    assert list(params["ExpressionAttributeNames"].values()) == ["_v", "ttl", "_et"]


def test_nested_paths_of_a_declared_map_keep_working(registry: Registry) -> None:
    params = query(registry, "Doc").where("meta.k", "v").select("meta.k").force_scan().to_params()
    assert params["FilterExpression"] == "#n0.#n1 = :v0 AND #n2 = :v1"
    assert params["ExpressionAttributeNames"]["#n0"] == "meta"
    assert params["ExpressionAttributeNames"]["#n1"] == "k"
    with pytest.raises(QueryError, match=r"Doc has no attribute 'mta\.k'; did you mean 'meta'"):
        query(registry, "Doc").where("mta.k", "v")


def test_raw_table_queries_stay_free_form(registry: Registry) -> None:
    raw = (
        table("MainTable", registry=registry)
        .where("pk", "X#1")
        .where("anything", "goes")
        .order_by("whatever")
        .select("anything")
    )
    params = raw.to_params()
    assert "anything" in params["ExpressionAttributeNames"].values()
