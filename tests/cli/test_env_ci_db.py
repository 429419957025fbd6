"""``dbtooling env:*``, ``ci:*`` and ``db:fresh`` through the real entry point (a subprocess in
a project folder of its own) against the test engine."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from dynamodb_tooling.cli.commands.ci import pytest_command
from dynamodb_tooling.cli.commands.env import compare, write_selection
from dynamodb_tooling.config import Config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.testing.plugin import key_schema_table
from tests.cli.cli_project import Project, engine_env, unique_table

# Spawns its own processes (the dbtooling CLI, pytest): run once, in the default pass.
pytestmark = [pytest.mark.integration, pytest.mark.processes]

SEEDER = """
    from app.models.blog import Note, Writer
    from dynamodb_tooling.seeders import Seeder


    class DatabaseSeeder(Seeder):
        def run(self) -> None:
            Writer.factory().count(2).has(Note.factory().count(3)).create()
"""


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture
def tables(dynamodb_client: DynamoDBClient) -> Iterator[list[str]]:
    """Names to delete afterwards (those that exist then)."""
    names: list[str] = []
    yield names
    existing = set(dynamodb_client.list_all_tables())
    for name in names:
        if name in existing:
            dynamodb_client.delete_table(name)


@pytest.fixture
def project(tmp_path: Path, dynamodb_config: Config, tables: list[str]) -> Project:
    table = unique_table("cli-ci")
    tables.append(table)
    return Project(tmp_path, engine_env(dynamodb_config, table), table)


def entity_counts(client: DynamoDBClient, table: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in client.scan_all(table).items:
        kind = unmarshall_item(item).get("_et", "(none)")
        counts[kind] = counts.get(kind, 0) + 1
    return counts


# ci:validate / ci:migrate / ci:test


def test_ci_validate_reports_the_models_and_fails_on_a_broken_one(project: Project) -> None:
    report = project.json("ci:validate")
    assert report["ok"] is True
    assert report["models"] == ["Note", "Writer"]
    assert report["table"] == project.table
    assert report["gsis"]
    assert report["access_patterns"] > 0
    assert report["problems"] == []
    assert "ok: 2 model(s)" in project.run("ci:validate").stdout

    write(
        project.root / "app" / "models" / "broken.py",
        """
        from dynamodb_tooling import BelongsTo, Model


        class Comment(Model):
            body: str
            post = BelongsTo("Post")
        """,
    )
    failed = project.run("ci:validate", "--json", code=1)
    report = json.loads(failed.stdout)
    assert report["ok"] is False
    [problem] = report["problems"]
    assert "Post" in problem["error"]
    assert problem["stage"] in ("load", "resolve")
    human = project.run("ci:validate", code=1)
    assert "problem (" in human.stdout
    assert "Traceback" not in human.stderr

    missing = project.run("ci:validate", "--json", "--models", "nowhere", code=1)
    assert (
        "models folder 'nowhere' does not exist"
        in json.loads(missing.stdout)["problems"][0]["error"]
    )


def test_ci_migrate_prints_json_and_refuses_destructive_changes_without_force(
    project: Project, dynamodb_client: DynamoDBClient
) -> None:
    created = json.loads(project.run("ci:migrate").stdout)
    assert created["ok"] is True
    assert created["changed"] is True
    assert dynamodb_client.describe_table(project.table)["Table"]["TableStatus"] == "ACTIVE"
    again = json.loads(project.run("ci:migrate").stdout)
    assert again["ok"] is True
    assert again["changed"] is False

    models = project.root / "app" / "models" / "blog.py"
    text = models.read_text(encoding="utf-8")
    models.write_text(text.replace("    writer = BelongsTo(Writer)\n", ""), encoding="utf-8")
    refused = json.loads(project.run("ci:migrate", code=1).stdout)
    assert refused["ok"] is False
    assert refused["destructive"] is True
    assert "--force" in refused["hint"]
    forced = json.loads(project.run("ci:migrate", "--force").stdout)
    assert forced["ok"] is True
    assert forced["changed"] is True


def test_ci_test_runs_pytest_on_a_throwaway_table_and_exits_with_its_code(
    project: Project, dynamodb_config: Config, dynamodb_client: DynamoDBClient
) -> None:
    write(
        project.root / "tests" / "test_app.py",
        """
        from app.models.blog import Writer


        def test_writes_to_the_test_table(dynamodb_app_table):
            assert dynamodb_app_table.startswith("test-app-")
            Writer.create(email="ada@example.com", name="Ada")
            assert Writer.where("email", "ada@example.com").first().name == "Ada"


        def test_fails_when_asked(request):
            assert not request.config.getoption("--fail-please", default=False)
        """,
    )
    write(
        project.root / "tests" / "conftest.py",
        """
        def pytest_addoption(parser):
            parser.addoption("--fail-please", action="store_true")
        """,
    )
    assert dynamodb_config.endpoint is not None
    endpoint = ("--endpoint", dynamodb_config.endpoint)
    passed = project.run("ci:test", *endpoint, "--", "-q", "-p", "no:randomly", "tests")
    assert "2 passed" in passed.stdout
    failed = project.run(
        "ci:test", *endpoint, "--", "-q", "-p", "no:randomly", "tests", "--fail-please", code=1
    )
    assert "1 failed, 1 passed" in failed.stdout
    assert project.table not in dynamodb_client.list_all_tables()  # never the configured table


# db:fresh


def test_db_fresh_refuses_a_non_local_endpoint_and_production_without_force(
    project: Project, dynamodb_client: DynamoDBClient
) -> None:
    write(project.root / "database" / "seeders" / "database_seeder.py", SEEDER)
    remote = {"DBTOOLING_ENDPOINT": "https://dynamodb.eu-west-1.amazonaws.com"}
    refused = project.run("db:fresh", stdin="y\n", env=remote, code=1)
    assert "is not a local engine" in refused.stderr
    assert "--force" in refused.stderr
    assert "Traceback" not in refused.stderr

    production = project.run("db:fresh", stdin="y\n", env={"DBTOOLING_PRODUCTION": "true"}, code=1)
    assert "refusing to wipe table" in production.stderr
    assert "production" in production.stderr
    declined = project.run("db:fresh", stdin="n\n", code=1)
    assert "not confirmed" in declined.stderr
    assert project.table not in dynamodb_client.list_all_tables()  # nothing was created


def test_db_fresh_wipes_migrates_and_seeds(
    project: Project, dynamodb_client: DynamoDBClient
) -> None:
    write(project.root / "database" / "seeders" / "database_seeder.py", SEEDER)
    project.run("migrate")
    stray = {"pk": "STRAY#1", "sk": "STRAY#1", "_et": "Stray"}
    dynamodb_client.put_item(project.table, stray)

    done = project.run("db:fresh", stdin="y\n")
    assert "seeded DatabaseSeeder" in done.stdout
    counts = entity_counts(dynamodb_client, project.table)
    assert "Stray" not in counts
    assert counts["Writer"] == 2
    assert counts["Note"] == 6

    again = json.loads(project.run("db:fresh", "--force", "--json").stdout)
    assert again["table"] == project.table
    assert again["seeders"][0]["seeder"] == "DatabaseSeeder"
    counts = entity_counts(dynamodb_client, project.table)
    assert counts["Writer"] == 2
    assert counts["Note"] == 6


# env:list / env:switch / env:diff


@pytest.fixture
def env_project(
    tmp_path: Path, dynamodb_config: Config, dynamodb_client: DynamoDBClient, tables: list[str]
) -> Project:
    """Two environments, ``one`` and ``two``, whose tables differ by a GSI; a third,
    ``prod``, whose table does not exist."""
    one, two = unique_table("env-one"), unique_table("env-two")
    tables += [one, two]
    dynamodb_client.create_table(key_schema_table(one, gsi_count=1))
    dynamodb_client.create_table(key_schema_table(two, gsi_count=2))
    env = engine_env(dynamodb_config, one)
    del env["DBTOOLING_DEFAULT_TABLE_NAME"]  # the environments name their tables
    write(
        tmp_path / "dbtooling.toml",
        f"""
        default_table_name = "{one}"

        [env.one]
        default_table_name = "{one}"

        [env.two]
        default_table_name = "{two}"

        [env.prod]
        default_table_name = "{one}-missing"
        """,
    )
    return Project(tmp_path, env, one)


def test_env_list_and_switch_select_an_environment_through_dotenv(
    env_project: Project, dynamodb_config: Config
) -> None:
    rows = {row["name"]: row for row in env_project.json("env:list")}
    assert sorted(rows) == ["one", "prod", "two"]
    assert rows["two"]["table"].startswith("env-two-")
    assert rows["one"]["endpoint"] == dynamodb_config.endpoint
    assert rows["prod"]["table"].endswith("-missing")
    assert rows["prod"]["production"] is True
    assert not any(row["current"] for row in rows.values())

    (env_project.root / ".env").write_text("OTHER=1\nDBTOOLING_ENV=one\n", encoding="utf-8")
    env_project.run("env:switch", "two")
    lines = (env_project.root / ".env").read_text(encoding="utf-8").splitlines()
    assert lines == ["OTHER=1", "DBTOOLING_ENV=two"]
    current = [row["name"] for row in env_project.json("env:list") if row["current"]]
    assert current == ["two"]

    unknown = env_project.run("env:switch", "staging", code=1)
    assert "unknown environment 'staging'" in unknown.stderr
    assert "one, prod, two" in unknown.stderr


def test_env_diff_shows_the_gsi_one_environment_lacks(env_project: Project) -> None:
    differs = env_project.run("env:diff", "one", "two", "--json", code=1)
    report = json.loads(differs.stdout)
    assert report["same"] is False
    assert report["a"]["name"] == "one"
    assert report["b"]["table"].startswith("env-two-")
    fields = {d["field"]: d for d in report["differences"]}
    assert set(fields) == {"gsis.GSI2"}
    assert fields["gsis.GSI2"]["a"] is None
    assert fields["gsis.GSI2"]["b"].startswith("gsi2pk (HASH), gsi2sk (RANGE)")
    human = env_project.run("env:diff", "one", "two", code=1)
    assert "gsis.GSI2" in human.stdout

    same = env_project.run("env:diff", "one", "one")
    assert "have the same table schema" in same.stdout
    missing = env_project.run("env:diff", "one", "prod", code=1)
    assert "environment 'prod': table" in missing.stderr
    assert "does not exist" in missing.stderr


# The pure parts, without a server.


def test_compare_names_each_differing_field() -> None:
    base = {
        "key_schema": "pk (HASH), sk (RANGE)",
        "gsis": {"GSI1": "gsi1pk (HASH)"},
        "lsis": {},
        "billing_mode": "PAY_PER_REQUEST",
        "tags": {"team": "a"},
    }
    other = base | {"billing_mode": "PROVISIONED", "tags": {"team": "b", "cost": "x"}}
    assert compare(base, base) == []
    assert compare(base, other) == [
        {"field": "billing_mode", "a": "PAY_PER_REQUEST", "b": "PROVISIONED"},
        {"field": "tags.cost", "a": None, "b": "x"},
        {"field": "tags.team", "a": "a", "b": "b"},
    ]


def test_write_selection_replaces_only_the_dbtooling_env_line(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    write_selection(dotenv, "staging")
    assert dotenv.read_text(encoding="utf-8") == "DBTOOLING_ENV=staging\n"
    dotenv.write_text("A=1\nexport DBTOOLING_ENV=old\nDBTOOLING_ENVX=2\n", encoding="utf-8")
    write_selection(dotenv, "prod")
    assert dotenv.read_text(encoding="utf-8").splitlines() == [
        "A=1",
        "DBTOOLING_ENVX=2",
        "DBTOOLING_ENV=prod",
    ]


def test_pytest_command_points_the_plugin_at_the_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DYNAMODB_ENDPOINT", "http://127.0.0.1:1")
    command, environ = pytest_command(["-x"], endpoint=None, models=Path("app/models"))
    assert command[1:] == ["-m", "pytest", "-o", "dynamodb_models=app/models", "-x"]
    assert "DYNAMODB_ENDPOINT" not in environ  # the embedded engine, not a leftover endpoint
    _, environ = pytest_command([], endpoint="http://localhost:8000", models=None)
    assert environ["DYNAMODB_ENDPOINT"] == "http://localhost:8000"
