"""BatchGetItem and BatchWriteItem as sans-IO flows.

Inputs of any size are chunked to DynamoDB's limits (100 keys per BatchGetItem, 25 writes per
BatchWriteItem); the chunks go out concurrently. Unprocessed keys/items are retried with
exponential backoff and jitter until done; if they are still left after ``backoff.max_attempts``
retries, :class:`IncompleteBatchError` reports exactly what was not done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from dynamodb_tooling._types import Item, Key, Response
from dynamodb_tooling.errors import IncompleteBatchError
from dynamodb_tooling.expressions import Projection, compile_expressions
from dynamodb_tooling.marshal import marshall_item
from dynamodb_tooling.requests._common import marshal_key
from dynamodb_tooling.requests._flow import Backoff, Concurrently, Flow, Sleep
from dynamodb_tooling.requests._request import Request
from dynamodb_tooling.requests._validate import (
    MAX_BATCH_GET_KEYS,
    MAX_BATCH_WRITE_ITEMS,
    check_item_size,
    require_table,
)

#: Wire shape of one write: ``{"PutRequest": {"Item": ...}}`` or
#: ``{"DeleteRequest": {"Key": ...}}``.
WriteRequest: TypeAlias = dict[str, dict[str, Item]]


def put(item: Mapping[str, Any]) -> WriteRequest:
    """A batch put of ``item`` (Python values)."""
    return {"PutRequest": {"Item": check_item_size(marshall_item(item))}}


def delete(key: Mapping[str, Any]) -> WriteRequest:
    """A batch delete of the item at ``key`` (Python values)."""
    return {"DeleteRequest": {"Key": marshal_key(key, "BatchWriteItem delete")}}


@dataclass(frozen=True)
class BatchProgress:
    """Reported after every round: ``done`` of ``total`` processed, ``pending`` to retry."""

    done: int
    total: int
    pending: int
    attempt: int


ProgressCallback: TypeAlias = Callable[[BatchProgress], None]


def _identity(key: Key) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((name, repr(value)) for name, value in key.items()))


def _chunks(pairs: Sequence[tuple[str, Any]], size: int) -> Iterator[dict[str, list[Any]]]:
    for start in range(0, len(pairs), size):
        chunk: dict[str, list[Any]] = {}
        for table, entry in pairs[start : start + size]:
            chunk.setdefault(table, []).append(entry)
        yield chunk


def batch_get(
    keys: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    consistent_read: bool = False,
    projection: Mapping[str, Projection | Sequence[str]] | None = None,
    backoff: Backoff | None = None,
) -> Flow[dict[str, list[Item]]]:
    """Fetch every key of every table; returns ``{table: [item, ...]}`` (found items only,
    in no particular order). Repeated keys are fetched once (DynamoDB rejects duplicates)."""
    backoff = backoff or Backoff()
    options = {t: _get_options(t, consistent_read, projection) for t in keys}
    pairs: list[tuple[str, Key]] = []
    for table, table_keys in keys.items():
        seen: set[tuple[tuple[str, str], ...]] = set()
        for key in table_keys:
            marshalled = marshal_key(key, "BatchGetItem")
            if _identity(marshalled) not in seen:
                seen.add(_identity(marshalled))
                pairs.append((require_table(table), marshalled))
    found: dict[str, list[Item]] = {table: [] for table in keys}
    attempt = 0
    while pairs:
        requests = [
            Request(
                "BatchGetItem",
                {"RequestItems": {t: {"Keys": ks, **options[t]} for t, ks in chunk.items()}},
            )
            for chunk in _chunks(pairs, MAX_BATCH_GET_KEYS)
        ]
        responses: list[Response] = yield Concurrently.of(requests)
        pairs = []
        for response in responses:
            for table, items in response.get("Responses", {}).items():
                found.setdefault(table, []).extend(items)
            for table, rest in response.get("UnprocessedKeys", {}).items():
                pairs.extend((table, k) for k in rest.get("Keys", ()))
        if pairs:
            attempt = yield from _wait_or_give_up(attempt, backoff, pairs, "Keys", "read")
    return found


def _get_options(
    table: str,
    consistent_read: bool,
    projection: Mapping[str, Projection | Sequence[str]] | None,
) -> dict[str, Any]:
    options: dict[str, Any] = {"ConsistentRead": True} if consistent_read else {}
    if projection and table in projection:
        options.update(compile_expressions(projection=projection[table]))
    return options


def batch_write(
    writes: Mapping[str, Sequence[WriteRequest]],
    *,
    on_progress: ProgressCallback | None = None,
    backoff: Backoff | None = None,
) -> Flow[int]:
    """Apply every put/delete (built with :func:`put` / :func:`delete`) per table; returns the
    number of writes done. Chunks of 25 go out concurrently."""
    backoff = backoff or Backoff()
    pairs = [(require_table(t), w) for t, table_writes in writes.items() for w in table_writes]
    total = len(pairs)
    attempt = 0
    while pairs:
        requests = [
            Request("BatchWriteItem", {"RequestItems": chunk})
            for chunk in _chunks(pairs, MAX_BATCH_WRITE_ITEMS)
        ]
        responses: list[Response] = yield Concurrently.of(requests)
        pairs = [
            (table, write)
            for response in responses
            for table, rest in response.get("UnprocessedItems", {}).items()
            for write in rest
        ]
        if on_progress is not None:
            on_progress(BatchProgress(total - len(pairs), total, len(pairs), attempt))
        if pairs:
            attempt = yield from _wait_or_give_up(attempt, backoff, pairs, None, "written")
    return total


def _wait_or_give_up(
    attempt: int,
    backoff: Backoff,
    pending: list[tuple[str, Any]],
    wrap: str | None,
    verb: str,
) -> Flow[int]:
    if attempt >= backoff.max_attempts:
        unprocessed: dict[str, Any] = {}
        for table, entry in pending:
            if wrap:
                unprocessed.setdefault(table, {wrap: []})[wrap].append(entry)
            else:
                unprocessed.setdefault(table, []).append(entry)
        raise IncompleteBatchError(
            f"{len(pending)} batch entries were not {verb} after {attempt} retries (the table "
            "is throttled); they are in .unprocessed — retry later or raise capacity",
            unprocessed=unprocessed,
        )
    yield Sleep(backoff.delay(attempt))
    return attempt + 1
