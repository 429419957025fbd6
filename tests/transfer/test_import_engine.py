"""Imports against the engine: 10k rows under throttling with none lost, resume after a
killed run, dry runs that write nothing, validation that names lines and attributes."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dynamodb_tooling import record_requests
from dynamodb_tooling.config import Config, validate_config
from dynamodb_tooling.drivers import BotocoreDriver, DynamoDBClient
from dynamodb_tooling.engine import EMBEDDED_CREDENTIALS
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.transfer import (
    ImportValidationError,
    TransferError,
    checkpoint_path,
    encode_item,
    import_,
)
from tests.fault_proxy import Fault, FaultProxy

pytestmark = pytest.mark.integration


def rows(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {"pk": f"ROW#{i:05}", "sk": f"ROW#{i:05}", "_et": "Row", "n": i, "tags": {f"t{i % 7}"}}
        for i in range(start, start + count)
    ]


def write_jsonl(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_text("".join(f"{encode_item(i)}\n" for i in items), encoding="utf-8")
    return path


def stored(client: DynamoDBClient, table: str) -> dict[str, dict[str, Any]]:
    pages = client.parallel_scan(client_scan(table), 4)
    return {unmarshall_item(i)["pk"]: unmarshall_item(i) for i in pages.items}


def client_scan(table: str) -> Any:
    from dynamodb_tooling.requests.items import scan

    return scan(table)


@pytest.mark.heavy  # a load test: once, in the default pass (not the driver passes)
def test_ten_thousand_rows_under_throttling_and_partial_batches_lose_nothing(
    tmp_path: Path,
    dynamodb_config: Config,
    dynamodb_client: DynamoDBClient,
    make_table: Callable[..., str],
    fault_proxy: FaultProxy,
) -> None:
    table = make_table()
    items = rows(10_000)
    source = write_jsonl(tmp_path / "rows.jsonl", items)
    config = validate_config(dynamodb_config, endpoint=fault_proxy.endpoint, max_retries=0)
    fault_proxy.inject(
        Fault("throttle", rate=0.15, operations={"BatchWriteItem"}),
        Fault("partial", rate=0.3, operations={"BatchWriteItem"}),
    )
    started = time.perf_counter()
    with DynamoDBClient(BotocoreDriver(config), config=config) as client:
        result = import_(source, table=table, client=client, concurrency=8)
    seconds = time.perf_counter() - started
    fault_proxy.clear()
    print(f"10k import: {seconds:.1f} s, injected {dict(fault_proxy.injected)}")
    assert fault_proxy.injected["throttle"] >= 20
    assert fault_proxy.injected["partial"] >= 20
    assert (result.records, result.written, result.errors) == (10_000, 10_000, ())
    found = stored(dynamodb_client, table)
    assert len(found) == 10_000
    assert all(found[i["pk"]] == i for i in items)  # content, not only a count
    assert not checkpoint_path(source).exists()


_KILLED_RUN = """
import os, signal, sys
from dynamodb_tooling.config import set_config, validate_config
from dynamodb_tooling.transfer import import_

set_config(validate_config(**{options}))
seen = []

def progress(update):
    if update.phase == "import":
        seen.append(update.done)
        if update.done >= {kill_after}:
            os.kill(os.getpid(), signal.SIGKILL)  # no cleanup, no finally: a crash

import_({source!r}, table={table!r}, progress=progress, batch_size=25, concurrency=4)
"""


def test_a_killed_import_resumes_where_it_stopped_without_duplicates(
    tmp_path: Path,
    dynamodb_config: Config,
    dynamodb_client: DynamoDBClient,
    make_table: Callable[..., str],
) -> None:
    table = make_table()
    items = rows(1_000)
    source = write_jsonl(tmp_path / "rows.jsonl", items)
    key, secret = EMBEDDED_CREDENTIALS
    options = {
        "endpoint": dynamodb_config.endpoint,
        "region": dynamodb_config.region,
        "credentials": {"access_key_id": key, "secret_access_key": secret},
    }
    script = _KILLED_RUN.format(options=options, kill_after=400, source=str(source), table=table)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBTOOLING_", "AWS_"))}
    killed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    checkpoint = json.loads(checkpoint_path(source).read_text(encoding="utf-8"))
    assert 400 <= checkpoint["done"] < 1_000
    partial = stored(dynamodb_client, table)
    assert checkpoint["done"] <= len(partial) < 1_000

    result = import_(source, table=table, client=dynamodb_client)
    assert result.skipped == checkpoint["done"]
    assert result.written == 1_000 - checkpoint["done"]
    found = stored(dynamodb_client, table)
    assert sorted(found) == sorted(i["pk"] for i in items)  # all present, each once
    assert all(found[i["pk"]] == i for i in items)
    assert not checkpoint_path(source).exists()


def test_a_checkpoint_of_another_input_is_refused(
    tmp_path: Path, dynamodb_client: DynamoDBClient, make_table: Callable[..., str]
) -> None:
    table = make_table()
    source = write_jsonl(tmp_path / "rows.jsonl", rows(3))
    checkpoint_path(source).write_text(
        json.dumps(
            {"source": "x", "fingerprint": "1:abc", "table": table, "model": None, "done": 2}
        ),
        encoding="utf-8",
    )
    with pytest.raises(TransferError, match=r"another input file.*resume=False"):
        import_(source, table=table, client=dynamodb_client)
    result = import_(source, table=table, client=dynamodb_client, resume=False)
    assert (result.skipped, result.written) == (0, 3)


def test_a_dry_run_reads_and_validates_but_sends_no_write(
    tmp_path: Path, dynamodb_client: DynamoDBClient, make_table: Callable[..., str]
) -> None:
    table = make_table()
    source = write_jsonl(tmp_path / "rows.jsonl", rows(60))
    with record_requests() as sent:
        result = import_(source, table=table, client=dynamodb_client, dry_run=True)
    assert sent.operations == ["DescribeTable"]  # the key schema; nothing written
    assert (result.dry_run, result.records, result.written, result.requests) == (True, 60, 0, 3)
    assert stored(dynamodb_client, table) == {}
    assert not checkpoint_path(source).exists()


def test_validation_names_line_and_attribute_and_writes_nothing(
    tmp_path: Path, dynamodb_client: DynamoDBClient, make_table: Callable[..., str]
) -> None:
    table = make_table()
    source = tmp_path / "bad.jsonl"
    source.write_text(
        '{"pk":"A","sk":"A","n":1}\n'
        '{"sk":"B"}\n'
        "\n"
        '{"pk":"C","sk":"C","s":{"$set":[]}}\n'
        '{"pk":"A","sk":"A","n":2}\n'
        '{"pk":"D","sk":"D","big":1E+999}\n',
        encoding="utf-8",
    )
    with record_requests() as sent, pytest.raises(ImportValidationError) as caught:
        import_(source, table=table, client=dynamodb_client)
    assert sent.operations == ["DescribeTable"]
    found = {(e.line, e.attribute) for e in caught.value.errors}
    assert found == {(2, "pk"), (4, None), (5, None), (6, None)}
    message = str(caught.value)
    assert "line 2, attribute 'pk': the key attribute 'pk' is missing" in message
    assert "line 5: has the same key as line 1" in message
    assert "continue_on_error=True" in message

    result = import_(source, table=table, client=dynamodb_client, continue_on_error=True)
    assert result.written == 1
    assert sorted(stored(dynamodb_client, table)) == ["A"]
    assert {e.line for e in result.errors} == {2, 4, 5, 6}
