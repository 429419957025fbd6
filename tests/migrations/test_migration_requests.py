"""The migration flows as compiled requests: a StubExecutor answers, nothing is sent anywhere."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.errors import ResourceNotFoundError, ServerError
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.migrations import (
    DestructiveChangeError,
    ImpossibleChangeError,
    RunOptions,
    build_snapshot,
    generate,
    migrate,
    rollback,
)
from dynamodb_tooling.migrations._services import (
    ServiceCall,
    ServiceExecutor,
    ServiceUnsupportedError,
)
from dynamodb_tooling.migrations.state import STATE_PARTITION
from dynamodb_tooling.requests import Request
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.schema.stacks import register_stacks_model
from dynamodb_tooling.testing.stub import StubExecutor

FAST = RunOptions(poll_interval=0.01, table_name="Shop")
USER: dict[str, Any] = {"name": "User", "attributes": {"email": {}}, "hasMany": ["Post"]}
POST: dict[str, Any] = {"name": "Post", "attributes": {"title": {}}}


def registry_of(*models: dict[str, Any], **config: Any) -> Registry:
    registry = Registry(validate_config(**config))
    for model in models:
        register_stacks_model(model, registry)
    return registry


def missing() -> ResourceNotFoundError:
    return ResourceNotFoundError("Requested resource not found", code="ResourceNotFoundException")


def active(definition: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A DescribeTable answer for a table made from ``definition``."""
    table = {
        **{k: v for k, v in definition.items() if k not in ("BillingMode", "Tags")},
        "TableStatus": "ACTIVE",
        "TableArn": f"arn:aws:dynamodb:us-east-1:1:table/{definition['TableName']}",
        "BillingModeSummary": {"BillingMode": definition.get("BillingMode", "PROVISIONED")},
        **extra,
    }
    for index in table.get("GlobalSecondaryIndexes", ()):
        index["IndexStatus"] = "ACTIVE"
    return {"Table": table}


def stub_for(registry: Registry) -> StubExecutor:
    """A stub whose unscripted DescribeTable calls (the waits) find the table ACTIVE."""

    def answer(request: Request) -> dict[str, Any]:
        if request.operation == "DescribeTable":
            return {
                "Table": {"TableStatus": "ACTIVE", "TableArn": "arn:aws:dynamodb:x:1:table/Shop"}
            }
        return {}

    return StubExecutor(config=registry.config, answer=answer)


def stored(registry: Registry, table: str = "Shop") -> dict[str, Any]:
    """A Query answer holding the STATE item of ``registry``'s snapshot."""
    snapshot = build_snapshot(registry, table)
    item = {
        "pk": {"S": STATE_PARTITION},
        "sk": {"S": "STATE"},
        "hash": {"S": snapshot.hash},
        "snapshot": {"S": snapshot.to_json()},
    }
    return {"Items": [item]}


def existing(stub: StubExecutor, registry: Registry, **extra: Any) -> None:
    """Script the reads of a table made and migrated with ``registry``'s models."""
    definition = dict(registry.table_definition("Shop"))
    stub.on("DescribeTable", active(definition, **extra))
    stub.on("DescribeTimeToLive", {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}})
    stub.on("DescribeContinuousBackups", {"ContinuousBackupsDescription": {}})
    tags = [{"Key": t["Key"], "Value": t["Value"]} for t in definition.get("Tags", ())]
    stub.on("ListTagsOfResource", {"Tags": tags})
    stub.on("Query", stored(registry))


def test_first_migrate_sends_the_registry_create_table_then_records_state() -> None:
    registry = registry_of(USER, POST)
    stub = stub_for(registry)
    stub.on("DescribeTable", missing())

    result = migrate(registry, client=stub, options=FAST)

    assert [r.operation for r in stub.requests] == [
        "DescribeTable",
        "CreateTable",
        "DescribeTable",
        "PutItem",
        "PutItem",
    ]
    assert stub.sent("CreateTable")[0].params == registry.table_definition("Shop")
    history, state = (unmarshall_item(r.params["Item"]) for r in stub.sent("PutItem"))
    assert history["pk"] == state["pk"] == "_MIGRATION"
    assert history["sk"].startswith("HISTORY#")
    assert history["result"] == "success"
    assert json.loads(history["steps"])[0]["kind"] == "create_table"
    assert state["sk"] == "STATE"
    assert state["hash"] == result.plan.desired.hash
    assert "_et" not in state  # no model query or scan ever returns it


def test_a_new_gsi_is_one_update_table_with_every_key_attribute() -> None:
    old = registry_of(USER, POST)
    new = registry_of(USER, POST, single_table_design={"gsi_count": 3})
    stub = stub_for(new)
    existing(stub, old)

    migrate(new, client=stub, options=FAST)

    (update,) = stub.sent("UpdateTable")
    assert update.params["GlobalSecondaryIndexUpdates"] == [
        {
            "Create": {
                "IndexName": "GSI3",
                "KeySchema": [
                    {"AttributeName": "gsi3pk", "KeyType": "HASH"},
                    {"AttributeName": "gsi3sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        }
    ]
    assert (
        update.params["AttributeDefinitions"]
        == new.table_definition("Shop")["AttributeDefinitions"]
    )


def test_destructive_changes_are_refused_before_any_write_and_name_the_patterns() -> None:
    old = registry_of(USER, POST)
    new = registry_of({**USER, "hasMany": []}, POST, single_table_design={"gsi_count": 1})
    stub = stub_for(new)
    existing(stub, old)

    with pytest.raises(DestructiveChangeError) as refused:
        migrate(new, client=stub, options=FAST)

    message = str(refused.value)
    assert "drop GSI GSI2" in message
    assert "'List Posts by User'" in message
    assert "force=True" in message
    assert [r.operation for r in stub.requests if r.writes or "Update" in r.operation] == []


def test_an_lsi_change_is_impossible_even_with_force() -> None:
    old = registry_of(USER, POST)
    sorted_posts = {**USER, "hasMany": [{"model": "Post", "collection": True, "sortBy": "title"}]}
    new = registry_of(sorted_posts, POST)
    stub = stub_for(new)
    existing(stub, old)

    with pytest.raises(ImpossibleChangeError) as refused:
        migrate(new, client=stub, force=True, options=FAST)

    assert "LSI1" in str(refused.value)
    assert "copy" in str(refused.value)


def test_dry_run_records_the_plan_and_sends_only_reads() -> None:
    registry = registry_of(USER, POST, ttl={"enabled": True}, point_in_time_recovery=True)
    stub = stub_for(registry)
    stub.on("DescribeTable", missing())

    result = migrate(registry, client=stub, dry_run=True, options=FAST)

    assert [r.operation for r in stub.requests] == ["DescribeTable"]
    assert [r.operation for r in result.requests] == [
        "CreateTable",
        "DescribeTable",
        "UpdateTimeToLive",
        "UpdateContinuousBackups",
        "PutItem",
    ]
    assert [s.status for s in result.steps] == ["planned", "planned", "planned"]


SCALED: dict[str, Any] = {
    "billing_mode": "PROVISIONED",
    "read": 5,
    "write": 5,
    "auto_scaling": {"enabled": True},
}


class FakeAutoScaling:
    """Application Auto Scaling as a test double: records calls; describes answer empty."""

    def __init__(self, error: Exception | None = None) -> None:
        self.calls: list[ServiceCall] = []
        self.error = error

    def __call__(self, call: ServiceCall) -> dict[str, Any]:
        self.calls.append(call)
        if self.error is not None:
            raise self.error
        if call.operation == "DescribeScalableTargets":
            return {"ScalableTargets": []}
        if call.operation == "DescribeScalingPolicies":
            return {"ScalingPolicies": []}
        return {}

    def operations(self) -> list[str]:
        return [c.operation for c in self.calls]


def test_auto_scaling_is_compiled_and_sent_after_the_table() -> None:
    registry = registry_of(USER, POST, capacity=SCALED)
    stub = stub_for(registry)
    stub.on("DescribeTable", missing())
    service = FakeAutoScaling()

    result = migrate(registry, client=ServiceExecutor(stub, call=service), options=FAST)

    applied = [s for s in result.steps if s.action.kind == "auto_scaling"]
    assert [s.status for s in applied] == ["applied"]
    requests = applied[0].action.params["requests"]
    targets = [
        r["params"]["ResourceId"] for r in requests if r["operation"] == "RegisterScalableTarget"
    ]
    assert targets == [
        "table/Shop",
        "table/Shop",
        "table/Shop/index/GSI1",
        "table/Shop/index/GSI1",
        "table/Shop/index/GSI2",
        "table/Shop/index/GSI2",
    ]
    policy = requests[1]["params"]
    assert policy["PolicyType"] == "TargetTrackingScaling"
    assert policy["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 70.0
    assert service.operations()[0] == "DescribeScalableTargets"
    assert service.operations()[1:] == [r["operation"] for r in requests]
    assert {r.operation for r in stub.requests} <= {"DescribeTable", "CreateTable", "PutItem"}
    undo = applied[0].action.undo
    assert undo is not None
    assert [r["operation"] for r in undo.params["requests"]][:2] == [
        "DeleteScalingPolicy",
        "DeregisterScalableTarget",
    ]


def test_auto_scaling_on_an_engine_without_the_service_stays_planned() -> None:
    registry = registry_of(USER, POST, capacity=SCALED)
    stub = stub_for(registry)
    stub.on("DescribeTable", missing())
    unknown = ServiceUnsupportedError(
        "the engine does not support application-autoscaling DescribeScalableTargets "
        "(UnknownOperationException: )",
        code="UnknownOperationException",
    )
    service = FakeAutoScaling(unknown)

    result = migrate(registry, client=ServiceExecutor(stub, call=service), options=FAST)

    planned = [s for s in result.steps if s.action.kind == "auto_scaling"]
    assert [s.status for s in planned] == ["planned"]
    assert planned[0].error is not None
    assert "does not support Application Auto Scaling" in planned[0].error
    assert service.operations() == ["DescribeScalableTargets"]  # nothing registered
    assert result.history is not None
    assert result.history.result == "success"
    assert "not sent: the engine does not support it" in result.plan.to_markdown()


def test_contributor_insights_on_an_engine_without_it_is_a_skipped_step() -> None:
    registry = registry_of(USER, POST, contributor_insights={"enabled": True})
    stub = stub_for(registry)
    stub.on("DescribeTable", missing())
    stub.on(
        "DescribeContributorInsights",
        ServerError(
            "The describe_contributor_insights action has not been implemented", code="500"
        ),
    )

    result = migrate(registry, client=stub, options=FAST)

    insights = [s for s in result.steps if s.action.kind == "update_contributor_insights"]
    assert [s.status for s in insights] == ["skipped"]
    assert insights[0].error is not None
    assert insights[0].error.startswith("skipped: engine does not support Contributor Insights")
    assert not stub.sent("UpdateContributorInsights")
    assert [r.operation for r in stub.sent("PutItem")] == ["PutItem", "PutItem"]  # history, state
    assert result.plan.planned_only == (insights[0].action,)


def test_contributor_insights_is_compiled_when_the_engine_has_it() -> None:
    registry = registry_of(USER, POST, contributor_insights={"enabled": True})
    stub = stub_for(registry)
    stub.on("DescribeTable", missing())
    stub.on("DescribeContributorInsights", missing())

    migrate(registry, client=stub, options=FAST)

    assert [r.params for r in stub.sent("UpdateContributorInsights")] == [
        {"TableName": "Shop", "ContributorInsightsAction": "ENABLE"}
    ]


def test_a_stream_view_change_is_destructive_and_runs_disable_then_enable() -> None:
    old = registry_of(USER, POST, streams={"enabled": True, "view_type": "KEYS_ONLY"})
    new = registry_of(USER, POST, streams={"enabled": True, "view_type": "NEW_IMAGE"})
    stub = stub_for(new)
    existing(stub, old)

    migrate(new, client=stub, force=True, options=FAST)

    specs = [r.params["StreamSpecification"] for r in stub.sent("UpdateTable")]
    assert specs == [
        {"StreamEnabled": False},
        {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    ]


def test_only_tags_a_migration_set_are_removed() -> None:
    old = registry_of(USER, POST, tags={"team": "core", "env": "dev"})
    new = registry_of(USER, POST, tags={"team": "growth"})
    stub = stub_for(new)
    definition = dict(old.table_definition("Shop"))
    stub.on("DescribeTable", active(definition))
    stub.on("DescribeTimeToLive", {"TimeToLiveDescription": {}})
    stub.on("DescribeContinuousBackups", {"ContinuousBackupsDescription": {}})
    live_tags = [{"Key": "team", "Value": "core"}, {"Key": "env", "Value": "dev"}]
    stub.on("ListTagsOfResource", {"Tags": [*live_tags, {"Key": "cost", "Value": "42"}]})
    stub.on("Query", stored(old))

    migrate(new, client=stub, options=FAST)

    (tagged,) = stub.sent("TagResource")
    assert tagged.params["Tags"] == [{"Key": "team", "Value": "growth"}]
    (untagged,) = stub.sent("UntagResource")
    assert untagged.params["TagKeys"] == ["env"]  # "cost" was never the migration's


def test_rollback_undoes_the_newest_undoable_step_and_records_it() -> None:
    registry = registry_of(USER, POST)
    steps = [
        {
            "kind": "create_gsi",
            "summary": "add GSI GSI3",
            "status": "applied",
            "params": {},
            "undo": {
                "kind": "delete_gsi",
                "summary": "drop GSI GSI3",
                "destructive": True,
                "params": {
                    "name": "GSI3",
                    "attribute_definitions": [
                        {"AttributeName": "pk", "AttributeType": "S"},
                        {"AttributeName": "sk", "AttributeType": "S"},
                    ],
                },
            },
        },
        {
            "kind": "backfill",
            "summary": "backfill derived keys of Post",
            "status": "applied",
            "params": {"models": ["Post"]},
        },
    ]
    history = {
        "pk": {"S": "_MIGRATION"},
        "sk": {"S": "HISTORY#2026-01-01T00:00:00+00:00#000001"},
        "kind": {"S": "migrate"},
        "result": {"S": "success"},
        "steps": {"S": json.dumps(steps)},
    }
    stub = stub_for(registry)
    stub.on("DescribeTable", active(dict(registry.table_definition("Shop"))))
    stub.on("DescribeTimeToLive", {"TimeToLiveDescription": {}})
    stub.on("DescribeContinuousBackups", {"ContinuousBackupsDescription": {}})
    stub.on("Query", {"Items": [history]})

    result = rollback(registry, client=stub, options=FAST)

    assert result.undone.action.summary == "add GSI GSI3"  # the backfill cannot be undone
    (update,) = stub.sent("UpdateTable")
    assert update.params["GlobalSecondaryIndexUpdates"] == [{"Delete": {"IndexName": "GSI3"}}]
    recorded = unmarshall_item(stub.sent("PutItem")[-1].params["Item"])
    assert recorded["kind"] == "rollback"
    assert recorded["undoes"] == "HISTORY#2026-01-01T00:00:00+00:00#000001#0"


def test_generate_renders_markdown_and_json() -> None:
    registry = registry_of(USER, POST, ttl={"enabled": True})
    stub = stub_for(registry)
    stub.on("DescribeTable", missing(), missing())

    markdown = generate(registry, client=stub, table_name="Shop")
    assert "# Migration plan for table `Shop`" in markdown
    assert "| info | create table Shop |" in markdown
    assert "enable TTL on ttl" in markdown
    as_json = json.loads(generate(registry, client=stub, format="json", table_name="Shop"))
    assert [a["kind"] for a in as_json["actions"]] == ["create_table", "update_ttl"]
    assert [r.operation for r in stub.requests] == ["DescribeTable", "DescribeTable"]


def test_the_snapshot_hash_does_not_depend_on_registration_order() -> None:
    first = build_snapshot(registry_of(USER, POST), "Shop")
    second = build_snapshot(registry_of(POST, USER), "Shop")
    assert first.hash == second.hash
    changed = build_snapshot(registry_of(USER, {**POST, "attributes": {"body": {}}}), "Shop")
    assert changed.hash != first.hash
