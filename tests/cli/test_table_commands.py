"""``dbtooling table:create|describe|list|wait|delete`` through the real entry point."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from dynamodb_tooling.config import Config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import ResourceNotFoundError
from tests.cli.cli_project import Project, engine_env, unique_table

# Spawns its own processes (the dbtooling CLI, pytest): run once, in the default pass.
pytestmark = [pytest.mark.integration, pytest.mark.processes]


@pytest.fixture
def project(
    tmp_path: Path, dynamodb_config: Config, dynamodb_client: DynamoDBClient
) -> Iterator[Project]:
    table = unique_table("cli-table")
    yield Project(tmp_path, engine_env(dynamodb_config, table), table)
    if table in dynamodb_client.list_all_tables():
        dynamodb_client.delete_table(table)


def exists(client: DynamoDBClient, table: str) -> bool:
    try:
        client.describe_table(table)
    except ResourceNotFoundError:
        return False
    return True


def test_create_sends_the_registry_table_definition_and_describe_shows_it(
    project: Project, dynamodb_client: DynamoDBClient
) -> None:
    definition = json.loads(project.run("schema", "--format", "json").stdout)
    created = project.run("table:create", "--wait")
    assert f"Created table {project.table} (ACTIVE)" in created.stdout

    table = dynamodb_client.describe_table(project.table)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["KeySchema"] == definition["KeySchema"]
    assert sorted(table["AttributeDefinitions"], key=str) == sorted(
        definition["AttributeDefinitions"], key=str
    )
    created_indexes = {i["IndexName"]: i["KeySchema"] for i in table["GlobalSecondaryIndexes"]}
    wanted = {i["IndexName"]: i["KeySchema"] for i in definition["GlobalSecondaryIndexes"]}
    assert created_indexes == wanted

    described = project.json("table:describe")
    assert described["TableName"] == project.table
    assert described["KeySchema"] == table["KeySchema"]
    human = project.run("table:describe").stdout
    assert "ACTIVE" in human
    assert "GSI1: gsi1pk (HASH), gsi1sk (RANGE)" in human
    assert project.table in project.json("table:list")
    assert project.table in project.run("table:list").stdout.splitlines()
    assert f"{project.table} is ACTIVE" in project.run("table:wait").stdout

    again = project.run("table:create", code=1)
    assert f"table '{project.table}' already exists" in again.stderr
    assert "Traceback" not in again.stderr


def test_delete_asks_and_refuses_production_without_force(
    project: Project, dynamodb_client: DynamoDBClient
) -> None:
    project.run("table:create", "--wait")

    declined = project.run("table:delete", stdin="n\n", code=1)
    assert "not confirmed" in declined.stderr
    assert exists(dynamodb_client, project.table)

    production = {"DBTOOLING_PRODUCTION": "true"}
    refused = project.run("table:delete", stdin="y\n", env=production, code=1)
    assert "refusing to delete table" in refused.stderr
    assert "production" in refused.stderr
    assert exists(dynamodb_client, project.table)

    (project.root / "dbtooling.toml").write_text('[env.production]\nregion = "us-east-1"\n')
    named = project.run("--env", "production", "table:delete", "--wait", code=1)
    assert "production environment 'production'" in named.stderr
    assert exists(dynamodb_client, project.table)

    done = project.run("table:delete", "--force", env=production)
    assert f"Deleted table {project.table}" in done.stdout
    assert f"{project.table} is gone" in project.run("table:wait", "--deleted").stdout
    assert not exists(dynamodb_client, project.table)
    assert project.table not in project.json("table:list")

    missing = project.run("table:delete", "--force", code=1)
    assert f"table '{project.table}' does not exist" in missing.stderr
