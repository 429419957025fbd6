"""BatchGetItem and BatchWriteItem as sans-IO flows.

Inputs of any size are chunked to DynamoDB's limits (100 keys per BatchGetItem, 25 writes per
BatchWriteItem); the chunks go out concurrently. Unprocessed keys/items are retried with
exponential backoff and jitter until done; if they are still left after ``backoff.max_attempts``
retries, :class:`IncompleteBatchError` reports exactly what was not done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from dynamodb_tooling._types import Item, Key, Response
from dynamodb_tooling.errors import EndpointConnectionError, IncompleteBatchError, ThrottlingError
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


def _chunks(
    pairs: Sequence[tuple[str, Any]], size: int
) -> Iterator[tuple[dict[str, list[Any]], list[tuple[str, Any]]]]:
    """Chunks of at most ``size`` entries, grouped by table, with the entries they hold."""
    for start in range(0, len(pairs), size):
        entries = list(pairs[start : start + size])
        chunk: dict[str, list[Any]] = {}
        for table, entry in entries:
            chunk.setdefault(table, []).append(entry)
        yield chunk, entries


#: Errors after which a chunk is sent again (with backoff) rather than reported as failed.
RETRYABLE: tuple[type[Exception], ...] = (ThrottlingError, EndpointConnectionError)


@dataclass
class _Round:
    """What one round of concurrent chunks left to retry, and what failed for good."""

    retry: list[tuple[str, Any]] = field(default_factory=list)
    failed: list[tuple[str, Any]] = field(default_factory=list)
    errors: list[Exception] = field(default_factory=list)

    def take(self, result: Response | Exception, entries: list[tuple[str, Any]]) -> bool:
        """Record a failed chunk; ``True`` when ``result`` is a response to read."""
        if not isinstance(result, Exception):
            return True
        (self.retry if isinstance(result, RETRYABLE) else self.failed).extend(entries)
        if not isinstance(result, RETRYABLE):
            self.errors.append(result)
        return False


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
    failed = _Round()
    while pairs:
        chunks = list(_chunks(pairs, MAX_BATCH_GET_KEYS))
        requests = [
            Request(
                "BatchGetItem",
                {"RequestItems": {t: {"Keys": ks, **options[t]} for t, ks in chunk.items()}},
            )
            for chunk, _ in chunks
        ]
        results: list[Response | Exception] = yield Concurrently.of(
            requests, return_exceptions=True
        )
        round_ = _Round()
        for result, (_, entries) in zip(results, chunks, strict=True):
            if not round_.take(result, entries):
                continue
            assert not isinstance(result, Exception)
            for table, items in result.get("Responses", {}).items():
                found.setdefault(table, []).extend(items)
            for table, rest in result.get("UnprocessedKeys", {}).items():
                round_.retry.extend((table, k) for k in rest.get("Keys", ()))
        failed.failed += round_.failed
        failed.errors += round_.errors
        pairs = round_.retry
        if pairs:
            attempt = yield from _wait_or_give_up(
                attempt, backoff, pairs + failed.failed, "Keys", "read", failed.errors
            )
    if failed.failed:
        raise _incomplete(failed.failed, "Keys", "read", failed.errors, attempt)
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
    failed = _Round()
    while pairs:
        chunks = list(_chunks(pairs, MAX_BATCH_WRITE_ITEMS))
        requests = [Request("BatchWriteItem", {"RequestItems": chunk}) for chunk, _ in chunks]
        results: list[Response | Exception] = yield Concurrently.of(
            requests, return_exceptions=True
        )
        round_ = _Round()
        for result, (_, entries) in zip(results, chunks, strict=True):
            if round_.take(result, entries):
                assert not isinstance(result, Exception)
                round_.retry += [
                    (table, write)
                    for table, rest in result.get("UnprocessedItems", {}).items()
                    for write in rest
                ]
        failed.failed += round_.failed
        failed.errors += round_.errors
        pairs = round_.retry
        if on_progress is not None:
            done = total - len(pairs) - len(failed.failed)
            on_progress(BatchProgress(done, total, len(pairs), attempt))
        if pairs:
            attempt = yield from _wait_or_give_up(
                attempt, backoff, pairs + failed.failed, None, "written", failed.errors
            )
    if failed.failed:
        raise _incomplete(failed.failed, None, "written", failed.errors, attempt)
    return total


def _wait_or_give_up(
    attempt: int,
    backoff: Backoff,
    pending: list[tuple[str, Any]],
    wrap: str | None,
    verb: str,
    errors: list[Exception],
) -> Flow[int]:
    if attempt >= backoff.max_attempts:
        raise _incomplete(pending, wrap, verb, errors, attempt)
    yield Sleep(backoff.delay(attempt))
    return attempt + 1


def _incomplete(
    pending: list[tuple[str, Any]],
    wrap: str | None,
    verb: str,
    errors: list[Exception],
    attempt: int,
) -> IncompleteBatchError:
    unprocessed: dict[str, Any] = {}
    for table, entry in pending:
        if wrap:
            unprocessed.setdefault(table, {wrap: []})[wrap].append(entry)
        else:
            unprocessed.setdefault(table, []).append(entry)
    cause = (
        f"; errors: {'; '.join(str(e) for e in errors)}" if errors else " (the table is throttled)"
    )
    return IncompleteBatchError(
        f"{len(pending)} batch entries were not {verb} after {attempt} retries{cause}; they "
        "are in .unprocessed (everything else succeeded) — retry them later",
        unprocessed=unprocessed,
        errors=errors,
    )
