"""Which items a test wrote: a driver wrapper that notes the key of every write to one table.

The app-table fixtures (:mod:`dynamodb_tooling.testing.app_table`) delete exactly these keys
after each test instead of scanning the table. The wrapper sits on the driver, so it sees
writes from any thread (a web framework's test client, a worker pool), not only the test's
own context; only writes that succeeded are noted (a refused conditional write wrote
nothing, and its key may belong to data another fixture keeps). A PartiQL statement cannot
be read for keys: it marks the table for a full truncate instead.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any

from dynamodb_tooling._types import Response
from dynamodb_tooling.drivers.base import Driver
from dynamodb_tooling.errors import EndpointConnectionError, ServerError, WriteOutcomeUnknownError
from dynamodb_tooling.requests import Request

__all__ = ["WriteTracker", "written_keys"]

#: A marshalled key made hashable: ``(("pk", "S", "USER#1"), ("sk", "S", "USER#1"))``.
KeyId = tuple[tuple[str, str, str], ...]

_PARTIQL = frozenset({"ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"})
#: Errors after which a write may have been applied (any other error: nothing was written).
_MAYBE_WRITTEN = (EndpointConnectionError, ServerError, WriteOutcomeUnknownError)


def _maybe_written(error: Exception) -> bool:
    """Whether a failed write may have been applied (an unknown outcome, or a refusal that
    followed an attempt with an unknown outcome)."""
    return isinstance(error, _MAYBE_WRITTEN) or bool(getattr(error, "after_unknown_outcome", False))


def written_keys(request: Request, table: str, key_names: tuple[str, ...]) -> list[KeyId]:
    """The keys of ``table`` that ``request`` puts, updates or deletes (wire format)."""
    params = request.params
    operation = request.operation
    if operation == "PutItem" and params.get("TableName") == table:
        return [_key_id(params.get("Item") or {}, key_names)]
    if operation in ("UpdateItem", "DeleteItem") and params.get("TableName") == table:
        return [_key_id(params.get("Key") or {}, key_names)]
    if operation == "BatchWriteItem":
        return [_batch_key(write, key_names) for write in params["RequestItems"].get(table, ())]
    if operation == "TransactWriteItems":
        found = []
        for action in params.get("TransactItems") or ():
            for kind, body in action.items():
                if kind != "ConditionCheck" and body.get("TableName") == table:
                    found.append(_key_id(body.get("Item") or body.get("Key") or {}, key_names))
        return found
    return []


def _batch_key(write: Mapping[str, Any], key_names: tuple[str, ...]) -> KeyId:
    if "PutRequest" in write:
        return _key_id(write["PutRequest"]["Item"], key_names)
    return _key_id(write["DeleteRequest"]["Key"], key_names)


def _key_id(item: Mapping[str, Any], key_names: tuple[str, ...]) -> KeyId:
    parts = []
    for name in key_names:
        ((kind, value),) = dict(item[name]).items()
        parts.append((name, str(kind), str(value)))
    return tuple(parts)


def key_of(key_id: KeyId) -> dict[str, Any]:
    """The wire key (``{"pk": {"S": "USER#1"}, ...}``) of a noted key."""
    return {name: {kind: value} for name, kind, value in key_id}


class WriteTracker:
    """Notes the keys written to ``table``; ``take()`` hands them over and starts afresh.

    ``paused`` (a counter, see ``untracked``) stops noting: writes then stay in the table.
    """

    def __init__(self, table: str, key_names: Iterable[str]) -> None:
        self.table = table
        self.key_names = tuple(key_names)
        self.paused = 0
        self._lock = threading.Lock()
        self._keys: set[KeyId] = set()
        self._unreadable = False

    def note(self, request: Request) -> None:
        if self.paused:
            return
        if request.operation in _PARTIQL:
            statement = str(request.params)
            if self.table in statement:
                with self._lock:
                    self._unreadable = True
            return
        found = written_keys(request, self.table, self.key_names)
        if found:
            with self._lock:
                self._keys.update(found)

    def take(self) -> tuple[set[KeyId], bool]:
        """The keys noted since the last ``take`` and whether a write could not be read
        (then only a truncate removes everything)."""
        with self._lock:
            keys, unreadable = self._keys, self._unreadable
            self._keys, self._unreadable = set(), False
        return keys, unreadable

    def wrap(self, driver: Driver) -> Driver:
        """``driver`` with its ``execute``/``aexecute`` noting writes (on this instance only:
        the driver's ``run``/``arun`` send every flow step through them). A wrapper that
        forwards to an ``inner`` driver (the async face) gets its inner driver tracked."""
        inner = getattr(driver, "inner", None)
        target: Driver = inner if inner is not None else driver
        execute, aexecute = target.execute, target.aexecute

        def tracked_execute(request: Request) -> Response:
            try:
                response = execute(request)
            except Exception as error:
                if _maybe_written(error):
                    self.note(request)  # it may have been applied: clean it up anyway
                raise
            self.note(request)
            return response

        async def tracked_aexecute(request: Request) -> Response:
            try:
                response = await aexecute(request)
            except Exception as error:
                if _maybe_written(error):
                    self.note(request)
                raise
            self.note(request)
            return response

        target.execute = tracked_execute  # type: ignore[method-assign]
        target.aexecute = tracked_aexecute  # type: ignore[method-assign]
        return driver
