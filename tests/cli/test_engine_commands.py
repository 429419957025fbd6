"""``dbtooling start|status|reset|logs|stop`` driven through the real Typer app."""

from __future__ import annotations

import json
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from rich.console import Console
from typer.testing import CliRunner

from dynamodb_tooling.cli import app
from dynamodb_tooling.cli.commands.engine import _requests_table
from dynamodb_tooling.config import reset_config
from dynamodb_tooling.engine import LocalServer, RequestRecord


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Workspace:
    """A project directory whose config points the local server at a free port."""

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.port = port
        self.state_dir = root / "state"
        self.runner = CliRunner()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def run(self, *args: str, code: int = 0, env: dict[str, str] | None = None) -> Any:
        result = self.runner.invoke(app, list(args), env=env)
        assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
        return result

    def status(self, code: int = 0) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.run("status", "--json", code=code).stdout)
        return parsed


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    monkeypatch.chdir(tmp_path)
    port = free_port()
    monkeypatch.setenv("DBTOOLING_LOCAL__STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("DBTOOLING_LOCAL__PORT", str(port))
    reset_config()
    try:
        yield Workspace(tmp_path, port)
    finally:
        LocalServer(state_dir=tmp_path / "state").stop()
        reset_config()


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


@pytest.mark.integration
def test_start_status_reset_logs_stop(workspace: Workspace) -> None:
    started = workspace.run("start", "--wait", "60")
    assert "Started moto" in started.stdout
    assert workspace.endpoint in started.stdout
    assert "DBTOOLING_ENGINE=local" in started.stdout
    assert f'endpoint = "{workspace.endpoint}"' in started.stdout

    status = workspace.status()
    assert status["running"] is True
    assert status["healthy"] is True
    assert status["port"] == workspace.port
    assert status["endpoint"] == workspace.endpoint
    assert "Already running" in workspace.run("start", "--wait", "60").stdout
    elsewhere = workspace.run("start", "--port", str(free_port()), "--wait", "60").stdout
    assert "Already running" in elsewhere
    assert "not applied" in elsewhere

    create_table(workspace.endpoint, "cli_reset")
    assert workspace.status()["table_count"] == 1
    assert "every table and item deleted" in workspace.run("reset").stdout
    assert workspace.status()["table_count"] == 0

    logged = [json.loads(line) for line in workspace.run("logs", "--json").stdout.splitlines()]
    assert "POST /moto-api/reset" in [record["operation"] for record in logged]
    assert len(workspace.run("logs", "--json", "--lines", "2").stdout.splitlines()) == 2

    human = workspace.run("status").stdout
    assert "running" in human
    assert "healthy, 0 tables" in human

    stopped = workspace.run("stop")
    assert "Stopped moto" in stopped.stdout
    assert workspace.status(code=3)["running"] is False  # exit 3: not running
    assert "not running" in workspace.run("status", code=3).stdout
    assert "No local server was running" in workspace.run("stop").stdout


def test_reset_does_not_start_a_stopped_server(workspace: Workspace) -> None:
    result = workspace.run("reset", code=3)  # 3: not running, as `status` says it

    assert "No local server is running" in result.stderr
    assert "dbtooling reset --start" in result.stderr
    assert result.stdout == ""
    assert workspace.status(code=3)["running"] is False


@pytest.mark.integration
def test_reset_with_start_starts_a_stopped_server_and_resets_it(workspace: Workspace) -> None:
    result = workspace.run("reset", "--start", "--wait", "60")

    assert "Started moto" in result.stdout
    assert "reset it" in result.stdout
    status = workspace.status()
    assert (status["running"], status["table_count"]) == (True, 0)
    create_table(workspace.endpoint, "kept_until_reset")
    assert "every table and item deleted" in workspace.run("reset", "--start").stdout
    assert workspace.status()["table_count"] == 0


@pytest.mark.integration
def test_logs_show_operation_table_and_status_per_request(workspace: Workspace) -> None:
    workspace.run("start", "--wait", "60")
    create_table(workspace.endpoint, "cli_logged")
    client = dynamodb_client(workspace.endpoint)
    try:
        client.put_item(TableName="cli_logged", Item={"PK": {"S": "a"}})
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.get_item(TableName="cli_missing", Key={"PK": {"S": "a"}})
    finally:
        client.close()

    rows = [json.loads(line) for line in workspace.run("logs", "--json").stdout.splitlines()]
    shown = workspace.run("logs", "-n", "3", env={"COLUMNS": "200"}).stdout.splitlines()
    errors = workspace.run("logs", "--errors", "--json").stdout.splitlines()
    of_table = workspace.run("logs", "--table", "cli_logged", "--json").stdout.splitlines()
    puts = workspace.run("logs", "--operation", "putitem", "--json").stdout.splitlines()
    none = workspace.run("logs", "--table", "elsewhere")

    assert [(r["operation"], r.get("table"), r["status"]) for r in rows[-3:]] == [
        ("CreateTable", "cli_logged", 200),
        ("PutItem", "cli_logged", 200),
        ("GetItem", "cli_missing", 400),
    ]
    assert rows[-1]["error"] == "ResourceNotFoundException"
    shown_rows = [line.split() for line in shown if line.split()[:1] and ":" in line.split()[0]]
    assert [row[1:4] for row in shown_rows] == [  # piped: one line per request
        ["200", "CreateTable", "cli_logged"],
        ["200", "PutItem", "cli_logged"],
        ["400", "GetItem", "cli_missing"],
    ]
    assert shown_rows[-1][6] == "ResourceNotFoundException:"
    assert [json.loads(line)["table"] for line in errors] == ["cli_missing"]
    assert [json.loads(line)["operation"] for line in of_table] == ["CreateTable", "PutItem"]
    assert [json.loads(line)["operation"] for line in puts] == ["PutItem"]
    assert none.stdout == ""
    assert "No request matches the filters" in none.stderr


@pytest.mark.integration
def test_start_with_a_port_flag_overrides_the_config(workspace: Workspace) -> None:
    other_port = free_port()

    result = workspace.run("start", "--port", str(other_port), "--wait", "60")

    assert f"http://127.0.0.1:{other_port}" in result.stdout
    assert f"DBTOOLING_LOCAL__PORT={other_port}" in result.stdout  # differs from the config
    assert workspace.status()["port"] == other_port


def test_start_on_a_taken_port_fails_and_suggests_another(workspace: Workspace) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
        squatter.bind(("127.0.0.1", workspace.port))
        squatter.listen()

        result = workspace.run("start", "--wait", "60", code=1)

    assert f"port {workspace.port}" in result.stderr
    assert "--port" in result.stderr
    assert result.stdout == ""


def test_dynamodb_local_with_a_missing_jar_fails_naming_it(workspace: Workspace) -> None:
    jar = workspace.root / "missing" / "DynamoDBLocal.jar"

    result = workspace.run("start", "--engine", "dynamodb-local", "--jar", str(jar), code=1)

    assert "jar" in result.stderr
    assert "DynamoDBLocal.jar" in result.stderr
    assert not (workspace.state_dir / "server.json").exists()


@pytest.mark.integration
@pytest.mark.skipif(shutil.which("java") is None, reason="needs a Java runtime")
def test_in_memory_flag_overrides_a_configured_db_path(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    jar = workspace.root / "DynamoDBLocal.jar"
    jar.write_bytes(b"not a jar")  # java starts, then exits: the error shows the command
    monkeypatch.setenv("DBTOOLING_LOCAL__DB_PATH", str(workspace.root / "data"))

    on_disk = workspace.run("start", "-e", "dynamodb-local", "--jar", str(jar), code=1)
    in_memory = workspace.run(
        "start", "-e", "dynamodb-local", "--jar", str(jar), "--in-memory", code=1
    )

    assert "exited during start-up" in on_disk.stderr
    assert f"-dbPath {workspace.root / 'data'} -sharedDb" in on_disk.stderr
    assert "-inMemory -sharedDb" in in_memory.stderr
    assert "-dbPath" not in in_memory.stderr


def test_in_memory_and_db_path_are_exclusive(workspace: Workspace) -> None:
    result = workspace.run(
        "start", "--engine", "dynamodb-local", "--in-memory", "--db-path", "data", code=1
    )

    assert "--in-memory or --db-path" in result.stderr


def test_unknown_engine_is_a_usage_error(workspace: Workspace) -> None:
    workspace.run("start", "--engine", "postgres", code=2)


def test_status_json_when_nothing_runs(workspace: Workspace) -> None:
    status = workspace.status(code=3)

    assert status == {
        "running": False,
        "pid": None,
        "port": workspace.port,
        "engine": "moto",
        "endpoint": workspace.endpoint,
        "uptime": None,
        "healthy": False,
        "table_count": None,
    }


def test_logs_before_any_server_says_so(workspace: Workspace) -> None:
    result = workspace.run("logs")

    assert "No request log" in result.stderr
    assert "dbtooling start" in result.stderr
    assert result.stdout == ""


REQUESTS = [
    {"time": "2026-01-02T03:04:05.678Z", "operation": "PutItem", "table": "t", "status": 200},
    {
        "time": "2026-01-02T03:04:06.000Z",
        "operation": "Query",
        "table": "t",
        "index": "GSI1",
        "status": 400,
        "error": "ValidationException",
        "message": "bad key",
        "ms": 1.25,
    },
]


def test_logs_follow_prints_lines_and_returns_when_no_server_runs(workspace: Workspace) -> None:
    workspace.state_dir.mkdir()
    lines = [json.dumps(record) for record in REQUESTS]
    (workspace.state_dir / "requests.jsonl").write_text("\n".join(lines) + "\n")

    followed = workspace.run("logs", "--follow", "--lines", "1").stdout
    raw = workspace.run("logs", "-f", "--json", "--errors").stdout

    assert followed.endswith("\n")
    line = "03:04:06.000 400 Query t (GSI1) 1.2 ms ValidationException: bad key"
    assert " ".join(followed.split()) == line
    assert raw == lines[1] + "\n"


def test_on_a_terminal_logs_are_a_table_with_the_columns_used() -> None:
    records = [RequestRecord.parse(json.dumps(record)) for record in REQUESTS]
    console = Console(width=160, record=True)

    console.print(_requests_table([r for r in records if r is not None]))

    rows = [line.split() for line in console.export_text().splitlines() if line.strip()]
    assert rows[0] == ["UTC", "operation", "table", "status", "ms", "index", "error"]
    assert rows[2] == ["03:04:05.678", "PutItem", "t", "200"]
    assert rows[3] == ["03:04:06.000", "Query", "t", "400", "1.2", "GSI1", "ValidationException"]


def test_logs_of_a_server_without_a_request_log_show_its_output(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBTOOLING_LOCAL__ENGINE", "dynamodb-local")
    monkeypatch.setenv("DBTOOLING_LOCAL__JAR_PATH", str(workspace.root / "DynamoDBLocal.jar"))
    reset_config()
    workspace.state_dir.mkdir()
    (workspace.state_dir / "server.log").write_text("one\ntwo\nthree\n")

    followed = workspace.run("logs", "--follow", "--lines", "2")
    filtered = workspace.run("logs", "--errors", code=1)

    assert followed.stdout == "two\nthree\n"
    assert "DynamoDB Local logs no requests" in followed.stderr
    assert workspace.run("logs", "-n", "1").stdout == "three\n"
    assert "need the request log" in filtered.stderr


def test_server_log_shows_the_servers_own_output(workspace: Workspace) -> None:
    workspace.state_dir.mkdir()
    (workspace.state_dir / "server.log").write_text("started\n")
    (workspace.state_dir / "requests.jsonl").write_text(json.dumps(REQUESTS[0]) + "\n")

    assert workspace.run("logs", "--server-log").stdout == "started\n"
    assert "need the request log" in workspace.run("logs", "--server-log", "--json", code=1).stderr
