"""TransactWriteItems and TransactGetItems.

Actions are small frozen dataclasses; :func:`transact_write` compiles them into one request,
checking DynamoDB's rules first (1 to 100 actions, no two actions on the same item).
:func:`transact_write_flow` retries a transaction that lost a conflict with another one, with
the same ``ClientRequestToken`` so a retry after an unclear outcome is idempotent.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from dynamodb_tooling._types import Params, Response, ReturnConsumedCapacity
from dynamodb_tooling._types import ReturnValuesOnConditionCheckFailure as OnFailure
from dynamodb_tooling.errors import (
    RequestValidationError,
    TransactionCanceledError,
    TransactionConflictError,
)
from dynamodb_tooling.expressions import Condition, Projection, Update, compile_expressions
from dynamodb_tooling.marshal import marshall_item
from dynamodb_tooling.requests._common import marshal_key
from dynamodb_tooling.requests._flow import Backoff, Flow, Sleep
from dynamodb_tooling.requests._request import Request
from dynamodb_tooling.requests._validate import (
    MAX_TRANSACTION_ITEMS,
    check_count,
    check_item_size,
    require_table,
)

MAX_TOKEN_LENGTH = 36


@dataclass(frozen=True)
class TransactPut:
    table: str
    item: Mapping[str, Any]
    condition: Condition | None = None
    return_values_on_condition_check_failure: OnFailure | None = None


@dataclass(frozen=True)
class TransactUpdate:
    table: str
    key: Mapping[str, Any]
    update: Update
    condition: Condition | None = None
    return_values_on_condition_check_failure: OnFailure | None = None


@dataclass(frozen=True)
class TransactDelete:
    table: str
    key: Mapping[str, Any]
    condition: Condition | None = None
    return_values_on_condition_check_failure: OnFailure | None = None


@dataclass(frozen=True)
class ConditionCheck:
    table: str
    key: Mapping[str, Any]
    condition: Condition
    return_values_on_condition_check_failure: OnFailure | None = None


@dataclass(frozen=True)
class TransactGet:
    table: str
    key: Mapping[str, Any]
    projection: Projection | Sequence[str] | None = None


TransactWriteAction: TypeAlias = TransactPut | TransactUpdate | TransactDelete | ConditionCheck


def _compile_action(action: TransactWriteAction) -> dict[str, Params]:
    body: Params = {"TableName": require_table(action.table)}
    if isinstance(action, TransactPut):
        body["Item"] = check_item_size(marshall_item(action.item), "transaction put item")
        name = "Put"
    else:
        body["Key"] = marshal_key(action.key, "TransactWriteItems")
        name = {TransactUpdate: "Update", TransactDelete: "Delete"}.get(
            type(action), "ConditionCheck"
        )
    update = action.update if isinstance(action, TransactUpdate) else None
    body.update(compile_expressions(update=update, condition=action.condition))
    if action.return_values_on_condition_check_failure is not None:
        body["ReturnValuesOnConditionCheckFailure"] = (
            action.return_values_on_condition_check_failure
        )
    return {name: body}


def _target(action: TransactWriteAction, compiled: dict[str, Params]) -> tuple[str, str]:
    (body,) = compiled.values()
    key = body.get("Key") or body["Item"]
    return action.table, repr(sorted(key.items()))


def transact_write(
    actions: Sequence[TransactWriteAction],
    *,
    client_request_token: str | None = None,
    return_consumed_capacity: ReturnConsumedCapacity | None = None,
) -> Request:
    """TransactWriteItems of ``actions``: all succeed or nothing is written."""
    check_count(actions, MAX_TRANSACTION_ITEMS, "a transaction", "split it into smaller units")
    compiled = [_compile_action(a) for a in actions]
    _check_distinct_keys(actions, compiled)
    params: Params = {"TransactItems": compiled}
    if client_request_token is not None:
        if not 1 <= len(client_request_token) <= MAX_TOKEN_LENGTH:
            raise RequestValidationError("client_request_token must be 1 to 36 characters")
        params["ClientRequestToken"] = client_request_token
    if return_consumed_capacity is not None:
        params["ReturnConsumedCapacity"] = return_consumed_capacity
    # DynamoDB makes a retry with the same ClientRequestToken a no-op once the first attempt
    # succeeded (for 10 minutes), so a tokened transaction may always be sent again.
    safe = client_request_token is not None or all(_idempotent(a) for a in actions)
    return Request("TransactWriteItems", params, idempotent=safe)


def _idempotent(action: TransactWriteAction) -> bool:
    return not isinstance(action, TransactUpdate) or action.update.idempotent


def _check_distinct_keys(
    actions: Sequence[TransactWriteAction], compiled: list[dict[str, Params]]
) -> None:
    seen: dict[tuple[str, str], int] = {}
    for index, (action, body) in enumerate(zip(actions, compiled, strict=True)):
        if isinstance(action, TransactPut):
            continue  # a put's key attributes are not known here; DynamoDB checks those
        target = _target(action, body)
        if target in seen:
            raise RequestValidationError(
                f"transaction actions {seen[target]} and {index} touch the same item "
                f"({action.table}, {dict(action.key)!r}); DynamoDB allows one action per item — "
                "merge them into one update"
            )
        seen[target] = index


def transact_get(
    gets: Sequence[TransactGet],
    *,
    return_consumed_capacity: ReturnConsumedCapacity | None = None,
) -> Request:
    """TransactGetItems: a consistent snapshot of up to 100 items."""
    check_count(gets, MAX_TRANSACTION_ITEMS, "a transactional get", "split it into several")
    items = []
    for get in gets:
        body: Params = {"TableName": require_table(get.table)}
        body["Key"] = marshal_key(get.key, "TransactGetItems")
        body.update(compile_expressions(projection=get.projection))
        items.append({"Get": body})
    params: Params = {"TransactItems": items}
    if return_consumed_capacity is not None:
        params["ReturnConsumedCapacity"] = return_consumed_capacity
    return Request("TransactGetItems", params)


def _is_conflict(error: Exception) -> bool:
    if isinstance(error, TransactionConflictError):
        return True
    if isinstance(error, TransactionCanceledError):
        codes = {r.code for r in error.failed}
        return bool(codes) and codes <= {"TransactionConflict"}
    return False


def transact_write_flow(
    actions: Sequence[TransactWriteAction],
    *,
    client_request_token: str | None = None,
    backoff: Backoff | None = None,
    return_consumed_capacity: ReturnConsumedCapacity | None = None,
) -> Flow[Response]:
    """Run a transaction, retrying (same token, with backoff) while it only lost conflicts."""
    backoff = backoff or Backoff(max_attempts=3)
    token = client_request_token or str(uuid.uuid4())
    request = transact_write(
        actions, client_request_token=token, return_consumed_capacity=return_consumed_capacity
    )
    attempt = 0
    while True:
        try:
            response: Response = yield request
        except (TransactionCanceledError, TransactionConflictError) as error:
            if not _is_conflict(error) or attempt >= backoff.max_attempts:
                raise
            yield Sleep(backoff.delay(attempt))
            attempt += 1
            continue
        return response
