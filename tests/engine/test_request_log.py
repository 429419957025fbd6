"""The request log: the middleware's records (without moto), the writer, reading and following."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from dynamodb_tooling.engine import (
    RequestFilter,
    RequestLogFollower,
    RequestRecord,
    read_request_log,
)
from dynamodb_tooling.engine._request_log import RequestLogApp, RequestLogWriter
from dynamodb_tooling.engine._request_records import parse_lines
from dynamodb_tooling.engine._serialized import SerializedApp

TARGET = "DynamoDB_20120810."


class AnsweringApp:
    """A WSGI app answering ``status`` with ``answer`` (JSON) and keeping the bodies it read."""

    def __init__(self, status: str = "200 OK", answer: dict[str, Any] | None = None) -> None:
        self.status = status
        self.answer = answer or {}
        self.bodies: list[bytes] = []

    def __call__(self, environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
        self.bodies.append(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
        start(self.status, [("Content-Type", "application/x-amz-json-1.0")])
        return iter([json.dumps(self.answer).encode()])


def environ(operation: str | None, body: dict[str, Any], path: str = "/") -> dict[str, Any]:
    raw = json.dumps(body).encode()
    env: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "CONTENT_LENGTH": str(len(raw)),
        "wsgi.input": io.BytesIO(raw),
    }
    if operation is not None:
        env["HTTP_X_AMZ_TARGET"] = TARGET + operation
    return env


def serve(
    tmp_path: Path, app: AnsweringApp, operation: str | None, body: dict[str, Any], path: str = "/"
) -> dict[str, Any]:
    """Send one request through ``RequestLogApp(SerializedApp(app))``; the line it logged."""
    log = tmp_path / "requests.jsonl"
    logged = RequestLogApp(SerializedApp(app), RequestLogWriter(log))
    statuses: list[str] = []
    answer = b"".join(
        logged(environ(operation, body, path), lambda s, h, e=None: statuses.append(s))
    )
    logged.close()
    assert json.loads(answer) == app.answer  # the answer passes through unchanged
    assert statuses == [app.status]
    last: dict[str, Any] = json.loads(log.read_text().splitlines()[-1])
    return last


def test_a_request_is_logged_with_operation_table_status_and_duration(tmp_path: Path) -> None:
    app = AnsweringApp()
    body = {"TableName": "users", "Item": {"pk": {"S": "USER#1"}}}

    line = serve(tmp_path, app, "PutItem", body)

    assert app.bodies == [json.dumps(body).encode()]  # the app still reads the whole body
    assert set(line) == {"time", "operation", "table", "status", "ms"}
    assert (line["operation"], line["table"], line["status"]) == ("PutItem", "users", 200)
    assert line["time"].endswith("Z")
    assert line["ms"] >= 0


def test_an_error_answer_logs_its_type_and_message(tmp_path: Path) -> None:
    answer = {
        "__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
        "message": "Requested resource not found",
    }
    app = AnsweringApp("400 Bad Request", answer)

    line = serve(tmp_path, app, "GetItem", {"TableName": "missing", "Key": {}})

    assert line["status"] == 400
    assert line["error"] == "ResourceNotFoundException"
    assert line["message"] == "Requested resource not found"


def test_index_name_is_logged(tmp_path: Path) -> None:
    line = serve(tmp_path, AnsweringApp(), "Query", {"TableName": "main", "IndexName": "GSI1"})

    assert (line["table"], line["index"]) == ("main", "GSI1")


def test_an_attribute_value_cannot_fake_the_table_name(tmp_path: Path) -> None:
    body = {"TableName": "real", "Item": {"note": {"S": '"TableName": "fake"'}}}

    assert serve(tmp_path, AnsweringApp(), "PutItem", body)["table"] == "real"


def test_batches_and_transactions_log_every_table_once(tmp_path: Path) -> None:
    batch = {"RequestItems": {"a": [], "b": []}}
    transaction = {
        "TransactItems": [
            {"Put": {"TableName": "a", "Item": {}}},
            {"Update": {"TableName": "b", "Key": {}}},
            {"Delete": {"TableName": "a", "Key": {}}},
        ]
    }

    assert serve(tmp_path, AnsweringApp(), "BatchWriteItem", batch)["table"] == "a,b"
    assert serve(tmp_path, AnsweringApp(), "TransactWriteItems", transaction)["table"] == "a,b"


def test_consumed_capacity_is_logged_when_asked_for(tmp_path: Path) -> None:
    answer = {"ConsumedCapacity": [{"TableName": "a", "CapacityUnits": 2.5}, {"CapacityUnits": 1}]}
    asked = {"TableName": "a", "ReturnConsumedCapacity": "TOTAL"}

    assert serve(tmp_path, AnsweringApp(answer=answer), "Scan", asked)["capacity"] == 3.5
    assert "capacity" not in serve(
        tmp_path, AnsweringApp(answer=answer), "Scan", {"TableName": "a"}
    )


def test_a_request_without_a_target_is_named_by_method_and_path(tmp_path: Path) -> None:
    line = serve(tmp_path, AnsweringApp(), None, {}, path="/moto-api/reset")

    assert line["operation"] == "POST /moto-api/reset"
    assert "table" not in line


def test_the_writer_rotates_a_full_log(tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    writer = RequestLogWriter(log, max_bytes=200)
    try:
        for n in range(10):
            writer.write({"time": "t", "operation": "PutItem", "status": 200, "n": n})
    finally:
        writer.close()

    rotated = log.with_name("requests.jsonl.1")
    kept = [json.loads(line)["n"] for line in rotated.read_text().splitlines()]
    kept += [json.loads(line)["n"] for line in log.read_text().splitlines()]
    assert kept == list(range(kept[0], 10))  # nothing lost across the last rotation
    assert log.stat().st_size <= 200


def write_lines(path: Path, *records: dict[str, Any]) -> None:
    with path.open("a", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record) + "\n")


PUT = {"time": "2026-01-01T00:00:00.000Z", "operation": "PutItem", "table": "a", "status": 200}
GET = {**PUT, "operation": "GetItem", "table": "b,c", "status": 400, "error": "ValidationException"}


def test_reading_keeps_the_last_matching_records(tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    write_lines(log, PUT, GET, PUT)
    with log.open("a") as handle:
        handle.write('not json\n{"operation": 1}\n')  # skipped, not fatal

    assert [r.operation for r in read_request_log(log, 2)] == ["GetItem", "PutItem"]
    assert [r.status for r in read_request_log(log, 10, RequestFilter(errors=True))] == [400]
    assert len(read_request_log(log, 10, RequestFilter(table="c"))) == 1
    assert len(read_request_log(log, 10, RequestFilter(operation="putitem"))) == 2
    assert read_request_log(log, 0) == []
    assert read_request_log(tmp_path / "missing.jsonl") == []


def test_the_tail_of_a_long_log_is_its_last_records(tmp_path: Path) -> None:
    # Unfiltered, only the end of the log is parsed; lines that are not records (cut short)
    # inside that end make it read further back, never return fewer records.
    log = tmp_path / "requests.jsonl"
    write_lines(log, *({**PUT, "ms": n} for n in range(2_000)))
    with log.open("a") as handle:
        handle.write("cut sh\n" * 30)
    write_lines(log, GET)
    tail = read_request_log(log, 50)
    assert [r.ms for r in tail[:-1]] == [float(n) for n in range(1_951, 2_000)]
    assert tail[-1].operation == "GetItem"
    with log.open(encoding="utf-8") as handle:
        assert tail == list(parse_lines(handle))[-50:]  # what parsing every line gives
    assert tail[-10:] == read_request_log(log, 10)


def test_a_record_keeps_its_line_and_splits_its_tables() -> None:
    line = json.dumps(GET)

    record = RequestRecord.parse(line + "\n")

    assert record is not None
    assert record.raw == line
    assert record.tables == ("b", "c")
    assert record.error == "ValidationException"
    assert record.ms is None


def test_the_follower_reads_new_lines_across_rotation_and_truncation(tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    write_lines(log, PUT)
    follower = RequestLogFollower(log)
    follower.start_at_end()
    try:
        assert follower.poll() == []
        with log.open("a") as handle:
            handle.write(json.dumps(GET)[:10])  # half a line: not yet a record
        assert follower.poll() == []
        with log.open("a") as handle:
            handle.write(json.dumps(GET)[10:] + "\n")
        assert [r.operation for r in follower.poll()] == ["GetItem"]

        log.rename(tmp_path / "requests.jsonl.1")  # rotated
        write_lines(log, PUT)
        assert [r.operation for r in follower.poll()] == ["PutItem"]

        log.write_text("")  # truncated: read again from the start
        assert follower.poll() == []
        write_lines(log, GET)
        assert [r.operation for r in follower.poll()] == ["GetItem"]
    finally:
        follower.close()


@pytest.mark.parametrize("errors", [True, False])
def test_the_follower_applies_the_filter(tmp_path: Path, errors: bool) -> None:
    log = tmp_path / "requests.jsonl"
    follower = RequestLogFollower(log, RequestFilter(errors=errors))
    assert follower.poll() == []  # no file yet
    write_lines(log, PUT, GET)

    found = [r.operation for r in follower.poll()]
    follower.close()

    assert found == (["GetItem"] if errors else ["PutItem", "GetItem"])
