"""Model events against the engine: listeners run in order around real writes, and a
cancelling listener leaves the table untouched (read back with the raw client)."""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.orm import Model, attribute, hook
from dynamodb_tooling.schema import Registry

pytestmark = pytest.mark.integration


@pytest.fixture
def app(dynamodb_config: Config, dynamodb_client: DynamoDBClient) -> Iterator[dict[str, Any]]:
    config = validate_config(dynamodb_config, default_table_name=f"evt-{uuid.uuid4().hex[:10]}")
    set_config(config)
    registry = Registry(config)
    log: list[str] = []

    class Account(Model, registry=registry, soft_deletes=True):
        email: str = attribute(unique=True)
        plan: str = "free"

        @hook("saving")
        def normalise(self) -> None:
            log.append("saving")
            self.email = self.email.strip().lower()

        @hook("deleting")
        def keep_paid(self) -> bool:
            log.append("deleting")
            return self.plan != "paid"

    for event in ("creating", "created", "updating", "updated", "saved", "deleted"):
        Account.add_hook(event, lambda a, e=event: log.append(e))  # type: ignore[misc]

    dynamodb_client.create_table(registry.table_definition())
    dynamodb_client.wait_for_table_active(config.default_table_name, interval=0.1)
    yield {
        "Account": Account,
        "log": log,
        "client": dynamodb_client,
        "table": config.default_table_name,
    }
    dynamodb_client.delete_table(config.default_table_name)
    reset_config()


def stored(app: dict[str, Any], account: Any) -> dict[str, Any] | None:
    key = {"pk": f"ACCOUNT#{account.id}", "sk": f"ACCOUNT#{account.id}"}
    found = app["client"].get_item(app["table"], key, consistent_read=True).get("Item")
    return unmarshall_item(found) if found else None


def test_hooks_fire_in_order_around_real_writes(app: dict[str, Any]) -> None:
    Account, log = app["Account"], app["log"]
    account = Account.create(email="  Ada@Example.COM ")
    assert log == ["saving", "creating", "created", "saved"]
    assert stored(app, account)["email"] == "ada@example.com"
    log.clear()
    account.update(plan="pro")
    assert log == ["saving", "updating", "updated", "saved"]
    assert stored(app, account)["plan"] == "pro"


def test_a_cancelling_hook_writes_nothing(app: dict[str, Any]) -> None:
    Account, log = app["Account"], app["log"]
    paid = Account.create(email="paid@example.com", plan="paid")
    before = stored(app, paid)
    log.clear()
    paid.delete()
    assert log == ["deleting"]  # cancelled: no "deleted"
    assert stored(app, paid) == before
    assert paid.trashed() is False
    assert Account.find(paid.id) is not None
