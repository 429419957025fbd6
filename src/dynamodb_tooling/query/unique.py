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
from dynamodb_tooling.errors import ConditionalCheckFailedError, TransactionCanceledError
from dynamodb_tooling.expressions import Condition, and_, attr, path
from dynamodb_tooling.query._write_outcome import translate_write_error
from dynamodb_tooling.query._write_plan import UniqueTarget, WritePlan
from dynamodb_tooling.query.executor import Executor
from dynamodb_tooling.query.write_flow import alone, failure_flow, upsert_flow, write_flow
from dynamodb_tooling.requests import Flow, Request
from dynamodb_tooling.requests.transactions import TransactDelete, TransactPut
from dynamodb_tooling.schema import KeyScheme
from dynamodb_tooling.schema.keys import SENTINEL_OWNER

if TYPE_CHECKING:
    from dynamodb_tooling.query.writes import WriteCompiler

__all__ = [
    "arun_write",
    "owned_by",
    "read_and_upsert",
    "read_and_upsert_flow",
    "release_sentinel",
    "reserve_sentinel",
    "run_write",
    "translate_write_error",
    "written",
]


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


def run_write(
    client: Executor, plan: WritePlan, *, client_request_token: str | None = None
) -> Response:
    """Send ``plan`` on ``client`` through :func:`~dynamodb_tooling.query.write_flow.write_flow`
    (exactly once unless ``non_idempotent_writes = "at_most_once"``) and raise the error a
    failure stands for. A plan whose flow is its one request (:func:`alone`: a put, an
    idempotent update or delete) is executed directly, the flow only taking a failure."""
    request = _alone(client, plan)
    if request is None:
        return client.run(_flow(client, plan, client_request_token))
    try:
        return client.execute(request)
    except (ConditionalCheckFailedError, TransactionCanceledError) as error:
        return client.run(failure_flow(plan, error))


async def arun_write(
    client: Executor, plan: WritePlan, *, client_request_token: str | None = None
) -> Response:
    """The async twin of :func:`run_write` (the same flow on the async driver)."""
    request = _alone(client, plan)
    if request is None:
        return await client.arun(_flow(client, plan, client_request_token))
    try:
        return await client.aexecute(request)
    except (ConditionalCheckFailedError, TransactionCanceledError) as error:
        return await client.arun(failure_flow(plan, error))


def _exactly_once(client: Executor) -> bool:
    return client.config.non_idempotent_writes == "exactly_once"


def _alone(client: Executor, plan: WritePlan) -> Request | None:
    return alone(plan, exactly_once=_exactly_once(client))


def _flow(client: Executor, plan: WritePlan, token: str | None) -> Flow[Response]:
    return write_flow(plan, exactly_once=_exactly_once(client), token=token)


def read_and_upsert(
    client: Executor, compiler: WriteCompiler, model: str, values: Mapping[str, Any]
) -> WritePlan:
    """Upsert with the item's current values as ``original`` (see ``upsert_flow``)."""
    return client.run(read_and_upsert_flow(client, compiler, model, values))


def read_and_upsert_flow(
    client: Executor, compiler: WriteCompiler, model: str, values: Mapping[str, Any]
) -> Flow[WritePlan]:
    """The flow of :func:`read_and_upsert`, for ``client.run`` or ``client.arun``."""
    return upsert_flow(compiler, model, values, exactly_once=_exactly_once(client))


def written(client: Executor, plan: WritePlan) -> Flow[WritePlan]:
    """Write ``plan`` as :func:`run_write` does and return it (for flows ending in a plan)."""
    yield from _flow(client, plan, None)
    return plan
