"""``dbtooling models`` and ``dbtooling console`` through the real entry point."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from dynamodb_tooling.config import Config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.marshal import unmarshall_item
from tests.cli.cli_project import Project, engine_env, unique_table


@pytest.fixture
def project(tmp_path: Path, dynamodb_config: Config) -> Project:
    return Project(tmp_path, engine_env(dynamodb_config, "Unused"), "Unused")


def test_models_lists_prefixes_attributes_relations_and_traits(project: Project) -> None:
    listed = {m["model"]: m for m in project.json("models")}
    assert sorted(listed) == ["Note", "Writer"]
    writer = listed["Writer"]
    assert writer["prefix"] == "WRITER"
    assert writer["primary_key"] == "id"
    email = next(a for a in writer["attributes"] if a["name"] == "email")
    assert (email["type"], email["unique"], email["nullable"]) == ("string", True, False)
    secret = next(a for a in writer["attributes"] if a["name"] == "secret")
    assert secret["hidden"] is True
    assert writer["traits"] == ["timestamps", "soft_deletes", "ids: ulid"]
    [relation] = listed["Note"]["relations"]
    assert relation == {
        "name": "writer",
        "kind": "belongs_to",
        "target": "Writer",
        "foreign_key": "writer_id",
        "collection": False,
        "derived": False,
    }
    human = project.run("models").stdout
    assert "writer: belongs_to Writer" in human
    assert "email: string (unique)" in human

    elsewhere = project.run("models", "--models", str(project.root / "nowhere"), code=1)
    assert "nowhere" in elsewhere.stderr


CONSOLE_SESSION = """\
ada = Writer.create(email="ada@example.com", name="Ada")
with record_requests() as sent:
    found = Writer.find(ada.id)

print("found", found.name, sent.count, sent.operations)
print("table", table_name, config.default_table_name == table_name)
print("client", type(client).__name__)
"""


@pytest.mark.integration
def test_console_preloads_models_config_client_and_record_requests(
    project: Project, dynamodb_config: Config, dynamodb_client: DynamoDBClient
) -> None:
    table = unique_table("cli-console")
    project.env = engine_env(dynamodb_config, table)
    project.run("table:create", "--wait")
    try:
        session = project.run("console", "--shell", "python", stdin=CONSOLE_SESSION)
        assert "models: Note, Writer" in session.stderr  # code.interact's banner
        assert "found Ada 1 ['GetItem']" in session.stdout
        assert f"table {table} True" in session.stdout
        assert "client DynamoDBClient" in session.stdout
        items = [unmarshall_item(i) for i in dynamodb_client.scan_all(table).items]
        assert [i["name"] for i in items if i.get("_et") == "Writer"] == ["Ada"]
    finally:
        dynamodb_client.delete_table(table)


@pytest.mark.skipif(
    importlib.util.find_spec("ptpython") is not None, reason="ptpython is installed here"
)
def test_console_refuses_a_shell_that_is_not_installed(project: Project) -> None:
    done = project.run("console", "--shell", "ptpython", code=1)
    wanted = "ptpython is not installed; pip install ptpython, or use --shell python"
    assert wanted in done.stderr
