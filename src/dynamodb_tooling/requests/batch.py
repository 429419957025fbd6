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
from dynamodb_tooling.errors import (
    ConnectionLostError,
    EndpointConnectionError,
    IncompleteBatchError,
    ServerError,
    ThrottlingError,
    WriteOutcomeUnknownError,
)
from dynamodb_tooling.expressions import Projection, compile_expressions
from dynamodb_tooling.marshal import marshall_item, unmarshall_item
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


#: Errors after which a chunk is sent again (with backoff) rather than reported as failed:
#: throttling and lost connections, and HTTP 5xx (a batch's puts and deletes are idempotent).
RETRYABLE: tuple[type[Exception], ...] = (
    ThrottlingError,
    EndpointConnectionError,
    ServerError,
    WriteOutcomeUnknownError,
)
#: Of those, the errors after which the chunk may have been applied.
MAYBE_APPLIED: tuple[type[Exception], ...] = (
    ConnectionLostError,
    ServerError,
    WriteOutcomeUnknownError,
)


@dataclass
class _Round:
    """What one round of concurrent chunks left to retry, and what failed for good."""

    retry: list[tuple[str, Any]] = field(default_factory=list)
    failed: list[tuple[str, Any]] = field(default_factory=list)
    errors: list[Exception] = field(default_factory=list)
    maybe_applied: list[tuple[str, Any]] = field(default_factory=list)

    def take(self, result: Response | Exception, entries: list[tuple[str, Any]]) -> bool:
        """Record a failed chunk; ``True`` when ``result`` is a response to read."""
        if not isinstance(result, Exception):
            return True
        (self.retry if isinstance(result, RETRYABLE) else self.failed).extend(entries)
        if isinstance(result, MAYBE_APPLIED):
            self.maybe_applied.extend(entries)
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
    number of writes done. Chunks of 25 go out concurrently.

    Throttled, unprocessed and failed-with-5xx chunks are retried. Before giving up, writes
    whose chunk may have been applied (an HTTP 5xx or a lost connection) are checked with a
    consistent read, so :class:`IncompleteBatchError` lists exactly the writes that are missing.
    """
    backoff = backoff or Backoff()
    pairs = [(require_table(t), w) for t, table_writes in writes.items() for w in table_writes]
    total = len(pairs)
    attempt = 0
    failed = _Round()
    maybe_applied: list[tuple[str, Any]] = []
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
        maybe_applied += round_.maybe_applied
        pairs = round_.retry
        if on_progress is not None:
            done = total - len(pairs) - len(failed.failed)
            on_progress(BatchProgress(done, total, len(pairs), attempt))
        if pairs and attempt < backoff.max_attempts:
            yield Sleep(backoff.delay(attempt))
            attempt += 1
            continue
        if pairs or failed.failed:
            missing = yield from _still_missing(pairs + failed.failed, maybe_applied)
            if missing:
                raise _incomplete(missing, None, "written", failed.errors, attempt)
        return total
    return total


def _fingerprint(entry: tuple[str, Any]) -> tuple[str, str]:
    """A write's identity across rounds (``UnprocessedItems`` come back as new objects)."""

    def canonical(value: Any) -> Any:
        if isinstance(value, dict):
            return tuple(sorted((k, canonical(v)) for k, v in value.items()))
        if isinstance(value, list):
            return tuple(canonical(v) for v in value)
        return value

    return entry[0], repr(canonical(entry[1]))


def _still_missing(
    pending: list[tuple[str, Any]], maybe_applied: list[tuple[str, Any]]
) -> Flow[list[tuple[str, Any]]]:
    """The ``pending`` writes that are really not in the table: those whose chunk may have been
    applied are checked with a consistent BatchGetItem (keys from DescribeTable)."""
    doubtful = {_fingerprint(entry) for entry in maybe_applied}
    suspects = [entry for entry in pending if _fingerprint(entry) in doubtful]
    if not suspects:
        return pending
    tables = sorted({table for table, _ in suspects})
    described: list[Response] = yield Concurrently.of(
        [Request("DescribeTable", {"TableName": t}) for t in tables]
    )
    key_names = {
        t: [k["AttributeName"] for k in d["Table"]["KeySchema"]]
        for t, d in zip(tables, described, strict=True)
    }

    def key_of(table: str, write: WriteRequest) -> Key:
        body = (
            write["PutRequest"]["Item"] if "PutRequest" in write else write["DeleteRequest"]["Key"]
        )
        return {name: body[name] for name in key_names[table]}

    wanted: dict[str, list[Key]] = {}
    for table, write in suspects:
        wanted.setdefault(table, []).append(key_of(table, write))
    found = yield from _batch_get_wire(wanted)
    stored = {
        (table, _identity({n: item[n] for n in key_names[table]})): item
        for table, items in found.items()
        for item in items
    }
    missing = [entry for entry in pending if _fingerprint(entry) not in doubtful]
    for table, write in suspects:
        current = stored.get((table, _identity(key_of(table, write))))
        if "PutRequest" in write:
            wrote = unmarshall_item(write["PutRequest"]["Item"])
            if current is None or unmarshall_item(current) != wrote:
                missing.append((table, write))
        elif current is not None:
            missing.append((table, write))
    return missing


def _batch_get_wire(keys: Mapping[str, Sequence[Key]]) -> Flow[dict[str, list[Item]]]:
    """Consistent BatchGetItem of marshalled keys (the check after an unknown outcome)."""
    pairs = [(table, key) for table, table_keys in keys.items() for key in table_keys]
    found: dict[str, list[Item]] = {}
    while pairs:
        chunks = list(_chunks(pairs, MAX_BATCH_GET_KEYS))
        requests = [
            Request(
                "BatchGetItem",
                {"RequestItems": {t: {"Keys": ks, "ConsistentRead": True} for t, ks in c.items()}},
            )
            for c, _ in chunks
        ]
        responses: list[Response] = yield Concurrently.of(requests)
        pairs = []
        for response in responses:
            for table, items in response.get("Responses", {}).items():
                found.setdefault(table, []).extend(items)
            for table, rest in response.get("UnprocessedKeys", {}).items():
                pairs += [(table, k) for k in rest.get("Keys", ())]
    return found


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
