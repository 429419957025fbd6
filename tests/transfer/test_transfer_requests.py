"""Exports, imports, backups and restores as compiled requests, run on the stub executor
(no server): what is sent, in which shape, and what happens to each answer."""

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dynamodb_tooling.errors import DynamoDBError, ThrottlingError
from dynamodb_tooling.marshal import marshall_item
from dynamodb_tooling.requests import Request
from dynamodb_tooling.testing.stub import StubExecutor
from dynamodb_tooling.transfer import (
    ImportValidationError,
    TransferError,
    TransferProgress,
    encode_item,
    export,
    import_,
    list_backups,
    restore,
)

DESCRIBED = {
    "Table": {
        "TableName": "T",
        "TableStatus": "ACTIVE",
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
    }
}
ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/T/backup/01"


def item(n: int) -> dict[str, Any]:
    return {"pk": f"K#{n:03}", "sk": "A", "n": n}


def stub(scan: Callable[[Request], dict[str, Any]] | None = None) -> StubExecutor:
    """A stub that describes table ``T`` whenever asked (and answers Scans with ``scan``)."""

    def answer(request: Request) -> dict[str, Any]:
        if request.operation == "DescribeTable":
            return DESCRIBED
        return scan(request) if scan is not None and request.operation == "Scan" else {}

    return StubExecutor(answer=answer)


def test_export_scans_segments_in_parallel_filtered_by_entity_type(tmp_path: Path) -> None:
    pages = {
        0: [
            {"Items": [marshall_item(item(3))], "LastEvaluatedKey": {"pk": {"S": "K#003"}}},
            {"Items": [marshall_item(item(1))]},
        ],
        1: [{"Items": [marshall_item(item(2))]}],
    }

    def answer(request: Request) -> dict[str, Any]:
        return pages[request.params["Segment"]].pop(0)

    executor = stub(answer)
    seen: list[TransferProgress] = []
    result = export(
        tmp_path / "out.jsonl",
        table="T",
        models=["User", "Post"],
        segments=2,
        client=executor,
        progress=seen.append,
    )
    scans = executor.sent("Scan")
    assert [(s.params["Segment"], s.params["TotalSegments"]) for s in scans] == [
        (0, 2),
        (1, 2),
        (0, 2),
    ]
    assert scans[2].params["ExclusiveStartKey"] == {"pk": {"S": "K#003"}}
    first = scans[0].params
    assert first["FilterExpression"] == "#n0 IN (:v0, :v1)"
    assert first["ExpressionAttributeNames"] == {"#n0": "_et"}
    assert first["ExpressionAttributeValues"] == {":v0": {"S": "User"}, ":v1": {"S": "Post"}}
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines == [encode_item(item(n)) for n in (1, 2, 3)]  # sorted by key, not scan order
    assert result.items == 3
    assert seen[-1] == TransferProgress("write-file", 3, 3)


def test_export_refuses_options_that_would_be_ignored(tmp_path: Path) -> None:
    with pytest.raises(TransferError, match="columns= only applies to CSV"):
        export(tmp_path / "a.jsonl", table="T", columns=["pk"], client=stub())
    with pytest.raises(TransferError, match="not both"):
        export(tmp_path / "a.jsonl", models=["A"], query=object(), client=stub())  # type: ignore[arg-type]
    with pytest.raises(TransferError, match="unknown format 'xml'"):
        export(tmp_path / "a.jsonl", format="xml", client=stub())  # type: ignore[arg-type]


def write(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_text("".join(encode_item(i) + "\n" for i in items), encoding="utf-8")
    return path


def test_import_sends_batches_of_batch_size_and_retries_what_is_left(tmp_path: Path) -> None:
    source = write(tmp_path / "in.jsonl", [item(n) for n in range(23)])
    executor = stub()
    held = {"T": [{"PutRequest": {"Item": marshall_item(item(0))}}]}
    executor.on(
        "BatchWriteItem",
        ThrottlingError("slow down", code="ProvisionedThroughputExceededException"),
        {"UnprocessedItems": held},
    )
    seen: list[TransferProgress] = []
    result = import_(
        source, table="T", batch_size=10, concurrency=2, client=executor, progress=seen.append
    )
    batches = executor.sent("BatchWriteItem")
    sizes = [len(b.params["RequestItems"]["T"]) for b in batches]
    # Window 1: 10 + 10 (the first throttled, then 1 unprocessed → 10, 10, 10, 1); window 2: 3.
    assert sizes == [10, 10, 10, 1, 3]
    written = {
        w["PutRequest"]["Item"]["pk"]["S"] for b in batches for w in b.params["RequestItems"]["T"]
    }
    assert written == {f"K#{n:03}" for n in range(23)}
    assert (result.records, result.written, result.requests) == (23, 23, 3)
    assert [p for p in seen if p.phase == "import"] == [
        TransferProgress("import", 20, 23),
        TransferProgress("import", 23, 23),
    ]
    assert not (tmp_path / "in.jsonl.checkpoint.json").exists()


def test_import_resumes_from_a_checkpoint_and_sends_only_the_rest(tmp_path: Path) -> None:
    source = write(tmp_path / "in.jsonl", [item(n) for n in range(30)])
    first = stub()
    first.on("BatchWriteItem", {}, DynamoDBError("boom", code="AccessDeniedException"))
    with pytest.raises(TransferError, match=r"stopped after 10 records.*run the same import"):
        import_(source, table="T", batch_size=10, concurrency=1, client=first)
    again = stub()
    result = import_(source, table="T", batch_size=10, concurrency=1, client=again)
    assert result.skipped == 10
    sent = [w for b in again.sent("BatchWriteItem") for w in b.params["RequestItems"]["T"]]
    assert [w["PutRequest"]["Item"]["n"]["N"] for w in sent] == [str(n) for n in range(10, 30)]


def test_a_dry_run_and_a_failed_validation_send_no_write(tmp_path: Path) -> None:
    source = write(tmp_path / "in.jsonl", [item(n) for n in range(51)])
    executor = stub()
    result = import_(source, table="T", dry_run=True, client=executor)
    assert [r.operation for r in executor.requests] == ["DescribeTable"]
    assert (result.records, result.requests, result.written) == (51, 3, 0)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"pk":"A","sk":"A"}\nnot json\n{"pk":"B"}\n', encoding="utf-8")
    with pytest.raises(ImportValidationError) as caught:
        import_(bad, table="T", client=executor)
    assert [str(e) for e in caught.value.errors] == [
        "line 2: not an item in the transfer encoding (Expecting value: line 1 column 1 (char 0))",
        "line 3, attribute 'sk': the key attribute 'sk' is missing; a raw item needs pk, sk "
        "(or import model values with model=)",
    ]
    assert executor.sent("BatchWriteItem") == []


def test_import_options_are_checked_before_any_request(tmp_path: Path) -> None:
    source = write(tmp_path / "in.jsonl", [item(1)])
    executor = stub()
    with pytest.raises(TransferError, match="batch_size must be 1 to 25"):
        import_(source, table="T", batch_size=26, client=executor)
    with pytest.raises(TransferError, match="concurrency must be at least 1"):
        import_(source, table="T", concurrency=0, client=executor)
    (tmp_path / "in.txt").write_text("", encoding="utf-8")
    with pytest.raises(TransferError, match=r"name it \.json, \.jsonl or \.csv"):
        import_(tmp_path / "in.txt", table="T", client=executor)
    assert executor.requests == []


def test_a_json_array_is_read_with_the_line_of_each_item(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text('[\n  {"pk": "A", "sk": "A"},\n\n  {"pk": "B"}\n]\n', encoding="utf-8")
    with pytest.raises(ImportValidationError) as caught:
        import_(source, table="T", client=stub())
    assert [(e.line, e.attribute) for e in caught.value.errors] == [(4, "sk")]
    source.write_text('[{"pk": "A", "sk": "A"} {"pk": "B"}]', encoding="utf-8")
    with pytest.raises(TransferError, match="line 1: expected ',' or ']'"):
        import_(source, table="T", client=stub())


def test_restore_by_name_looks_the_backup_up_then_waits_for_the_table() -> None:
    executor = StubExecutor()
    executor.on(
        "ListBackups",
        {
            "BackupSummaries": [{"BackupArn": "arn:1", "BackupName": "old"}],
            "LastEvaluatedBackupArn": "arn:1",
        },
        {"BackupSummaries": [{"BackupArn": ARN, "BackupName": "nightly", "TableName": "T"}]},
    )
    executor.on("RestoreTableFromBackup", {"TableDescription": {"TableStatus": "CREATING"}})
    executor.on("DescribeTable", {"Table": {"TableStatus": "ACTIVE"}})
    result = restore("nightly", "Target2", table="Main", client=executor)
    assert [r.operation for r in executor.requests] == [
        "ListBackups",
        "ListBackups",
        "RestoreTableFromBackup",
        "DescribeTable",
    ]
    assert executor.requests[0].params == {"TableName": "Main"}
    assert executor.requests[1].params == {"TableName": "Main", "ExclusiveStartBackupArn": "arn:1"}
    assert executor.requests[2].params == {"TargetTableName": "Target2", "BackupArn": ARN}
    assert (result.table, result.source, result.status) == ("Target2", ARN, "ACTIVE")


def test_point_in_time_restores_compile_and_explain_a_disabled_table() -> None:
    executor = StubExecutor()
    moment = datetime(2026, 1, 31, 12, tzinfo=UTC)
    restore("Main", "Target2", point_in_time=moment, wait=False, client=executor)
    restore("Main", "Target3", point_in_time="latest", wait=False, client=executor)
    assert [r.params for r in executor.requests] == [
        {"SourceTableName": "Main", "TargetTableName": "Target2", "RestoreDateTime": moment},
        {"SourceTableName": "Main", "TargetTableName": "Target3", "UseLatestRestorableTime": True},
    ]
    executor.on(
        "RestoreTableToPointInTime",
        DynamoDBError("off", code="PointInTimeRecoveryUnavailableException"),
    )
    with pytest.raises(TransferError, match="point-in-time recovery is not enabled on Main"):
        restore("Main", "Target4", point_in_time="latest", client=executor)
    with pytest.raises(TransferError, match="a datetime or 'latest'"):
        restore("Main", "Target5", point_in_time="yesterday", client=executor)  # type: ignore[arg-type]


def test_list_backups_reads_every_page() -> None:
    executor = StubExecutor()
    executor.on(
        "ListBackups",
        {
            "BackupSummaries": [
                {
                    "BackupArn": "arn:1",
                    "BackupName": "a",
                    "TableName": "T",
                    "BackupStatus": "AVAILABLE",
                    "BackupSizeBytes": 10,
                }
            ],
            "LastEvaluatedBackupArn": "arn:1",
        },
        {"BackupSummaries": [{"BackupArn": "arn:2", "BackupName": "b", "TableName": "U"}]},
    )
    found = list_backups(client=executor)
    assert [(b.arn, b.name, b.table) for b in found] == [("arn:1", "a", "T"), ("arn:2", "b", "U")]
    assert found[0].size_bytes == 10


def test_the_async_twins_run_the_same_flows() -> None:
    import asyncio

    from dynamodb_tooling.transfer import abackup, alist_backups, arestore

    executor = StubExecutor()
    executor.on("CreateBackup", {"BackupDetails": {"BackupArn": ARN, "BackupName": "night1"}})
    executor.on("ListBackups", {"BackupSummaries": [{"BackupArn": ARN, "BackupName": "night1"}]})

    async def run() -> None:
        made = await abackup("night1", table="Main", client=executor)
        assert (made.arn, made.table) == (ARN, "Main")
        assert [b.arn for b in await alist_backups(client=executor)] == [ARN]
        restored = await arestore(ARN, "Target", wait=False, client=executor)
        assert restored.source == ARN

    asyncio.run(run())
    assert [r.operation for r in executor.requests] == [
        "CreateBackup",
        "ListBackups",
        "RestoreTableFromBackup",
    ]
    assert executor.requests[0].params == {"TableName": "Main", "BackupName": "night1"}


def test_without_the_first_pass_a_bad_record_stops_the_import_resumably(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    good = "".join(encode_item(item(n)) + "\n" for n in range(12))
    source.write_text(good + '{"pk":"X"}\n' + encode_item(item(99)) + "\n", encoding="utf-8")
    executor = stub()
    with pytest.raises(ImportValidationError) as caught:
        import_(source, table="T", validate=False, batch_size=5, concurrency=1, client=executor)
    assert caught.value.done == 12
    assert "the 12 records before it are written" in str(caught.value)
    sent = [w for b in executor.sent("BatchWriteItem") for w in b.params["RequestItems"]["T"]]
    assert len(sent) == 12
    assert '"done": 12' in (tmp_path / "in.jsonl.checkpoint.json").read_text(encoding="utf-8")
    skipped = import_(source, table="T", validate=False, continue_on_error=True, client=executor)
    assert (skipped.skipped, skipped.written) == (12, 1)
    assert [(e.line, e.attribute) for e in skipped.errors] == [(13, "sk")]


def test_duplicate_keys_in_one_file_are_named_by_their_values(tmp_path: Path) -> None:
    source = write(tmp_path / "in.jsonl", [item(1), item(2), item(1)])
    with pytest.raises(
        ImportValidationError,
        match=r"line 3: has the same key as line 1 "
        r"\(pk='K#001', sk='A'\)",
    ):
        import_(source, table="T", client=stub())
