"""Model writes as sans-IO flows: what to send, and what a failure means.

:func:`write_flow` sends a :class:`WritePlan` — a transaction through the conflict-retrying
transaction flow (one idempotency token), a single write that is not idempotent (an increment,
an append) as a one-action transaction by default, so a retry after a lost answer is never
applied twice — and turns a failed condition into the error it stands for, reading the item
back (consistently, on the failure path only) when that is needed to tell. The same flow runs
on a sync or an async executor.

>>> client.run(write_flow(plan, exactly_once=True))            # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dynamodb_tooling._types import Response
from dynamodb_tooling.errors import (
    ConditionalCheckFailedError,
    ItemAlreadyExistsError,
    StaleModelError,
    TransactionCanceledError,
    WriteOutcomeUnknownError,
)
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.query._write_outcome import (
    CONDITION_FAILED,
    applied,
    explain,
    failed_entities,
    translate_write_error,
)
from dynamodb_tooling.query._write_plan import EntityTarget, WritePlan
from dynamodb_tooling.requests import Flow, Request
from dynamodb_tooling.requests.items import get_item
from dynamodb_tooling.requests.transactions import transact_write_flow
from dynamodb_tooling.schema.transformer import generate_id

if TYPE_CHECKING:
    from dynamodb_tooling.query.writes import WriteCompiler

__all__ = ["alone", "failure_flow", "needs_token", "upsert_flow", "write_flow"]

_UPSERT_ATTEMPTS = 3


def needs_token(plan: WritePlan) -> bool:
    """Whether ``plan`` is a single write that is not idempotent (it goes out as a tokened
    one-action transaction when writes are exactly once). With ``ReturnValues`` it cannot:
    TransactWriteItems returns no values, so such a write is sent at most once."""
    request = plan.request
    return not (plan.transactional or request.idempotent or "ReturnValues" in request.params)


def write_flow(
    plan: WritePlan, *, exactly_once: bool = True, token: str | None = None
) -> Flow[Response]:
    """Send ``plan`` and explain a failed condition (see the module docstring).

    ``exactly_once`` (``non_idempotent_writes = "exactly_once"``) sends a non-idempotent
    single write as a tokened transaction; ``token`` fixes the ClientRequestToken.
    """
    try:
        if plan.transactional:
            return (yield from transact_write_flow(plan.actions, client_request_token=token))
        if exactly_once and needs_token(plan):
            return (yield from _as_transaction(plan, token))
        response: Response = yield plan.request
        return response
    except (ConditionalCheckFailedError, TransactionCanceledError) as error:
        return (yield from failure_flow(plan, error))


def alone(plan: WritePlan, *, exactly_once: bool = True) -> Request | None:
    """The request, when :func:`write_flow` of ``plan`` is that one request (a single write
    sent as it is): an executor may then ``execute`` it directly, skipping the flow, and hand
    a failed condition to :func:`failure_flow`. ``None`` for a transaction, or a single write
    that goes out as a tokened one."""
    if plan.transactional or (exactly_once and needs_token(plan)):
        return None
    return plan.request


def _as_transaction(plan: WritePlan, token: str | None) -> Flow[Response]:
    """A single write sent as a one-action transaction (for its idempotency token); a failed
    condition is reported as the single write would report it."""
    try:
        return (yield from transact_write_flow(plan.actions, client_request_token=token))
    except TransactionCanceledError as error:
        reasons = error.failed
        if len(reasons) != 1 or reasons[0].code != CONDITION_FAILED:
            raise
        why = reasons[0].message or "The conditional request failed"
        single = ConditionalCheckFailedError(
            f"{plan.request.operation} failed its condition ({why}): the item changed or does "
            "not exist as the condition expected; nothing was written",
            code="ConditionalCheckFailedException",
            operation=plan.request.operation,
            response=error.response,
            item=reasons[0].item,
        )
        single.after_unknown_outcome = error.after_unknown_outcome
        raise single from error


def failure_flow(
    plan: WritePlan, error: ConditionalCheckFailedError | TransactionCanceledError
) -> Flow[Response]:
    """What :func:`write_flow` does when its request failed with ``error`` (also for an
    executor that sent :func:`alone`'s request itself): reads the item when that tells why,
    then raises the error it stands for (or, when an earlier attempt of our own is what the
    condition saw, returns ``{}``)."""
    items: dict[int, dict[str, Any] | None] = {}

    def current(target: EntityTarget) -> Flow[dict[str, Any] | None]:
        if target.index not in items:
            table = plan.actions[target.index].table
            found = (yield get_item(table, target.key, consistent_read=True)).get("Item")
            items[target.index] = unmarshall_item(found) if found else None
        return items[target.index]

    if error.after_unknown_outcome:
        found = []
        for target in plan.entities:
            found.append((target, (yield from current(target))))
        if found and all(applied(target, item) is True for target, item in found):
            return {}  # our own earlier attempt did it; the retry only saw its effect
        if not found or not all(_not_applied(target, item) for target, item in found):
            # The item does not show our write, but it may have been applied and changed
            # since: only a version still at the expected one proves it was not.
            raise WriteOutcomeUnknownError(
                f"{plan.model or 'the write'} ({_where(plan)}) may or may not have been applied: "
                f"an attempt's answer was lost and the retry failed ({error}); read the item "
                "and apply the change again if it is missing",
                operation=error.operation,
                target=dict(plan.key),
                cause=error,
            ) from error
    translated = translate_write_error(error, plan)
    if translated is not error:
        raise translated from error
    for target in failed_entities(plan, error):
        explained = explain(target, (yield from current(target)), error)
        if explained is not None:
            raise explained from error
    raise error


def _not_applied(target: EntityTarget, item: Mapping[str, Any] | None) -> bool:
    """Whether ``item`` proves ``target`` was never applied: it is still at the version the
    write expected (the write would have bumped it)."""
    if target.version is None or item is None:
        return False
    attribute, expected = target.version
    return bool(item.get(attribute) == expected)


def _where(plan: WritePlan) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in plan.key.items()) or "several items"


def upsert_flow(
    compiler: WriteCompiler,
    model: str,
    values: Mapping[str, Any],
    *,
    exactly_once: bool = True,
) -> Flow[WritePlan]:
    """Upsert ``values`` with the item's current values as ``original`` (one consistent read
    first), so a replaced unique value's sentinel is released. If the item changes between
    the read and the write, the write fails its guard and is tried again (3 times at most).
    Returns the plan that was written."""
    definition = compiler.registry.model(model)
    if values.get(definition.primary_key) is None:
        values = {**values, definition.primary_key: generate_id(definition)}
    key = compiler.primary_key(model, compiler.stored_values(model, values))
    for attempt in range(_UPSERT_ATTEMPTS):
        found = (yield get_item(compiler.table_for(model), key, consistent_read=True)).get("Item")
        plan = compiler.upsert(model, values, original=unmarshall_item(found) if found else {})
        try:
            yield from write_flow(plan, exactly_once=exactly_once)
        except (StaleModelError, ItemAlreadyExistsError):
            if attempt + 1 == _UPSERT_ATTEMPTS:
                raise
            continue
        return plan
    raise AssertionError("unreachable")
