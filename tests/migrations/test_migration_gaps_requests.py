"""Auto scaling diffs, unique sentinels, edges of a changed prefix, the copy-table path, and
service-call errors, as pure functions and compiled requests: nothing is sent anywhere."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from dynamodb_tooling.drivers._endpoint import Connection
from dynamodb_tooling.migrations import CopyTableError, ImpossibleChangeError, copy_table, migrate
from dynamodb_tooling.migrations._backfill_plan import BackfillPlanner
from dynamodb_tooling.migrations._services import (
    ServiceCall,
    ServiceCallError,
    ServiceUnsupportedError,
    _translate,
    service_endpoint,
)
from dynamodb_tooling.migrations.autoscaling import (
    LiveScaling,
    scaling_changes,
    scaling_requests,
    unmanaged_targets,
)
from dynamodb_tooling.migrations.backfill import BackfillError
from dynamodb_tooling.requests.transactions import ConditionCheck, TransactPut, transact_write
from dynamodb_tooling.schema import ModelDefinition, Registry, RelationDefinition
from dynamodb_tooling.schema.naming import make_attribute
from dynamodb_tooling.schema.transformer import EntityTransformer
from dynamodb_tooling.testing.stub import StubExecutor
from tests.migrations.test_differ import live_of, plan_of, registry_of
from tests.migrations.test_migration_requests import FAST

SETTINGS: dict[str, Any] = {
    "enabled": True,
    "read": {"min": 1, "max": 10, "target_utilization": 70.0},
    "write": {"min": 2, "max": 5, "target_utilization": 50.0},
    "scale_in_cooldown": 60,
    "scale_out_cooldown": 30,
}


def _registered(requests: list[dict[str, Any]]) -> LiveScaling:
    """What the engine would describe after ``requests`` were applied."""
    targets, policies = {}, {}
    for r in requests:
        p = r["params"]
        target = (p["ResourceId"], p["ScalableDimension"])
        if r["operation"] == "RegisterScalableTarget":
            targets[target] = {"MinCapacity": p["MinCapacity"], "MaxCapacity": p["MaxCapacity"]}
        else:
            config = {**p["TargetTrackingScalingPolicyConfiguration"], "DisableScaleIn": False}
            policies[(*target, p["PolicyName"])] = {
                "PolicyType": p["PolicyType"],
                "TargetTrackingScalingPolicyConfiguration": config,
            }
    return LiveScaling(targets, policies)


# Auto scaling.


def test_nothing_registered_sends_every_request_and_undoes_them_in_reverse() -> None:
    wanted = scaling_requests("Shop", ["GSI1"], SETTINGS)
    changes = scaling_changes(wanted, LiveScaling(), [])
    assert changes.apply == wanted
    assert changes.registered == 4
    assert [r["operation"] for r in changes.undo] == [
        "DeleteScalingPolicy",
        "DeregisterScalableTarget",
    ] * 4
    assert changes.undo[0]["params"]["ResourceId"] == "table/Shop/index/GSI1"


def test_what_is_registered_already_sends_nothing() -> None:
    wanted = scaling_requests("Shop", ["GSI1"], SETTINGS)
    assert not scaling_changes(wanted, _registered(wanted), [])


def test_a_changed_limit_sends_that_target_and_its_undo_restores_it() -> None:
    live = _registered(scaling_requests("Shop", [], SETTINGS))
    more = {**SETTINGS, "read": {**SETTINGS["read"], "max": 40}}
    changes = scaling_changes(scaling_requests("Shop", [], more), live, [])
    assert [(r["operation"], r["params"]["MaxCapacity"]) for r in changes.apply] == [
        ("RegisterScalableTarget", 40)
    ]
    assert changes.undo[0]["params"]["MaxCapacity"] == 10


def test_a_removed_index_deregisters_its_targets_policies_first() -> None:
    live = _registered(scaling_requests("Shop", ["GSI1", "GSI2"], SETTINGS))
    wanted = scaling_requests("Shop", ["GSI1"], SETTINGS)
    remove = unmanaged_targets(live, wanted, "Shop")
    assert {t[0] for t in remove} == {"table/Shop/index/GSI2"}
    changes = scaling_changes(wanted, live, remove)
    assert [r["operation"] for r in changes.apply] == [
        "DeleteScalingPolicy",
        "DeregisterScalableTarget",
    ] * 2
    assert changes.removed == 2
    assert [r["operation"] for r in changes.undo][:2] == [
        "RegisterScalableTarget",
        "PutScalingPolicy",
    ]


def test_the_differ_plans_auto_scaling_from_what_is_registered() -> None:
    capacity = {"billing_mode": "PROVISIONED", "read": 5, "write": 5, "auto_scaling": SETTINGS}
    old, new = registry_of(), registry_of(capacity=capacity)
    plan = plan_of(old, new, scaling=LiveScaling())
    (action,) = [a for a in plan.actions if a.kind == "auto_scaling"]
    assert action.summary.startswith("auto scaling: register 6 scalable target(s)")
    assert action.undo is not None
    registered = _registered(action.params["requests"])
    assert plan_of(new, new, scaling=registered).actions == ()
    removed = plan_of(
        new, registry_of(capacity={**capacity, "auto_scaling": {}}), scaling=registered
    )
    (removal,) = removed.actions
    assert removal.summary == "auto scaling: deregister 6 target(s)"


def test_an_engine_without_the_service_keeps_the_requests_planned() -> None:
    capacity = {"billing_mode": "PROVISIONED", "read": 5, "write": 5, "auto_scaling": SETTINGS}
    unsupported = LiveScaling(error="the engine does not support it", unsupported=True)
    plan = plan_of(registry_of(), registry_of(capacity=capacity), scaling=unsupported)
    (action,) = [a for a in plan.actions if a.kind == "auto_scaling"]
    assert action.unsupported == "the engine does not support it"
    assert plan.planned_only == (action,)


def test_service_errors_say_whether_the_engine_lacks_the_service() -> None:
    call = ServiceCall("application-autoscaling", "DescribeScalableTargets")

    def error(code: str, status: int, message: str = "") -> ClientError:
        response: Any = {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }
        return ClientError(response, call.operation)

    unknown = _translate(error("UnknownOperationException", 400), call)
    assert isinstance(unknown, ServiceUnsupportedError)
    moto = _translate(error("500", 500, "<html>not been implemented</html>"), call)
    assert isinstance(moto, ServiceUnsupportedError)
    denied = _translate(error("AccessDeniedException", 400, "no"), call)
    assert type(denied) is ServiceCallError
    assert denied.code == "AccessDeniedException"
    assert "DescribeScalableTargets failed: AccessDeniedException: no" in str(denied)


def test_the_service_endpoint_is_aws_own_on_aws_and_the_engine_locally() -> None:
    local = Connection("http://127.0.0.1:8000", "us-east-1", None, None)
    aws = Connection("https://dynamodb.eu-west-1.amazonaws.com", "eu-west-1", None, None)
    assert service_endpoint(local) == "http://127.0.0.1:8000"
    assert service_endpoint(aws) is None
    assert service_endpoint(Connection(None, "eu-west-1", None, None)) is None


# Unique sentinels.

MEMBER: dict[str, Any] = {"name": "Member", "attributes": {"email": {}, "name": {}}}
UNIQUE_MEMBER: dict[str, Any] = {"name": "Member", "attributes": {"email": {"unique": True}}}


def test_a_new_unique_attribute_puts_the_backfill_in_charge_of_its_sentinels() -> None:
    plan = plan_of(registry_of(MEMBER), registry_of(UNIQUE_MEMBER))
    assert plan.backfill is not None
    assert plan.backfill.params["unique"] == ["Member.email"]
    assert plan.backfill.summary.endswith("and sentinels of Member.email")


def test_a_sentinel_is_reserved_only_if_free_and_while_the_item_holds_the_value() -> None:
    planner = BackfillPlanner(registry_of(UNIQUE_MEMBER), unique=["Member.email"])
    item = {"pk": "MEMBER#m1", "sk": "MEMBER#m1", "_et": "Member", "email": "a@x"}
    actions = planner.sentinel_actions("Shop", item, "email")
    check, put = actions
    assert isinstance(check, ConditionCheck)
    assert isinstance(put, TransactPut)
    compiled = transact_write(actions).params["TransactItems"]
    assert compiled[0]["ConditionCheck"]["Key"] == {
        "pk": {"S": "MEMBER#m1"},
        "sk": {"S": "MEMBER#m1"},
    }
    sentinel = compiled[1]["Put"]
    assert sentinel["Item"]["pk"] == {"S": "_UNIQUE#MEMBER#email#a@x"}
    assert sentinel["Item"]["owner"] == {"M": {"pk": {"S": "MEMBER#m1"}, "sk": {"S": "MEMBER#m1"}}}
    assert "attribute_not_exists" in sentinel["ConditionExpression"]
    assert " OR " in sentinel["ConditionExpression"]


def test_unique_must_name_a_unique_attribute() -> None:
    with pytest.raises(BackfillError, match=r"unique attributes of the models: Member\.email"):
        BackfillPlanner(registry_of(UNIQUE_MEMBER), unique=["Member.name"])


# Edges.


def _media(post_prefix: str, pivot_attributes: tuple[str, ...] = ()) -> Registry:
    def rel(name: str, kind: Any, target: str, **options: Any) -> RelationDefinition:
        return RelationDefinition(name, kind, target, morph_name="taggable", **options)

    post = ModelDefinition(
        "Post",
        post_prefix,
        attributes=(make_attribute("title", "string"),),
        relations=(rel("tags", "morph_to_many", "Tag", pivot_attributes=pivot_attributes),),
    )
    tag = ModelDefinition(
        "Tag",
        "TAG",
        attributes=(make_attribute("name", "string"),),
        relations=(rel("posts", "morphed_by_many", "Post"),),
    )
    registry = registry_of()
    registry.register(post)
    registry.register(tag)
    return registry


def test_morph_edges_are_in_the_default_backfill_set_and_rekeyed_with_their_type() -> None:
    old, new = _media("POST"), _media("ARTICLE")
    assert BackfillPlanner(new).kinds == ("Post", "Tag", "Taggable")
    edge = EntityTransformer(old).morph_edge_item(
        "Taggable", morph_type="Post", morph_id="p1", target_id="t1"
    )
    fix = BackfillPlanner(new).fix(edge)
    assert fix is not None
    assert fix.new_key == {"pk": "ARTICLE#p1", "sk": "TAG#t1"}
    assert fix.changes["gsi1sk"] == "ARTICLE#p1"
    assert BackfillPlanner(old).fix(edge) is None

    plan = plan_of(old, new)
    assert plan.backfill is not None
    assert plan.backfill.params["models"] == ["Post", "Taggable"]


def test_a_changed_morph_pivot_backfills_its_edges() -> None:
    plan = plan_of(_media("POST"), _media("POST", ("order",)))
    (change,) = [c for c in plan.changes if c.kind == "morph_pivot_changed"]
    assert change.models == ("Taggable",)
    assert plan.backfill is not None
    assert plan.backfill.params["models"] == ["Taggable"]


# The copy-table path.


def test_an_lsi_change_names_the_copy_table_command() -> None:
    order = {"name": "Order", "attributes": {"placed_at": {}}}
    owner = {"name": "Owner", "hasMany": [{"model": "Order", "collection": True}]}
    sorted_owner = {
        **owner,
        "hasMany": [{"model": "Order", "collection": True, "sortBy": "placed_at"}],
    }
    old, new = registry_of(owner, order), registry_of(sorted_owner, order)
    stub = StubExecutor(config=new.config)
    stub.on("DescribeTable", {"Table": dict(live_of(old).description or {})})
    stub.on("DescribeTimeToLive", {})
    stub.on("DescribeContinuousBackups", {})
    stub.on("ListTagsOfResource", {})
    stub.on("Query", {"Items": []})
    with pytest.raises(ImpossibleChangeError) as refused:
        migrate(new, client=stub, force=True, options=FAST)
    assert "dbtooling migrate:copy-table" in str(refused.value)
    assert "copy_table(to=...)" in str(refused.value)


def test_copy_table_refuses_drop_old_without_force_before_any_request() -> None:
    stub = StubExecutor(config=registry_of().config)
    with pytest.raises(CopyTableError, match="force=True"):
        copy_table(registry_of(), client=stub, drop_old=True)
    assert stub.requests == []
