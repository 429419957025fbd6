"""The CLI with a model in its own table (``"dynamodbTable": "Ledger"``): `table:create`, `migrate`,
`migrate:status`, `migrate:generate` and `ci:validate` cover every table."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from dynamodb_tooling.cli import app
from dynamodb_tooling.config import reset_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import ResourceNotFoundError

pytestmark = pytest.mark.integration

MODELS = [
    {"name": "Member", "attributes": {"email": {}}, "hasMany": ["Entry"]},
    {"name": "Entry", "dynamodbTable": "Ledger", "attributes": {"amount": {"type": "integer"}}},
]


@pytest.fixture
def tables(
    dynamodb_endpoint: str,
    dynamodb_client: DynamoDBClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[str, str]]:
    """The CLI pointed at the test engine and a models folder; the two table names (unique:
    the configured suffix is the test's id)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "models.json").write_text(json.dumps(MODELS))
    unique = uuid.uuid4().hex[:12]
    monkeypatch.setenv("DBTOOLING_ENDPOINT", dynamodb_endpoint)
    monkeypatch.setenv("DBTOOLING_CREDENTIALS__ACCESS_KEY_ID", "embedded")
    monkeypatch.setenv("DBTOOLING_CREDENTIALS__SECRET_ACCESS_KEY", "embedded")
    monkeypatch.setenv("DBTOOLING_DEFAULT_TABLE_NAME", "test-cli-tables")
    monkeypatch.setenv("DBTOOLING_TABLE_NAME_SUFFIX", f"-{unique}")
    reset_config()
    names = (f"test-cli-tables-{unique}", f"Ledger-{unique}")
    yield names
    reset_config()
    for name in names:
        with contextlib.suppress(ResourceNotFoundError):
            dynamodb_client.delete_table(name)


def run(*args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(app, [*args, "--models", "models"], env={"COLUMNS": "200"})
    assert result.exit_code == code, result.output
    return result


def test_table_create_makes_every_table(
    tables: tuple[str, str], dynamodb_client: DynamoDBClient
) -> None:
    output = run("table:create", "--wait").output
    for name in tables:
        assert f"Created table {name} (ACTIVE)" in output
        assert dynamodb_client.describe_table(name)["Table"]["TableStatus"] == "ACTIVE"


def test_migrate_status_and_generate_show_every_table(
    tables: tuple[str, str], dynamodb_client: DynamoDBClient, tmp_path: Path
) -> None:
    main, ledger = tables
    dry = run("migrate", "--dry-run").output
    assert f"would send CreateTable to {main}" in dry
    assert f"would send CreateTable to {ledger}" in dry

    done = run("migrate").output
    assert f"create table {main}" in done
    assert f"create table {ledger}" in done
    status = run("migrate:status").output
    assert f"table {main}: exists" in status
    assert f"table {ledger}: exists" in status
    assert status.count("up to date") == 2
    assert f"table {ledger}: nothing to migrate" in run("migrate").output

    run("migrate:generate", "--format", "json", "--output", "plan.json")
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert [p["table"] for p in plan["tables"]] == [main, ledger]
    assert all(p["up_to_date"] for p in plan["tables"])

    report = json.loads(run("ci:validate", "--json").output)
    assert report["tables"] == [main, ledger]
    definitions = json.loads(run("schema", "--format", "json").output)
    assert sorted(definitions) == sorted([main, ledger])
    summary = run("schema").output
    assert f"Table {main}" in summary
    assert f"Table {ledger}" in summary
