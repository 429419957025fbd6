"""Writes over a query's matches run side by side, refuse guarded values, and report a partial
failure exactly; raw writes that are not idempotent are never sent twice."""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import (
    MassAssignmentError,
    PartialWriteError,
    UniqueConstraintError,
    WriteOutcomeUnknownError,
)
from dynamodb_tooling.orm import Model, attribute
from dynamodb_tooling.query.raw import raw_update
from dynamodb_tooling.schema import Registry
from tests.fault_proxy import Fault, FaultProxy

pytestmark = pytest.mark.integration


@pytest.fixture
def app(dynamodb_config: Config, dynamodb_client: DynamoDBClient) -> Iterator[dict[str, Any]]:
    config = validate_config(dynamodb_config, default_table_name=f"bulk-{uuid.uuid4().hex[:10]}")
    set_config(config)
    registry = Registry(config)

    class Member(Model, registry=registry):
        email: str = attribute(unique=True)
        team: str = attribute(index=True)
        role: str = attribute(default="member", guarded=True)

    dynamodb_client.create_table(registry.table_definition())
    dynamodb_client.wait_for_table_active(config.default_table_name, interval=0.1)
    yield {"Member": Member, "config": config, "table": config.default_table_name}
    dynamodb_client.delete_table(config.default_table_name)
    reset_config()


def test_bulk_update_runs_side_by_side(app: dict[str, Any], fault_proxy: FaultProxy) -> None:
    Member = app["Member"]
    for i in range(30):
        Member.create(email=f"m{i}@x.io", team="a")
    fault_proxy.inject(
        Fault("delay", seconds=0.01, operations={"TransactWriteItems", "UpdateItem"})
    )
    set_config(validate_config(app["config"], endpoint=fault_proxy.endpoint))
    assert Member.where("team", "a").update(team="b") == 30
    set_config(app["config"])
    assert Member.where("team", "b").count() == 30
    assert not Member.where("team", "a").exists()
    assert fault_proxy.max_in_flight >= 4  # the 30 writes overlapped


def test_bulk_writes_refuse_guarded_values_before_anything_is_sent(app: dict[str, Any]) -> None:
    Member = app["Member"]
    ada = Member.create(email="ada@x.io", team="a")
    with pytest.raises(MassAssignmentError, match=r"Member\.role is protected"):
        Member.where("team", "a").update(role="admin")
    with pytest.raises(MassAssignmentError):
        Member.query().insert({"email": "b@x.io", "team": "a", "role": "admin"})
    with pytest.raises(MassAssignmentError):
        Member.query().upsert({"id": ada.id, "email": "ada@x.io", "team": "a", "role": "admin"})
    assert [(m.email, m.role) for m in Member.where("team", "a").get()] == [("ada@x.io", "member")]
    assert Member.where("email", "b@x.io").first() is None


def test_a_partly_failed_bulk_update_says_what_was_written(app: dict[str, Any]) -> None:
    Member = app["Member"]
    members = [Member.create(email=f"u{i}@x.io", team="a") for i in range(3)]
    Member.create(email="taken@x.io", team="z")
    with pytest.raises(PartialWriteError) as caught:
        # every one asks for a value another item holds
        Member.where("team", "a").update(email="taken@x.io")
    error = caught.value
    assert error.done == 0
    assert len(error.failed) == 3
    assert all(isinstance(e, UniqueConstraintError) for _, e in error.failed)
    assert "0 of 3 items written" in str(error)
    assert sorted(m.email for m in Member.where("team", "a").get()) == sorted(
        m.email for m in members
    )


def test_a_partly_failed_bulk_update_lists_only_the_failures(app: dict[str, Any]) -> None:
    Member = app["Member"]
    Member.create(email="free@x.io", team="a")
    Member.create(email="other@x.io", team="a")
    # Two items ask for one free value: one wins, the other fails, and the error says so.
    with pytest.raises(PartialWriteError) as caught:
        Member.where("team", "a").update(email="new@x.io")
    assert caught.value.done == 1
    assert len(caught.value.failed) == 1
    assert sorted(m.email for m in Member.where("team", "a").get()) in (
        ["free@x.io", "new@x.io"],
        ["new@x.io", "other@x.io"],
    )


def test_a_raw_add_whose_answer_was_lost_is_not_sent_again(
    app: dict[str, Any], fault_proxy: FaultProxy, dynamodb_client: DynamoDBClient
) -> None:
    table = app["table"]
    dynamodb_client.put_item(table, {"pk": "C#1", "sk": "C#1", "n": 0})
    fault_proxy.inject(Fault("error_after", operations={"UpdateItem"}, limit=1))
    config = validate_config(app["config"], endpoint=fault_proxy.endpoint)
    params = {
        "TableName": table,
        "Key": {"pk": {"S": "C#1"}, "sk": {"S": "C#1"}},
        "UpdateExpression": "ADD #n :one",
        "ExpressionAttributeNames": {"#n": "n"},
        "ExpressionAttributeValues": {":one": {"N": "1"}},
    }
    with DynamoDBClient(config=config) as client, pytest.raises(WriteOutcomeUnknownError):
        raw_update(params, client=client)
    stored = dynamodb_client.get_item(table, {"pk": "C#1", "sk": "C#1"})["Item"]["n"]
    assert stored == {"N": "1"}  # applied once (by the attempt whose answer was lost)
