"""Zero-touch migrations: the table your models need, created, changed, backfilled, recorded.

``migrate()`` compares the models (the registry) with the live table and with the snapshot the
last migration stored in the table's ``_MIGRATION`` items, then creates the table or changes
it one step at a time (one GSI per UpdateTable, waiting for ACTIVE), sets TTL, PITR, streams
and tags, backfills the derived keys of existing items, and records the run. ``status()``,
``rollback()``, ``fresh()``, ``generate()`` and ``copy_table()`` (a new table for an LSI
change) complete the set; the ``a``-prefixed twins run the same flows on the async face. See
``docs/migrations.md``.
"""

from dynamodb_tooling.migrations._backfill_progress import BackfillProgress
from dynamodb_tooling.migrations._backfill_report import BackfillReport
from dynamodb_tooling.migrations.actions import Action
from dynamodb_tooling.migrations.api import (
    afresh,
    agenerate,
    amigrate,
    arollback,
    astatus,
    fresh,
    generate,
    migrate,
    plan,
    plans,
    rollback,
    status,
)
from dynamodb_tooling.migrations.backfill import abackfill, backfill
from dynamodb_tooling.migrations.copy_table import (
    CopyTableError,
    CopyTableResult,
    acopy_table,
    copy_table,
)
from dynamodb_tooling.migrations.errors import (
    DestructiveChangeError,
    ImpossibleChangeError,
    MigrationError,
    MigrationStepError,
    UnsafeEndpointError,
)
from dynamodb_tooling.migrations.plan import Change, MigrationPlan, Severity
from dynamodb_tooling.migrations.results import (
    MigrationEvent,
    MigrationResult,
    MigrationStatus,
    RollbackResult,
    StepResult,
)
from dynamodb_tooling.migrations.runner import RunOptions
from dynamodb_tooling.migrations.snapshot import Snapshot, build_snapshot
from dynamodb_tooling.migrations.state import HistoryEntry

__all__ = [
    "Action",
    "BackfillProgress",
    "BackfillReport",
    "Change",
    "CopyTableError",
    "CopyTableResult",
    "DestructiveChangeError",
    "HistoryEntry",
    "ImpossibleChangeError",
    "MigrationError",
    "MigrationEvent",
    "MigrationPlan",
    "MigrationResult",
    "MigrationStatus",
    "MigrationStepError",
    "RollbackResult",
    "RunOptions",
    "Severity",
    "Snapshot",
    "StepResult",
    "UnsafeEndpointError",
    "abackfill",
    "acopy_table",
    "afresh",
    "agenerate",
    "amigrate",
    "arollback",
    "astatus",
    "backfill",
    "build_snapshot",
    "copy_table",
    "fresh",
    "generate",
    "migrate",
    "plan",
    "plans",
    "rollback",
    "status",
]
