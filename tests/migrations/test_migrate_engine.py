"""`migrate`, `status`, `rollback`, `fresh` against the engine (moto, or DYNAMODB_ENDPOINT)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.migrations import (
    DestructiveChangeError,
    ImpossibleChangeError,
    MigrationStepError,
    RunOptions,
    UnsafeEndpointError,
    amigrate,
    astatus,
    fresh,
    migrate,
    rollback,
    status,
)
from dynamodb_tooling.orm import Model, attribute
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.testing.stub import StubExecutor
from tests.fault_proxy import Fault, FaultProxy
from tests.migrations._engine import MigrationEnv, registry_of

pytestmark = pytest.mark.integration

FAST = RunOptions(poll_interval=0.05)

USER: dict[str, Any] = {"name": "User", "attributes": {"email": {}, "name": {}}}
TEAM: dict[str, Any] = {"name": "Team", "hasMany": ["User"], "attributes": {"name": {}}}
USER_IN_TEAM: dict[str, Any] = {**USER, "belongsTo": ["Team"]}
POST: dict[str, Any] = {
    "name": "Post",
    "belongsTo": ["User"],
    "attributes": {"title": {}, "status": {"nullable": True}},
}


def _clean(description: dict[str, Any]) -> dict[str, Any]:
    """The parts of a DescribeTable that a CreateTable request decides."""
    gsis = {
        i["IndexName"]: (i["KeySchema"], i["Projection"])
        for i in description.get("GlobalSecondaryIndexes") or ()
    }
    return {
        "KeySchema": description["KeySchema"],
        "AttributeDefinitions": sorted(
            description["AttributeDefinitions"], key=lambda a: a["AttributeName"]
        ),
        "GlobalSecondaryIndexes": gsis,
        "LocalSecondaryIndexes": {
            i["IndexName"]: (i["KeySchema"], i["Projection"])
            for i in description.get("LocalSecondaryIndexes") or ()
        },
        "BillingMode": description["BillingModeSummary"]["BillingMode"],
    }


def _expected(definition: dict[str, Any]) -> dict[str, Any]:
    return {
        "KeySchema": definition["KeySchema"],
        "AttributeDefinitions": sorted(
            definition["AttributeDefinitions"], key=lambda a: a["AttributeName"]
        ),
        "GlobalSecondaryIndexes": {
            i["IndexName"]: (i["KeySchema"], i["Projection"])
            for i in definition.get("GlobalSecondaryIndexes") or ()
        },
        "LocalSecondaryIndexes": {
            i["IndexName"]: (i["KeySchema"], i["Projection"])
            for i in definition.get("LocalSecondaryIndexes") or ()
        },
        "BillingMode": definition["BillingMode"],
    }


def test_migrate_from_nothing_creates_exactly_the_table_and_records_it(env: MigrationEnv) -> None:
    with env.configure() as client:
        registry = registry_of(TEAM, USER_IN_TEAM, POST)
        before = status(registry, client=client)
        assert not before.table_exists
        assert before.applied_hash is None

        result = migrate(registry, client=client, options=FAST)

        assert [s.action.kind for s in result.steps] == ["create_table"]
        assert client.writes().count("CreateTable") == 1
        described = client.describe_table(env.table)["Table"]
        assert _clean(described) == _expected(dict(registry.table_definition()))
        after = status(registry, client=client)
        assert after.table_exists
        assert after.up_to_date
        assert after.applied_hash == result.plan.desired.hash
        assert [h.kind for h in after.history] == ["migrate"]
        assert after.history[0].result == "success"
        assert after.history[0].steps[0]["summary"].startswith("create table")


def test_a_second_migrate_without_change_sends_no_write(env: MigrationEnv) -> None:
    with env.configure() as client:
        registry = registry_of(USER)
        migrate(registry, client=client, options=FAST)
        client.clear()
        result = migrate(registry, client=client, options=FAST)
        assert result.plan.up_to_date
        assert not result.steps
        assert client.writes() == []
        assert "nothing to migrate" in result.summary()
        assert str(result) == result.summary()  # print(migrate()) reads as the CLI does


def test_raising_gsi_count_adds_one_gsi_per_update_table(env: MigrationEnv) -> None:
    with env.configure() as client:
        migrate(registry_of(USER), client=client, options=FAST)
    with env.configure(single_table_design={"gsi_count": 4}) as client:
        registry = registry_of(USER)
        assert [c.summary for c in status(registry, client=client).pending] == [
            "add GSI GSI3 (gsi3pk, gsi3sk)",
            "add GSI GSI4 (gsi4pk, gsi4sk)",
        ]
        migrate(registry, client=client, options=FAST)
        updates = [r for r in client.sent if r.operation == "UpdateTable"]
        assert len(updates) == 2
        for request, name in zip(updates, ["GSI3", "GSI4"], strict=True):
            assert [
                u["Create"]["IndexName"] for u in request.params["GlobalSecondaryIndexUpdates"]
            ] == [name]
            defined = {a["AttributeName"] for a in request.params["AttributeDefinitions"]}
            assert {"pk", "sk", "gsi1pk", "gsi2sk", f"{name.lower()}pk"} <= defined
        names = [
            g["IndexName"]
            for g in client.describe_table(env.table)["Table"]["GlobalSecondaryIndexes"]
        ]
        assert sorted(names) == ["GSI1", "GSI2", "GSI3", "GSI4"]
        assert status(registry, client=client).up_to_date


def test_removing_a_relation_needs_force_then_drops_its_gsi_and_records_it(
    env: MigrationEnv,
) -> None:
    with env.configure() as client:
        migrate(registry_of(TEAM, USER_IN_TEAM, POST), client=client, options=FAST)
    # Post loses its relation to User and the GSI slot it needed goes with gsi_count=1.
    lone_post = {**POST, "belongsTo": []}
    with env.configure(single_table_design={"gsi_count": 1}) as client:
        registry = registry_of(TEAM, USER_IN_TEAM, lone_post)
        with pytest.raises(DestructiveChangeError) as refused:
            migrate(registry, client=client, options=FAST)
        message = str(refused.value)
        assert "drop GSI GSI2" in message
        assert "List Posts by User" in message
        assert "--force" in message
        assert client.writes() == []

        result = migrate(registry, client=client, force=True, options=FAST)
        kinds = [s.action.kind for s in result.steps]
        assert kinds[0] == "delete_gsi"
        names = [
            g["IndexName"]
            for g in client.describe_table(env.table)["Table"]["GlobalSecondaryIndexes"]
        ]
        assert names == ["GSI1"]
        history = status(registry, client=client).history
        assert history[-1].result == "success"
        assert any(
            s["kind"] == "delete_gsi" and s["status"] == "applied" for s in history[-1].steps
        )


def test_dry_run_sends_no_write_and_lists_the_requests(env: MigrationEnv) -> None:
    with env.configure() as client:
        result = migrate(registry_of(USER), client=client, dry_run=True, options=FAST)
        assert client.writes() == []
        assert [r.operation for r in result.requests][:1] == ["CreateTable"]
        assert result.dry_run
        assert not result.changed
        assert not status(registry_of(USER), client=client).table_exists


def test_ttl_pitr_and_tags_are_applied_diffed_and_rolled_back(env: MigrationEnv) -> None:
    with env.configure() as client:
        migrate(registry_of(USER), client=client, options=FAST)
    options = {"ttl": {"enabled": True}, "point_in_time_recovery": True, "tags": {"team": "core"}}
    with env.configure(**options) as client:
        registry = registry_of(USER)
        pending = [c.summary for c in status(registry, client=client).pending]
        assert pending == ["enable TTL on ttl", "enable point-in-time recovery", "add tags team"]
        migrate(registry, client=client, options=FAST)
        assert client.writes() == [
            "UpdateTimeToLive",
            "UpdateContinuousBackups",
            "TagResource",
            "PutItem",
            "PutItem",
        ]
        assert (
            client.describe_time_to_live(env.table)["TimeToLiveDescription"]["TimeToLiveStatus"]
            == "ENABLED"
        )
        arn = client.describe_table(env.table)["Table"]["TableArn"]
        assert client.list_tags_of_resource(arn)["Tags"] == [{"Key": "team", "Value": "core"}]
        assert status(registry, client=client).up_to_date

        undone = rollback(registry, client=client, options=FAST)
        assert undone.undone.action.summary == "tag team"
        assert client.list_tags_of_resource(arn)["Tags"] == []
        undone = rollback(registry, client=client, options=FAST)
        assert undone.undone.action.summary == "enable point-in-time recovery"
        assert str(undone) == f"table {env.table}: undid 'enable point-in-time recovery' (" + (
            f"{undone.undo.action.summary})"
        )
        after = status(registry, client=client)
        assert [c.summary for c in after.pending] == [
            "enable point-in-time recovery",
            "add tags team",
        ]
        assert [h.kind for h in after.history] == ["migrate", "migrate", "rollback", "rollback"]


def test_a_failed_step_is_recorded_and_the_next_run_resumes(
    env: MigrationEnv, fault_proxy: FaultProxy
) -> None:
    with env.configure() as client:
        migrate(registry_of(USER), client=client, options=FAST)
    options = {"ttl": {"enabled": True}, "point_in_time_recovery": True, "tags": {"team": "core"}}
    with env.configure(endpoint=fault_proxy.endpoint, **options) as client:
        registry = registry_of(USER)
        fault_proxy.inject(Fault("throttle", operations={"UpdateContinuousBackups"}))
        with pytest.raises(MigrationStepError) as failed:
            migrate(registry, client=client, options=FAST)
        assert "enable point-in-time recovery" in str(failed.value)
        assert "run migrate again" in str(failed.value)
        fault_proxy.clear()

        after_failure = status(registry, client=client)
        last = after_failure.history[-1]
        assert last.result == "failed"
        assert [(s["summary"], s["status"]) for s in last.steps] == [
            ("enable TTL on ttl", "applied"),
            ("enable point-in-time recovery", "failed"),
        ]
        assert "ProvisionedThroughputExceededException" in (last.error or "")
        # TTL is on already; what failed and what never ran are still pending.
        assert [c.summary for c in after_failure.pending] == [
            "enable point-in-time recovery",
            "add tags team",
        ]
        assert after_failure.applied_hash == after_failure.history[0].snapshot_hash

        client.clear()
        resumed = migrate(registry, client=client, options=FAST)
        assert [s.action.summary for s in resumed.applied] == [
            "enable point-in-time recovery",
            "tag team",
        ]
        assert "UpdateTimeToLive" not in client.writes()
        assert status(registry, client=client).up_to_date


def test_an_lsi_change_is_refused_with_the_copy_table_path(env: MigrationEnv) -> None:
    order = {"name": "Order", "attributes": {"total": {"type": "number"}, "placed_at": {}}}
    owner = {
        "name": "Owner",
        "attributes": {"name": {}},
        "hasMany": [{"model": "Order", "collection": True}],
    }
    with env.configure() as client:
        migrate(registry_of(owner, order), client=client, options=FAST)
        sorted_owner = {
            **owner,
            "hasMany": [{"model": "Order", "collection": True, "sortBy": "placed_at"}],
        }
        client.clear()
        with pytest.raises(ImpossibleChangeError) as refused:
            migrate(registry_of(sorted_owner, order), client=client, force=True, options=FAST)
        message = str(refused.value)
        assert "LSI" in message
        assert "copy" in message
        assert "default_table_name" in message
        assert client.writes() == []


def test_marking_an_attribute_index_true_backfills_old_items(env: MigrationEnv) -> None:
    class OldArticle(Model, registry=Registry(), name="Article", soft_deletes=False):
        title: str
        status: str | None = None

    class NewArticle(Model, registry=Registry(), name="Article", soft_deletes=False):
        title: str
        status: str | None = attribute(index=True)

    with env.configure() as client:
        migrate(OldArticle.__registry__, client=client, options=FAST)
        for n in range(12):
            OldArticle.create(title=f"a{n}", status="live" if n % 3 else "draft")

        plan = status(NewArticle.__registry__, client=client).plan
        assert [c.severity for c in plan.changes] == ["needs-backfill"]
        result = migrate(NewArticle.__registry__, client=client, options=FAST)

        assert result.backfill is not None
        assert result.backfill.missing_after == 0
        assert result.backfill.updated == 12
        live = NewArticle.where("status", "live").get()
        assert sorted(a.title for a in live) == sorted(f"a{n}" for n in range(12) if n % 3)
        assert NewArticle.where("status", "live").explain().operation == "Query"
        assert status(NewArticle.__registry__, client=client).up_to_date


def test_fresh_drops_and_recreates_a_local_table(env: MigrationEnv) -> None:
    with env.configure() as client:
        migrate(registry_of(USER), client=client, options=FAST)
        client.put_item(env.table, {"pk": "USER#1", "sk": "USER#1", "_et": "User", "name": "a"})
        result = fresh(registry_of(USER), client=client, options=FAST)
        assert [s.action.kind for s in result.steps] == ["create_table"]
        assert "Item" not in client.get_item(env.table, {"pk": "USER#1", "sk": "USER#1"})
        assert [h.kind for h in status(registry_of(USER), client=client).history] == ["fresh"]


def test_fresh_is_refused_on_a_non_local_endpoint() -> None:
    config = validate_config(
        endpoint="https://dynamodb.eu-west-1.amazonaws.com",
        region="eu-west-1",
        credentials={"access_key_id": "AKIAEXAMPLE", "secret_access_key": "not-used"},
    )
    recorder = StubExecutor(config=config)
    with pytest.raises(UnsafeEndpointError) as refused:
        fresh(registry_of(USER), client=recorder)
    assert "force=True" in str(refused.value)
    assert recorder.requests == []


def test_the_async_twin_runs_the_same_flow(env: MigrationEnv) -> None:
    with env.configure() as client:
        result = asyncio.run(amigrate(registry_of(USER), client=client, options=FAST))
        assert [s.action.kind for s in result.steps] == ["create_table"]
        assert asyncio.run(astatus(registry_of(USER), client=client)).up_to_date


def test_a_table_made_without_migrations_is_adopted(env: MigrationEnv) -> None:
    with env.configure() as client:
        registry = registry_of(USER)
        client.create_table(registry.table_definition())
        client.wait_for_table_active(env.table, interval=0.05)
        client.clear()
        result = migrate(registry, client=client, options=FAST)
        assert result.steps == ()
        assert "adopts" in " ".join(result.plan.notes)
        assert client.writes() == ["PutItem", "PutItem"]  # the history and the state
        assert status(registry, client=client).up_to_date


def test_dry_run_of_changes_to_an_existing_table_sends_no_write(env: MigrationEnv) -> None:
    with env.configure() as client:
        migrate(registry_of(TEAM, USER_IN_TEAM, POST), client=client, options=FAST)
    changes = {"single_table_design": {"gsi_count": 1}, "ttl": {"enabled": True}}
    with env.configure(**changes) as client:
        registry = registry_of(TEAM, USER_IN_TEAM, {**POST, "belongsTo": []})
        result = migrate(registry, client=client, dry_run=True, options=FAST)
        assert client.writes() == []
        assert {s.status for s in result.steps} == {"planned"}
        operations = [r.operation for r in result.requests]
        assert operations.count("UpdateTable") == 1
        assert "UpdateTimeToLive" in operations
        assert "needs force" in " ".join(result.notes)
        indexes = client.describe_table(env.table)["Table"]["GlobalSecondaryIndexes"]
        assert len(indexes) == 2
        assert not status(registry, client=client).up_to_date
