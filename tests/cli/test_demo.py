"""``dbtooling demo``: the blog example app end to end, through the real entry point.

By default it runs on a fresh embedded engine of its own, so the configured endpoint (here the
test engine) must see no table come or go; with ``--use-config`` it runs there instead, on a
table of its own (kept with ``--keep``). Every access pattern of the blog's registry must run
with exactly its pattern's requests, and eager loading must need fewer requests than lazy.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dynamodb_tooling.cli import app
from dynamodb_tooling.config import Config, reset_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.examples.blog import BLOG
from tests.cli.cli_project import DBTOOLING, engine_env

# Spawns its own processes (the dbtooling CLI) and its own engine and driver: run once, in the
# default pass (the driver passes would run the same demo again).
pytestmark = [pytest.mark.integration, pytest.mark.processes]

PATTERNS = sorted(pattern.name for pattern in BLOG.access_patterns())
SCARY = ("Traceback", "Warning:", "warnings.warn", "error:")


def _demo_tables(client: DynamoDBClient) -> set[str]:
    return {name for name in client.list_all_tables() if name.startswith("dbtooling-demo-")}


def test_demo_runs_on_its_own_engine_and_leaves_the_configured_one_alone(
    dynamodb_config: Config, dynamodb_client: DynamoDBClient, tmp_path: Path
) -> None:
    before = set(dynamodb_client.list_all_tables())
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DBTOOLING_", "AWS_"))}
    environ |= engine_env(dynamodb_config, "ConfiguredTable")  # the configured engine
    environ["COLUMNS"] = "200"
    done = subprocess.run(
        [DBTOOLING, "demo"],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert done.stderr == ""
    assert not [word for word in SCARY if word in out]
    assert "a fresh embedded engine at http://127.0.0.1:" in out
    assert "Your configured endpoint and table are not used" in out
    for section in ("1. The single-table design", "2. Migrate", "3. Seed", "4. Every access"):
        assert section in out
    assert "5. Eager loading" in out
    assert "6. explain()" in out
    assert "Summary" in out
    assert "USER#<id>" in out
    assert "_UNIQUE#USER#email#<email>" in out
    for name in PATTERNS:
        assert name in out, name
    assert "to make it cheaper: mark User.name index=True" in out  # the bad query's fix
    assert "engine: stopped" in out
    assert set(dynamodb_client.list_all_tables()) == before


@pytest.fixture
def configured(
    dynamodb_config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    for name, value in engine_env(dynamodb_config, "ConfiguredTable").items():
        monkeypatch.setenv(name, value)
    reset_config()
    yield
    reset_config()


@pytest.mark.usefixtures("configured")
def test_demo_on_the_configured_engine_reports_every_pattern(
    dynamodb_client: DynamoDBClient,
) -> None:
    before = _demo_tables(dynamodb_client)
    result = CliRunner().invoke(app, ["demo", "--use-config", "--keep", "--json"])
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.output)
    kept = _demo_tables(dynamodb_client) - before
    try:
        assert kept == {report["table"]}
        assert report["engine"].startswith("the configured engine at http://127.0.0.1:")
        check_report(report)
    finally:
        for table in kept:
            dynamodb_client.delete_table(table)


def check_report(report: dict[str, Any]) -> None:
    assert [step["status"] for step in report["migration"]] == ["applied"]
    seeded = report["seeded"]
    assert seeded["items"] >= 300
    assert seeded["by_entity"]["User"] == 43
    assert seeded["by_entity"]["RoleUser"] == 44
    runs = {run["name"]: run for run in report["patterns"]}
    assert sorted(runs) == PATTERNS
    for name, run in runs.items():
        assert run["sent"] == run["planned"], name  # exactly the pattern's requests
        assert run["items"] >= 1, name  # the showcase gives every pattern something
    assert runs["Get User by email"]["sent"] == ["GetItem", "GetItem"]  # sentinel, then item
    collection = runs["Get Order with its OrderLines (collection)"]
    assert collection["sent"] == ["Query"]
    assert collection["items"] == 4
    assert runs["Get Post with its Comments (collection)"]["sent"] == ["Query"]
    assert runs["List Roles of User"]["sent"] == ["Query", "BatchGetItem"]
    lazy, eager, apart, together = report["loading"]
    assert lazy["items"] == eager["items"] > 20
    assert eager["requests"] < lazy["requests"]
    assert eager["rounds"] < lazy["rounds"]
    assert lazy["requests"] == 41  # 1 BatchGetItem + 20 x (posts Query + team GetItem)
    assert (apart["requests"], together["requests"]) == (2, 1)
    good, unique, bad = report["explain"]
    assert (good["operation"], good["index"]) == ("Query", "GSI2")
    assert unique["operation"] == "UniqueLookup"
    assert bad["operation"] == "Scan"
    assert "index=True" in bad["suggestion"]
    assert report["requests"] > sum(len(run["sent"]) for run in runs.values())
    assert report["seconds"] < 60
