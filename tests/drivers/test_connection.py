"""Where requests go: the engine rules of Config, with a real botocore session."""

import json
import os
from pathlib import Path

import botocore.session
import pytest

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.drivers import resolve_connection
from dynamodb_tooling.drivers.botocore_driver import BotocoreDriver, botocore_config
from dynamodb_tooling.errors import DriverError


@pytest.fixture
def no_aws_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_DYNAMODB",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.mark.usefixtures("no_aws_credentials")
def test_auto_without_credentials_uses_the_embedded_engine() -> None:
    connection = resolve_connection(validate_config(), botocore.session.Session())
    assert connection.embedded
    assert connection.endpoint is not None
    assert connection.endpoint.startswith("http://127.0.0.1:")


@pytest.mark.usefixtures("no_aws_credentials")
def test_auto_with_environment_credentials_goes_to_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    connection = resolve_connection(validate_config(region="eu-west-1"), botocore.session.Session())
    assert (connection.endpoint, connection.credentials, connection.embedded) == (None, None, False)
    assert connection.label == "AWS DynamoDB (eu-west-1)"


@pytest.mark.usefixtures("no_aws_credentials")
def test_static_credentials_and_local_endpoints() -> None:
    session = botocore.session.Session()
    static = validate_config(credentials={"access_key_id": "a", "secret_access_key": "b"})
    assert resolve_connection(static, session).credentials == ("a", "b", None)
    local = resolve_connection(validate_config(engine="local"), session)
    assert local.endpoint == "http://127.0.0.1:8000"
    assert local.credentials == ("embedded", "embedded", None)  # local engines take any key
    remote = resolve_connection(validate_config(endpoint="https://ddb.example.com"), session)
    assert remote.credentials is None  # a remote endpoint gets the real chain


def test_botocore_settings_follow_config() -> None:
    boto = botocore_config(
        validate_config(
            max_retries=5,
            retry_mode="adaptive",
            http_options={"timeout": 7, "connect_timeout": 2, "max_pool_connections": 20},
        )
    )
    # botocore makes one attempt; the driver's own loop retries (it knows what is idempotent)
    assert boto.retries == {"total_max_attempts": 1, "mode": "adaptive"}
    driver = BotocoreDriver(validate_config(max_retries=5, retry_mode="adaptive"))
    assert (driver._retry.max_retries, driver._retry.mode) == (5, "adaptive")
    assert (boto.read_timeout, boto.connect_timeout, boto.max_pool_connections) == (7, 2, 20)
    assert boto.tcp_keepalive is True


def test_a_missing_aws_profile_does_not_stop_a_local_engine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile-here")
    local = BotocoreDriver(validate_config(endpoint="http://127.0.0.1:8000"))
    local.connect()  # would raise botocore's ProfileNotFound
    assert local.connection.credentials == ("embedded", "embedded", None)
    local.disconnect()
    remote = BotocoreDriver(validate_config(endpoint="https://ddb.example.com"))
    with pytest.raises(DriverError, match=r"'no-such-profile-here' does not exist.*AWS_PROFILE"):
        remote.connect()


def test_the_embedded_engine_notice_points_at_a_running_dbtooling_start_server(
    tmp_path: Path,
) -> None:
    # A new user runs `dbtooling start`, then `dbtooling migrate` with no engine configured:
    # the notice that the embedded engine is used says how to use the running server.
    from dynamodb_tooling.drivers._endpoint import _running_server_hint
    from dynamodb_tooling.engine import LocalServer

    config = validate_config(local={"state_dir": str(tmp_path), "port": 8123})
    assert _running_server_hint(config) == ""  # nothing started here
    # The record `dbtooling start` writes, of a process that runs (this one).
    command = Path("/proc/self/cmdline").read_bytes().decode().split("\0")[:-1]
    state = LocalServer.from_config(config.local).state_path
    record = {
        "pid": os.getpid(),
        "port": 8123,
        "engine": "moto",
        "started_at": "2026-01-01T00:00:00+00:00",
        "command": command,
        "db_path": None,
    }
    state.write_text(json.dumps(record))
    hint = _running_server_hint(config)
    assert "A `dbtooling start` server is running at http://127.0.0.1:8123" in hint
    assert 'engine = "local" (DBTOOLING_ENGINE=local)' in hint
    state.write_text(json.dumps({**record, "pid": 999_999_999}))  # a process that is gone
    assert _running_server_hint(config) == ""
