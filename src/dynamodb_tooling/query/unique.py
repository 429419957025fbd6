"""Unique-value sentinels and the translation of failed writes (DESIGN §2, §7).

A unique value is reserved by a sentinel item (``_UNIQUE#USER#email#<value>``) that holds its
owner's primary key. Writes that set, change or clear a unique value put or delete sentinels in
the same transaction as the entity, so a taken value cancels the whole write. This module
builds those actions, runs a :class:`WritePlan` and turns a cancelled transaction or a failed
condition into the error it stands for: :class:`UniqueConstraintError` for a taken value,
:class:`VersionConflictError` for a lost optimistic-locking race; anything else is re-raised.

>>> run_write(client, compiler.insert("User", {"email": "ada@example.com", "name": "Ada"}))
... # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dynamodb_tooling._types import Response
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import (
    ConditionalCheckFailedError,
    ItemAlreadyExistsError,
    StaleModelError,
    TransactionCanceledError,
    UniqueConstraintError,
    VersionConflictError,
    WriteOutcomeUnknownError,
)
from dynamodb_tooling.expressions import Condition, and_, attr, path
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.query._write_outcome import applied, explain, failed_entities
from dynamodb_tooling.query._write_plan import EntityTarget, UniqueTarget, VersionTarget, WritePlan
from dynamodb_tooling.requests.items import get_item
from dynamodb_tooling.requests.transactions import TransactDelete, TransactPut
from dynamodb_tooling.schema import KeyScheme
from dynamodb_tooling.schema.keys import SENTINEL_OWNER
from dynamodb_tooling.schema.transformer import generate_id

if TYPE_CHECKING:
    from dynamodb_tooling.query.writes import WriteCompiler

__all__ = [
    "owned_by",
    "read_and_upsert",
    "release_sentinel",
    "reserve_sentinel",
    "run_write",
    "translate_write_error",
]

CONDITION_FAILED = "ConditionalCheckFailed"


def owned_by(keys: KeyScheme, owner_key: Mapping[str, str]) -> Condition:
    """``owner.pk = :pk AND owner.sk = :sk``: the sentinel belongs to the item at ``owner_key``.

    The owner map is compared field by field, which every DynamoDB-compatible engine supports.
    """
    return and_(*(attr(path(f"{SENTINEL_OWNER}.{name}")).eq(v) for name, v in owner_key.items()))


def reserve_sentinel(
    keys: KeyScheme,
    table: str,
    unique: UniqueTarget,
    owner_key: Mapping[str, str],
    *,
    reclaim: bool = False,
) -> TransactPut:
    """The put reserving ``unique.value`` for the owner: only if no sentinel exists, or, with
    ``reclaim`` (upserts), if the existing one already belongs to the same owner."""
    item = keys.sentinel_item(unique.model, unique.attribute, unique.value, owner_key)
    free = attr(keys.design.partition_key_name).not_exists()
    condition = free | owned_by(keys, owner_key) if reclaim else free
    return TransactPut(table, item, condition=condition)


def release_sentinel(
    keys: KeyScheme,
    table: str,
    model: str,
    attribute: str,
    value: Any,
    owner_key: Mapping[str, str],
) -> TransactDelete:
    """The delete releasing ``value``: only the owner's own sentinel is deleted (a missing one
    is no error, so items written before the attribute became unique can still change)."""
    sentinel = keys.sentinel_key(model, attribute, value)
    missing = attr(keys.design.partition_key_name).not_exists()
    return TransactDelete(table, sentinel, condition=missing | owned_by(keys, owner_key))


def translate_write_error(
    error: ConditionalCheckFailedError | TransactionCanceledError, plan: WritePlan
) -> Exception:
    """The error ``error`` stands for, given which actions of ``plan`` guard what.

    A failed sentinel put → :class:`UniqueConstraintError`; a failed versioned write whose item
    is at another version (or gone) → :class:`VersionConflictError`; otherwise ``error``.
    """
    failed: dict[int, Mapping[str, Any] | None]
    if isinstance(error, TransactionCanceledError):
        failed = {r.index: r.item for r in error.failed if r.code == CONDITION_FAILED}
    else:
        failed = {0: error.item} if not plan.transactional else {}
    for unique in plan.uniques:
        if unique.index in failed:
            return _taken(unique)
    for version in plan.versions:
        if version.index in failed:
            conflict = _version_conflict(version, failed[version.index])
            if conflict is not None:
                return conflict
    return error


def _taken(unique: UniqueTarget) -> UniqueConstraintError:
    return UniqueConstraintError(
        f"{unique.model}.{unique.attribute} {unique.value!r} is already taken; nothing was written",
        model=unique.model,
        attribute=unique.attribute,
        value=unique.value,
    )


def _version_conflict(
    version: VersionTarget, item: Mapping[str, Any] | None
) -> VersionConflictError | None:
    """A conflict unless the item is still at the expected version (then another condition
    failed). Without the item (it is gone, or the engine did not return it) it is a conflict."""
    current = unmarshall_item(item).get(version.attribute) if item is not None else None
    if item is not None and current == version.expected:
        return None
    where = ", ".join(f"{k}={v!r}" for k, v in version.key.items()) or "the item"
    now = "it no longer exists" if item is None else f"it is at version {current}"
    return VersionConflictError(
        f"{version.model} ({where}) was changed since version {version.expected} was read "
        f"({now}); nothing was written — reload it and apply the change again",
        model=version.model,
        expected=version.expected,
    )


def run_write(
    client: DynamoDBClient, plan: WritePlan, *, client_request_token: str | None = None
) -> Response:
    """Send ``plan`` and translate a failure into the error it stands for.

    A transaction goes through ``client.transact_write`` (conflicts retried with one
    idempotency token). A single write that is not idempotent (an increment, an append) is sent
    the same way by default (``non_idempotent_writes = "exactly_once"``), so a retry after a
    lost response is never applied twice; with ``"at_most_once"`` it is sent as is and an
    unknown outcome raises :class:`WriteOutcomeUnknownError`.

    A failed condition is explained from the item as it is now (one consistent read, on the
    failure path only): a taken unique value, a version conflict, an item that already exists
    or is gone, a stale instance. If an earlier attempt had an unknown outcome and the item shows
    that it was applied, the write succeeded.
    """
    try:
        if plan.transactional:
            return client.transact_write(plan.actions, client_request_token=client_request_token)
        if _exactly_once(client, plan):
            return _as_transaction(client, plan, client_request_token)
        return client.execute(plan.request)
    except (ConditionalCheckFailedError, TransactionCanceledError) as error:
        return _failed(client, plan, error)


def _as_transaction(client: DynamoDBClient, plan: WritePlan, token: str | None) -> Response:
    """A single write sent as a one-action transaction (for its idempotency token); a failed
    condition is reported as the single write would report it."""
    try:
        return client.transact_write(plan.actions, client_request_token=token)
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


def _exactly_once(client: DynamoDBClient, plan: WritePlan) -> bool:
    request = plan.request
    if request.idempotent or "ReturnValues" in request.params:
        return False  # ReturnValues cannot ride in a transaction: at most once, then
    return client.config.non_idempotent_writes == "exactly_once"


def _failed(
    client: DynamoDBClient,
    plan: WritePlan,
    error: ConditionalCheckFailedError | TransactionCanceledError,
) -> Response:
    entities = failed_entities(plan, error)
    items: dict[int, dict[str, Any] | None] = {}

    def current(target: EntityTarget) -> dict[str, Any] | None:
        if target.index not in items:
            items[target.index] = _read(client, plan, target)
        return items[target.index]

    if error.after_unknown_outcome:
        checks = [applied(target, current(target)) for target in plan.entities]
        if plan.entities and all(checks):
            return {}  # our own earlier attempt did it; the retry only saw its effect
        if None in checks:
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
    for target in entities:
        explained = explain(target, current(target), error)
        if explained is not None:
            raise explained from error
    raise error


def _read(client: DynamoDBClient, plan: WritePlan, target: EntityTarget) -> dict[str, Any] | None:
    table = plan.actions[target.index].table
    response = client.execute(get_item(table, target.key, consistent_read=True))
    item = response.get("Item")
    return unmarshall_item(item) if item else None


def _where(plan: WritePlan) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in plan.key.items()) or "several items"


def read_and_upsert(
    client: DynamoDBClient, compiler: WriteCompiler, model: str, values: Mapping[str, Any]
) -> WritePlan:
    """Upsert ``values`` with the item's current values as ``original`` (one consistent read
    first), so a replaced unique value's sentinel is released. If the item changes between
    the read and the write, the write fails its guard and is tried again (3 times at most)."""
    definition = compiler.registry.model(model)
    if values.get(definition.primary_key) is None:
        values = {**values, definition.primary_key: generate_id(definition)}
    key = compiler.primary_key(model, compiler.stored_values(model, values))
    for attempt in range(_UPSERT_ATTEMPTS):
        found = client.execute(get_item(compiler.table, key, consistent_read=True)).get("Item")
        plan = compiler.upsert(model, values, original=unmarshall_item(found) if found else {})
        try:
            run_write(client, plan)
        except (StaleModelError, ItemAlreadyExistsError):
            if attempt + 1 == _UPSERT_ATTEMPTS:
                raise
            continue
        return plan
    raise AssertionError("unreachable")


_UPSERT_ATTEMPTS = 3
