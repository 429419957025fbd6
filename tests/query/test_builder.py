"""Each builder method compiles to the request it promises (no server), and builders are
generative: a half-built query is never changed by what is added to it later."""

import pytest

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.query.builder import QueryBuilder, table
from dynamodb_tooling.query.state import QueryState
from dynamodb_tooling.schema import Registry
from tests.schema import blog


@pytest.fixture
def posts() -> QueryBuilder[dict[str, object]]:
    registry = Registry(validate_config())
    for definition in blog.BLOG:
        registry.register(definition)
    return QueryBuilder(QueryState(model="Post"), registry=registry, hydrate=dict).where(
        "user_id", "u1"
    )


def filter_of(
    query: QueryBuilder[dict[str, object]],
) -> tuple[str, dict[str, str], dict[str, object]]:
    params = query.to_params()
    names = {k: v for k, v in params["ExpressionAttributeNames"].items() if k not in ("#n0", "#n1")}
    values = {
        k: v for k, v in params["ExpressionAttributeValues"].items() if k not in (":v0", ":v1")
    }
    return params.get("FilterExpression", ""), names, values


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda q: q.where("title", "!=", "x"), "#n2 <> :v2"),
        (lambda q: q.where_in("title", ["a", "b"]), "#n2 IN (:v2, :v3)"),
        (lambda q: q.where_not_in("title", ["a"]), "NOT (#n2 IN (:v2))"),
        (lambda q: q.where_between("title", "a", "m"), "#n2 BETWEEN :v2 AND :v3"),
        (lambda q: q.where_null("status"), "attribute_not_exists(#n2)"),
        (lambda q: q.where_not_null("status"), "attribute_exists(#n2)"),
        (lambda q: q.where_begins_with("title", "Hi"), "begins_with(#n2, :v2)"),
        (lambda q: q.where_contains("title", "lo"), "contains(#n2, :v2)"),
        (
            lambda q: q.where(lambda g: g.where("title", "a").or_where("title", "b")),
            "#n2 = :v2 OR #n2 = :v3",
        ),
        (lambda q: q.where_not(lambda g: g.where("title", "a")), "NOT (#n2 = :v2)"),
        (lambda q: q.when(True, lambda g: g.where("title", "a")), "#n2 = :v2"),
        (lambda q: q.unless(False, lambda g: g.where("title", "a")), "#n2 = :v2"),
        (lambda q: q.scope(lambda g, t: g.where("title", t), "a"), "#n2 = :v2"),
    ],
)
def test_conditions_become_the_filter(posts, build, expected) -> None:  # type: ignore[no-untyped-def]
    expression, names, _ = filter_of(build(posts))
    assert expression == expected
    assert set(names.values()) <= {"title", "status"}


def test_shape_and_reading_options(posts) -> None:  # type: ignore[no-untyped-def]
    params = posts.select("title", "id").limit(5).order_by_desc("id").to_params()
    projected = [
        params["ExpressionAttributeNames"][n] for n in params["ProjectionExpression"].split(", ")
    ]
    # the selection, then what the library needs: keys (cursors, writes) and the entity type
    assert projected == ["title", "id", "pk", "sk", "_et", "gsi1pk", "gsi1sk"]
    assert params["Limit"] == 5
    assert posts.take(2).to_params()["Limit"] == 2
    assert posts.use_index("GSI1").to_params()["IndexName"] == "GSI1"
    assert "ScanIndexForward" not in posts.oldest().to_params()
    scanned = posts.force_scan().to_params()
    assert "KeyConditionExpression" not in scanned
    assert "Segment" not in posts.force_scan().parallel(4).to_params()  # segments go to the flow


def test_builders_are_generative(posts) -> None:  # type: ignore[no-untyped-def]
    base = posts.where("title", "a")
    narrower = base.where("status", "x")
    assert base.to_params() != narrower.to_params()
    assert base.to_params() == posts.where("title", "a").to_params()
    assert base.state.wheres != narrower.state.wheres


def test_bad_calls_are_refused_before_anything_is_sent(posts) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(QueryError, match="unknown operator '=~'"):
        posts.where("title", "=~", "x")
    with pytest.raises(QueryError, match="needs a value"):
        posts.where("title")
    with pytest.raises(QueryError, match="at least one value"):
        posts.where_in("title", [])
    with pytest.raises(QueryError, match="limit must be at least 1"):
        posts.limit(0)
    with pytest.raises(QueryError, match="must add at least one condition"):
        posts.where(lambda g: g)
    with pytest.raises(QueryError, match="must return the query"):
        posts.scope(lambda g: None)
    with pytest.raises(QueryError, match="raw table"):
        table("Raw").insert({"pk": "a"})
