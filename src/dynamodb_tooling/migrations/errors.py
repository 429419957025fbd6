"""The errors a migration raises: every one says what is wrong and how to go on."""

from __future__ import annotations

from dynamodb_tooling.errors import DynamoDBToolingError


class MigrationError(DynamoDBToolingError):
    """A migration was refused or could not be planned (nothing was changed)."""


class DestructiveChangeError(MigrationError):
    """The plan drops an index or an access path; run it again with ``force=True``."""


class ImpossibleChangeError(MigrationError):
    """The plan needs a change DynamoDB cannot make in place (an LSI added or removed)."""


class MigrationStepError(MigrationError):
    """A step failed while the migration ran; the history records it and a re-run resumes."""


class UnsafeEndpointError(MigrationError):
    """``fresh`` was asked to drop a table on an endpoint that is not local."""
