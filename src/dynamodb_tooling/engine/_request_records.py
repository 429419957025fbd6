"""Reading the engine's request log (written by :mod:`dynamodb_tooling.engine._request_log`,
whose module doc describes a line): records, filters, the tail and a follower for ``-f``.

Reading needs no server and imports neither moto nor werkzeug.
"""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any


def json_object(payload: str | bytes) -> dict[str, Any]:
    """``payload`` parsed as a JSON object; ``{}`` when it is not one."""
    try:
        parsed = json.loads(payload)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


@dataclass(frozen=True)
class RequestRecord:
    """One line of the request log."""

    time: str
    operation: str
    status: int
    table: str | None = None
    index: str | None = None
    error: str | None = None
    message: str | None = None
    ms: float | None = None
    capacity: float | None = None
    #: The line as written (``dbtooling logs --json`` prints it unchanged).
    raw: str = ""

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(self.table.split(",")) if self.table else ()

    @classmethod
    def parse(cls, line: str) -> RequestRecord | None:
        """The record of a log line; ``None`` for a line that is not one (cut short, foreign)."""
        data = json_object(line)
        if not isinstance(data.get("operation"), str) or not isinstance(data.get("status"), int):
            return None
        return cls(
            time=str(data.get("time", "")),
            operation=data["operation"],
            status=data["status"],
            table=_text(data.get("table")),
            index=_text(data.get("index")),
            error=_text(data.get("error")),
            message=_text(data.get("message")),
            ms=_number(data.get("ms")),
            capacity=_number(data.get("capacity")),
            raw=line.rstrip("\r\n"),
        )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


@dataclass(frozen=True)
class RequestFilter:
    """Which records to show: of one table, of one operation, errors only (all optional)."""

    table: str | None = None
    operation: str | None = None
    errors: bool = False

    def matches(self, record: RequestRecord) -> bool:
        if self.table is not None and self.table not in record.tables:
            return False
        if self.operation is not None and record.operation.lower() != self.operation.lower():
            return False
        return not self.errors or record.status >= 400


def parse_lines(lines: Iterable[str], only: RequestFilter | None = None) -> Iterator[RequestRecord]:
    """The records among ``lines`` that ``only`` matches (unreadable lines skipped)."""
    for line in lines:
        record = RequestRecord.parse(line)
        if record is not None and (only is None or only.matches(record)):
            yield record


def read_request_log(
    path: str | Path, lines: int = 50, only: RequestFilter | None = None
) -> list[RequestRecord]:
    """The last ``lines`` records of the log at ``path`` that ``only`` matches."""
    if lines <= 0:
        return []
    try:
        with Path(path).open(encoding="utf-8", errors="replace") as handle:
            if only is not None and only != RequestFilter():
                return list(deque(parse_lines(handle, only), maxlen=lines))
            # Unfiltered: only the last lines are parsed (the log grows to 32 MiB); more of
            # them when some are not records (a line cut short).
            window = lines
            while True:
                tail = deque(handle, maxlen=window)
                records = list(parse_lines(tail))
                if len(records) >= lines or len(tail) < window:
                    return records[-lines:]
                window *= 4
                handle.seek(0)
    except FileNotFoundError:
        return []


class RequestLogFollower:
    """Reads the records appended to a request log since the last call, across rotations."""

    def __init__(self, path: str | Path, only: RequestFilter | None = None) -> None:
        self.path = Path(path)
        self.only = only
        self._handle: IO[bytes] | None = None
        self._partial = b""

    def start_at_end(self) -> None:
        """Skip what the log holds now (call :func:`read_request_log` for the tail first)."""
        if self._open():
            assert self._handle is not None
            self._handle.seek(0, os.SEEK_END)

    def poll(self) -> list[RequestRecord]:
        """The matching records written since the previous poll."""
        if self._handle is None and not self._open():
            return []
        found = self._read()
        if self._replaced():
            self.close()
            if self._open():
                found += self._read()
        return found

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        self._partial = b""

    def _open(self) -> bool:
        try:
            self._handle = self.path.open("rb")
        except FileNotFoundError:
            return False
        return True

    def _read(self) -> list[RequestRecord]:
        assert self._handle is not None
        data = self._partial + self._handle.read()
        complete, _, self._partial = data.rpartition(b"\n")
        if not complete:
            return []
        lines = complete.decode("utf-8", errors="replace").split("\n")
        return list(parse_lines(lines, self.only))

    def _replaced(self) -> bool:
        """The path now names another file (rotated), or a new server truncated it."""
        assert self._handle is not None
        try:
            current = self.path.stat()
        except FileNotFoundError:
            return False
        mine = os.fstat(self._handle.fileno())
        return current.st_ino != mine.st_ino or current.st_size < self._handle.tell()
