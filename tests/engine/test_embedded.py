"""EmbeddedEngine: the in-process engine, with and without a request log."""

from __future__ import annotations

import os
import subprocess
import sys
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


_MISSING_PROFILE_SCRIPT = """
from dynamodb_tooling.config import set_config
from dynamodb_tooling.drivers import get_client
from dynamodb_tooling.engine import EmbeddedEngine

engine = EmbeddedEngine()
endpoint = engine.start()
try:
    set_config(endpoint=endpoint, engine="embedded", default_table_name="profile-check")
    client = get_client()
    client.create_table({
        "TableName": "profile-check",
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    })
    print(client.list_tables()["TableNames"])
finally:
    engine.stop()
"""


@pytest.mark.integration
@pytest.mark.processes
def test_an_aws_profile_this_machine_lacks_does_not_break_the_engine(tmp_path: Path) -> None:
    """moto builds boto3 sessions to serve requests; with AWS_PROFILE naming a profile that
    is not in ~/.aws (a CI variable, say) every request used to fail with a 500."""
    environ = {
        **os.environ,
        "AWS_PROFILE": "no-such-profile",
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
    }
    done = subprocess.run(
        [sys.executable, "-c", _MISSING_PROFILE_SCRIPT],
        env=environ,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "profile-check" in done.stdout
    assert "ProfileNotFound" not in done.stderr
