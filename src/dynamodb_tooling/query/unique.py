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
from typing import Any

from dynamodb_tooling._types import Response
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import (
    ConditionalCheckFailedError,
    TransactionCanceledError,
    UniqueConstraintError,
    VersionConflictError,
)
from dynamodb_tooling.expressions import Condition, and_, attr, path
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.query._write_plan import UniqueTarget, VersionTarget, WritePlan
from dynamodb_tooling.requests.transactions import TransactDelete, TransactPut
from dynamodb_tooling.schema import KeyScheme
from dynamodb_tooling.schema.keys import SENTINEL_OWNER

__all__ = [
    "owned_by",
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
    """Send ``plan`` (a transaction through ``client.transact_write``, which retries conflicts
    with one idempotency token) and translate a failure with :func:`translate_write_error`."""
    try:
        if plan.transactional:
            return client.transact_write(plan.actions, client_request_token=client_request_token)
        return client.execute(plan.request)
    except (ConditionalCheckFailedError, TransactionCanceledError) as error:
        translated = translate_write_error(error, plan)
        if translated is error:
            raise
        raise translated from error
