"""On-demand backups and restores (from a backup, or to a point in time) through the API.

``backup("nightly")`` is CreateBackup of the configured table; ``list_backups()`` follows
every ListBackups page; ``restore("nightly", "MainTable-restored")`` finds the backup by name
(or takes its ARN) and runs RestoreTableFromBackup; ``restore("MainTable", target,
point_in_time=moment)`` runs RestoreTableToPointInTime (``"latest"``: the latest restorable
time). A restore creates a new table and, by default, waits until it is ACTIVE. Each step is a
sans-IO flow, so its requests are the same whatever runs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from dynamodb_tooling._types import Response
from dynamodb_tooling.config import full_table_name
from dynamodb_tooling.errors import DynamoDBError
from dynamodb_tooling.query.executor import Executor, default_executor
from dynamodb_tooling.requests import Flow, tables
from dynamodb_tooling.transfer.errors import TransferError

PointInTime = datetime | Literal["latest"]


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """One on-demand backup: ``arn``, ``name``, source ``table``, ``status``, ``created``."""

    arn: str
    name: str
    table: str
    status: str
    created: datetime | None = None
    size_bytes: int | None = None

    @classmethod
    def from_wire(cls, details: dict[str, Any], table: str = "") -> BackupInfo:
        created = details.get("BackupCreationDateTime")
        size = details.get("BackupSizeBytes")
        return cls(
            arn=str(details["BackupArn"]),
            name=str(details.get("BackupName", "")),
            table=str(details.get("TableName", table)),
            status=str(details.get("BackupStatus", "")),
            created=created if isinstance(created, datetime) else _when(created),
            size_bytes=None if size is None else int(size),
        )


def _when(value: Any) -> datetime | None:
    if isinstance(value, int | float):
        from datetime import UTC

        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


@dataclass(frozen=True, slots=True)
class RestoreResult:
    """The table a restore created (its ``TableDescription``, ACTIVE when waited for)."""

    table: str
    source: str
    status: str
    description: dict[str, Any]


def backup_flow(table: str, name: str) -> Flow[BackupInfo]:
    """CreateBackup of ``table`` named ``name``."""
    response: Response = yield tables.create_backup(table, name)
    return BackupInfo.from_wire(response["BackupDetails"], table)


def list_backups_flow(table: str | None) -> Flow[list[BackupInfo]]:
    """Every ListBackups page (of ``table`` only, when given), oldest first."""
    found: list[BackupInfo] = []
    start: str | None = None
    while True:
        response: Response = yield tables.list_backups(
            table=table, exclusive_start_backup_arn=start
        )
        found += [BackupInfo.from_wire(s) for s in response.get("BackupSummaries", ())]
        start = response.get("LastEvaluatedBackupArn")
        if not start:
            return found


def restore_flow(
    source: str,
    target_table: str,
    *,
    point_in_time: PointInTime | None,
    table: str,
    wait: bool,
) -> Flow[RestoreResult]:
    """Restore from the backup ``source`` (ARN or name; names are looked up among ``table``'s
    backups) or, with ``point_in_time``, the table ``source`` to that moment."""
    if point_in_time is not None:
        moment = None if point_in_time == "latest" else point_in_time
        if isinstance(point_in_time, str) and point_in_time != "latest":
            raise TransferError(f"point_in_time is a datetime or 'latest', not {point_in_time!r}")
        request = tables.restore_table_to_point_in_time(
            source, target_table, restore_date_time=moment
        )
        origin = source
    else:
        arn = source if source.startswith("arn:") else (yield from _arn_of(source, table))
        request = tables.restore_table_from_backup(target_table, arn)
        origin = arn
    try:
        response: Response = yield request
    except DynamoDBError as exc:
        raise _explained(exc, source) from exc
    description = dict(response.get("TableDescription", {}))
    if wait:
        description = yield from tables.wait_for_table_active(target_table, interval=0.5)
    return RestoreResult(target_table, origin, str(description.get("TableStatus", "")), description)


def _arn_of(name: str, table: str) -> Flow[str]:
    backups = yield from list_backups_flow(table)
    named = [b for b in backups if b.name == name]
    if len(named) == 1:
        return named[0].arn
    if not named:
        known = ", ".join(sorted({b.name for b in backups})) or "none"
        raise TransferError(
            f"{table} has no backup named {name!r} (its backups: {known}); pass a backup name "
            "or ARN from list_backups() (dbtooling backup:list)"
        )
    arns = ", ".join(b.arn for b in named)
    raise TransferError(
        f"{table} has {len(named)} backups named {name!r} ({arns}); pass the ARN of the one "
        "to restore"
    )


def _explained(error: DynamoDBError, source: str) -> Exception:
    if error.code == "PointInTimeRecoveryUnavailableException":
        return TransferError(
            f"point-in-time recovery is not enabled on {source}, so it cannot be restored to a "
            "moment; enable it with enable_point_in_time_recovery() (dbtooling backup "
            "--enable-pitr) — restores then reach back to the moment it was enabled"
        )
    return error


def backup(name: str, *, table: str | None = None, client: Executor | None = None) -> BackupInfo:
    """Create an on-demand backup of ``table`` (default: the configured one) named ``name``."""
    executor = client or default_executor()
    return executor.run(backup_flow(table or full_table_name(config=executor.config), name))


def list_backups(*, table: str | None = None, client: Executor | None = None) -> list[BackupInfo]:
    """Every on-demand backup (of ``table`` only, when given)."""
    executor = client or default_executor()
    return executor.run(list_backups_flow(table))


def restore(
    source: str,
    target_table: str,
    *,
    point_in_time: PointInTime | None = None,
    table: str | None = None,
    wait: bool = True,
    client: Executor | None = None,
) -> RestoreResult:
    """Restore into the new table ``target_table``: from the backup ``source`` (its ARN, or its
    name among the backups of ``table``, default the configured table), or — with
    ``point_in_time`` (a timezone-aware datetime or ``"latest"``) — the table ``source`` as it
    was then. Waits until the new table is ACTIVE unless ``wait=False``."""
    executor = client or default_executor()
    owner = table or full_table_name(config=executor.config)
    flow = restore_flow(source, target_table, point_in_time=point_in_time, table=owner, wait=wait)
    return executor.run(flow)


def enable_point_in_time_recovery(
    *, table: str | None = None, enabled: bool = True, client: Executor | None = None
) -> dict[str, Any]:
    """Turn point-in-time recovery on (or off) for ``table``; returns its description."""
    executor = client or default_executor()
    name = table or full_table_name(config=executor.config)
    response = executor.execute(tables.update_continuous_backups(name, enabled=enabled))
    return dict(response.get("ContinuousBackupsDescription", {}))


async def abackup(
    name: str, *, table: str | None = None, client: Executor | None = None
) -> BackupInfo:
    """The async twin of :func:`backup` (the same flow on the async executor)."""
    executor = client or default_executor()
    return await executor.arun(backup_flow(table or full_table_name(config=executor.config), name))


async def alist_backups(
    *, table: str | None = None, client: Executor | None = None
) -> list[BackupInfo]:
    """The async twin of :func:`list_backups`."""
    executor = client or default_executor()
    return await executor.arun(list_backups_flow(table))


async def arestore(
    source: str,
    target_table: str,
    *,
    point_in_time: PointInTime | None = None,
    table: str | None = None,
    wait: bool = True,
    client: Executor | None = None,
) -> RestoreResult:
    """The async twin of :func:`restore`."""
    executor = client or default_executor()
    owner = table or full_table_name(config=executor.config)
    flow = restore_flow(source, target_table, point_in_time=point_in_time, table=owner, wait=wait)
    return await executor.arun(flow)
