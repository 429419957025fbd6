"""Typed references against the engine: ``User.where(User.team_id == team.id)``,
``User.age > 30`` with ``age: int | None = None`` and a timestamp range read back what was
written (sync and async)."""

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.orm import BelongsTo, Model
from dynamodb_tooling.schema import Registry

pytestmark = pytest.mark.integration


@pytest.fixture
def app(dynamodb_config: Config, dynamodb_client: DynamoDBClient) -> Iterator[dict[str, Any]]:
    config = validate_config(dynamodb_config, default_table_name=f"refs-{uuid.uuid4().hex[:10]}")
    set_config(config)
    registry = Registry(config)

    class Team(Model, registry=registry):
        name: str

    class User(Model, registry=registry, timestamps=True, soft_deletes=True):
        name: str
        age: int | None = None
        team = BelongsTo(Team)

    dynamodb_client.create_table(registry.table_definition())
    dynamodb_client.wait_for_table_active(config.default_table_name, interval=0.1)
    yield {"Team": Team, "User": User}
    dynamodb_client.delete_table(config.default_table_name)
    reset_config()


def test_references_to_declared_and_managed_attributes_read_back(app: dict[str, Any]) -> None:
    Team, User = app["Team"], app["User"]
    blue, red = Team.create(name="Blue"), Team.create(name="Red")
    ada = User.create(name="Ada", age=36, team_id=blue.id)
    User.create(name="Kid", age=9, team_id=blue.id)
    User.create(name="Nameless", team_id=blue.id)  # age unset: never matches age > 30
    User.create(name="Grace", age=45, team_id=red.id)

    older = User.where(User.team_id == blue.id).where(User.age > 30).get()
    assert [u.name for u in older] == ["Ada"]
    assert sorted(u.name for u in User.where(User.team_id == blue.id).get()) == [
        "Ada",
        "Kid",
        "Nameless",
    ]
    assert User.where(User.team_id == blue.id).where(User.age.is_null()).first().name == (
        "Nameless"
    )
    recent = ada.created_at - timedelta(seconds=1)
    assert User.where(User.team_id == red.id).where(User.created_at >= recent).count() == 1
    future = datetime.now(UTC) + timedelta(days=1)
    assert User.where(User.team_id == red.id).where(User.created_at >= future).count() == 0

    ada.delete()  # soft delete: deleted_at set, hidden by the scope
    trashed = (
        User.only_trashed()
        .where(User.team_id == blue.id)
        .where(User.deleted_at.is_not_null())
        .get()
    )
    assert [u.name for u in trashed] == ["Ada"]

    async def run() -> list[str]:
        found = await User.where(User.team_id == red.id).where(User.age >= 45).aget()
        return [u.name for u in found]

    assert asyncio.run(run()) == ["Grace"]
