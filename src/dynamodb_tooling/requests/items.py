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
from dynamodb_tooling.requests._validate import check_item_size, check_positive, require_table

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
    params.update(compile_expressions(projection=projection))
    return Request(
        "GetItem", with_options(params, return_consumed_capacity=return_consumed_capacity)
    )


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
    params = {"TableName": require_table(table), "Item": check_item_size(marshall_item(item))}
    params.update(compile_expressions(condition=condition))
    return Request(
        "PutItem",
        with_options(
            params,
            return_consumed_capacity=return_consumed_capacity,
            return_item_collection_metrics=return_item_collection_metrics,
            ReturnValues=return_values,
            ReturnValuesOnConditionCheckFailure=return_values_on_condition_check_failure,
        ),
    )


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
