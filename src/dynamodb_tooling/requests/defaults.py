"""Request defaults from the configuration, applied to every request a driver sends.

``consistent_read`` makes table reads strongly consistent (GetItem, BatchGetItem, and Query
and Scan of the table itself: global secondary indexes cannot be read consistently, so index
reads stay eventually consistent); ``return_consumed_capacity`` and
``return_item_collection_metrics`` are added to every operation that takes them. A value the
request already carries always wins.
"""

from __future__ import annotations

from typing import Any

from dynamodb_tooling.config import Config
from dynamodb_tooling.requests._request import DATA_OPERATIONS, Request

_CAPACITY = DATA_OPERATIONS  # every item operation takes ReturnConsumedCapacity
_METRICS = frozenset(
    {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
)
_CONSISTENT = frozenset({"GetItem", "Query", "Scan"})


def apply_defaults(request: Request, config: Config) -> Request:
    """``request`` with the configured defaults filled in (the same object when none apply)."""
    extra: dict[str, Any] = {}
    params = request.params
    operation = request.operation
    if config.return_consumed_capacity != "NONE" and operation in _CAPACITY:
        extra["ReturnConsumedCapacity"] = config.return_consumed_capacity
    if config.return_item_collection_metrics != "NONE" and operation in _METRICS:
        extra["ReturnItemCollectionMetrics"] = config.return_item_collection_metrics
    if config.consistent_read:
        if operation in _CONSISTENT and "IndexName" not in params:
            extra["ConsistentRead"] = True
        elif operation == "BatchGetItem":
            tables = params.get("RequestItems", {})
            extra["RequestItems"] = {
                name: {"ConsistentRead": True, **body} for name, body in tables.items()
            }
    extra = {k: v for k, v in extra.items() if k == "RequestItems" or k not in params}
    if not extra:
        return request
    return Request(operation, {**params, **extra}, idempotent=request.idempotent)
