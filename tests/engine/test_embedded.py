"""EmbeddedEngine: the in-process engine, with and without a request log."""

from __future__ import annotations

from pathlib import Path

import botocore.session
import pytest

from dynamodb_tooling.engine import EMBEDDED_CREDENTIALS, EmbeddedEngine, read_request_log
from dynamodb_tooling.errors import EngineError


@pytest.mark.integration
def test_an_embedded_engine_with_a_request_log_logs_every_request(tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    engine = EmbeddedEngine(request_log=log)
    endpoint = engine.start()
    key, secret = EMBEDDED_CREDENTIALS
    client = botocore.session.get_session().create_client(
        "dynamodb",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
    )
    try:
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.describe_table(TableName="embedded_missing")
        client.list_tables()
    finally:
        client.close()
        engine.stop()

    records = read_request_log(log)
    assert [(r.operation, r.table, r.status, r.error) for r in records] == [
        ("DescribeTable", "embedded_missing", 400, "ResourceNotFoundException"),
        ("ListTables", None, 200, None),
    ]


def test_the_endpoint_of_a_stopped_engine_says_how_to_start_it() -> None:
    with pytest.raises(EngineError, match=r"not running; call start\(\) first"):
        EmbeddedEngine().endpoint  # noqa: B018
