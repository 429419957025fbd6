"""The differ as a pure function: snapshots and a hand-made live table in, a plan out."""

from __future__ import annotations

from typing import Any

from dynamodb_tooling.config import Config, validate_config
from dynamodb_tooling.migrations import build_snapshot
from dynamodb_tooling.migrations.differ import diff
from dynamodb_tooling.migrations.live import LiveTable
from dynamodb_tooling.migrations.plan import MigrationPlan
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.schema.stacks import register_stacks_model

USER: dict[str, Any] = {"name": "User", "attributes": {"email": {}, "status": {}}}
POST: dict[str, Any] = {"name": "Post", "attributes": {"title": {}}, "belongsTo": ["User"]}


def registry_of(*models: dict[str, Any], **options: Any) -> Registry:
    registry = Registry(validate_config(**options))
    for model in models:
        register_stacks_model(model, registry)
    return registry


def live_of(registry: Registry, **settings: Any) -> LiveTable:
    """The table ``registry`` would create, as DescribeTable reports it."""
    definition = dict(registry.table_definition("Shop"))
    mode = definition.get("BillingMode", "PROVISIONED")
    description = {
        **definition,
        "TableArn": "arn:aws:dynamodb:us-east-1:1:table/Shop",
        "BillingModeSummary": {"BillingMode": mode},
    }
    return LiveTable(description, **settings)


def plan_of(old: Registry, new: Registry, **settings: Any) -> MigrationPlan:
    stored = build_snapshot(old, "Shop")
    config: Config = new.config
    return diff(build_snapshot(new, "Shop"), stored, live_of(old, **settings), config)


def test_no_change_is_an_empty_plan() -> None:
    plan = plan_of(registry_of(USER, POST), registry_of(USER, POST))
    assert plan.changes == ()
    assert plan.up_to_date


def test_index_true_on_an_existing_attribute_needs_a_backfill_of_that_model() -> None:
    indexed = {**USER, "attributes": {"email": {}, "status": {"index": True}}}
    plan = plan_of(registry_of(USER, POST), registry_of(indexed, POST))
    assert [(c.severity, c.models) for c in plan.changes] == [("needs-backfill", ("User",))]
    assert "attribute:status" in plan.changes[0].summary
    assert plan.backfill is not None
    assert plan.backfill.params["models"] == ["User"]
    assert plan.table_actions == ()


def test_new_models_and_attributes_change_no_table() -> None:
    more = {**USER, "attributes": {"email": {}, "status": {}, "age": {"type": "number"}}}
    tag = {"name": "Tag", "attributes": {"label": {}}}
    plan = plan_of(registry_of(USER, POST), registry_of(more, POST, tag))
    assert [(c.kind, c.severity) for c in plan.changes] == [
        ("new_model", "info"),
        ("attributes", "info"),
    ]
    assert plan.actions == ()
    assert not plan.up_to_date  # the snapshot changed: the run records it


def test_a_new_unique_attribute_needs_sentinels_for_existing_items() -> None:
    unique = {**USER, "attributes": {"email": {"unique": True}, "status": {}}}
    plan = plan_of(registry_of(USER, POST), registry_of(unique, POST))
    assert [(c.kind, c.severity) for c in plan.changes] == [("unique", "needs-backfill")]


def test_a_removed_relation_is_destructive_and_names_the_broken_patterns() -> None:
    plan = plan_of(registry_of(USER, POST), registry_of(USER, {**POST, "belongsTo": []}))
    (removed,) = [c for c in plan.changes if c.kind == "path_removed"]
    assert removed.severity == "destructive"
    assert any("'List Posts by User'" in w for w in removed.warnings)
    assert plan.backfill is not None  # the stale index keys are removed from the items


def test_switching_to_provisioned_sets_every_gsi_capacity_in_one_update() -> None:
    old = registry_of(USER, POST)
    new = registry_of(USER, POST, capacity={"billing_mode": "PROVISIONED", "read": 5, "write": 2})
    plan = plan_of(old, new)
    (billing,) = [a for a in plan.actions if a.kind == "update_table"]
    assert billing.params["billing_mode"] == "PROVISIONED"
    assert billing.params["provisioned_throughput"] == {
        "ReadCapacityUnits": 5,
        "WriteCapacityUnits": 2,
    }
    assert [u["Update"]["IndexName"] for u in billing.params["gsi_updates"]] == ["GSI1", "GSI2"]
    assert billing.undo is not None
    assert billing.undo.params == {"billing_mode": "PAY_PER_REQUEST"}


def test_settings_a_migration_did_not_make_are_left_alone() -> None:
    registry = registry_of(USER, POST)
    plan = plan_of(registry, registry, ttl="expires", pitr=True, tags={"cost": "42"})
    assert plan.actions == ()
    assert any("TTL on expires was not enabled by a migration" in n for n in plan.notes)
    assert any("point-in-time recovery was not enabled" in n for n in plan.notes)


def test_turning_off_pitr_a_migration_enabled_is_destructive() -> None:
    old = registry_of(USER, POST, point_in_time_recovery=True)
    plan = plan_of(old, registry_of(USER, POST), pitr=True)
    assert [(c.kind, c.severity) for c in plan.changes] == [("pitr", "destructive")]
    assert [a.summary for a in plan.actions] == ["disable point-in-time recovery"]


def test_an_engine_that_does_not_report_the_table_class_is_compared_with_the_snapshot() -> None:
    old = registry_of(USER, POST, table_class="STANDARD_INFREQUENT_ACCESS")
    assert plan_of(old, old).actions == ()
    plan = plan_of(old, registry_of(USER, POST))
    assert [a.params for a in plan.actions] == [{"table_class": "STANDARD"}]


def test_markdown_lists_changes_steps_and_undos() -> None:
    plan = plan_of(registry_of(USER, POST), registry_of(USER, POST, ttl={"enabled": True}))
    text = plan.to_markdown()
    assert "| info | enable TTL on ttl |" in text
    assert "1. enable TTL on ttl (rollback: disable TTL on ttl)" in text
