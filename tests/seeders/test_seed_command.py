"""`dbtooling seed`, `make:factory` and `make:seeder` through the real entry point (a
subprocess in a project folder of its own), seeding a table on the test engine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dynamodb_tooling.cli import app
from dynamodb_tooling.config import Config, reset_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.engine import EMBEDDED_CREDENTIALS
from dynamodb_tooling.marshal import unmarshall_item

DBTOOLING = str(Path(sys.executable).with_name("dbtooling"))

MODELS = """
    from dynamodb_tooling import BelongsTo, Model, attribute


    class Writer(Model):
        email: str = attribute(unique=True, validation="required|email")
        name: str


    class Note(Model):
        body: str = attribute(validation="required|max:200")
        writer = BelongsTo(Writer)
"""

SEEDERS = {
    "writer_seeder.py": """
        from app.models.blog import Note, Writer
        from dynamodb_tooling.seeders import Seeder


        class WriterSeeder(Seeder):
            def run(self) -> None:
                Writer.factory().count(3).has(Note.factory().count(2)).create()
    """,
    "note_seeder.py": """
        from app.models.blog import Note, Writer
        from dynamodb_tooling.seeders import Seeder


        class NoteSeeder(Seeder):
            depends_on = ("WriterSeeder",)

            def run(self) -> None:
                Note.factory().count(5).for_(Writer.factory()).create()
    """,
    "database_seeder.py": """
        from dynamodb_tooling.seeders import Seeder


        class DatabaseSeeder(Seeder):
            def run(self) -> None:
                self.call("NoteSeeder")
    """,
}


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path / "app" / "models" / "blog.py", MODELS)
    return tmp_path


def dbtooling(project: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    variables = {k: v for k, v in os.environ.items() if not k.startswith(("DBTOOLING_", "AWS_"))}
    variables |= {"PYTHONPATH": str(project), "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [DBTOOLING, *args],
        cwd=project,
        env=variables,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_make_seeder_writes_a_template_and_refuses_to_overwrite(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)  # in-process: make:seeder imports nothing of the project
    reset_config()
    runner = CliRunner()
    done = runner.invoke(app, ["make:seeder", "UserSeeder"])
    assert done.exit_code == 0, done.output
    file = project / "database" / "seeders" / "user_seeder.py"
    assert "class UserSeeder(Seeder):" in file.read_text(encoding="utf-8")
    again = runner.invoke(app, ["make:seeder", "UserSeeder"])
    assert again.exit_code == 1
    assert "exists; pass --force to overwrite it" in again.output
    forced = runner.invoke(app, ["make:seeder", "UserSeeder", "--force"])
    assert forced.exit_code == 0, forced.output
    compile(file.read_text(encoding="utf-8"), str(file), "exec")
    bad = runner.invoke(app, ["make:seeder", "not-a-name"])
    assert bad.exit_code == 1
    assert "is not a Python class name" in bad.output
    reset_config()


def test_make_factory_writes_a_factory_of_the_model(project: Path) -> None:
    done = dbtooling(project, "make:factory", "WriterFactory")
    assert done.returncode == 0, done.stderr
    text = (project / "database" / "factories" / "writer_factory.py").read_text(encoding="utf-8")
    assert "from app.models.blog import Writer" in text
    assert "class WriterFactory(Factory[Writer]):" in text
    assert '"email": self.faker.unique.email(),' in text
    assert dbtooling(project, "make:factory", "WriterFactory").returncode == 1


@pytest.fixture
def seeded_table(
    project: Path, dynamodb_config: Config, dynamodb_client: DynamoDBClient
) -> Iterator[tuple[str, dict[str, str]]]:
    name = f"seed-{uuid.uuid4().hex[:10]}"
    key, secret = EMBEDDED_CREDENTIALS
    assert dynamodb_config.endpoint is not None
    env = {
        "DBTOOLING_ENDPOINT": dynamodb_config.endpoint,
        "DBTOOLING_REGION": dynamodb_config.region,
        "DBTOOLING_CREDENTIALS__ACCESS_KEY_ID": key,
        "DBTOOLING_CREDENTIALS__SECRET_ACCESS_KEY": secret,
        "DBTOOLING_DEFAULT_TABLE_NAME": name,
    }
    schema = dbtooling(project, "schema", "--format", "json", env=env)
    assert schema.returncode == 0, schema.stderr
    dynamodb_client.create_table(json.loads(schema.stdout))
    dynamodb_client.wait_for_table_active(name, interval=0.1)
    yield name, env
    dynamodb_client.delete_table(name)


def entities(client: DynamoDBClient, table: str) -> list[dict[str, Any]]:
    items = [unmarshall_item(i) for i in client.scan_all(table).items]
    return [i for i in items if not str(i["_et"]).startswith("_")]


@pytest.mark.integration
def test_seed_runs_the_database_seeder_and_reports_what_it_wrote(
    project: Path, seeded_table: tuple[str, dict[str, str]], dynamodb_client: DynamoDBClient
) -> None:
    table, env = seeded_table
    for name, text in SEEDERS.items():
        write(project / "database" / "seeders" / name, text)
    done = dbtooling(project, "seed", "--json", env=env)
    assert done.returncode == 0, done.stderr
    report = {r["seeder"]: r for r in json.loads(done.stdout)}
    assert list(report) == ["WriterSeeder", "NoteSeeder", "DatabaseSeeder"]
    assert report["WriterSeeder"]["written"] == {"Note": 6, "Writer": 3}
    assert report["NoteSeeder"]["written"] == {"Note": 5, "Writer": 1}
    assert report["DatabaseSeeder"]["items"] == 0
    items = entities(dynamodb_client, table)
    writers = {i["id"] for i in items if i["_et"] == "Writer"}
    notes = [i for i in items if i["_et"] == "Note"]
    assert len(writers) == 4
    assert len(notes) == 11
    assert {n["writer_id"] for n in notes} <= writers

    one = dbtooling(project, "seed", "--class", "WriterSeeder", env=env)
    assert one.returncode == 0, one.stderr
    assert "WriterSeeder" in one.stdout
    assert "Note 6, Writer 3" in one.stdout
    assert len([i for i in entities(dynamodb_client, table) if i["_et"] == "Writer"]) == 7

    unknown = dbtooling(project, "seed", "--class", "WritersSeeder", env=env)
    assert unknown.returncode == 1
    assert "no seeder named 'WritersSeeder'; did you mean 'WriterSeeder'" in unknown.stderr
