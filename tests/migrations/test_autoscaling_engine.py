"""Application Auto Scaling and Contributor Insights through ``migrate``, against the engine.

moto serves application-autoscaling on the same endpoint as DynamoDB; an engine without it
(DynamoDB Local) keeps the steps planned, which the tests accept and check instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest

from dynamodb_tooling.config import Config
from dynamodb_tooling.engine import EMBEDDED_CREDENTIALS
from dynamodb_tooling.migrations import (
    MigrationResult,
    RunOptions,
    amigrate,
    astatus,
    migrate,
    rollback,
)
from tests.migrations._engine import MigrationEnv, registry_of

pytestmark = pytest.mark.integration

FAST = RunOptions(poll_interval=0.05)
USER: dict[str, Any] = {"name": "User", "attributes": {"email": {}, "name": {}}}
PROVISIONED: dict[str, Any] = {"billing_mode": "PROVISIONED", "read": 5, "write": 5}
SCALED: dict[str, Any] = {
    **PROVISIONED,
    "auto_scaling": {"enabled": True, "read": {"min": 2, "max": 20}, "write": {"min": 1}},
}


@pytest.fixture
def autoscaling(dynamodb_config: Config) -> Iterator[Any]:
    """A botocore Application Auto Scaling client on the engine's endpoint."""
    key, secret = EMBEDDED_CREDENTIALS
    client = botocore.session.get_session().create_client(
        "application-autoscaling",
        region_name=dynamodb_config.region,
        endpoint_url=dynamodb_config.endpoint,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
    )
    yield client
    client.close()


def _targets(autoscaling: Any, table: str) -> dict[tuple[str, str], tuple[int, int]]:
    ids = [f"table/{table}", f"table/{table}/index/GSI1", f"table/{table}/index/GSI2"]
    found = autoscaling.describe_scalable_targets(ServiceNamespace="dynamodb", ResourceIds=ids)
    return {
        (t["ResourceId"], t["ScalableDimension"]): (t["MinCapacity"], t["MaxCapacity"])
        for t in found["ScalableTargets"]
    }


def _policies(autoscaling: Any, table: str) -> list[str]:
    found = autoscaling.describe_scaling_policies(
        ServiceNamespace="dynamodb", ResourceId=f"table/{table}"
    )
    return sorted(p["PolicyName"] for p in found["ScalingPolicies"])


def _scaling_step(result: MigrationResult) -> Any:
    steps = [s for s in result.steps if s.action.kind == "auto_scaling"]
    assert len(steps) == 1
    if steps[0].status == "planned":
        assert steps[0].error is not None
        assert "does not support Application Auto Scaling" in steps[0].error
        pytest.skip(f"the engine has no Application Auto Scaling: {steps[0].error}")
    return steps[0]


def test_migrate_registers_auto_scaling_once_and_deregisters_it_when_removed(
    env: MigrationEnv, autoscaling: Any
) -> None:
    with env.configure(capacity=SCALED) as client:
        registry = registry_of(USER)
        first = migrate(registry, client=client, options=FAST)
        step = _scaling_step(first)
        assert step.status == "applied"
        targets = _targets(autoscaling, env.table)
        table = f"table/{env.table}"
        assert targets[(table, "dynamodb:table:ReadCapacityUnits")] == (2, 20)
        assert targets[(table, "dynamodb:table:WriteCapacityUnits")] == (1, 10)
        index = f"table/{env.table}/index/GSI1"
        assert targets[(index, "dynamodb:index:ReadCapacityUnits")] == (2, 20)
        assert len(targets) == 6  # table + GSI1 + GSI2, read and write
        assert _policies(autoscaling, env.table) == [
            f"table-{env.table}-read-scaling",
            f"table-{env.table}-write-scaling",
        ]
        history = first.history
        assert history is not None
        recorded = [s for s in history.steps if s["kind"] == "auto_scaling"]
        assert recorded[0]["status"] == "applied"

        client.clear()
        second = migrate(registry, client=client, options=FAST)
        assert second.plan.up_to_date
        assert not second.steps
        assert client.writes() == []

    with env.configure(capacity=PROVISIONED) as client:
        removed = migrate(registry_of(USER), client=client, options=FAST)
        step = _scaling_step(removed)
        operations = [r["operation"] for r in step.action.params["requests"]]
        assert operations.count("DeregisterScalableTarget") == 6
        assert _targets(autoscaling, env.table) == {}
        assert _policies(autoscaling, env.table) == []

        undone = rollback(registry_of(USER), client=client, options=FAST)
        assert undone.undone.action.kind == "auto_scaling"
        assert len(_targets(autoscaling, env.table)) == 6
        assert len(_policies(autoscaling, env.table)) == 2


def test_a_changed_limit_sends_only_that_target(env: MigrationEnv, autoscaling: Any) -> None:
    with env.configure(capacity=SCALED) as client:
        _scaling_step(migrate(registry_of(USER), client=client, options=FAST))
    changed = {**SCALED, "auto_scaling": {**SCALED["auto_scaling"], "write": {"min": 3}}}
    with env.configure(capacity=changed) as client:
        result = migrate(registry_of(USER), client=client, options=FAST)
        step = _scaling_step(result)
        sent = step.action.params["requests"]
        assert {r["operation"] for r in sent} == {"RegisterScalableTarget"}
        assert {r["params"]["ScalableDimension"] for r in sent} == {
            "dynamodb:table:WriteCapacityUnits",
            "dynamodb:index:WriteCapacityUnits",
        }
        table = (f"table/{env.table}", "dynamodb:table:WriteCapacityUnits")
        assert _targets(autoscaling, env.table)[table] == (3, 10)


def test_contributor_insights_on_the_engine_is_applied_or_a_clear_skipped_step(
    env: MigrationEnv,
) -> None:
    with env.configure(contributor_insights={"enabled": True}) as client:
        result = migrate(registry_of(USER), client=client, options=FAST)
        steps = [s for s in result.steps if s.action.kind == "update_contributor_insights"]
        assert len(steps) == 1
        if steps[0].status == "applied":  # an engine with Contributor Insights
            status = client.describe_contributor_insights(env.table)
            assert status["ContributorInsightsStatus"] in ("ENABLED", "ENABLING")
            return
        assert steps[0].status == "skipped"
        assert steps[0].error is not None
        assert steps[0].error.startswith("skipped: engine does not support Contributor Insights")
        assert "UpdateContributorInsights" not in client.writes()
        client.clear()
        again = migrate(registry_of(USER), client=client, options=FAST)
        assert again.plan.up_to_date
        assert client.writes() == []


def test_amigrate_applies_auto_scaling_on_the_async_face(
    env: MigrationEnv, autoscaling: Any
) -> None:
    with env.configure(capacity=SCALED) as client:
        result = asyncio.run(amigrate(registry_of(USER), client=client, options=FAST))
        assert _scaling_step(result).status == "applied"
        assert len(_targets(autoscaling, env.table)) == 6
        assert asyncio.run(astatus(registry_of(USER), client=client)).up_to_date
