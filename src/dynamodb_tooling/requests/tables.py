"""Table management: create, update, describe and delete tables, TTL, backups, tags.

Every function compiles one :class:`Request` and sends nothing; the waits and the full table
listing are sans-IO flows. Definitions use DynamoDB's wire names (``CreateTableInput``), which is
what ``get_registry().table_definition()`` returns.

>>> create_table({
...     "TableName": "MainTable",
...     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
...     "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
...     "BillingMode": "PAY_PER_REQUEST",
... }).operation
'CreateTable'
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TypeAlias

from dynamodb_tooling._types import (
    AttributeDefinition,
    BillingMode,
    CreateTableInput,
    GlobalSecondaryIndex,
    Params,
    ProvisionedThroughput,
    Response,
    SSESpecification,
    StreamSpecification,
    TableClass,
)
from dynamodb_tooling.errors import RequestValidationError, ResourceNotFoundError
from dynamodb_tooling.requests._common import with_options
from dynamodb_tooling.requests._flow import Flow, Sleep
from dynamodb_tooling.requests._request import Request
from dynamodb_tooling.requests._table_validation import (
    BILLING_MODES,
    UsedAttributes,
    check_create_table,
    check_defined,
    check_index,
    check_name,
    check_throughput,
    defined_types,
)
from dynamodb_tooling.requests._validate import require_table

MAX_LIST_LIMIT = 100
MAX_TAGS = 50

GsiUpdate: TypeAlias = dict[str, Any]
"""One ``GlobalSecondaryIndexUpdates`` entry: ``{"Create" | "Update" | "Delete": {...}}``."""


# Tables.


def create_table(definition: CreateTableInput | Mapping[str, Any]) -> Request:
    """CreateTable from a wire definition, checked against DynamoDB's rules before sending."""
    check_create_table(definition)
    return Request("CreateTable", copy.deepcopy(dict(definition)))


def delete_table(table: str) -> Request:
    """DeleteTable: the table and all its items are gone (this cannot be undone)."""
    return Request("DeleteTable", {"TableName": require_table(table)})


def describe_table(table: str) -> Request:
    """DescribeTable: status, key schema, indexes, item count and size of ``table``."""
    return Request("DescribeTable", {"TableName": require_table(table)})


def list_tables(
    *, limit: int | None = None, exclusive_start_table_name: str | None = None
) -> Request:
    """One page of ListTables (up to ``limit`` names, at most 100)."""
    _check_limit(limit)
    return Request(
        "ListTables",
        with_options({}, Limit=limit, ExclusiveStartTableName=exclusive_start_table_name),
    )


def list_all_tables() -> Flow[list[str]]:
    """Every table name, following ``LastEvaluatedTableName`` across pages."""
    names: list[str] = []
    start: str | None = None
    while True:
        response: Response = yield list_tables(exclusive_start_table_name=start)
        names.extend(response.get("TableNames", ()))
        start = response.get("LastEvaluatedTableName")
        if not start:
            return names


def update_table(
    table: str,
    *,
    attribute_definitions: Sequence[AttributeDefinition] | None = None,
    billing_mode: BillingMode | None = None,
    provisioned_throughput: ProvisionedThroughput | None = None,
    gsi_updates: Sequence[GsiUpdate] | None = None,
    stream_specification: StreamSpecification | None = None,
    table_class: TableClass | None = None,
    deletion_protection: bool | None = None,
    sse_specification: SSESpecification | None = None,
) -> Request:
    """UpdateTable: change billing, capacity, GSIs, stream, class, protection or encryption.

    With a :func:`create_gsi` update, ``attribute_definitions`` is required and must define
    EVERY key attribute of the table and all its indexes, the new one included: moto replaces
    the table's whole list with it (DynamoDB itself only needs the new index's attributes).
    One GSI create or delete per call; wait with :func:`wait_for_table_active` in between.
    An empty ``gsi_updates`` is left out like ``None``.
    """
    updates = list(gsi_updates or ())
    _check_gsi_updates(updates, attribute_definitions)
    _check_billing_change(billing_mode, provisioned_throughput)
    _check_stream(stream_specification)
    params = with_options(
        {"TableName": require_table(table)},
        AttributeDefinitions=_copy_list(attribute_definitions),
        BillingMode=billing_mode,
        ProvisionedThroughput=_copy(provisioned_throughput),
        GlobalSecondaryIndexUpdates=copy.deepcopy(updates) or None,
        StreamSpecification=_copy(stream_specification),
        TableClass=table_class,
        DeletionProtectionEnabled=deletion_protection,
        SSESpecification=_copy(sse_specification),
    )
    if set(params) <= {"TableName", "AttributeDefinitions"}:
        raise RequestValidationError(
            f"update_table({table!r}) was given no change; pass at least one of "
            "billing_mode, provisioned_throughput, gsi_updates, stream_specification, "
            "table_class, deletion_protection or sse_specification"
        )
    return Request("UpdateTable", params)


def create_gsi(index: GlobalSecondaryIndex) -> GsiUpdate:
    """An ``update_table(gsi_updates=[...])`` entry that adds the GSI ``index``."""
    check_index(index, "GSI")
    if "ProvisionedThroughput" in index:
        check_throughput(index["ProvisionedThroughput"], f"GSI {index['IndexName']!r}")
    return {"Create": copy.deepcopy(dict(index))}


def update_gsi(name: str, read: int, write: int) -> GsiUpdate:
    """An ``update_table(gsi_updates=[...])`` entry that sets a GSI's provisioned capacity."""
    throughput: ProvisionedThroughput = {"ReadCapacityUnits": read, "WriteCapacityUnits": write}
    check_throughput(throughput, f"GSI {name!r}")
    return {"Update": {"IndexName": _index_name(name), "ProvisionedThroughput": throughput}}


def delete_gsi(name: str) -> GsiUpdate:
    """An ``update_table(gsi_updates=[...])`` entry that deletes the GSI ``name``."""
    return {"Delete": {"IndexName": _index_name(name)}}


def _index_name(name: str) -> str:
    if not name:
        raise RequestValidationError("an index name is required (got an empty string)")
    return name


def _check_gsi_updates(
    updates: Sequence[GsiUpdate], definitions: Sequence[AttributeDefinition] | None
) -> None:
    actions = [_gsi_action(update) for update in updates]
    structural = [a for a in actions if a != "Update"]
    if len(structural) > 1:
        raise RequestValidationError(
            f"gsi_updates has {len(structural)} GSI creates/deletes ({', '.join(structural)}); "
            "DynamoDB allows one per UpdateTable — send them one at a time and wait for the "
            "table to be ACTIVE between them (wait_for_table_active)"
        )
    for update in updates:
        if "Create" in update:
            _check_create_definitions(update["Create"], definitions)


def _gsi_action(update: Mapping[str, Any]) -> str:
    keys = [key for key in ("Create", "Update", "Delete") if key in update]
    if len(keys) != 1 or len(update) != 1:
        raise RequestValidationError(
            f"a gsi_updates entry must have exactly one of 'Create', 'Update' or 'Delete' "
            f"(got {sorted(update)}); build entries with create_gsi, update_gsi or delete_gsi"
        )
    return keys[0]


def _check_create_definitions(
    index: Mapping[str, Any], definitions: Sequence[AttributeDefinition] | None
) -> None:
    name, hash_key, range_key = check_index(index, "GSI")
    if definitions is None:
        raise RequestValidationError(
            f"creating GSI {name!r} needs attribute_definitions: pass the definitions of every "
            "key attribute of the table and all its indexes, the new one included"
        )
    used: UsedAttributes = {hash_key: [f"GSI {name!r}"]}
    if range_key is not None:
        used[range_key] = [f"GSI {name!r}"]
    check_defined(defined_types(definitions), used)


def _check_billing_change(
    mode: BillingMode | None, throughput: ProvisionedThroughput | None
) -> None:
    if mode is not None and mode not in BILLING_MODES:
        raise RequestValidationError(
            f"billing_mode {mode!r} is not valid; use 'PAY_PER_REQUEST' or 'PROVISIONED'"
        )
    if mode == "PAY_PER_REQUEST" and throughput is not None:
        raise RequestValidationError(
            "billing_mode PAY_PER_REQUEST cannot be combined with provisioned_throughput; "
            "remove provisioned_throughput"
        )
    if mode == "PROVISIONED" and throughput is None:
        raise RequestValidationError(
            "switching to billing_mode PROVISIONED needs provisioned_throughput="
            "{'ReadCapacityUnits': n, 'WriteCapacityUnits': n}"
        )
    if throughput is not None:
        check_throughput(throughput, "the table")


def _check_stream(stream: StreamSpecification | None) -> None:
    if stream and stream.get("StreamEnabled") and "StreamViewType" not in stream:
        raise RequestValidationError(
            "a stream_specification with StreamEnabled=True needs a StreamViewType "
            "('KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE' or 'NEW_AND_OLD_IMAGES')"
        )


def _copy(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if value is None else copy.deepcopy(dict(value))


def _copy_list(values: Sequence[Mapping[str, Any]] | None) -> list[dict[str, Any]] | None:
    return None if values is None else [copy.deepcopy(dict(value)) for value in values]


def _check_limit(limit: int | None, maximum: int = MAX_LIST_LIMIT) -> None:
    if limit is not None and not 1 <= limit <= maximum:
        raise RequestValidationError(f"limit must be between 1 and {maximum} (got {limit})")


# Waiting for a table.


def wait_for_table_active(
    table: str, *, interval: float = 0.5, timeout: float = 300.0
) -> Flow[dict[str, Any]]:
    """Poll DescribeTable until the table and all its GSIs are ACTIVE; returns the ``Table``."""
    _check_polling(interval, timeout)
    elapsed, seen = 0.0, False
    while True:
        try:
            response: Response = yield describe_table(table)
        except ResourceNotFoundError:
            if seen:  # it existed and was deleted while we waited: it will never be ACTIVE
                raise
            state = "not found yet"
        else:
            seen = True
            description: dict[str, Any] = response["Table"]
            if _is_active(description):
                return description
            state = _describe_state(description)
        elapsed = yield from _sleep_or_time_out(table, "ACTIVE", state, elapsed, interval, timeout)


def wait_for_table_deleted(
    table: str, *, interval: float = 0.5, timeout: float = 300.0
) -> Flow[None]:
    """Poll DescribeTable until the table is gone (DescribeTable says ResourceNotFound)."""
    _check_polling(interval, timeout)
    elapsed = 0.0
    while True:
        try:
            response: Response = yield describe_table(table)
        except ResourceNotFoundError:
            return None
        state = _describe_state(response["Table"])
        elapsed = yield from _sleep_or_time_out(table, "deleted", state, elapsed, interval, timeout)


def _is_active(description: Mapping[str, Any]) -> bool:
    indexes = description.get("GlobalSecondaryIndexes") or ()
    return description.get("TableStatus") == "ACTIVE" and all(
        index.get("IndexStatus") == "ACTIVE" for index in indexes
    )


def _describe_state(description: Mapping[str, Any]) -> str:
    parts = [f"TableStatus {description.get('TableStatus', 'unknown')}"]
    parts += [
        f"GSI {index.get('IndexName')!r} {index.get('IndexStatus', 'unknown')}"
        for index in description.get("GlobalSecondaryIndexes") or ()
        if index.get("IndexStatus") != "ACTIVE"
    ]
    return ", ".join(parts)


def _sleep_or_time_out(
    table: str, goal: str, state: str, elapsed: float, interval: float, timeout: float
) -> Flow[float]:
    """Sleep until the next poll, or raise ``TimeoutError`` once ``timeout`` has been slept."""
    if elapsed >= timeout:
        raise TimeoutError(
            f"table {table!r} was not {goal} after waiting {timeout:g} s (last seen: {state}); "
            "pass a larger timeout, or check the table's status with describe_table"
        )
    step = min(interval, timeout - elapsed)
    yield Sleep(step)
    return elapsed + step


def _check_polling(interval: float, timeout: float) -> None:
    if interval <= 0:
        raise RequestValidationError(f"interval must be more than 0 seconds (got {interval})")
    if timeout < 0:
        raise RequestValidationError(f"timeout must be 0 seconds or more (got {timeout})")


# Time to live and point-in-time recovery.


def update_time_to_live(table: str, attribute: str, *, enabled: bool = True) -> Request:
    """UpdateTimeToLive: expire items when the epoch-seconds ``attribute`` is in the past."""
    if not attribute:
        raise RequestValidationError("update_time_to_live needs the TTL attribute's name")
    spec = {"Enabled": enabled, "AttributeName": attribute}
    return Request(
        "UpdateTimeToLive", {"TableName": require_table(table), "TimeToLiveSpecification": spec}
    )


def describe_time_to_live(table: str) -> Request:
    """DescribeTimeToLive: whether TTL is enabled on ``table`` and on which attribute."""
    return Request("DescribeTimeToLive", {"TableName": require_table(table)})


def update_continuous_backups(table: str, *, enabled: bool) -> Request:
    """UpdateContinuousBackups: turn point-in-time recovery on or off for ``table``."""
    spec = {"PointInTimeRecoveryEnabled": enabled}
    return Request(
        "UpdateContinuousBackups",
        {"TableName": require_table(table), "PointInTimeRecoverySpecification": spec},
    )


def describe_continuous_backups(table: str) -> Request:
    """DescribeContinuousBackups: point-in-time recovery status and restorable window."""
    return Request("DescribeContinuousBackups", {"TableName": require_table(table)})


# On-demand backups and restores.


def create_backup(table: str, backup_name: str) -> Request:
    """CreateBackup: an on-demand backup of ``table`` named ``backup_name``."""
    return Request(
        "CreateBackup",
        {"TableName": require_table(table), "BackupName": check_name(backup_name, "BackupName")},
    )


def describe_backup(backup_arn: str) -> Request:
    """DescribeBackup: status, size and source table of the backup at ``backup_arn``."""
    return Request("DescribeBackup", {"BackupArn": _require_arn(backup_arn, "backup_arn")})


def list_backups(
    *,
    table: str | None = None,
    limit: int | None = None,
    exclusive_start_backup_arn: str | None = None,
) -> Request:
    """One page of ListBackups, optionally of one ``table`` only."""
    _check_limit(limit)
    return Request(
        "ListBackups",
        with_options(
            {},
            TableName=None if table is None else require_table(table),
            Limit=limit,
            ExclusiveStartBackupArn=exclusive_start_backup_arn,
        ),
    )


def delete_backup(backup_arn: str) -> Request:
    """DeleteBackup: delete the on-demand backup at ``backup_arn``."""
    return Request("DeleteBackup", {"BackupArn": _require_arn(backup_arn, "backup_arn")})


def restore_table_from_backup(
    target_table: str, backup_arn: str, *, billing_mode_override: BillingMode | None = None
) -> Request:
    """RestoreTableFromBackup: a new table ``target_table`` holding the backup's items."""
    params = {
        "TargetTableName": check_name(target_table, "the target TableName"),
        "BackupArn": _require_arn(backup_arn, "backup_arn"),
    }
    return Request(
        "RestoreTableFromBackup", with_options(params, BillingModeOverride=billing_mode_override)
    )


def restore_table_to_point_in_time(
    source_table: str, target_table: str, *, restore_date_time: datetime | None = None
) -> Request:
    """RestoreTableToPointInTime into a new table (latest restorable time when no datetime)."""
    params: Params = {
        "SourceTableName": require_table(source_table),
        "TargetTableName": check_name(target_table, "the target TableName"),
    }
    if source_table == target_table:
        raise RequestValidationError(
            f"a point-in-time restore creates a new table; choose a target name other than "
            f"{source_table!r}"
        )
    if restore_date_time is None:
        params["UseLatestRestorableTime"] = True
    else:
        params["RestoreDateTime"] = _aware(restore_date_time)
    return Request("RestoreTableToPointInTime", params)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise RequestValidationError(
            f"restore_date_time {moment.isoformat()} has no timezone, so the moment is "
            "ambiguous; pass an aware datetime such as datetime.now(timezone.utc)"
        )
    return moment


def _require_arn(arn: str, what: str) -> str:
    if not arn:
        raise RequestValidationError(f"{what} is required (got an empty string)")
    return arn


# Tags.


def tag_resource(resource_arn: str, tags: Mapping[str, str]) -> Request:
    """TagResource: add or overwrite ``tags`` (``{key: value}``) on a table or index ARN."""
    if not tags:
        raise RequestValidationError("tag_resource needs at least one tag; got none")
    if len(tags) > MAX_TAGS:
        raise RequestValidationError(
            f"tag_resource got {len(tags)} tags, above DynamoDB's limit of {MAX_TAGS} per resource"
        )
    if any(not key for key in tags):
        raise RequestValidationError("tag keys must not be empty")
    return Request(
        "TagResource",
        {
            "ResourceArn": _require_arn(resource_arn, "resource_arn"),
            "Tags": [{"Key": key, "Value": value} for key, value in tags.items()],
        },
    )


def untag_resource(resource_arn: str, tag_keys: Sequence[str]) -> Request:
    """UntagResource: remove the tags named ``tag_keys`` from a table or index ARN."""
    if isinstance(tag_keys, str):
        raise RequestValidationError(
            f"tag_keys must be a list of keys, not the string {tag_keys!r}; write [{tag_keys!r}]"
        )
    if not tag_keys:
        raise RequestValidationError("untag_resource needs at least one tag key; got none")
    return Request(
        "UntagResource",
        {"ResourceArn": _require_arn(resource_arn, "resource_arn"), "TagKeys": list(tag_keys)},
    )


def list_tags_of_resource(resource_arn: str, *, next_token: str | None = None) -> Request:
    """One page of ListTagsOfResource; pass the previous page's ``NextToken`` for the next."""
    return Request(
        "ListTagsOfResource",
        with_options(
            {"ResourceArn": _require_arn(resource_arn, "resource_arn")}, NextToken=next_token
        ),
    )


# Contributor Insights.


def update_contributor_insights(table: str, *, enabled: bool, index: str | None = None) -> Request:
    """UpdateContributorInsights: turn CloudWatch Contributor Insights on or off."""
    return Request(
        "UpdateContributorInsights",
        with_options(
            {
                "TableName": require_table(table),
                "ContributorInsightsAction": "ENABLE" if enabled else "DISABLE",
            },
            IndexName=index,
        ),
    )


def describe_contributor_insights(table: str, *, index: str | None = None) -> Request:
    """DescribeContributorInsights: Contributor Insights status of ``table`` or its ``index``."""
    return Request(
        "DescribeContributorInsights",
        with_options({"TableName": require_table(table)}, IndexName=index),
    )
