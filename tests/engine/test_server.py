"""LocalServer: a real moto server process started, inspected, reset and stopped on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from dynamodb_tooling.config import LocalConfig
from dynamodb_tooling.engine import EngineNotRunningError, LocalServer, ServerInfo
from dynamodb_tooling.engine.server import dynamodb_local_command, moto_command
from dynamodb_tooling.errors import EngineError

# Generous: a loaded machine (a build running beside the suite) can take a while to import
# moto in the server process; a healthy start takes 1-2 s.
STARTUP = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def dynamodb_client(endpoint: str) -> Any:
    return botocore.session.get_session().create_client(
        "dynamodb",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="embedded",
        aws_secret_access_key="embedded",
    )


def create_table(endpoint: str, name: str) -> None:
    client = dynamodb_client(endpoint)
    try:
        client.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    finally:
        client.close()


def run_in_other_process(state_dir: Path, code: str) -> str:
    """Run ``code`` with ``server = LocalServer(state_dir=...)`` in a fresh interpreter."""
    script = (
        "from dynamodb_tooling.engine import LocalServer\n"
        f"server = LocalServer(state_dir={str(state_dir)!r})\n{code}"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """One moto server shared by the read-mostly tests of this module."""
    server = LocalServer(port=free_port(), state_dir=tmp_path_factory.mktemp("shared") / "state")
    try:
        server.start(wait=STARTUP)
        yield server
    finally:
        server.stop()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LocalServer]:
    """A moto LocalServer of its own (not started), always stopped afterwards."""
    server = LocalServer(port=free_port(), state_dir=tmp_path / "state")
    try:
        yield server
    finally:
        server.stop()


# -- a running server ---------------------------------------------------------------------


@pytest.mark.integration
def test_status_of_a_started_server_is_running_and_healthy(running: LocalServer) -> None:
    status = running.status()

    assert status.running
    assert status.healthy
    assert status.engine == "moto"
    assert status.port == running.port
    assert status.endpoint == f"http://127.0.0.1:{running.port}"
    assert status.uptime is not None
    assert status.uptime >= 0
    assert status.table_count is not None


@pytest.mark.integration
def test_state_file_records_the_server(running: LocalServer) -> None:
    recorded = json.loads(running.state_path.read_text())

    assert recorded["port"] == running.port
    assert recorded["engine"] == "moto"
    assert recorded["command"] == moto_command(running.port, request_log=running.request_log_path)
    assert datetime.fromisoformat(recorded["started_at"]).tzinfo is not None
    assert running.status().pid == recorded["pid"]
    assert (running.state_dir / ".gitignore").read_text() == "*\n"  # never committed


@pytest.mark.integration
def test_server_binds_loopback_only(running: LocalServer) -> None:
    info = running.info()

    assert info is not None
    assert info.command[info.command.index("--host") + 1] == "127.0.0.1"
    assert info.command[1:3] == ("-m", "dynamodb_tooling.engine")  # serialised, not bare moto


@pytest.mark.integration
def test_starting_twice_returns_the_same_server(running: LocalServer) -> None:
    first = running.info()

    again = running.start(wait=STARTUP)

    assert first is not None
    assert again.pid == first.pid
    assert again.started_at == first.started_at


@pytest.mark.integration
def test_another_object_with_the_same_state_dir_sees_the_server(running: LocalServer) -> None:
    other = LocalServer(port=free_port(), state_dir=running.state_dir)

    status = other.status()

    assert status.running
    assert status.pid == running.status().pid
    assert status.port == running.port  # the recorded server's port, not the object's


@pytest.mark.integration
def test_another_process_sees_the_server(running: LocalServer) -> None:
    reported = json.loads(
        run_in_other_process(
            running.state_dir, "import json; print(json.dumps(server.status().to_dict()))"
        )
    )

    assert reported["running"] is True
    assert reported["healthy"] is True
    assert reported["pid"] == running.status().pid


@pytest.mark.integration
def test_reset_deletes_every_table(running: LocalServer) -> None:
    create_table(running.status().endpoint, "reset_me")
    assert running.status().table_count == 1

    info = running.reset()

    assert info.pid == running.status().pid  # moto is reset in place, not restarted
    assert running.status().table_count == 0


@pytest.mark.integration
def test_the_request_log_names_operation_table_and_status(running: LocalServer) -> None:
    endpoint = running.status().endpoint
    create_table(endpoint, "logged")
    client = dynamodb_client(endpoint)
    try:
        client.put_item(TableName="logged", Item={"PK": {"S": "a"}})
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.get_item(TableName="nowhere", Key={"PK": {"S": "a"}})
    finally:
        client.close()

    records = running.requests(3)

    assert [(r.operation, r.table, r.status, r.error) for r in records] == [
        ("CreateTable", "logged", 200, None),
        ("PutItem", "logged", 200, None),
        ("GetItem", "nowhere", 400, "ResourceNotFoundException"),
    ]
    assert all(r.ms is not None and r.ms >= 0 for r in records)
    assert running.requests(0) == []
    running.reset()  # the module's other tests count tables


@pytest.mark.integration
def test_the_server_log_keeps_start_up_output_not_requests(running: LocalServer) -> None:
    running.status()

    lines = running.logs(20)

    assert any("dynamodb-tooling engine (moto, serialised) on" in line for line in lines)
    assert not any("POST / " in line for line in lines)  # requests go to requests.jsonl
    assert running.logs(0) == []


# -- start, stop and failures --------------------------------------------------------------


@pytest.mark.integration
def test_stop_ends_the_process_and_closes_the_port(server: LocalServer) -> None:
    info = server.reset(wait=STARTUP, start=True)  # nothing running: start=True starts one
    assert server.status().running
    assert port_open(info.port)

    assert server.stop() is True

    assert not server.status().running
    assert not port_open(info.port)
    assert not server.state_path.exists()
    assert server.stop() is False


def test_reset_does_not_start_a_stopped_server(server: LocalServer) -> None:
    with pytest.raises(EngineNotRunningError, match=r"nothing to reset.*dbtooling start"):
        server.reset(wait=STARTUP)

    assert server.info() is None
    assert not port_open(server.port)


@pytest.mark.integration
def test_stop_from_another_process(server: LocalServer) -> None:
    info = server.start(wait=STARTUP)

    assert run_in_other_process(server.state_dir, "print(server.stop())") == "True"

    assert server.info() is None
    assert not port_open(info.port)


@pytest.mark.integration
def test_start_refuses_a_port_taken_by_another_process(server: LocalServer) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
        squatter.bind(("127.0.0.1", server.port))
        squatter.listen()

        with pytest.raises(EngineError, match=rf"port {server.port}.*--port"):
            server.start(wait=STARTUP)

    assert not server.state_path.exists()


@pytest.mark.integration
def test_start_times_out_with_the_log_tail_and_stops_the_process(server: LocalServer) -> None:
    with pytest.raises(EngineError, match=r"did not answer within 0s") as caught:
        server.start(wait=0.0)

    assert str(server.log_path) in str(caught.value)
    assert not server.state_path.exists()
    assert not server.status().running


# -- stale state --------------------------------------------------------------------------


def _record(server: LocalServer, pid: int, command: list[str]) -> None:
    info = ServerInfo(pid, server.port, "moto", datetime.now(UTC), tuple(command))
    server.state_dir.mkdir(parents=True, exist_ok=True)
    server.state_path.write_text(json.dumps(info.to_json()))


def test_a_record_of_a_dead_process_is_stale(server: LocalServer) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    _record(server, dead.pid, moto_command(server.port))

    assert server.status().running is False
    assert not server.state_path.exists()  # cleaned up
    assert server.stop() is False


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs procfs")
def test_a_pid_reused_by_another_program_is_never_signalled(server: LocalServer) -> None:
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        _record(server, bystander.pid, moto_command(server.port))

        assert server.stop() is False

        assert bystander.poll() is None
        assert not server.state_path.exists()
    finally:
        bystander.kill()
        bystander.wait()


def test_an_unreadable_record_is_discarded(server: LocalServer) -> None:
    server.state_dir.mkdir(parents=True)
    server.state_path.write_text("{not json")

    assert server.info() is None
    assert not server.state_path.exists()


def test_logs_without_a_log_file_are_empty(server: LocalServer) -> None:
    assert server.logs() == []


# -- dynamodb-local -----------------------------------------------------------------------


def test_dynamodb_local_with_a_missing_jar_names_the_path(tmp_path: Path) -> None:
    jar = tmp_path / "nowhere" / "DynamoDBLocal.jar"
    server = LocalServer(engine="dynamodb-local", jar_path=jar, state_dir=tmp_path / "state")

    with pytest.raises(EngineError, match="jar") as caught:
        server.start(wait=STARTUP)

    assert str(jar) in str(caught.value)
    assert not server.state_path.exists()


def test_dynamodb_local_without_a_jar_says_how_to_get_one(tmp_path: Path) -> None:
    server = LocalServer(engine="dynamodb-local", state_dir=tmp_path / "state")

    with pytest.raises(EngineError, match=r"--jar PATH.*local\.jar_path"):
        server.start(wait=STARTUP)


def test_dynamodb_local_without_java_says_so(tmp_path: Path) -> None:
    jar = tmp_path / "DynamoDBLocal.jar"
    jar.write_bytes(b"")
    server = LocalServer(
        engine="dynamodb-local", jar_path=jar, java_path="no-such-java", state_dir=tmp_path
    )

    with pytest.raises(EngineError, match="'no-such-java' not found"):
        server.start(wait=STARTUP)


@pytest.mark.integration
@pytest.mark.skipif(shutil.which("java") is None, reason="needs a Java runtime")
def test_a_server_that_exits_during_start_up_reports_its_log(tmp_path: Path) -> None:
    jar = tmp_path / "DynamoDBLocal.jar"
    jar.write_bytes(b"not a jar")
    server = LocalServer(
        engine="dynamodb-local", jar_path=jar, port=free_port(), state_dir=tmp_path / "state"
    )

    with pytest.raises(EngineError, match="exited during start-up") as caught:
        server.start(wait=30.0)

    assert "jarfile" in str(caught.value).lower()  # java's own complaint, from the log
    assert not server.state_path.exists()


def test_dynamodb_local_command_in_memory_and_on_disk(tmp_path: Path) -> None:
    jar = tmp_path / "lib" / "DynamoDBLocal.jar"

    in_memory = dynamodb_local_command(jar, 8001, "/usr/bin/java")
    on_disk = dynamodb_local_command(jar, 8001, "java", tmp_path / "data")

    assert in_memory == [
        "/usr/bin/java",
        f"-Djava.library.path={tmp_path / 'lib' / 'DynamoDBLocal_lib'}",
        "-jar",
        str(jar),
        "-port",
        "8001",
        "-inMemory",
        "-sharedDb",
    ]
    assert on_disk[-4:] == ["8001", "-dbPath", str(tmp_path / "data"), "-sharedDb"]


def test_from_config_resolves_paths_and_treats_db_path_as_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tmp_path = tmp_path.resolve()
    monkeypatch.chdir(tmp_path)
    config = LocalConfig(
        engine="dynamodb-local", port=8123, jar_path="DynamoDBLocal.jar", db_path="data"
    )

    server = LocalServer.from_config(config)

    assert server.engine == "dynamodb-local"
    assert server.port == 8123
    assert server.state_dir == tmp_path / ".dbtooling"
    assert server.jar_path == tmp_path / "DynamoDBLocal.jar"
    assert server.db_path == tmp_path / "data"
    assert server.in_memory is False
    assert server.endpoint == "http://127.0.0.1:8123"
