"""The engine's request log: one JSON line per request, written by a WSGI middleware.

:mod:`dynamodb_tooling.engine._request_records` reads it back, and ``dbtooling logs`` shows
operation, table and status per request from it rather than bare HTTP lines. A line::

    {"time":"2026-11-29T23:01:02.345Z","operation":"PutItem","table":"users","status":200,"ms":1.42}

Keys: ``time`` (UTC, when the request arrived), ``operation`` (from ``X-Amz-Target``; other
requests, such as ``POST /moto-api/reset``, are named by method and path), ``table`` (the
``TableName``, or the table names of a batch or transaction joined with ``,``), ``index``
(``IndexName``), ``status`` (HTTP), ``error`` and ``message`` (the DynamoDB error type, e.g.
``ResourceNotFoundException``, and its message), ``ms`` (time in the engine, waiting for the
engine lock included) and ``capacity`` (total ``CapacityUnits`` of the ``ConsumedCapacity``
answered, when the request asked for it). Keys without a value are left out.

Cheap on the hot path: the request body is not parsed; ``TableName`` and ``IndexName`` are found
with one regular expression each (JSON escapes every quote inside a string, so an attribute
value cannot fake them). Only batch requests (their tables are the keys of ``RequestItems``),
error answers and answers carrying consumed capacity are parsed as JSON.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from dynamodb_tooling.engine._request_records import json_object
from dynamodb_tooling.engine._serialized import WsgiApp, buffer_body

_TARGET_PREFIX = "DynamoDB_20120810."
_TABLE_NAME = re.compile(rb'"TableName"\s*:\s*"([^"\\]*)"')
_INDEX_NAME = re.compile(rb'"IndexName"\s*:\s*"([^"\\]*)"')
_WANTS_CAPACITY = re.compile(rb'"ReturnConsumedCapacity"\s*:\s*"(?:TOTAL|INDEXES)"')
_BATCH_OPERATIONS = frozenset({"BatchGetItem", "BatchWriteItem"})
_ENCODE = json.JSONEncoder(separators=(",", ":")).encode
#: The log is rotated (to ``<name>.1``) when it grows past this many bytes.
MAX_LOG_BYTES = 32 * 1024 * 1024


class RequestLogWriter:
    """Appends JSON lines to ``path`` (one ``write`` call each, so lines never interleave)."""

    def __init__(self, path: str | Path, max_bytes: int = MAX_LOG_BYTES) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._fd = self._open()
        self._size = os.fstat(self._fd).st_size

    def _open(self) -> int:
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
        return os.open(self.path, flags, 0o644)

    def write(self, record: dict[str, Any]) -> None:
        """Append one record as a line; rotates the file when it grew past ``max_bytes``."""
        line = (_ENCODE(record) + "\n").encode()
        with self._lock:
            os.write(self._fd, line)
            self._size += len(line)
            if self._size > self.max_bytes:
                self._rotate()

    def _rotate(self) -> None:
        os.close(self._fd)
        os.replace(self.path, self.path.with_name(self.path.name + ".1"))
        self._fd = self._open()
        self._size = 0

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1


class RequestLogApp:
    """WSGI middleware: run ``app``, then log the request (see the module doc)."""

    def __init__(self, app: WsgiApp, writer: RequestLogWriter) -> None:
        self.app = app
        self.writer = writer

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        arrived = time.time()
        started = time.perf_counter()
        body = buffer_body(environ)
        status: list[str] = []

        def capture(status_line: str, headers: Any, exc_info: Any = None) -> Any:
            status[:] = [status_line]
            return start_response(status_line, headers, exc_info)

        answer = self.app(environ, capture)
        chunks = answer if isinstance(answer, list) else list(answer)
        elapsed = time.perf_counter() - started
        self.writer.write(
            _record(environ, body, status[0] if status else "", chunks, arrived, elapsed)
        )
        return chunks

    def close(self) -> None:
        """Close the log file (the engine stopped)."""
        self.writer.close()


def _record(
    environ: dict[str, Any],
    body: bytes,
    status_line: str,
    chunks: list[bytes],
    arrived: float,
    elapsed: float,
) -> dict[str, Any]:
    target: str = environ.get("HTTP_X_AMZ_TARGET", "")
    operation = target.rpartition(".")[2] if target.startswith(_TARGET_PREFIX) else target
    if not operation:
        operation = f"{environ.get('REQUEST_METHOD', '?')} {environ.get('PATH_INFO', '/')}"
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(arrived))
    millis = int(arrived % 1 * 1000)
    record: dict[str, Any] = {"time": f"{stamp}.{millis:03d}Z", "operation": operation}
    tables = _tables(operation, body)
    if tables:
        record["table"] = tables
    index = _INDEX_NAME.search(body)
    if index is not None:
        record["index"] = index.group(1).decode(errors="replace")
    code = int(status_line[:3]) if status_line[:3].isdigit() else 0
    record["status"] = code
    if code >= 400:
        record.update(_error(b"".join(chunks)))
    record["ms"] = round(elapsed * 1000, 2)
    if code < 300 and _WANTS_CAPACITY.search(body):
        capacity = _capacity(b"".join(chunks))
        if capacity is not None:
            record["capacity"] = capacity
    return record


def _tables(operation: str, body: bytes) -> str:
    if operation in _BATCH_OPERATIONS:
        try:
            items = json.loads(body).get("RequestItems")
        except (ValueError, AttributeError):
            items = None
        return ",".join(items) if isinstance(items, dict) else ""
    names = dict.fromkeys(m.decode(errors="replace") for m in _TABLE_NAME.findall(body))
    return ",".join(names)


def _json(payload: bytes) -> dict[str, Any]:
    return json_object(payload)


def _error(payload: bytes) -> dict[str, str]:
    answer = _json(payload)
    kind = answer.get("__type")
    found: dict[str, str] = {}
    if isinstance(kind, str) and kind:
        found["error"] = kind.rpartition("#")[2]
    message = answer.get("message", answer.get("Message"))
    if isinstance(message, str) and message:
        found["message"] = message
    return found


def _capacity(payload: bytes) -> float | None:
    consumed = _json(payload).get("ConsumedCapacity")
    entries = consumed if isinstance(consumed, list) else [consumed]
    units = [e["CapacityUnits"] for e in entries if isinstance(e, dict) and "CapacityUnits" in e]
    numbers = [float(u) for u in units if isinstance(u, (int, float))]
    return round(sum(numbers), 4) if numbers else None
