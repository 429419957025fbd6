"""Single-item operations and reads: GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan.

Every function is pure: it takes Python values (marshalled here) and expression builders, and
returns the :class:`Request` to send. Nothing is sent.

>>> from dynamodb_tooling.expressions import key
>>> query("MainTable", key("pk").eq("USER#1")).params["KeyConditionExpression"]
'#n0 = :v0'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from dynamodb_tooling._types import (
    Key,
    ReturnConsumedCapacity,
    ReturnItemCollectionMetrics,
    ReturnValue,
    ReturnValuesOnConditionCheckFailure,
    Select,
)
from dynamodb_tooling.errors import RequestValidationError
from dynamodb_tooling.expressions import Condition, KeyCondition, Update, compile_expressions
from dynamodb_tooling.marshal import marshall_item
from dynamodb_tooling.requests._common import ProjectionArg, marshal_key, with_options
from dynamodb_tooling.requests._request import Request
from dynamodb_tooling.requests._validate import check_positive, refuse_oversized, require_table

MAX_SCAN_SEGMENTS = 1_000_000


def get_item(
    table: str,
    key: Mapping[str, Any],
    *,
    consistent_read: bool = False,
    projection: ProjectionArg = None,
    return_consumed_capacity: ReturnConsumedCapacity | None = None,
) -> Request:
    """GetItem for ``key`` (a Python mapping such as ``{"pk": "USER#1", "sk": "USER#1"}``)."""
    params: dict[str, Any] = {"TableName": require_table(table), "Key": marshal_key(key, "GetItem")}
    if consistent_read:
        params["ConsistentRead"] = True
    if projection is not None:
        params.update(compile_expressions(projection=projection))
    if return_consumed_capacity is not None:  # with_options(), spelled out
        params["ReturnConsumedCapacity"] = return_consumed_capacity
    return Request("GetItem", params, idempotent=True)  # a read: always safe to repeat


def put_item(
    table: str,
    item: Mapping[str, Any],
    *,
    condition: Condition | None = None,
    return_values: Literal["NONE", "ALL_OLD"] | None = None,
    return_values_on_condition_check_failure: ReturnValuesOnConditionCheckFailure | None = None,
    return_consumed_capacity: ReturnConsumedCapacity | None = None,
    return_item_collection_metrics: ReturnItemCollectionMetrics | None = None,
) -> Request:
    """PutItem of a whole item; ``condition`` makes it conditional (nothing written if false)."""
    marshalled = marshall_item(item)  # a new dict: checked in place, never copied
    params: dict[str, Any] = {"TableName": require_table(table), "Item": marshalled}
    refuse_oversized(marshalled)
    if condition is not None:
        params.update(_condition_params(condition))
    # with_options(), spelled out (the same keys in the same order, only those given).
    if return_consumed_capacity is not None:
        params["ReturnConsumedCapacity"] = return_consumed_capacity
    if return_item_collection_metrics is not None:
        params["ReturnItemCollectionMetrics"] = return_item_collection_metrics
    if return_values is not None:
        params["ReturnValues"] = return_values
    if return_values_on_condition_check_failure is not None:
        params["ReturnValuesOnConditionCheckFailure"] = return_values_on_condition_check_failure
    return Request("PutItem", params, idempotent=True)  # a whole put: sending it twice is fine


#: Conditions without values (``attribute_not_exists(#n0)``...), compiled once, by identity:
#: such a condition holds only names and operators, all immutable, so its compiled form never
#: changes; compilers reuse one object on every write. Each entry keeps its condition alive
#: (its id cannot be reused while cached).
_COMPILED_CONDITIONS: dict[int, tuple[Condition, str, dict[str, str]]] = {}
_MAX_COMPILED_CONDITIONS = 64


def _condition_params(condition: Condition) -> dict[str, Any]:
    """``compile_expressions(condition=condition)``, from the cache when it has no values."""
    cached = _COMPILED_CONDITIONS.get(id(condition))
    if cached is not None and cached[0] is condition:
        return {"ConditionExpression": cached[1], "ExpressionAttributeNames": dict(cached[2])}
    params = compile_expressions(condition=condition)
    names = params.get("ExpressionAttributeNames")
    if "ExpressionAttributeValues" not in params and names and len(params) == 2:
        if len(_COMPILED_CONDITIONS) >= _MAX_COMPILED_CONDITIONS:
            _COMPILED_CONDITIONS.clear()
        _COMPILED_CONDITIONS[id(condition)] = (
            condition,
            params["ConditionExpression"],
            dict(names),
        )
    return params


def update_item(
    table: str,
    key: Mapping[str, Any],
    update: Update,
    *,
    condition: Condition | None = None,
    return_values: ReturnValue | None = None,
    return_values_on_condition_check_failure: ReturnValuesOnConditionCheckFailure | None = None,
    return_consumed_capacity: ReturnConsumedCapacity | None = None,
    return_item_collection_metrics: ReturnItemCollectionMetrics | None = None,
) -> Request:
    """UpdateItem applying ``update`` (SET/REMOVE/ADD/DELETE) to the item at ``key``."""
    params = {"TableName": require_table(table), "Key": marshal_key(key, "UpdateItem")}
    params.update(compile_expressions(update=update, condition=condition))
    return Request(
        "UpdateItem",
        with_options(
            params,
            return_consumed_capacity=return_consumed_capacity,
            return_item_collection_metrics=return_item_collection_metrics,
            ReturnValues=return_values,
            ReturnValuesOnConditionCheckFailure=return_values_on_condition_check_failure,
        ),
        idempotent=update.idempotent,
    )


def delete_item(
    table: str,
    key: Mapping[str, Any],
    *,
    condition: Condition | None = None,
    return_values: Literal["NONE", "ALL_OLD"] | None = None,
    return_values_on_condition_check_failure: ReturnValuesOnConditionCheckFailure | None = None,
    return_consumed_capacity: ReturnConsumedCapacity | None = None,
    return_item_collection_metrics: ReturnItemCollectionMetrics | None = None,
) -> Request:
    """DeleteItem of the item at ``key``; deleting a missing item is not an error."""
    params = {"TableName": require_table(table), "Key": marshal_key(key, "DeleteItem")}
    params.update(compile_expressions(condition=condition))
    return Request(
        "DeleteItem",
        with_options(
            params,
            return_consumed_capacity=return_consumed_capacity,
            return_item_collection_metrics=return_item_collection_metrics,
            ReturnValues=return_values,
            ReturnValuesOnConditionCheckFailure=return_values_on_condition_check_failure,
        ),
    )


def query(
    table: str,
    key_condition: KeyCondition,
    *,
    filter: Condition | None = None,
    index: str | None = None,
    projection: ProjectionArg = None,
    limit: int | None = None,
    scan_index_forward: bool = True,
    consistent_read: bool = False,
    exclusive_start_key: Key | None = None,
    select: Select | None = None,
    return_consumed_capacity: ReturnConsumedCapacity | None = None,
) -> Request:
    """One page of Query. ``exclusive_start_key`` is a previous page's ``LastEvaluatedKey``."""
    check_positive(limit, "limit")
    params: dict[str, Any] = {"TableName": require_table(table)}
    params.update(
        compile_expressions(key_condition=key_condition, filter=filter, projection=projection)
    )
    if not scan_index_forward:
        params["ScanIndexForward"] = False
    if consistent_read:
        params["ConsistentRead"] = True
    return Request(
        "Query",
        with_options(
            params,
            return_consumed_capacity=return_consumed_capacity,
            IndexName=index,
            Limit=limit,
            ExclusiveStartKey=exclusive_start_key,
            Select=select,
        ),
    )


def scan(
    table: str,
    *,
    filter: Condition | None = None,
    index: str | None = None,
    projection: ProjectionArg = None,
    limit: int | None = None,
    segment: int | None = None,
    total_segments: int | None = None,
    consistent_read: bool = False,
    exclusive_start_key: Key | None = None,
    select: Select | None = None,
    return_consumed_capacity: ReturnConsumedCapacity | None = None,
) -> Request:
    """One page of Scan; ``segment``/``total_segments`` select a parallel-scan segment."""
    check_positive(limit, "limit")
    _check_segments(segment, total_segments)
    params: dict[str, Any] = {"TableName": require_table(table)}
    params.update(compile_expressions(filter=filter, projection=projection))
    if consistent_read:
        params["ConsistentRead"] = True
    return Request(
        "Scan",
        with_options(
            params,
            return_consumed_capacity=return_consumed_capacity,
            IndexName=index,
            Limit=limit,
            Segment=segment,
            TotalSegments=total_segments,
            ExclusiveStartKey=exclusive_start_key,
            Select=select,
        ),
    )


def _check_segments(segment: int | None, total: int | None) -> None:
    if (segment is None) != (total is None):
        raise RequestValidationError("segment and total_segments must be given together")
    if total is None or segment is None:
        return
    if not 1 <= total <= MAX_SCAN_SEGMENTS:
        raise RequestValidationError(
            f"total_segments must be 1 to {MAX_SCAN_SEGMENTS:,} (got {total})"
        )
    if not 0 <= segment < total:
        raise RequestValidationError(f"segment must be 0 to {total - 1} (got {segment})")
