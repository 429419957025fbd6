"""Validation rules of a Stacks definition are enforced on the engine: an invalid create or
update raises one ModelValidationError before any request (the table is unchanged), a valid one
is written."""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.orm import Model, define_model
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.schema.definitions import RawCode
from dynamodb_tooling.schema.validation import ModelValidationError

pytestmark = pytest.mark.integration


@pytest.fixture
def app(dynamodb_config: Config, dynamodb_client: DynamoDBClient) -> Iterator[dict[str, Any]]:
    config = validate_config(dynamodb_config, default_table_name=f"val-{uuid.uuid4().hex[:10]}")
    set_config(config)
    registry = Registry(config)
    user = define_model(
        {
            "name": "User",
            "primaryKey": "id",
            "attributes": {
                "email": {"unique": True, "validation": {"rule": "required|email"}},
                "name": {
                    "validation": {
                        "rule": RawCode("schema.string().minLength(2).maxLength(40)"),
                        "message": {"minLength": "a name needs :min+ characters"},
                    }
                },
                "age": {"type": "integer", "nullable": True, "validation": "integer|min:0"},
            },
            "traits": {"useTimestamps": True},
        },
        registry=registry,
    )
    dynamodb_client.create_table(registry.table_definition())
    dynamodb_client.wait_for_table_active(config.default_table_name, interval=0.1)
    yield {"User": user, "table": config.default_table_name}
    dynamodb_client.delete_table(config.default_table_name)
    reset_config()


def stored(client: DynamoDBClient, table: str) -> list[dict[str, Any]]:
    return [unmarshall_item(item) for item in client.scan_all(table).items]


def test_an_invalid_create_raises_before_any_request_and_writes_nothing(
    app: dict[str, Any], dynamodb_client: DynamoDBClient
) -> None:
    user: type[Model] = app["User"]
    with pytest.raises(ModelValidationError) as caught:
        user.create(email="not-an-email", name="A", age=-3)
    assert caught.value.errors == {
        "email": ["must be a valid email address"],
        "name": ["a name needs 2+ characters"],
        "age": ["must be at least 0"],
    }
    assert "User.email: must be a valid email address" in str(caught.value)
    assert stored(dynamodb_client, app["table"]) == []  # no entity, no unique sentinel


def test_a_valid_create_is_written(app: dict[str, Any], dynamodb_client: DynamoDBClient) -> None:
    user: type[Model] = app["User"]
    ada = user.create(email="ada@example.com", name="Ada", age=36)
    items = {item["_et"]: item for item in stored(dynamodb_client, app["table"])}
    assert set(items) == {"User", "_Unique"}
    assert items["User"]["pk"] == f"USER#{ada.id}"
    assert (items["User"]["email"], items["User"]["name"], items["User"]["age"]) == (
        "ada@example.com",
        "Ada",
        36,
    )


def test_an_invalid_update_changes_nothing_and_checks_only_what_changes(
    app: dict[str, Any], dynamodb_client: DynamoDBClient
) -> None:
    user: type[Model] = app["User"]
    ada = user.create(email="ada@example.com", name="Ada")
    before = stored(dynamodb_client, app["table"])
    with pytest.raises(ModelValidationError) as caught:
        ada.update(email="nope")
    assert caught.value.errors == {"email": ["must be a valid email address"]}
    assert stored(dynamodb_client, app["table"]) == before
    # The failed update left `ada` dirty; a fresh instance updates a valid value.
    fresh = user.find_or_fail(ada.id)
    fresh.update(age=37)
    (entity,) = (i for i in stored(dynamodb_client, app["table"]) if i["_et"] == "User")
    assert entity["age"] == 37
