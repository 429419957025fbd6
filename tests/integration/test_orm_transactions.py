"""``with transaction():`` gathers model writes into one TransactWriteItems (read back from
the table): all or nothing, instances follow only once committed, events after commit."""

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import QueryError, RequestValidationError, UniqueConstraintError
from dynamodb_tooling.orm import Model, atransaction, attribute, transaction
from dynamodb_tooling.schema import Registry

pytestmark = pytest.mark.integration


@pytest.fixture
def app(dynamodb_config: Config, dynamodb_client: DynamoDBClient) -> Iterator[dict[str, Any]]:
    config = validate_config(dynamodb_config, default_table_name=f"otx-{uuid.uuid4().hex[:10]}")
    set_config(config)
    registry = Registry(config)

    class Team(Model, registry=registry):
        name: str
        size: int = 0

    class Member(Model, registry=registry, soft_deletes=True):
        email: str = attribute(unique=True)
        team_id: str | None = None

    dynamodb_client.create_table(registry.table_definition())
    dynamodb_client.wait_for_table_active(config.default_table_name, interval=0.1)
    yield {"Team": Team, "Member": Member, "client": dynamodb_client, "config": config}
    dynamodb_client.delete_table(config.default_table_name)
    reset_config()


def test_model_writes_in_the_block_are_one_transaction(app: dict[str, Any]) -> None:
    Team, Member = app["Team"], app["Member"]
    old = Member.create(email="old@x.io")
    seen: list[str] = []
    Team.add_hook("created", lambda team: seen.append(f"created {team.name}"))
    with transaction() as tx:
        team = Team.create(name="Blue")
        ada = tx.insert(Member, {"email": "ada@x.io", "team_id": team.id})
        old.delete()
        assert not team.exists  # nothing is written before the block ends
        assert Team.find(team.id) is None
        assert seen == []
    assert len(tx.actions) == 4  # team, member + its unique sentinel, the soft delete
    assert team.exists
    assert ada.exists
    assert seen == ["created Blue"]
    assert Team.find(team.id).name == "Blue"
    assert Member.find(ada.id).team_id == team.id
    assert Member.find(old.id) is None  # soft-deleted
    assert old.trashed()


def test_an_exception_in_the_block_writes_nothing(app: dict[str, Any]) -> None:
    Team = app["Team"]
    team = Team.create(name="Red")
    team.name = "Renamed"
    made: list[Any] = []

    def block() -> None:
        with transaction():
            team.save()
            made.append(Team.create(name="Never"))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        block()
    (fresh,) = made
    assert Team.find(team.id).name == "Red"
    assert Team.find(fresh.id) is None
    assert not fresh.exists
    assert team.is_dirty("name")  # the unsaved change is still there


def test_a_refused_transaction_leaves_every_instance_as_it_was(app: dict[str, Any]) -> None:
    Team, Member = app["Team"], app["Member"]
    Member.create(email="taken@x.io")
    made: list[Any] = []

    def block() -> None:
        with transaction():
            made.append(Team.create(name="Green"))
            Member.create(email="taken@x.io")

    with pytest.raises(UniqueConstraintError):
        block()
    (team,) = made
    assert not team.exists
    assert Team.find(team.id) is None


def test_limits_and_nesting(app: dict[str, Any]) -> None:
    Team = app["Team"]
    with transaction() as outer:
        first = Team.create(name="a")
        with transaction() as inner:  # joins the outer transaction
            second = Team.create(name="b")
        assert inner is outer
        assert not second.exists
    assert first.exists
    assert second.exists

    def too_many() -> None:
        with transaction():
            for n in range(101):
                Team.create(name=f"t{n}")

    with pytest.raises(RequestValidationError, match="above DynamoDB's limit of 100"):
        too_many()
    assert Team.where("name", "t0").force_scan().count() == 0
    with transaction() as tx:
        pass
    with pytest.raises(QueryError, match="already committed"):
        tx.commit()


def test_async_transaction(app: dict[str, Any]) -> None:
    Team = app["Team"]

    async def scenario() -> tuple[Any, Any]:
        async with atransaction():
            blue = await Team.acreate(name="Blue")
            red = await Team.acreate(name="Red")
            assert not blue.exists
        return blue, red

    blue, red = asyncio.run(scenario())
    assert blue.exists
    assert red.exists
    assert Team.find(blue.id).name == "Blue"


def test_a_failed_inner_block_drops_only_its_own_writes(app: dict[str, Any]) -> None:
    Team = app["Team"]
    with transaction():
        kept = Team.create(name="kept")
        try:
            with transaction():
                dropped = Team.create(name="dropped")
                raise ValueError("inner")
        except ValueError:
            pass
        also = Team.create(name="also")
    assert kept.exists
    assert also.exists
    assert not dropped.exists
    assert Team.find(dropped.id) is None
    assert Team.find(also.id).name == "also"
