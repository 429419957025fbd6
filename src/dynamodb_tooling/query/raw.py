"""Raw access: DynamoDB requests exactly as given (wire parameters in, wire responses out).

The escape hatch for what the builder does not express. ``partiql`` binds Python values to
``?`` placeholders and returns the items as Python values.

>>> raw_query({"TableName": "MainTable", "KeyConditionExpression": "pk = :p",
...            "ExpressionAttributeValues": {":p": {"S": "USER#1"}}})      # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dynamodb_tooling._types import Response
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.query.executor import Executor, default_executor
from dynamodb_tooling.requests import Operation, Request
from dynamodb_tooling.requests.pagination import all_pages
from dynamodb_tooling.requests.partiql import execute_statement


def _send(operation: Operation, params: Mapping[str, Any], client: Executor | None) -> Response:
    return (client or default_executor()).execute(Request(operation, dict(params)))


def raw_query(params: Mapping[str, Any], *, client: Executor | None = None) -> Response:
    """One Query page with these exact parameters."""
    return _send("Query", params, client)


def raw_scan(params: Mapping[str, Any], *, client: Executor | None = None) -> Response:
    return _send("Scan", params, client)


def raw_get(params: Mapping[str, Any], *, client: Executor | None = None) -> Response:
    return _send("GetItem", params, client)


def raw_put(params: Mapping[str, Any], *, client: Executor | None = None) -> Response:
    return _send("PutItem", params, client)


def raw_update(params: Mapping[str, Any], *, client: Executor | None = None) -> Response:
    return _send("UpdateItem", params, client)


def raw_delete(params: Mapping[str, Any], *, client: Executor | None = None) -> Response:
    return _send("DeleteItem", params, client)


def raw_batch_get(params: Mapping[str, Any], *, client: Executor | None = None) -> Response:
    """One BatchGetItem as given (``UnprocessedKeys`` are returned, not retried)."""
    return _send("BatchGetItem", params, client)


def raw_batch_write(params: Mapping[str, Any], *, client: Executor | None = None) -> Response:
    """One BatchWriteItem as given (``UnprocessedItems`` are returned, not retried)."""
    return _send("BatchWriteItem", params, client)


def raw_transact_write(params: Mapping[str, Any], *, client: Executor | None = None) -> Response:
    return _send("TransactWriteItems", params, client)


def partiql(
    statement: str,
    parameters: Sequence[Any] = (),
    *,
    consistent_read: bool = False,
    client: Executor | None = None,
) -> list[dict[str, Any]]:
    """Run a PartiQL statement (following every page) and return its items as Python values."""
    request = execute_statement(statement, parameters, consistent_read=consistent_read)
    pages = (client or default_executor()).run(all_pages(request))
    return [unmarshall_item(item) for item in pages.items]


# Async twins: the same requests on the client's async face.
async def _asend(
    operation: Operation, params: Mapping[str, Any], client: Executor | None
) -> Response:
    return await (client or default_executor()).aexecute(Request(operation, dict(params)))


async def araw_query(params: Mapping[str, Any], *, client: Executor | None = None) -> Response:
    return await _asend("Query", params, client)


async def araw_scan(params: Mapping[str, Any], *, client: Executor | None = None) -> Response:
    return await _asend("Scan", params, client)


async def araw_get(params: Mapping[str, Any], *, client: Executor | None = None) -> Response:
    return await _asend("GetItem", params, client)


async def araw_put(params: Mapping[str, Any], *, client: Executor | None = None) -> Response:
    return await _asend("PutItem", params, client)


async def araw_update(params: Mapping[str, Any], *, client: Executor | None = None) -> Response:
    return await _asend("UpdateItem", params, client)


async def araw_delete(params: Mapping[str, Any], *, client: Executor | None = None) -> Response:
    return await _asend("DeleteItem", params, client)


async def araw_batch_get(params: Mapping[str, Any], *, client: Executor | None = None) -> Response:
    return await _asend("BatchGetItem", params, client)


async def araw_batch_write(
    params: Mapping[str, Any], *, client: Executor | None = None
) -> Response:
    return await _asend("BatchWriteItem", params, client)


async def araw_transact_write(
    params: Mapping[str, Any], *, client: Executor | None = None
) -> Response:
    return await _asend("TransactWriteItems", params, client)


async def apartiql(
    statement: str,
    parameters: Sequence[Any] = (),
    *,
    consistent_read: bool = False,
    client: Executor | None = None,
) -> list[dict[str, Any]]:
    """The async twin of :func:`partiql`."""
    request = execute_statement(statement, parameters, consistent_read=consistent_read)
    pages = await (client or default_executor()).arun(all_pages(request))
    return [unmarshall_item(item) for item in pages.items]
