"""A compiled request: the API operation and its exact wire parameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from dynamodb_tooling._types import Params

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

    operation: Operation
    params: Params = field(default_factory=dict)
