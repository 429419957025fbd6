"""Typed references (``User.age > 30``) for every attribute a model stores — declared ones
with plain annotations, and the managed ones the mypy plugin declares (foreign keys,
timestamps, soft deletes, version): the requests they compile to, sync and async."""

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from dynamodb_tooling.config import use_config
from dynamodb_tooling.marshal import marshall_item
from dynamodb_tooling.orm import BelongsTo, Model
from dynamodb_tooling.query.predicates import Predicate
from dynamodb_tooling.query.refs import AttributeRef
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.testing.stub import StubExecutor


@pytest.fixture
def registry() -> Iterator[Registry]:
    with use_config():
        yield Registry()


def define(registry: Registry) -> tuple[type[Model], type[Model]]:
    class Team(Model, registry=registry):
        name: str

    class User(Model, registry=registry, timestamps=True, soft_deletes=True, versioning=True):
        name: str
        age: int | None = None
        team = BelongsTo(Team)

    return Team, User


def test_class_access_to_every_stored_name_is_a_reference(registry: Registry) -> None:
    _, User = define(registry)
    for name in ("id", "name", "age", "team_id", "created_at", "updated_at", "deleted_at", "_v"):
        ref = getattr(User, name)
        assert isinstance(ref, AttributeRef)
        assert ref.name == name
    assert (User.age > 30) == Predicate("age", ">", 30)
    assert (User.team_id == "t1") == Predicate("team_id", "=", "t1")


def test_unknown_class_attributes_are_refused_with_a_did_you_mean(registry: Registry) -> None:
    Team, User = define(registry)
    with pytest.raises(
        AttributeError, match="User has no attribute 'team_idd'; did you mean 'team_id'"
    ):
        _ = User.team_idd
    with pytest.raises(AttributeError, match="Team has no attribute 'created_at'"):
        _ = Team.created_at  # no timestamps on Team
    with pytest.raises(AttributeError):
        _ = Model.team_id
    assert not hasattr(User, "nope")


def test_a_foreign_key_reference_plans_the_relation_query(
    registry: Registry, stub: StubExecutor
) -> None:
    _, User = define(registry)
    since = datetime(2026, 1, 1, tzinfo=UTC)
    item = User(name="Ada", team_id="t1").to_item()
    stub.on("Query", {"Items": [marshall_item(item)], "Count": 1})
    query = User.where(User.team_id == "t1").where(User.created_at >= since)
    found = query.get()
    (sent,) = stub.sent("Query")
    assert sent.params["IndexName"] == "GSI1"
    assert sent.params["KeyConditionExpression"] == "#n0 = :v0 AND begins_with(#n1, :v1)"
    assert sent.params["ExpressionAttributeValues"][":v0"] == {"S": "TEAM#t1"}
    names = sent.params["ExpressionAttributeNames"]
    assert "created_at" in names.values()
    assert "deleted_at" in names.values()  # the soft-delete scope still applies
    assert [u.name for u in found] == ["Ada"]


def test_a_foreign_key_reference_plans_the_relation_query_async(
    registry: Registry, stub: StubExecutor
) -> None:
    _, User = define(registry)
    item = User(name="Ada", team_id="t1", age=36).to_item()

    async def run() -> list[str]:
        stub.on("Query", {"Items": [marshall_item(item)], "Count": 1})
        query = User.where(User.team_id == "t1").where(User.age > 30)
        return [u.name for u in await query.aget()]

    assert asyncio.run(run()) == ["Ada"]
    (sent,) = stub.sent("Query")
    assert sent.params["ExpressionAttributeValues"][":v0"] == {"S": "TEAM#t1"}
    assert {"N": "30"} in sent.params["ExpressionAttributeValues"].values()
