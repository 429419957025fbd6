"""Models persist through the query layer: unique values, versions, soft deletes, dirty
tracking and bulk writes, checked against what is actually stored."""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.drivers.client import get_client
from dynamodb_tooling.errors import (
    ConditionalCheckFailedError,
    UniqueConstraintError,
    VersionConflictError,
)
from dynamodb_tooling.expressions import attr
from dynamodb_tooling.orm import BelongsTo, HasMany, Model, attribute
from dynamodb_tooling.query.transaction import transaction
from dynamodb_tooling.query.unique import run_write
from dynamodb_tooling.query.writes import WriteCompiler
from dynamodb_tooling.schema import Registry

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
        logins: int = 0
        team = BelongsTo(Team)

    dynamodb_client.create_table(registry.table_definition())
    dynamodb_client.wait_for_table_active(config.default_table_name, interval=0.1)
    yield {"Team": Team, "Member": Member, "registry": registry, "table": config.default_table_name}
    dynamodb_client.delete_table(config.default_table_name)
    reset_config()


def stored(client: DynamoDBClient, table: str) -> list[dict[str, Any]]:
    from dynamodb_tooling.marshal import unmarshall_item

    return sorted(
        (unmarshall_item(i) for i in client.scan_all(table).items), key=lambda i: (i["pk"], i["sk"])
    )


def test_create_reserves_unique_values_and_a_taken_one_writes_nothing(
    app: dict[str, Any], dynamodb_client: DynamoDBClient
) -> None:
    Member, table = app["Member"], app["table"]
    ada = Member.create(email="ada@example.com", name="Ada", team_id="t1")
    assert ada.exists
    assert ada._v == 1
    assert ada.created_at is not None
    before = stored(dynamodb_client, table)
    assert [i["pk"] for i in before] == [f"MEMBER#{ada.id}", "_UNIQUE#MEMBER#email#ada@example.com"]
    with pytest.raises(UniqueConstraintError, match=r"ada@example\.com") as caught:
        Member.create(email="ada@example.com", name="Impostor", team_id="t1")
    assert (caught.value.model, caught.value.attribute) == ("Member", "email")
    assert stored(dynamodb_client, table) == before


def test_save_sends_only_changes_and_moves_the_sentinel(
    app: dict[str, Any], dynamodb_client: DynamoDBClient
) -> None:
    Member, table = app["Member"], app["table"]
    ada = Member.create(email="ada@example.com", name="Ada", team_id="t1")
    ada.email = "countess@example.com"
    assert ada.is_dirty("email")
    assert ada.is_clean("name")
    ada.save()
    assert ada.was_changed("email")
    assert ada._v == 2
    assert ada.is_clean()
    keys = [i["pk"] for i in stored(dynamodb_client, table)]
    assert "_UNIQUE#MEMBER#email#countess@example.com" in keys
    assert "_UNIQUE#MEMBER#email#ada@example.com" not in keys
    assert Member.where("email", "countess@example.com").first() == Member.find(ada.id)
    Member.create(email="ada@example.com", name="New Ada", team_id="t1")  # the old value is free


def test_a_stale_version_is_a_conflict_and_nothing_changes(
    app: dict[str, Any], dynamodb_client: DynamoDBClient
) -> None:
    Member, table = app["Member"], app["table"]
    first = Member.create(email="a@b.c", name="A", team_id="t1")
    second = Member.find_or_fail(first.id)
    first.update(name="first wins")
    before = stored(dynamodb_client, table)
    with pytest.raises(VersionConflictError):
        second.update(name="second loses")
    assert stored(dynamodb_client, table) == before
    assert Member.find_or_fail(first.id).name == "first wins"


def test_soft_delete_restore_force_delete_and_refresh(app: dict[str, Any]) -> None:
    Member = app["Member"]
    bob = Member.create(email="bob@example.com", name="Bob", team_id="t1")
    bob.delete()
    assert bob.trashed()
    assert Member.find(bob.id) is None
    assert Member.only_trashed().where("team_id", "t1").count() == 1
    bob.restore()
    assert Member.find_or_fail(bob.id).name == "Bob"
    bob.increment("logins", 3)
    assert bob.logins == 3
    assert Member.find_or_fail(bob.id).refresh().logins == 3
    bob.force_delete()
    assert Member.with_trashed().where("team_id", "t1").count() == 0
    Member.create(email="bob@example.com", name="Bob again", team_id="t1")  # sentinel released


def test_builder_bulk_writes_and_a_failed_condition(app: dict[str, Any]) -> None:
    Team, Member = app["Team"], app["Member"]
    team = Team.create(name="Core")
    for n in range(4):
        Member.create(email=f"m{n}@example.com", name=f"M{n}", team_id=team.id)
    assert Member.where("team_id", team.id).update(name="renamed") == 4
    assert set(Member.where("team_id", team.id).pluck("name")) == {"renamed"}
    assert Member.where("team_id", team.id).where("email", "m0@example.com").delete() == 1
    assert Member.where("team_id", team.id).count() == 3
    assert Team.query().insert_many([{"name": f"T{n}"} for n in range(30)]) == 30

    plan = WriteCompiler(app["registry"]).update(
        "Team", team.to_values(), {"name": "x"}, condition=attr("name").eq("not core")
    )
    with pytest.raises(ConditionalCheckFailedError):
        run_write(get_client(), plan)


def test_transaction_across_models_is_all_or_nothing(
    app: dict[str, Any], dynamodb_client: DynamoDBClient
) -> None:
    Member, table, registry = app["Member"], app["table"], app["registry"]
    Member.create(email="taken@example.com", name="T", team_id="t1")
    before = stored(dynamodb_client, table)

    def clashing(tx: Any) -> None:
        tx.insert("Team", {"name": "Should not exist"})
        tx.insert("Member", {"email": "taken@example.com", "name": "X", "team_id": "t1"})

    with pytest.raises(UniqueConstraintError):
        transaction(dynamodb_client, registry)(clashing)
    assert stored(dynamodb_client, table) == before
    with transaction(dynamodb_client, registry) as tx:
        tx.insert("Team", {"id": "t9", "name": "Made"})
        tx.insert("Member", {"email": "new@example.com", "name": "N", "team_id": "t9"})
    assert app["Team"].find_or_fail("t9").name == "Made"
    assert Member.where("team_id", "t9").count() == 1


def test_targeted_writes_keep_other_unsaved_edits(app: dict[str, Any]) -> None:
    Member = app["Member"]
    member = Member.create(email="e@example.com", name="Before", team_id="t1")
    member.name = "After"
    member.increment("logins")
    assert member.is_dirty("name")
    member.save()
    assert Member.find_or_fail(member.id).name == "After"
    member.name = "Deleted"
    member.delete()
    member.restore()
    assert member.is_dirty("name")
    member.save()
    assert Member.find_or_fail(member.id).name == "Deleted"


def test_builder_insert_and_upsert(app: dict[str, Any]) -> None:
    Team = app["Team"]
    made = Team.query().insert({"id": "t5", "name": "First"})
    assert made.name == "First"
    replaced = Team.query().upsert({"id": "t5", "name": "Second"})
    assert replaced.name == "Second"
    assert Team.find_or_fail("t5").name == "Second"
    with pytest.raises(ConditionalCheckFailedError):
        Team.query().insert({"id": "t5", "name": "Third"})
