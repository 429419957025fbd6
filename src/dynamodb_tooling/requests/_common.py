"""Parameter pieces shared by the request compilers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dynamodb_tooling._types import (
    Key,
    Params,
    ReturnConsumedCapacity,
    ReturnItemCollectionMetrics,
)
from dynamodb_tooling.expressions import Projection
from dynamodb_tooling.marshal import marshall_item
from dynamodb_tooling.requests._validate import check_key_size, require_key

ProjectionArg = Projection | Sequence[str] | None


def marshal_key(key: Mapping[str, Any], operation: str) -> Key:
    require_key(key, operation)
    marshalled = marshall_item(key)
    check_key_size(marshalled, operation)
    return marshalled


def with_options(
    params: Params,
    *,
    return_consumed_capacity: ReturnConsumedCapacity | None = None,
    return_item_collection_metrics: ReturnItemCollectionMetrics | None = None,
    **wire: Any,
) -> Params:
    """Add the optional wire parameters that were given (``None`` means "leave out")."""
    if return_consumed_capacity is not None:
        params["ReturnConsumedCapacity"] = return_consumed_capacity
    if return_item_collection_metrics is not None:
        params["ReturnItemCollectionMetrics"] = return_item_collection_metrics
    params.update({name: value for name, value in wire.items() if value is not None})
    return params
