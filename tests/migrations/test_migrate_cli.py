"""`dbtooling migrate`, `migrate:status|rollback|fresh|generate|copy-table` against the test
engine."""

from __future__ import annotations

import contextlib
import json
import traceback
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from dynamodb_tooling.cli import app
from dynamodb_tooling.config import reset_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import ResourceNotFoundError
from dynamodb_tooling.migrations import DestructiveChangeError

# Spawns its own processes (the dbtooling CLI, pytest): run once, in the default pass.
pytestmark = [pytest.mark.integration, pytest.mark.processes]

MODELS = [
    {"name": "Team", "attributes": {"name": {}}, "hasMany": ["Member"]},
    {"name": "Member", "attributes": {"email": {}}},
]


@pytest.fixture
def table(
    dynamodb_endpoint: str,
    dynamodb_client: DynamoDBClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[str]:
    """The CLI pointed at the test engine, a models folder, and a table name to use."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "models.json").write_text(json.dumps(MODELS))
    name = f"test-cli-mig-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("DBTOOLING_ENDPOINT", dynamodb_endpoint)
    monkeypatch.setenv("DBTOOLING_CREDENTIALS__ACCESS_KEY_ID", "embedded")
    monkeypatch.setenv("DBTOOLING_CREDENTIALS__SECRET_ACCESS_KEY", "embedded")
    monkeypatch.setenv("DBTOOLING_DEFAULT_TABLE_NAME", name)
    reset_config()
    yield name
    reset_config()
    with contextlib.suppress(ResourceNotFoundError):
        dynamodb_client.delete_table(name)


def run(*args: str, code: int = 0, input: str | None = None) -> Result:
    result = CliRunner().invoke(
        app, [*args, "--models", "models"], input=input, env={"COLUMNS": "200"}
    )
    assert result.exit_code == code, result.output
    return result


def test_migrate_status_generate_rollback_and_fresh(
    table: str, dynamodb_client: DynamoDBClient, tmp_path: Path
) -> None:
    dry = run("migrate", "--dry-run").output
    assert "would send CreateTable" in dry
    assert "not exist" in run("migrate:status").output

    done = run("migrate").output
    assert f"create table {table}" in done
    assert dynamodb_client.describe_table(table)["Table"]["TableStatus"] == "ACTIVE"
    status = run("migrate:status").output
    assert "up to date" in status
    assert "migrate success" in status
    assert "nothing to migrate" in run("migrate").output

    run("migrate:generate", "--format", "json", "--output", "plan.json")
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert plan["up_to_date"] is True
    assert plan["table"] == table

    refused = run("migrate:rollback", code=1)
    assert "nothing to roll back" in refused.output

    kept = run("migrate:fresh", input="n\n", code=1)
    assert "nothing was changed" in kept.output
    dynamodb_client.put_item(table, {"pk": "TEAM#1", "sk": "TEAM#1", "_et": "Team"})
    fresh = run("migrate:fresh", input="y\n").output
    assert f"create table {table}" in fresh
    assert "Item" not in dynamodb_client.get_item(table, {"pk": "TEAM#1", "sk": "TEAM#1"})


def test_fresh_refuses_a_non_local_endpoint(table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBTOOLING_ENDPOINT", "https://dynamodb.eu-west-1.amazonaws.com")
    reset_config()
    refused = run("migrate:fresh", code=1)
    assert "not a local engine" in refused.output
    assert "--force" in refused.output


def test_destructive_migrate_without_force_exits_with_the_reason(
    table: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("migrate")
    monkeypatch.setenv("DBTOOLING_SINGLE_TABLE_DESIGN__GSI_COUNT", "1")
    reset_config()
    (tmp_path / "models" / "models.json").write_text(
        json.dumps([{**MODELS[0], "hasMany": []}, MODELS[1]])
    )
    refused = run("migrate", code=1)
    assert "drop GSI GSI2" in refused.output
    assert "--force" in refused.output
    forced = run("migrate", "--force").output
    assert "[applied] drop GSI GSI2" in forced


def test_migrate_errors_follow_the_cli_rule_one_line_or_the_traceback_with_debug(
    table: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("migrate")
    monkeypatch.setenv("DBTOOLING_SINGLE_TABLE_DESIGN__GSI_COUNT", "1")
    reset_config()
    plain = run("migrate", code=1)
    errors = [line for line in plain.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert errors[0].startswith("error: table ")
    assert "Traceback" not in plain.output
    assert isinstance(plain.exception, SystemExit)  # reported, not raised

    debug = CliRunner().invoke(app, ["--debug", "migrate", "--models", "models"])
    assert debug.exit_code == 1
    assert isinstance(debug.exception, DestructiveChangeError)
    assert debug.exc_info is not None
    frames = traceback.extract_tb(debug.exc_info[2])
    assert any(frame.name == "migrate_command" for frame in frames)
    assert any(frame.name == "check_plan" for frame in frames)


def test_copy_table_command_copies_into_a_new_table_and_prints_the_switch(
    table: str, tmp_path: Path, dynamodb_client: DynamoDBClient
) -> None:
    run("migrate")
    dynamodb_client.put_item(table, {"pk": "TEAM#1", "sk": "TEAM#1", "_et": "Team", "name": "a"})
    refused = run("migrate:copy-table", "--drop-old", code=1)
    assert "add --force" in refused.output
    try:
        copied = run("migrate:copy-table", "--segments", "2").output
        assert f"copied {table} -> {table}-v2: 1 item(s) written" in copied
        assert f'default_table_name = "{table}-v2"' in copied
        item = dynamodb_client.get_item(f"{table}-v2", {"pk": "TEAM#1", "sk": "TEAM#1"})
        assert item["Item"]["name"] == {"S": "a"}
    finally:
        with contextlib.suppress(ResourceNotFoundError):
            dynamodb_client.delete_table(f"{table}-v2")


def test_migrate_says_why_a_step_was_not_sent(table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBTOOLING_CONTRIBUTOR_INSIGHTS__ENABLED", "true")
    reset_config()
    output = run("migrate").output
    if "[applied] enable Contributor Insights" in output:
        pytest.skip("this engine supports Contributor Insights")
    assert "[skipped] enable Contributor Insights" in output
    assert "skipped: engine does not support Contributor Insights" in output
    assert "nothing to migrate" in run("migrate").output
