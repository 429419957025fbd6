"""Nothing lost, nothing leaked (issue #7), checked against what the table holds: in-place
edits are saved, unset attributes read as None, guarded and unknown names write nothing, and
a FastAPI route serving a stored model leaks no hidden value or internal state."""

import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import MassAssignmentError
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.orm import BelongsTo, HasMany, Model, attribute
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.schema.casts import AttributeCastError

pytestmark = pytest.mark.integration


@pytest.fixture
def app(dynamodb_config: Config, dynamodb_client: DynamoDBClient) -> Iterator[dict[str, Any]]:
    config = validate_config(dynamodb_config, default_table_name=f"orm-{uuid.uuid4().hex[:10]}")
    set_config(config)
    registry = Registry(config)

    class Team(Model, registry=registry):
        name: str
        members = HasMany("Member")

    class Member(Model, registry=registry, timestamps=True, soft_deletes=True, versioning=True):
        email: str = attribute(unique=True)
        name: str
        age: int | None = None
        password: str | None = attribute(hidden=True)
        role: str = attribute(default="member", guarded=True)
        tags: set[str] | None = None
        labels: set[str] = attribute(default_factory=set)  # empty: stored as no attribute
        meta: dict[str, Any] = attribute(default_factory=dict)
        history: list[Any] = attribute(default_factory=list)
        team = BelongsTo(Team)

    dynamodb_client.create_table(registry.table_definition())
    dynamodb_client.wait_for_table_active(config.default_table_name, interval=0.1)
    yield {"Team": Team, "Member": Member, "table": config.default_table_name}
    dynamodb_client.delete_table(config.default_table_name)
    reset_config()


def stored(client: DynamoDBClient, table: str) -> list[dict[str, Any]]:
    return sorted(
        (unmarshall_item(i) for i in client.scan_all(table).items), key=lambda i: (i["pk"], i["sk"])
    )


def member_item(client: DynamoDBClient, table: str, member_id: str) -> dict[str, Any]:
    (item,) = [i for i in stored(client, table) if i["pk"] == f"MEMBER#{member_id}"]
    return item


def test_in_place_edits_are_saved_and_read_back(
    app: dict[str, Any], dynamodb_client: DynamoDBClient
) -> None:
    Member, table = app["Member"], app["table"]
    made = Member.create(
        email="ada@example.com", name="Ada", team_id="t1", tags={"a"}, meta={"k": 0}, history=[1]
    )
    doc = Member.find_or_fail(made.id)
    doc.tags.add("b")
    doc.meta["k"] = 1
    doc.history.append({"at": 2})
    assert doc.is_dirty()
    doc.save()
    assert doc.is_clean()
    assert doc._v == 2
    item = member_item(dynamodb_client, table, made.id)
    assert item["tags"] == {"a", "b"}
    assert item["meta"] == {"k": 1}
    assert item["history"] == [1, {"at": 2}]
    again = Member.find_or_fail(made.id)
    assert (again.tags, again.meta, again.history) == ({"a", "b"}, {"k": 1}, [1, {"at": 2}])


def test_an_empty_set_is_stored_as_no_attribute_and_read_back_empty(
    app: dict[str, Any], dynamodb_client: DynamoDBClient
) -> None:
    Member, table = app["Member"], app["table"]
    made = Member.create(email="cy@example.com", name="Cy", team_id="t1")
    assert made.labels == set()
    assert "labels" not in member_item(dynamodb_client, table, made.id)  # DynamoDB has no {}
    loaded = Member.find_or_fail(made.id)
    assert loaded.labels == set()
    assert loaded.is_clean()
    loaded.labels.add("vip")
    loaded.save()
    assert member_item(dynamodb_client, table, made.id)["labels"] == {"vip"}
    loaded.labels.clear()
    loaded.save()  # REMOVE, not an invalid empty set
    assert "labels" not in member_item(dynamodb_client, table, made.id)
    assert Member.find_or_fail(made.id).labels == set()


def test_unset_attributes_read_as_none_after_loading_and_update(
    app: dict[str, Any], dynamodb_client: DynamoDBClient
) -> None:
    Member, table = app["Member"], app["table"]
    made = Member.create(email="bo@example.com", name="Bo", team_id="t1", age=30)
    made.update(age=None)
    assert made.age is None
    assert "age" not in member_item(dynamodb_client, table, made.id)
    loaded = Member.find_or_fail(made.id)
    assert (loaded.age, loaded.password, loaded.deleted_at) == (None, None, None)
    assert loaded.to_dict()["age"] is None
    with pytest.raises(AttributeError, match="Member has no attribute 'nmae'; did you mean 'name'"):
        _ = loaded.nmae


def test_guarded_attributes_are_refused_and_nothing_is_written(
    app: dict[str, Any], dynamodb_client: DynamoDBClient
) -> None:
    Member, table = app["Member"], app["table"]
    with pytest.raises(MassAssignmentError, match=r"Member\.role is protected .*force_fill"):
        Member.create(email="eve@example.com", name="Eve", team_id="t1", role="admin")
    assert stored(dynamodb_client, table) == []  # not even the email sentinel
    eve = Member.create(email="eve@example.com", name="Eve", team_id="t1")
    before = stored(dynamodb_client, table)
    with pytest.raises(MassAssignmentError, match=r"Member\.role"):
        eve.update(name="Evil", role="admin")
    with pytest.raises(AttributeCastError, match="did you mean 'name'"):
        eve.update(nmae="Evil")
    assert stored(dynamodb_client, table) == before
    assert (eve.name, eve.role) == ("Eve", "member")


def test_explicit_ways_to_set_a_guarded_attribute_are_saved(
    app: dict[str, Any], dynamodb_client: DynamoDBClient
) -> None:
    Member, table = app["Member"], app["table"]
    eve = Member.create(email="eve@example.com", name="Eve", team_id="t1")
    eve.role = "admin"
    eve.save()
    assert Member.find_or_fail(eve.id).role == "admin"
    eve.force_fill(role="owner").save()
    assert member_item(dynamodb_client, table, eve.id)["role"] == "owner"
    boss = Member.force_create(email="boss@example.com", name="Boss", team_id="t1", role="root")
    assert Member.find_or_fail(boss.id).role == "root"


def test_a_fastapi_route_serves_a_stored_model_without_leaks(app: dict[str, Any]) -> None:
    Member = app["Member"]
    made = Member.create(
        email="ada@example.com", name="Ada", team_id="t1", password="s3cret", tags={"z", "a"}
    )
    made.meta["rate"] = Decimal("0.10")
    made.save()
    api = FastAPI()

    @api.get("/members/{member_id}")
    def show(member_id: str) -> Member:  # type: ignore[valid-type]
        return Member.find_or_fail(member_id)

    response = TestClient(api).get(f"/members/{made.id}")
    body = response.json()
    assert response.status_code == 200
    assert (body["id"], body["name"], body["age"]) == (made.id, "Ada", None)
    assert body["tags"] == ["a", "z"]
    assert body["meta"] == {"rate": "0.10"}
    assert body["_v"] == 2
    for leaked in ("s3cret", "password", "_original", "_exists", "_model_state"):
        assert leaked not in response.text
