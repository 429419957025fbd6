"""A compiled request: the API operation and its exact wire parameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from dynamodb_tooling._types import Params
from dynamodb_tooling.requests._idempotency import wire_idempotent

Operation = Literal[
    "BatchExecuteStatement",
    "BatchGetItem",
    "BatchWriteItem",
    "CreateBackup",
    "CreateTable",
    "DeleteBackup",
    "DeleteItem",
    "DeleteTable",
    "DescribeBackup",
    "DescribeContinuousBackups",
    "DescribeContributorInsights",
    "DescribeTable",
    "DescribeTimeToLive",
    "ExecuteStatement",
    "ExecuteTransaction",
    "GetItem",
    "ListBackups",
    "ListTables",
    "ListTagsOfResource",
    "PutItem",
    "Query",
    "RestoreTableFromBackup",
    "RestoreTableToPointInTime",
    "Scan",
    "TagResource",
    "TransactGetItems",
    "TransactWriteItems",
    "UntagResource",
    "UpdateContinuousBackups",
    "UpdateContributorInsights",
    "UpdateItem",
    "UpdateTable",
    "UpdateTimeToLive",
]


@dataclass(frozen=True, slots=True)
class Request:
    """One DynamoDB API call, compiled: ``operation`` and ``params`` keyed by wire names.

    >>> Request("GetItem", {"TableName": "T", "Key": {"pk": {"S": "USER#1"}}}).operation
    'GetItem'
    """

    @property
    def writes(self) -> bool:
        """Whether the request may change items (its outcome matters when a response is lost)."""
        if self.operation in _WRITES:
            return True
        return self.operation in _STATEMENTS and not self.idempotent

    operation: Operation
    params: Params = field(default_factory=dict)
    #: Whether sending it twice has the effect of sending it once, so a driver may retry it
    #: after an unknown outcome (HTTP 5xx, a lost connection). False for writes such as
    #: ``ADD``/``SET a = a + n``/``list_append`` and PartiQL writes; reads are always true.
    #: Compilers set it; left out, it is read from the parameters.
    idempotent: bool | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.idempotent is None:
            object.__setattr__(self, "idempotent", wire_idempotent(self.operation, self.params))


_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
_STATEMENTS = frozenset({"ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"})
#: The item operations (the rest manage tables, backups, tags...).
DATA_OPERATIONS = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
        "ExecuteStatement",
        "BatchExecuteStatement",
        "ExecuteTransaction",
    }
)
