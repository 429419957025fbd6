"""The errors a backfill raises (each says what is wrong and how to fix it)."""

from __future__ import annotations

from dynamodb_tooling.migrations.errors import MigrationError


class BackfillError(MigrationError):
    """A backfill cannot start or cannot go on (bad options, a checkpoint of another run)."""


class CheckpointConflictError(BackfillError):
    """Another process wrote the same segment's checkpoint of the same run meanwhile."""
