"""Application Auto Scaling requests for a provisioned table and its GSIs (compiled, not sent).

Auto scaling is a separate AWS service (``application-autoscaling``): a scalable target
(``RegisterScalableTarget``) and a target-tracking policy (``PutScalingPolicy``) per table or
index and per read/write side. The DynamoDB drivers speak only the DynamoDB API, so a migration
lists these requests as *planned* and prints them (``dbtooling migrate:generate --format json``)
for ``aws application-autoscaling`` or boto3 to apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SERVICE = "application-autoscaling"
_METRIC = {"read": "DynamoDBReadCapacityUtilization", "write": "DynamoDBWriteCapacityUtilization"}
_UNITS = {"read": "ReadCapacityUnits", "write": "WriteCapacityUnits"}


def scaling_requests(
    table: str, gsis: list[str], settings: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """RegisterScalableTarget + PutScalingPolicy for ``table`` and each GSI, read and write.

    ``settings`` is ``capacity.auto_scaling`` as a dict (``read``/``write`` targets with
    ``min``, ``max``, ``target_utilization``; ``scale_in_cooldown``, ``scale_out_cooldown``).
    """
    resources = [(f"table/{table}", "table")]
    resources += [(f"table/{table}/index/{name}", "index") for name in gsis]
    found: list[dict[str, Any]] = []
    for resource, kind in resources:
        for side in ("read", "write"):
            target = settings[side]
            dimension = f"dynamodb:{kind}:{_UNITS[side]}"
            common = {
                "ServiceNamespace": "dynamodb",
                "ResourceId": resource,
                "ScalableDimension": dimension,
            }
            found.append(
                _request(
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
                _request(
                    "PutScalingPolicy",
                    {
                        **common,
                        "PolicyName": f"{resource.replace('/', '-')}-{side}-scaling",
                        "PolicyType": "TargetTrackingScaling",
                        "TargetTrackingScalingPolicyConfiguration": policy,
                    },
                )
            )
    return found


def _request(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"service": SERVICE, "operation": operation, "params": params}
