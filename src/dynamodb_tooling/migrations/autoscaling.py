"""Application Auto Scaling of a provisioned table and its GSIs: compiled, diffed, applied.

Auto scaling is a separate AWS service (``application-autoscaling``): a scalable target
(``RegisterScalableTarget``) and a target-tracking policy (``PutScalingPolicy``) per table or
index and per read/write side. :func:`read_scaling` reads what is registered
(``DescribeScalableTargets``, ``DescribeScalingPolicies``), :func:`scaling_changes` compares it
with what the configuration asks for (pure) and returns only the requests that differ, with the
requests that undo them; :func:`apply_scaling` sends them. Every request is a plain dict
``{"service", "operation", "params"}`` (JSON-able: it is stored in the migration history) and is
sent as a :class:`~._services.ServiceCall`. An engine without the service (DynamoDB Local)
leaves ``LiveScaling.error`` set and the runner keeps the step *planned*.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dynamodb_tooling.migrations._services import (
    ServiceCall,
    ServiceCallError,
    ServiceUnsupportedError,
    send,
)
from dynamodb_tooling.requests import Flow

SERVICE = "application-autoscaling"
NAMESPACE = "dynamodb"
_METRIC = {"read": "DynamoDBReadCapacityUtilization", "write": "DynamoDBWriteCapacityUtilization"}
_UNITS = {"read": "ReadCapacityUnits", "write": "WriteCapacityUnits"}
#: DescribeScalableTargets accepts at most 50 resource ids per call.
_MAX_IDS = 50

ScalingRequest = dict[str, Any]


def resources(table: str, gsis: Iterable[str]) -> list[str]:
    """The scalable resource ids of ``table`` and its GSIs: ``table/T``, ``table/T/index/G``."""
    return [f"table/{table}", *(f"table/{table}/index/{name}" for name in gsis)]


def _dimension(resource: str, side: str) -> str:
    kind = "index" if "/index/" in resource else "table"
    return f"dynamodb:{kind}:{_UNITS[side]}"


def policy_name(resource: str, side: str) -> str:
    return f"{resource.replace('/', '-')}-{side}-scaling"


def scaling_requests(
    table: str, gsis: list[str], settings: Mapping[str, Any]
) -> list[ScalingRequest]:
    """RegisterScalableTarget + PutScalingPolicy for ``table`` and each GSI, read and write.

    ``settings`` is ``capacity.auto_scaling`` as a dict (``read``/``write`` targets with
    ``min``, ``max``, ``target_utilization``; ``scale_in_cooldown``, ``scale_out_cooldown``).
    """
    found: list[ScalingRequest] = []
    for resource in resources(table, gsis):
        for side in ("read", "write"):
            target = settings[side]
            common = _target_id(resource, _dimension(resource, side))
            found.append(
                request(
                    "RegisterScalableTarget",
                    {**common, "MinCapacity": target["min"], "MaxCapacity": target["max"]},
                )
            )
            policy = {
                "TargetValue": float(target["target_utilization"]),
                "PredefinedMetricSpecification": {"PredefinedMetricType": _METRIC[side]},
                "ScaleInCooldown": settings["scale_in_cooldown"],
                "ScaleOutCooldown": settings["scale_out_cooldown"],
            }
            found.append(
                request(
                    "PutScalingPolicy",
                    {
                        **common,
                        "PolicyName": policy_name(resource, side),
                        "PolicyType": "TargetTrackingScaling",
                        "TargetTrackingScalingPolicyConfiguration": policy,
                    },
                )
            )
    return found


def request(operation: str, params: Mapping[str, Any]) -> ScalingRequest:
    return {"service": SERVICE, "operation": operation, "params": dict(params)}


def _target_id(resource: str, dimension: str) -> dict[str, str]:
    return {"ServiceNamespace": NAMESPACE, "ResourceId": resource, "ScalableDimension": dimension}


# What is registered now.


@dataclass(frozen=True)
class LiveScaling:
    """The registered targets (``(resource, dimension)`` → min/max) and policies
    (``(resource, dimension, name)`` → type and configuration); ``error`` when they could not
    be read (``unsupported``: the engine does not implement the service)."""

    targets: Mapping[tuple[str, str], Mapping[str, int]] = field(default_factory=dict)
    policies: Mapping[tuple[str, str, str], Mapping[str, Any]] = field(default_factory=dict)
    error: str | None = None
    unsupported: bool = False


def read_scaling(resource_ids: Sequence[str]) -> Flow[LiveScaling]:
    """DescribeScalableTargets of ``resource_ids`` and DescribeScalingPolicies of each
    registered one (an unsupported service or a failed read is reported, not raised)."""
    targets: dict[tuple[str, str], dict[str, int]] = {}
    policies: dict[tuple[str, str, str], dict[str, Any]] = {}
    ids = list(dict.fromkeys(resource_ids))
    try:
        for start in range(0, len(ids), _MAX_IDS):
            chunk = ids[start : start + _MAX_IDS]
            params = {"ServiceNamespace": NAMESPACE, "ResourceIds": chunk}
            for found in (yield from _pages("DescribeScalableTargets", params, "ScalableTargets")):
                key = (str(found["ResourceId"]), str(found["ScalableDimension"]))
                targets[key] = {
                    "MinCapacity": int(found["MinCapacity"]),
                    "MaxCapacity": int(found["MaxCapacity"]),
                }
        for resource in dict.fromkeys(r for r, _ in targets):
            params = {"ServiceNamespace": NAMESPACE, "ResourceId": resource}
            for found in (yield from _pages("DescribeScalingPolicies", params, "ScalingPolicies")):
                key3 = (resource, str(found["ScalableDimension"]), str(found["PolicyName"]))
                policies[key3] = _policy_of(found)
    except ServiceUnsupportedError as exc:
        return LiveScaling(error=str(exc), unsupported=True)
    except ServiceCallError as exc:
        return LiveScaling(error=str(exc))
    return LiveScaling(targets, policies)


def _pages(operation: str, params: Mapping[str, Any], key: str) -> Flow[list[Mapping[str, Any]]]:
    found: list[Mapping[str, Any]] = []
    token: str | None = None
    while True:
        sent = {**params, **({"NextToken": token} if token else {})}
        response = yield from send(ServiceCall(SERVICE, operation, sent))
        found.extend(response.get(key) or ())
        token = response.get("NextToken")
        if not token:
            return found


def _policy_of(found: Mapping[str, Any]) -> dict[str, Any]:
    config = dict(found.get("TargetTrackingScalingPolicyConfiguration") or {})
    if "TargetValue" in config:
        config["TargetValue"] = float(config["TargetValue"])
    return {
        "PolicyType": found.get("PolicyType"),
        "TargetTrackingScalingPolicyConfiguration": config,
    }


# The difference.


@dataclass(frozen=True)
class ScalingChanges:
    """The requests that bring the registered state to the wanted one, and their undo."""

    apply: list[ScalingRequest]
    undo: list[ScalingRequest]
    registered: int = 0
    removed: int = 0

    def __bool__(self) -> bool:
        return bool(self.apply)


def scaling_changes(
    wanted: list[ScalingRequest], live: LiveScaling, remove: Iterable[tuple[str, str]]
) -> ScalingChanges:
    """Only the ``wanted`` requests whose target or policy differs from ``live``, then the
    deregistration of the ``remove`` targets (policies first); each with its undo."""
    apply: list[ScalingRequest] = []
    undo: list[ScalingRequest] = []
    registered = removed = 0
    for wanted_request in wanted:
        p = wanted_request["params"]
        target = (p["ResourceId"], p["ScalableDimension"])
        if wanted_request["operation"] == "RegisterScalableTarget":
            current = live.targets.get(target)
            limits = {"MinCapacity": p["MinCapacity"], "MaxCapacity": p["MaxCapacity"]}
            if current == limits:
                continue
            apply.append(wanted_request)
            registered += 1
            undo.append(
                request("DeregisterScalableTarget", _target_id(*target))
                if current is None
                else request("RegisterScalableTarget", {**_target_id(*target), **current})
            )
            continue
        name = p["PolicyName"]
        policy = live.policies.get((*target, name))
        if policy is not None and _same_policy(policy, p):
            continue
        apply.append(wanted_request)
        undo.append(
            request("DeleteScalingPolicy", {**_target_id(*target), "PolicyName": name})
            if policy is None
            else request("PutScalingPolicy", {**_target_id(*target), "PolicyName": name, **policy})
        )
    for target in remove:
        if target not in live.targets:
            continue
        removed += 1
        for (resource, dimension, name), policy in live.policies.items():
            if (resource, dimension) == target:
                ids = {**_target_id(*target), "PolicyName": name}
                apply.append(request("DeleteScalingPolicy", ids))
                undo.append(request("PutScalingPolicy", {**ids, **policy}))
        apply.append(request("DeregisterScalableTarget", _target_id(*target)))
        undo.append(
            request("RegisterScalableTarget", {**_target_id(*target), **live.targets[target]})
        )
    # The undo runs in reverse: policies are put back after their targets, removed before.
    return ScalingChanges(apply, list(reversed(undo)), registered, removed)


def _same_policy(live: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    """Whether ``live`` has ``wanted``'s type and every setting it sets (AWS may add more)."""
    config = live.get("TargetTrackingScalingPolicyConfiguration") or {}
    asked = wanted["TargetTrackingScalingPolicyConfiguration"]
    return live.get("PolicyType") == wanted["PolicyType"] and all(
        config.get(name) == value for name, value in asked.items()
    )


def unmanaged_targets(
    live: LiveScaling, wanted: list[ScalingRequest], table: str
) -> list[tuple[str, str]]:
    """The registered targets of ``table`` that ``wanted`` no longer registers."""
    kept = {
        (r["params"]["ResourceId"], r["params"]["ScalableDimension"])
        for r in wanted
        if r["operation"] == "RegisterScalableTarget"
    }
    mine = (f"table/{table}", f"table/{table}/index/")
    return sorted(
        t for t in live.targets if t not in kept and (t[0] == mine[0] or t[0].startswith(mine[1]))
    )


# Sending.


def apply_scaling(requests: Sequence[ScalingRequest]) -> Flow[None]:
    """Send ``requests`` in order; a policy or target already gone counts as removed."""
    for found in requests:
        call = ServiceCall(found.get("service", SERVICE), found["operation"], found["params"])
        try:
            yield from send(call)
        except ServiceCallError as exc:
            gone = exc.code == "ObjectNotFoundException"
            if gone and found["operation"] in ("DeleteScalingPolicy", "DeregisterScalableTarget"):
                continue
            raise
