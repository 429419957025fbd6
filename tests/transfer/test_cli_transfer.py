"""`dbtooling export`, `import`, `backup`, `backup:list` and `restore` through the real entry
point (a subprocess in a project folder of its own) against the test engine."""

import contextlib
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dynamodb_tooling import Model, attribute
from dynamodb_tooling.cli import app
from dynamodb_tooling.config import Config, reset_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.engine import EMBEDDED_CREDENTIALS
from dynamodb_tooling.errors import ResourceNotFoundError
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.requests.batch import put
from tests.transfer.samples import EVERY_TYPE

# Spawns its own processes (the dbtooling CLI, pytest): run once, in the default pass.
pytestmark = [pytest.mark.integration, pytest.mark.processes]

DBTOOLING = str(Path(sys.executable).with_name("dbtooling"))

MODELS = """
    from dynamodb_tooling import Model, attribute


    class CliPerson(Model):
        name: str
        age: int | None = attribute(default=None, validation="min:0")
"""


@pytest.fixture
def project(tmp_path: Path, dynamodb_config: Config) -> tuple[Path, dict[str, str]]:
    models = tmp_path / "app" / "models" / "people.py"
    models.parent.mkdir(parents=True)
    models.write_text(textwrap.dedent(MODELS), encoding="utf-8")
    key, secret = EMBEDDED_CREDENTIALS
    assert dynamodb_config.endpoint is not None
    env = {
        "DBTOOLING_ENDPOINT": dynamodb_config.endpoint,
        "DBTOOLING_REGION": dynamodb_config.region,
        "DBTOOLING_CREDENTIALS__ACCESS_KEY_ID": key,
        "DBTOOLING_CREDENTIALS__SECRET_ACCESS_KEY": secret,
    }
    return tmp_path, env


def dbtooling(project: tuple[Path, dict[str, str]], *args: str) -> Any:
    folder, env = project
    variables = {k: v for k, v in os.environ.items() if not k.startswith(("DBTOOLING_", "AWS_"))}
    variables |= {"PYTHONPATH": str(folder), "COLUMNS": "200", **env}
    return subprocess.run(
        [DBTOOLING, *args],
        cwd=folder,
        env=variables,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def ok(done: Any) -> Any:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_export_then_import_then_export_through_the_cli_is_byte_identical(
    project: tuple[Path, dict[str, str]],
    dynamodb_client: DynamoDBClient,
    make_table: Callable[..., str],
) -> None:
    folder = project[0]
    source, copy = make_table(gsi_count=2), make_table(gsi_count=2)
    dynamodb_client.batch_write({source: [put(i) for i in EVERY_TYPE]})
    first, second = folder / "first.jsonl", folder / "second.jsonl"
    exported = ok(dbtooling(project, "export", str(first), "--table", source, "--json"))
    assert (exported["items"], exported["format"]) == (4, "jsonl")
    imported = ok(dbtooling(project, "import", str(first), "--table", copy, "--json"))
    assert (imported["written"], imported["errors"]) == (4, [])
    shown = dbtooling(project, "export", str(second), "--table", copy)
    assert shown.returncode == 0, shown.stderr
    assert f"exported 4 items of {copy}" in shown.stdout
    assert second.read_bytes() == first.read_bytes()
    only = ok(dbtooling(project, "export", "s.csv", "--table", source, "-m", "Sample", "--json"))
    assert (only["items"], only["columns"][:3]) == (2, ["pk", "sk", "_et"])


def test_import_model_values_with_a_mapping_dry_run_and_errors(
    project: tuple[Path, dict[str, str]],
    dynamodb_client: DynamoDBClient,
    make_table: Callable[..., str],
) -> None:
    folder = project[0]
    table = make_table(gsi_count=2)
    people = folder / "people.csv"
    people.write_text("ID,Full Name,Age\nc1,Ada,36\nc2,Alan,41\n", encoding="utf-8")
    args = ["import", str(people), "--table", table, "--model", "CliPerson"]
    args += ["--map", "ID=id", "--map", "Full Name=name", "--map", "Age=age", "--json"]
    dry = ok(dbtooling(project, *args, "--dry-run"))
    assert (dry["dry_run"], dry["records"], dry["written"], dry["requests"]) == (True, 2, 0, 1)
    assert dynamodb_client.scan_all(table).items == []
    done = ok(dbtooling(project, *args))
    assert (done["written"], done["model"]) == (2, "CliPerson")
    item = dynamodb_client.get_item(table, {"pk": "CLIPERSON#c1", "sk": "CLIPERSON#c1"})["Item"]
    assert unmarshall_item(item)["name"] == "Ada"

    people.write_text("ID,Full Name,Age\nc3,Eve,5\nc4,Bob,-1\n", encoding="utf-8")
    failed = dbtooling(project, *args[:-1])
    assert failed.returncode == 1
    assert "line 3, attribute 'age'" in failed.stderr
    assert "nothing was written" in failed.stderr
    assert (
        dynamodb_client.get_item(table, {"pk": "CLIPERSON#c3", "sk": "CLIPERSON#c3"}).get("Item")
        is None
    )
    partial = dbtooling(project, *args, "--continue-on-error")
    assert partial.returncode == 1  # some records were rejected
    summary = json.loads(partial.stdout)
    assert summary["written"] == 1
    assert [(e["line"], e["attribute"]) for e in summary["errors"]] == [(3, "age")]


def test_backup_list_and_restore_through_the_cli(
    project: tuple[Path, dict[str, str]],
    dynamodb_client: DynamoDBClient,
    make_table: Callable[..., str],
) -> None:
    table = make_table()
    dynamodb_client.put_item(table, {"pk": "A", "sk": "A", "n": 7})
    made = ok(dbtooling(project, "backup", "nightly", "--table", table, "--json"))
    target = f"{table}-restored"
    try:
        assert (made["name"], made["table"]) == ("nightly", table)
        listed = ok(dbtooling(project, "backup:list", "--table", table, "--json"))
        assert [b["arn"] for b in listed] == [made["arn"]]
        restored = ok(dbtooling(project, "restore", "nightly", target, "--table", table, "--json"))
        assert (restored["table"], restored["status"]) == (target, "ACTIVE")
        item = dynamodb_client.get_item(target, {"pk": "A", "sk": "A"})["Item"]
        assert unmarshall_item(item)["n"] == 7
    finally:
        dynamodb_client.delete_backup(made["arn"])
        with contextlib.suppress(ResourceNotFoundError):
            dynamodb_client.delete_table(target)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "in.jsonl", "--map", "nothing"], "is not COLUMN=ATTRIBUTE"),
        (["restore", "T", "T2", "--point-in-time", "yesterday"], "is not an ISO-8601 moment"),
        (["export", "o.jsonl", "-m", "A", "-m", "B", "--where", "a=1"], "exactly one --model"),
        (["export", "o.jsonl", "-m", "A", "--table", "T", "--where", "a=1"], "drop --table"),
        (["export", "o.jsonl", "--table", "T", "--filter", "a >"], "expected a value for 'a'"),
        (["export", "out.txt", "--table", "T"], "cannot tell the format of out.txt"),
        (["import", "missing.jsonl", "--table", "T"], "missing.jsonl does not exist"),
    ],
)
def test_bad_options_are_one_clear_line(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.jsonl").write_text("", encoding="utf-8")
    reset_config()
    try:
        result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    finally:
        reset_config()
    assert result.exit_code == 1
    assert message in result.output


class CliCity(Model):
    name: str
    country: str | None = attribute(default=None, index=True)


def test_export_of_one_models_query_in_process(
    project: tuple[Path, dict[str, str]],
    dynamodb_client: DynamoDBClient,
    make_table: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder, env = project
    table = make_table(gsi_count=2)
    cities = [("c1", "Lyon", "FR"), ("c2", "Porto", "PT"), ("c3", "Nice", "FR")]
    items = [CliCity(id=i, name=n, country=c).to_item() for i, n, c in cities]
    dynamodb_client.batch_write({table: [put(i) for i in items]})
    monkeypatch.chdir(folder)
    reset_config()
    try:
        args = ["export", "fr.jsonl", "-m", "CliCity", "--where", "country=FR", "--json"]
        result = CliRunner().invoke(
            app, args, env={**env, "DBTOOLING_DEFAULT_TABLE_NAME": table, "COLUMNS": "200"}
        )
    finally:
        reset_config()
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["items"] == 2
    lines = (folder / "fr.jsonl").read_text(encoding="utf-8").splitlines()
    assert ['"name":"Lyon"' in lines[0], '"name":"Nice"' in lines[1]] == [True, True]


def _export_in_process(
    project: tuple[Path, dict[str, str]], table: str, monkeypatch: pytest.MonkeyPatch, *args: str
) -> list[dict[str, Any]]:
    """Run ``dbtooling export out.jsonl ARGS --json`` in this process; the exported items."""
    folder, env = project
    monkeypatch.chdir(folder)
    reset_config()
    try:
        result = CliRunner().invoke(
            app,
            ["export", "out.jsonl", *args, "--json"],
            env={**env, "DBTOOLING_DEFAULT_TABLE_NAME": table, "COLUMNS": "200"},
        )
    finally:
        reset_config()
    assert result.exit_code == 0, result.output
    lines = (folder / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(result.output)["items"] == len(lines)
    return [json.loads(line) for line in lines]


@pytest.fixture
def cities(dynamodb_client: DynamoDBClient, make_table: Callable[..., str]) -> str:
    table = make_table(gsi_count=2)
    rows = [("c1", "Lyon", "FR"), ("c2", "Porto", "PT"), ("c3", "Nice", "FR"), ("c4", "30", "FR")]
    items = [CliCity(id=i, name=n, country=c).to_item() for i, n, c in rows]
    dynamodb_client.batch_write({table: [put(i) for i in items]})
    return table


def test_export_takes_the_filter_syntax_of_query(
    project: tuple[Path, dict[str, str]], cities: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before the shared parser, export had --where ATTR=VALUE only: no --filter at all.
    exported = _export_in_process(
        project,
        cities,
        monkeypatch,
        *("-m", "CliCity", "--where", "country=FR", "--filter", "not name begins_with 'L'"),
    )

    assert sorted(item["name"] for item in exported) == ["30", "Nice"]


def test_export_where_types_a_bare_value_by_the_models_attribute(
    project: tuple[Path, dict[str, str]], cities: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Export's own parser read `name=30` as the number 30, which no string attribute equals.
    exported = _export_in_process(
        project, cities, monkeypatch, "-m", "CliCity", "--where", "name=30"
    )

    assert [item["name"] for item in exported] == ["30"]


def test_export_conditions_without_a_model_filter_the_raw_table(
    project: tuple[Path, dict[str, str]], cities: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    exported = _export_in_process(
        project, cities, monkeypatch, "--filter", "name in ('Porto', 'Lyon') and country <> 'FR'"
    )

    assert [(item["pk"], item["name"]) for item in exported] == [("CLICITY#c2", "Porto")]
