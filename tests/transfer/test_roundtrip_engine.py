"""Export → import into an empty table → export again gives the same bytes (every type,
every format), against the engine."""

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.requests.batch import put
from dynamodb_tooling.transfer import aexport, aimport_, export, import_
from tests.transfer.samples import EVERY_TYPE

pytestmark = pytest.mark.integration


def load(client: DynamoDBClient, table: str, items: list[dict[str, Any]]) -> None:
    client.batch_write({table: [put(i) for i in items]})


def stored(client: DynamoDBClient, table: str) -> list[dict[str, Any]]:
    items = [unmarshall_item(i) for i in client.scan_all(table).items]
    return sorted(items, key=lambda i: (i["pk"], i["sk"]))


@pytest.mark.parametrize("suffix", ["jsonl", "json", "csv"])
def test_export_import_export_is_byte_identical(
    suffix: str,
    tmp_path: Path,
    dynamodb_client: DynamoDBClient,
    make_table: Callable[..., str],
) -> None:
    source, copy = make_table(gsi_count=2), make_table(gsi_count=2)
    load(dynamodb_client, source, EVERY_TYPE)
    first, second = tmp_path / f"first.{suffix}", tmp_path / f"second.{suffix}"

    exported = export(first, table=source, client=dynamodb_client, segments=3)
    assert exported.items == len(EVERY_TYPE)
    imported = import_(first, table=copy, client=dynamodb_client)
    assert (imported.records, imported.written, imported.errors) == (4, 4, ())
    export(second, table=copy, client=dynamodb_client, chunk_size=2)  # runs merged from disk

    assert second.read_bytes() == first.read_bytes()
    assert stored(dynamodb_client, copy) == stored(dynamodb_client, source)
    assert not (tmp_path / f"first.{suffix}.checkpoint.json").exists()


def test_the_files_are_plain_json_sorted_by_key(
    tmp_path: Path, dynamodb_client: DynamoDBClient, make_table: Callable[..., str]
) -> None:
    table = make_table()
    load(dynamodb_client, table, EVERY_TYPE)
    export(tmp_path / "all.jsonl", table=table, client=dynamodb_client)
    lines = (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()
    assert [line[:40] for line in lines][1].startswith('{"_et":"Line"')
    assert '"dec":1.50' in lines[0]
    assert '"b":{"$binary":"AP9iaW5hcnk="}' in lines[0]
    assert '"ss":{"$set":["a","b","c"]}' in lines[0]
    csv_text = export(tmp_path / "all.csv", table=table, client=dynamodb_client)
    header = (tmp_path / "all.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("pk,sk,_et,b,big,")
    assert csv_text.columns[:2] == ("pk", "sk")


def test_export_by_entity_type_and_by_columns(
    tmp_path: Path, dynamodb_client: DynamoDBClient, make_table: Callable[..., str]
) -> None:
    table = make_table()
    load(dynamodb_client, table, EVERY_TYPE)
    only = export(tmp_path / "s.jsonl", table=table, client=dynamodb_client, models=["Sample"])
    assert only.items == 2
    text = (tmp_path / "s.jsonl").read_text(encoding="utf-8")
    assert '"_et":"Other"' not in text
    assert '"_et":"Line"' not in text
    export(
        tmp_path / "narrow.csv",
        table=table,
        client=dynamodb_client,
        models=["Sample", "Other"],
        columns=["pk", "n"],
    )
    rows = (tmp_path / "narrow.csv").read_text(encoding="utf-8").splitlines()
    assert rows == ["pk,n", "ITEM#1,42", "ITEM#2,0", "OTHER#1,3.14"]


def test_an_empty_table_exports_an_empty_file(
    tmp_path: Path, dynamodb_client: DynamoDBClient, make_table: Callable[..., str]
) -> None:
    table = make_table()
    for suffix, expected in (("jsonl", ""), ("json", "[]\n")):
        result = export(tmp_path / f"e.{suffix}", table=table, client=dynamodb_client)
        assert result.items == 0
        assert (tmp_path / f"e.{suffix}").read_text(encoding="utf-8") == expected


def test_the_async_twins_round_trip_on_the_async_executor(
    tmp_path: Path, dynamodb_client: DynamoDBClient, make_table: Callable[..., str]
) -> None:
    source, copy = make_table(), make_table()
    load(dynamodb_client, source, EVERY_TYPE)
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"

    async def run() -> None:
        await aexport(first, table=source, client=dynamodb_client)
        imported = await aimport_(first, table=copy, client=dynamodb_client, batch_size=2)
        assert (imported.written, imported.requests) == (4, 2)
        await aexport(second, table=copy, client=dynamodb_client)

    asyncio.run(run())
    assert second.read_bytes() == first.read_bytes()
