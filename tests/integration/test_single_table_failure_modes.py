"""The failure modes users hit in other single-table libraries, against the engine (items read
back with the raw client): a partial update that nulls an indexed attribute removes its sparse
GSI keys; changing a foreign key moves the GSI keys in the same request; an item another tool
wrote (no ``_et``, no id attribute, extra attributes) is read by key and keeps its extra
attributes through a save."""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.orm import BelongsTo, Model, attribute
from dynamodb_tooling.schema import Registry

pytestmark = pytest.mark.integration


@pytest.fixture
def app(dynamodb_config: Config, dynamodb_client: DynamoDBClient) -> Iterator[dict[str, Any]]:
    config = validate_config(dynamodb_config, default_table_name=f"fm-{uuid.uuid4().hex[:10]}")
    set_config(config)
    registry = Registry(config)

    class Team(Model, registry=registry):
        name: str

    class User(Model, registry=registry):
        name: str
        status: str | None = attribute(index=True, default=None)
        team = BelongsTo(Team)

    dynamodb_client.create_table(registry.table_definition())
    table = config.default_table_name
    dynamodb_client.wait_for_table_active(table, interval=0.1)
    yield {"User": User, "client": dynamodb_client, "table": table}
    dynamodb_client.delete_table(table)
    reset_config()


def raw(app: dict[str, Any], user_id: str) -> dict[str, Any]:
    key = {"pk": f"USER#{user_id}", "sk": f"USER#{user_id}"}
    return unmarshall_item(app["client"].get_item(app["table"], key, consistent_read=True)["Item"])


def test_nulling_an_indexed_attribute_removes_its_sparse_index_keys(app: dict[str, Any]) -> None:
    User = app["User"]
    user = User.create(name="Ada", status="live", team_id="t1")
    assert {"gsi2pk", "gsi2sk"} <= set(raw(app, user.id))
    user.status = None
    user.save()
    stored = raw(app, user.id)
    assert "status" not in stored
    assert "gsi2pk" not in stored
    assert "gsi2sk" not in stored
    assert User.where("status", "live").get().count() == 0


def test_changing_a_foreign_key_moves_its_index_keys_in_one_request(app: dict[str, Any]) -> None:
    User = app["User"]
    user = User.create(name="Bob", team_id="t1")
    user.update(team_id="t2")
    stored = raw(app, user.id)
    assert stored["team_id"] == "t2"
    assert stored["gsi1pk"] == "TEAM#t2"
    assert [u.id for u in User.where("team_id", "t2").get()] == [user.id]
    assert User.where("team_id", "t1").get().count() == 0


def test_an_item_written_by_another_tool_is_read_and_keeps_its_extra_attributes(
    app: dict[str, Any],
) -> None:
    User, client, table = app["User"], app["client"], app["table"]
    client.put_item(
        table, {"pk": "USER#legacy1", "sk": "USER#legacy1", "name": "Old", "crm_code": "X-9"}
    )
    user = User.find("legacy1")
    assert user is not None
    assert (user.id, user.name) == ("legacy1", "Old")
    user.name = "New"
    user.save()
    stored = raw(app, "legacy1")
    assert stored["name"] == "New"
    assert stored["crm_code"] == "X-9"  # the other tool's attribute survived
    assert [u.id for u in User.find_many(["legacy1"])] == ["legacy1"]
