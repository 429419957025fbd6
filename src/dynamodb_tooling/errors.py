"""The library's exception hierarchy.

Every error the library raises derives from :class:`DynamoDBToolingError`. Errors that come back
from DynamoDB are mapped to a subclass of :class:`DynamoDBError` carrying the service's error
``code``; errors we detect before sending a request (bad config, un-marshallable values, oversize
batches) are raised before any IO happens. Each message says what was wrong and how to fix it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


class DynamoDBToolingError(Exception):
    """Base class of every error raised by dynamodb-tooling."""


class ConfigError(DynamoDBToolingError, ValueError):
    """The configuration is invalid; ``problems`` lists every ``(dotted.path, message)`` found."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        self.problems: tuple[tuple[str, str], ...] = tuple(problems)
        lines = "\n".join(f"  - {path}: {message}" for path, message in self.problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"invalid dynamodb-tooling configuration ({count} {noun}):\n{lines}")


class MarshallingError(DynamoDBToolingError, TypeError):
    """A Python value cannot be represented as a DynamoDB AttributeValue (or the reverse)."""


class ExpressionError(DynamoDBToolingError, ValueError):
    """An expression (condition, key condition, update, projection) is malformed."""


class RequestValidationError(DynamoDBToolingError, ValueError):
    """A request breaks a DynamoDB limit and was refused before it was sent."""


class DriverError(DynamoDBToolingError):
    """A driver could not be found, registered or configured."""


class EngineError(DynamoDBToolingError):
    """The local DynamoDB-compatible engine could not be started, reached or stopped."""


class DynamoDBError(DynamoDBToolingError):
    """An error returned by DynamoDB (or a compatible engine) for a request.

    ``code`` is the service's error code (e.g. ``ResourceNotFoundException``), ``operation`` the
    API operation that failed.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        operation: str = "",
        response: Mapping[str, Any] | None = None,
    ) -> None:
        self.code = code
        self.operation = operation
        self.response: Mapping[str, Any] = response or {}
        #: Set by the driver when an earlier attempt of the same request had an unknown
        #: outcome (HTTP 5xx, a lost connection): that attempt may have applied the write, so
        #: this error alone does not prove that nothing was written.
        self.after_unknown_outcome: bool = False
        super().__init__(message)


class ValidationError(DynamoDBError):
    """DynamoDB rejected the request as invalid (``ValidationException``)."""


class ResourceNotFoundError(DynamoDBError):
    """The table or index does not exist (or is not ACTIVE yet)."""


class ResourceInUseError(DynamoDBError):
    """The table is being created, updated or deleted, or already exists."""


class ItemNotFoundError(DynamoDBError):
    """A read that requires an item found none."""


class ConditionalCheckFailedError(DynamoDBError):
    """A write's ConditionExpression evaluated to false; nothing was written.

    ``item`` holds the item's current attributes when the request asked for
    ``ReturnValuesOnConditionCheckFailure=ALL_OLD``.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        operation: str = "",
        response: Mapping[str, Any] | None = None,
        item: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message, code=code, operation=operation, response=response)
        self.item = item


@dataclass(frozen=True)
class CancellationReason:
    """Why one action of a cancelled transaction failed (``index`` is its position)."""

    index: int
    code: str
    message: str
    item: Mapping[str, Any] | None = None


class TransactionCanceledError(DynamoDBError):
    """A transaction was cancelled; ``reasons`` has one entry per action, in request order."""

    def __init__(
        self,
        message: str,
        *,
        reasons: Sequence[CancellationReason],
        code: str = "TransactionCanceledException",
        operation: str = "",
        response: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message, code=code, operation=operation, response=response)
        self.reasons: tuple[CancellationReason, ...] = tuple(reasons)

    @property
    def failed(self) -> tuple[CancellationReason, ...]:
        """The reasons whose code is not ``None`` (the actions that caused the cancellation)."""
        return tuple(r for r in self.reasons if r.code not in ("", "None"))


class TransactionConflictError(DynamoDBError):
    """Another transaction touched the same item; retrying later usually succeeds."""


class ThrottlingError(DynamoDBError):
    """Requests were throttled beyond the configured retries (capacity or rate exceeded)."""


class LimitExceededError(DynamoDBError):
    """An account or table limit was hit (too many concurrent table operations, indexes...)."""


class AccessDeniedError(DynamoDBError):
    """The credentials in use are not allowed to perform the operation."""


class IncompleteBatchError(DynamoDBToolingError):
    """A batch operation gave up with items left unprocessed after every retry.

    ``unprocessed`` holds exactly what was not done, in the request shape DynamoDB uses
    (``RequestItems`` for writes, ``Keys`` per table for reads); everything else succeeded.
    """

    def __init__(
        self,
        message: str,
        *,
        unprocessed: Mapping[str, Any],
        errors: Sequence[Exception] = (),
    ) -> None:
        super().__init__(message)
        self.unprocessed = unprocessed
        self.errors: tuple[Exception, ...] = tuple(errors)


class EndpointConnectionError(DynamoDBToolingError):
    """The endpoint could not be reached (wrong URL, engine not running, network down)."""


class ConnectionLostError(EndpointConnectionError):
    """The connection failed after the request was sent (closed, read timeout): the engine may
    have applied it."""


class ServerError(DynamoDBError):
    """The engine failed with HTTP 5xx (``InternalServerError``, ``ServiceUnavailable``); the
    request may or may not have been applied."""


class WriteOutcomeUnknownError(DynamoDBToolingError):
    """A write failed in a way that leaves its outcome unknown: it may or may not have been
    applied (an HTTP 5xx or a lost connection, with no safe way to retry or to check).

    ``operation`` and ``target`` (the table and key, or item) say which write; ``cause`` is the
    last error seen. Read the item to find out, then apply the change again if it is missing.
    """

    def __init__(
        self, message: str, *, operation: str = "", target: Any = None, cause: Exception | None
    ) -> None:
        super().__init__(message)
        self.operation = operation
        self.target = target
        self.cause = cause


class PerformanceWarning(UserWarning):
    """A query will be served inefficiently (a Scan, a client-side sort, a large aggregate)."""


class QueryError(DynamoDBToolingError, ValueError):
    """A query was built in a way that cannot be run (say what and how to fix it)."""


class ScanNotAllowedError(QueryError):
    """A query can only be served by a Scan and ``allow_scan`` is off."""


class CursorError(QueryError):
    """A pagination cursor is malformed, was tampered with, or belongs to another query."""


class UniqueConstraintError(DynamoDBToolingError):
    """A write would give a unique attribute a value another item already holds; nothing was
    written. ``model``, ``attribute`` and ``value`` say which."""

    def __init__(self, message: str, *, model: str, attribute: str, value: Any) -> None:
        super().__init__(message)
        self.model = model
        self.attribute = attribute
        self.value = value


class VersionConflictError(DynamoDBToolingError):
    """Optimistic locking: the item's version changed since it was read; nothing was written."""

    def __init__(self, message: str, *, model: str, expected: int | None) -> None:
        super().__init__(message)
        self.model = model
        self.expected = expected


class ItemAlreadyExistsError(ConditionalCheckFailedError):
    """An insert found an item at its key already (``create()`` with an id that is taken);
    nothing was written."""


class StaleModelError(ConditionalCheckFailedError):
    """The item changed since the instance was read (a value the write relies on is no longer
    there); nothing was written — ``refresh()`` the instance and apply the change again."""


class MassAssignmentError(DynamoDBToolingError):
    """A guarded (or non-fillable) attribute was passed to ``Model(...)``, ``create()``,
    ``update()`` or ``fill()``; nothing was set or sent. ``model`` and ``attribute`` say which.
    Set it explicitly (``user.role = ...``) or use ``force_fill()``."""

    def __init__(self, message: str, *, model: str, attribute: str) -> None:
        super().__init__(message)
        self.model = model
        self.attribute = attribute


class ModelValidationError(DynamoDBToolingError, ValueError):
    """Values break their attributes' validation rules; nothing was sent.

    ``errors`` maps each failing attribute to its messages, in declaration order.
    """

    def __init__(self, model: str, errors: Mapping[str, Sequence[str]]) -> None:
        self.model = model
        self.errors: dict[str, list[str]] = {name: list(found) for name, found in errors.items()}
        lines = "\n".join(
            f"  - {model}.{name}: {message}"
            for name, messages in self.errors.items()
            for message in messages
        )
        count = len(self.errors)
        noun = "attribute" if count == 1 else "attributes"
        super().__init__(
            f"{model} values fail validation ({count} {noun}); fix these values and retry "
            f"(nothing was sent):\n{lines}"
        )


class PartialWriteError(DynamoDBToolingError):
    """A write over many items (a query's ``update()``/``delete()``) finished with some items
    written and some not: ``done`` were written; ``failed`` holds ``(key, error)`` for each
    item that was not (or whose outcome is unknown, see each error)."""

    def __init__(
        self, message: str, *, done: int, failed: Sequence[tuple[Mapping[str, Any], Exception]]
    ) -> None:
        super().__init__(message)
        self.done = done
        self.failed: tuple[tuple[Mapping[str, Any], Exception], ...] = tuple(failed)
