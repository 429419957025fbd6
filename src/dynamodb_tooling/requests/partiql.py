"""PartiQL: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction.

Parameters are Python values bound to ``?`` placeholders in order (never interpolated into the
statement text), so values cannot inject PartiQL.

>>> execute_statement('SELECT * FROM "MainTable" WHERE pk = ?', ["USER#1"]).params["Parameters"]
[{'S': 'USER#1'}]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dynamodb_tooling._types import Params, ReturnConsumedCapacity
from dynamodb_tooling.errors import RequestValidationError
from dynamodb_tooling.marshal import marshall
from dynamodb_tooling.requests._request import Request
from dynamodb_tooling.requests._validate import (
    MAX_BATCH_STATEMENTS,
    MAX_TRANSACTION_ITEMS,
    check_count,
    check_positive,
)

_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"")


@dataclass(frozen=True)
class Statement:
    """One PartiQL statement with its ``?`` parameters (Python values)."""

    statement: str
    parameters: Sequence[Any] = field(default_factory=tuple)

    def compile(self) -> Params:
        if not self.statement.strip():
            raise RequestValidationError("a PartiQL statement cannot be empty")
        placeholders = _QUOTED.sub("", self.statement).count("?")
        if placeholders != len(self.parameters):
            raise RequestValidationError(
                f"the statement has {placeholders} '?' placeholders but {len(self.parameters)} "
                f"parameters were given: {self.statement!r}"
            )
        params: Params = {"Statement": self.statement}
        if self.parameters:
            params["Parameters"] = [marshall(p) for p in self.parameters]
        return params


def execute_statement(
    statement: str,
    parameters: Sequence[Any] = (),
    *,
    consistent_read: bool = False,
    limit: int | None = None,
    next_token: str | None = None,
    return_consumed_capacity: ReturnConsumedCapacity | None = None,
) -> Request:
    """One page of a PartiQL statement (follow ``NextToken`` with ``pagination.all_pages``)."""
    check_positive(limit, "limit")
    params = Statement(statement, parameters).compile()
    if consistent_read:
        params["ConsistentRead"] = True
    if limit is not None:
        params["Limit"] = limit
    if next_token is not None:
        params["NextToken"] = next_token
    if return_consumed_capacity is not None:
        params["ReturnConsumedCapacity"] = return_consumed_capacity
    return Request("ExecuteStatement", params, idempotent=_reads_only([statement]))


def batch_execute_statement(
    statements: Sequence[Statement],
    *,
    return_consumed_capacity: ReturnConsumedCapacity | None = None,
) -> Request:
    """Up to 25 independent statements (all reads or all writes); each may fail on its own."""
    check_count(statements, MAX_BATCH_STATEMENTS, "a PartiQL batch", "split it into batches")
    params: Params = {"Statements": [s.compile() for s in statements]}
    if return_consumed_capacity is not None:
        params["ReturnConsumedCapacity"] = return_consumed_capacity
    return Request(
        "BatchExecuteStatement", params, idempotent=_reads_only(s.statement for s in statements)
    )


def execute_transaction(
    statements: Sequence[Statement],
    *,
    client_request_token: str | None = None,
    return_consumed_capacity: ReturnConsumedCapacity | None = None,
) -> Request:
    """Up to 100 statements that succeed or fail together."""
    check_count(
        statements, MAX_TRANSACTION_ITEMS, "a PartiQL transaction", "split it into smaller units"
    )
    params: Params = {"TransactStatements": [s.compile() for s in statements]}
    if client_request_token is not None:
        params["ClientRequestToken"] = client_request_token
    if return_consumed_capacity is not None:
        params["ReturnConsumedCapacity"] = return_consumed_capacity
    safe = client_request_token is not None or _reads_only(s.statement for s in statements)
    return Request("ExecuteTransaction", params, idempotent=safe)


def _reads_only(statements: Iterable[str]) -> bool:
    """Whether every statement is a SELECT (a PartiQL write such as ``SET a = a + 1`` may not be
    sent twice, so only reads count as idempotent)."""
    return all(s.lstrip().upper().startswith("SELECT") for s in statements)
