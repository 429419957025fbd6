"""Retries with the idempotency rules of DESIGN §7, shared by every transport.

Each failed attempt is classified:

* **not applied** — throttling, a transaction still in progress, a connection that was never
  made: the request is sent again after a backoff;
* **unknown** — HTTP 5xx, a connection lost after sending, a read timeout: the engine may have
  applied it. An idempotent request is sent again; a non-idempotent one (``ADD``,
  ``SET a = a + n``, ``list_append``, PartiQL writes) is not, and the caller gets
  :class:`WriteOutcomeUnknownError` instead of a silent second application;
* **final** — anything else (a failed condition, a validation error): raised at once. When an
  earlier attempt had an unknown outcome, the error is marked ``after_unknown_outcome`` so the
  caller knows it does not prove that nothing was written.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from dynamodb_tooling._types import Response
from dynamodb_tooling.config import Config
from dynamodb_tooling.drivers.recording import note_retry
from dynamodb_tooling.errors import (
    ConnectionLostError,
    DynamoDBError,
    EndpointConnectionError,
    ServerError,
    ThrottlingError,
    TransactionConflictError,
    WriteOutcomeUnknownError,
)
from dynamodb_tooling.requests import Request

Outcome = Literal["not_applied", "unknown", "final"]


def outcome(error: Exception) -> Outcome:
    """What a failed attempt says about whether the request was applied."""
    if isinstance(error, ServerError | ConnectionLostError):
        return "unknown"
    if isinstance(error, ThrottlingError | EndpointConnectionError):
        return "not_applied"
    if isinstance(error, TransactionConflictError) and error.code == (
        "TransactionInProgressException"
    ):
        return "not_applied"
    return "final"


@dataclass(frozen=True)
class RetryPolicy:
    """``max_retries`` retries after the first attempt; ``mode`` picks the backoff: ``standard``
    and ``adaptive`` use exponential backoff with full jitter (base 50 ms, capped at 20 s),
    ``legacy`` the same growth without jitter."""

    max_retries: int = 3
    mode: Literal["legacy", "standard", "adaptive"] = "standard"
    base: float = 0.05
    cap: float = 20.0

    @classmethod
    def from_config(cls, config: Config) -> RetryPolicy:
        return cls(max_retries=config.max_retries, mode=config.retry_mode)

    def delay(self, attempt: int) -> float:
        ceiling = min(self.cap, self.base * (2**attempt))
        return ceiling if self.mode == "legacy" else random.uniform(0, ceiling)


def send_with_retries(
    send: Callable[[Request], Response],
    request: Request,
    policy: RetryPolicy,
    sleep: Callable[[float], None],
) -> Response:
    """``send(request)`` with retries as the module docstring describes."""
    unknown: Exception | None = None
    attempt = 0
    while True:
        try:
            return send(request)
        except Exception as error:
            unknown = _after_failure(request, error, unknown, attempt, policy)
        sleep(policy.delay(attempt))
        attempt += 1


async def asend_with_retries(
    send: Callable[[Request], Awaitable[Response]],
    request: Request,
    policy: RetryPolicy,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Response:
    """The async twin of :func:`send_with_retries`: the same rules, awaiting ``send`` and
    the backoff ``sleep``."""
    unknown: Exception | None = None
    attempt = 0
    while True:
        try:
            return await send(request)
        except Exception as error:
            unknown = _after_failure(request, error, unknown, attempt, policy)
        await sleep(policy.delay(attempt))
        attempt += 1


def _after_failure(
    request: Request,
    error: Exception,
    unknown: Exception | None,
    attempt: int,
    policy: RetryPolicy,
) -> Exception | None:
    """Raise the error the caller gets for a failed attempt, or return the new "unknown
    outcome" state when the request is to be sent again."""
    kind = outcome(error)
    if kind == "final":
        if unknown is not None and isinstance(error, DynamoDBError):
            error.after_unknown_outcome = True
            error.args = (_after_unknown(str(error)),)
        raise error
    if kind == "unknown":
        unknown = error
        if not request.idempotent:
            raise _outcome_unknown(request, error, retried=False) from error
    if attempt >= policy.max_retries:
        if unknown is not None and request.writes:
            raise _outcome_unknown(request, error, retried=True) from error
        raise error
    note_retry(error)  # record_requests() counts the attempt that is sent again
    return unknown


def _outcome_unknown(request: Request, error: Exception, *, retried: bool) -> Exception:
    params = request.params
    target = params.get("Key") or params.get("Item") or params.get("Statement")
    where = f" on {params['TableName']}" if "TableName" in params else ""
    why = (
        "every retry failed after an attempt whose outcome is unknown"
        if retried
        else "it is not idempotent (sending it again could apply it twice)"
    )
    return WriteOutcomeUnknownError(
        f"{request.operation}{where} may or may not have been applied: {error}; {why}. Read "
        f"the item ({target!r}) to find out, then apply the change again if it is missing",
        operation=request.operation,
        target=target,
        cause=error,
    )


def _after_unknown(message: str) -> str:
    """A final error's message once an earlier attempt's outcome was unknown: what this
    attempt says about the item no longer proves that nothing was written."""
    message = message.replace("nothing was written", "this attempt wrote nothing")
    return (
        f"{message} — but an earlier attempt's answer was lost, so that attempt may have "
        "applied the write: read the item to find out"
    )
