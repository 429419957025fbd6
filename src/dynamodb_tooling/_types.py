"""Wire types: TypedDicts whose keys are DynamoDB's own wire names.

These describe what botocore sends and receives. Nothing here renames a wire name: a key in a
TypedDict is exactly the key in the request or response.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeAlias, TypedDict


class AttributeValue(TypedDict, total=False):
    """One DynamoDB AttributeValue; exactly one key is present.

    ``B`` and ``BS`` hold raw bytes: botocore base64-encodes them on the wire.
    """

    S: str
    N: str
    B: bytes
    BOOL: bool
    NULL: bool
    M: dict[str, AttributeValue]
    L: list[AttributeValue]
    SS: list[str]
    NS: list[str]
    BS: list[bytes]


Item: TypeAlias = dict[str, AttributeValue]
"""A marshalled item: attribute name → AttributeValue."""

Key: TypeAlias = dict[str, AttributeValue]
"""A marshalled primary key (partition key and, when the table has one, sort key)."""

AttributeType = Literal["S", "N", "B"]
KeyType = Literal["HASH", "RANGE"]
ProjectionType = Literal["ALL", "KEYS_ONLY", "INCLUDE"]
BillingMode = Literal["PAY_PER_REQUEST", "PROVISIONED"]
StreamViewType = Literal["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]
TableClass = Literal["STANDARD", "STANDARD_INFREQUENT_ACCESS"]
ReturnValue = Literal["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"]
ReturnValuesOnConditionCheckFailure = Literal["NONE", "ALL_OLD"]
ReturnConsumedCapacity = Literal["NONE", "TOTAL", "INDEXES"]
ReturnItemCollectionMetrics = Literal["NONE", "SIZE"]
Select = Literal["ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT"]


class AttributeDefinition(TypedDict):
    AttributeName: str
    AttributeType: AttributeType


class KeySchemaElement(TypedDict):
    AttributeName: str
    KeyType: KeyType


class _ProjectionRequired(TypedDict):
    ProjectionType: ProjectionType


class Projection(_ProjectionRequired, total=False):
    NonKeyAttributes: list[str]


class ProvisionedThroughput(TypedDict):
    ReadCapacityUnits: int
    WriteCapacityUnits: int


class _IndexRequired(TypedDict):
    IndexName: str
    KeySchema: list[KeySchemaElement]
    Projection: Projection


class GlobalSecondaryIndex(_IndexRequired, total=False):
    ProvisionedThroughput: ProvisionedThroughput


class LocalSecondaryIndex(_IndexRequired):
    pass


class StreamSpecification(TypedDict, total=False):
    StreamEnabled: bool
    StreamViewType: StreamViewType


class SSESpecification(TypedDict, total=False):
    Enabled: bool
    SSEType: Literal["AES256", "KMS"]
    KMSMasterKeyId: str


class Tag(TypedDict):
    Key: str
    Value: str


class _CreateTableRequired(TypedDict):
    TableName: str
    KeySchema: list[KeySchemaElement]
    AttributeDefinitions: list[AttributeDefinition]


class CreateTableInput(_CreateTableRequired, total=False):
    BillingMode: BillingMode
    ProvisionedThroughput: ProvisionedThroughput
    GlobalSecondaryIndexes: list[GlobalSecondaryIndex]
    LocalSecondaryIndexes: list[LocalSecondaryIndex]
    StreamSpecification: StreamSpecification
    SSESpecification: SSESpecification
    TableClass: TableClass
    DeletionProtectionEnabled: bool
    Tags: list[Tag]


Params: TypeAlias = dict[str, Any]
"""The parameters of one API call, keyed by wire names."""

Response: TypeAlias = dict[str, Any]
"""The parsed response of one API call, keyed by wire names (``ResponseMetadata`` removed)."""

ReadOnlyParams: TypeAlias = Mapping[str, Any]
