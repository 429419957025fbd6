"""``dbtooling put|get|query|scan|delete`` through the real entry point, on a table of the
test engine; every effect is checked on the table itself."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dynamodb_tooling.config import Config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.marshal import unmarshall_item
from tests.cli.cli_project import Project, engine_env, unique_table

# Spawns its own processes (the dbtooling CLI, pytest): run once, in the default pass.
pytestmark = [pytest.mark.integration, pytest.mark.processes]


@pytest.fixture
def project(
    tmp_path: Path, dynamodb_config: Config, dynamodb_client: DynamoDBClient
) -> Iterator[Project]:
    table = unique_table("cli-data")
    found = Project(tmp_path, engine_env(dynamodb_config, table), table)
    found.run("table:create", "--wait")
    yield found
    dynamodb_client.delete_table(table)


def stored(client: DynamoDBClient, table: str, entity: str) -> list[dict[str, Any]]:
    items = [unmarshall_item(i) for i in client.scan_all(table).items]
    return [i for i in items if i.get("_et") == entity]


def put_writer(project: Project, **values: Any) -> dict[str, Any]:
    written: dict[str, Any] = json.loads(
        project.run("put", "Writer", json.dumps(values), "--json").stdout
    )
    return written


def test_put_validates_through_the_model_before_any_request(
    project: Project, dynamodb_client: DynamoDBClient
) -> None:
    ada = put_writer(project, email="ada@example.com", name="Ada", age=36, secret="s3")
    assert "secret" not in ada  # hidden attributes never leave through the CLI either
    [item] = stored(dynamodb_client, project.table, "Writer")
    assert item["id"] == ada["id"]
    assert item["pk"] == f"WRITER#{ada['id']}"
    assert item["age"] == 36
    assert item["secret"] == "s3"
    assert item["created_at"] == ada["created_at"]

    problems = {  # each refused before any request (the JSON syntax: test_cli_app.py)
        '{"email": "b@example.com", "name": "Bob", "age": 1.5}': "Writer.age must be an integer",
        '{"email": "nope", "name": "Bob"}': "must be a valid email address",
        '{"email": "b@example.com", "name": "Bob", "id": "a#b"}': "contains the key delimiter",
    }
    for values, message in problems.items():
        failed = project.run("put", "Writer", values, code=1)
        assert message in failed.stderr, (values, failed.stderr)
        assert "Traceback" not in failed.stderr
    assert len(stored(dynamodb_client, project.table, "Writer")) == 1
    assert not any("b@example.com" in str(i["pk"]) for i in _all(project))  # no sentinel

    replaced = project.run(
        "put", "Writer", json.dumps({"id": ada["id"], "email": "ada@x.org", "name": "Ada L."})
    )
    assert f"Put Writer {ada['id']}" in replaced.stdout
    [item] = stored(dynamodb_client, project.table, "Writer")
    assert (item["name"], item["email"], "age" in item) == ("Ada L.", "ada@x.org", False)
    sentinels = sorted(str(i["pk"]) for i in _all(project) if str(i["pk"]).startswith("_UNIQUE"))
    assert sentinels == ["_UNIQUE#WRITER#email#ada@x.org"]  # the replaced value released


def _all(project: Project) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = project.json("scan")
    return rows


def test_get_by_model_and_id_or_by_raw_key(project: Project) -> None:
    ada = put_writer(project, email="ada@example.com", name="Ada", secret="s3")
    found = project.json("get", "Writer", ada["id"])
    assert found == ada
    human = project.run("get", "Writer", ada["id"]).stdout
    assert "ada@example.com" in human
    assert "s3" not in human

    key = json.dumps({"pk": f"WRITER#{ada['id']}", "sk": f"WRITER#{ada['id']}"})
    raw = project.json("get", "--key", key)
    assert raw["_et"] == "Writer"
    assert raw["secret"] == "s3"  # the raw item, as stored

    missing = project.run("get", "Writer", "01H00000000000000000000000", code=1)
    assert "no Writer with id '01H00000000000000000000000'" in missing.stderr
    nothing = project.run("get", "--key", '{"pk": "X", "sk": "X"}', code=1)
    assert "no item at --key" in nothing.stderr


def test_query_and_scan_with_where_filter_index_and_limit(project: Project) -> None:
    ada = put_writer(project, email="ada@example.com", name="Ada", age=36)
    bob = put_writer(project, email="bob@example.com", name="Bob", age=25)
    for body in ("first", "second", "third"):
        project.run("put", "Note", json.dumps({"body": body, "writer_id": ada["id"]}))
    project.run("put", "Note", json.dumps({"body": "other", "writer_id": bob["id"]}))

    notes = project.json("query", "Note", "--where", f"writer_id={ada['id']}")
    assert sorted(n["body"] for n in notes) == ["first", "second", "third"]
    filtered = project.json(
        "query",
        "Note",
        "-w",
        f"writer_id={ada['id']}",
        "--filter",
        "body begins_with 'sec' or body = third",
    )
    assert sorted(n["body"] for n in filtered) == ["second", "third"]
    by_email = project.json("query", "Writer", "--where", "email=bob@example.com")
    assert [w["id"] for w in by_email] == [bob["id"]]

    refused = project.run("query", "Writer", "--filter", "age > 30", code=1)
    assert "no key condition can be formed for Writer" in refused.stderr
    older = project.json("scan", "Writer", "--filter", "age > 30 and not (name = Bob)")
    assert [w["id"] for w in older] == [ada["id"]]
    listed = project.json("scan", "Writer", "-f", "name in (Ada, Bob)", "-f", "age is not null")
    assert len(listed) == 2
    assert len(project.json("scan", "Note", "--limit", "3")) == 3

    raw = project.json("query", "--where", f"pk=WRITER#{ada['id']}")
    assert [r["sk"] for r in raw] == [f"WRITER#{ada['id']}"]
    gsi = project.json("query", "--index", "GSI1", "--where", f"gsi1pk=WRITER#{bob['id']}")
    assert [r["body"] for r in gsi] == ["other"]
    table = project.run("query", "Note", "-w", f"writer_id={bob['id']}").stdout
    assert "other" in table
    assert "1 item" in table
    explained = project.run("query", "Note", "-w", f"writer_id={bob['id']}", "--explain").stdout
    assert "Query on" in explained
    assert '"IndexName": "GSI1"' in explained
    typo = project.run("scan", "Writer", "--filter", "nme = x", code=1)
    assert "did you mean 'name'" in typo.stderr


def test_delete_by_model_soft_then_permanently_and_by_raw_key(
    project: Project, dynamodb_client: DynamoDBClient
) -> None:
    ada = put_writer(project, email="ada@example.com", name="Ada")
    declined = project.run("delete", "Writer", ada["id"], stdin="n\n", code=1)
    assert "not confirmed" in declined.stderr
    assert "deleted_at" not in stored(dynamodb_client, project.table, "Writer")[0]

    project.run("delete", "Writer", ada["id"], stdin="y\n")
    [item] = stored(dynamodb_client, project.table, "Writer")
    assert item["deleted_at"]  # soft-deleted: still stored, hidden from reads
    project.run("get", "Writer", ada["id"], code=1)
    trashed = project.json("scan", "Writer", "--with-trashed")
    assert [w["id"] for w in trashed] == [ada["id"]]

    refused = project.run(
        "delete", "Writer", ada["id"], "--permanently", env={"DBTOOLING_PRODUCTION": "1"}, code=1
    )
    assert "refusing to delete Writer" in refused.stderr
    project.run("delete", "Writer", ada["id"], "--permanently", "--force")
    assert stored(dynamodb_client, project.table, "Writer") == []

    note = project.json("put", "--item", '{"pk": "N#1", "sk": "N#1", "n": 1.5}')
    assert note == {"pk": "N#1", "sk": "N#1", "n": 1.5}
    key = '{"pk": "N#1", "sk": "N#1"}'
    assert project.json("get", "--key", key)["n"] == 1.5
    project.run("delete", "--key", key, "--force")
    assert project.run("delete", "--key", key, "--force", code=1).stderr.startswith("error: ")
    assert [i for i in _all(project) if i["pk"] == "N#1"] == []
