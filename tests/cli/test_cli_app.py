"""The root app: ``--version``, one-line errors unless ``--debug``, documented exit codes."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from dynamodb_tooling import __version__
from dynamodb_tooling.cli import app
from dynamodb_tooling.cli._app import ReportingGroup
from dynamodb_tooling.config import reset_config
from dynamodb_tooling.errors import DynamoDBToolingError
from tests.cli.cli_project import Project

#: Requests must never leave: nothing listens on port 9 of the loopback address.
OFFLINE = {
    "DBTOOLING_ENDPOINT": "http://127.0.0.1:9",
    "DBTOOLING_CREDENTIALS__ACCESS_KEY_ID": "x",
    "DBTOOLING_CREDENTIALS__SECRET_ACCESS_KEY": "x",
}


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path, OFFLINE, "Unused")


@pytest.fixture
def in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.chdir(tmp_path)
    for name, value in OFFLINE.items():
        monkeypatch.setenv(name, value)
    reset_config()
    yield CliRunner()
    reset_config()


def test_version(project: Project) -> None:
    assert project.run("--version").stdout == f"dbtooling {__version__}\n"


def test_a_library_error_is_one_line_and_debug_shows_the_traceback(project: Project) -> None:
    plain = project.run("get", "Writer", code=1)
    assert plain.stderr.startswith("error: name the item: MODEL ID")
    assert len(plain.stderr.strip().splitlines()) == 1
    assert plain.stdout == ""
    debug = project.run("--debug", "get", "Writer", code=1)
    assert "Traceback (most recent call last)" in debug.stderr
    assert "DynamoDBToolingError: name the item" in debug.stderr


def test_usage_errors_exit_2(project: Project) -> None:
    assert "Invalid value" in project.run("query", "--limit", "0", code=2).stderr
    assert "No such option" in project.run("table:list", "--jsn", code=2).stderr


def test_status_exits_3_when_the_engine_is_not_running(project: Project) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    env = {"DBTOOLING_LOCAL__PORT": port, "DBTOOLING_LOCAL__STATE_DIR": str(project.root / "s")}
    assert "not running" in project.run("status", code=3, env=env).stdout
    assert '"running": false' in project.run("status", "--json", code=3, env=env).stdout


def test_bad_json_and_ambiguous_targets_are_refused_before_any_request(
    in_process: CliRunner,
) -> None:
    cases = {
        ("put", "--item", '{"pk": '): "--item is not valid JSON",
        ("put", "--item", "[1]"): "--item must be a JSON object",
        ("get", "--key", '{"pk": "A"}', "User", "1"): "either MODEL ID or --key",
        ("delete",): "name the item: MODEL ID",
        ("put",): "put needs a model and its values",
        ("query", "User", "--table", "T"): "--table reads a raw table",
    }
    for args, message in cases.items():
        result = in_process.invoke(app, list(args))
        assert result.exit_code == 1, (args, result.output)
        assert message in result.stderr, (args, result.stderr)


def test_an_unexpected_exception_is_one_line_unless_debug() -> None:
    broken = typer.Typer(cls=ReportingGroup)

    @broken.callback()
    def options(debug: bool = typer.Option(False, "--debug")) -> None:
        """Options."""

    @broken.command()
    def boom() -> None:
        raise KeyError("oops")

    @broken.command()
    def library() -> None:
        raise DynamoDBToolingError("table 'T' does not exist; create it")

    runner = CliRunner()
    result = runner.invoke(broken, ["boom"])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: unexpected KeyError: 'oops' (rerun with --debug for the traceback)\n"
    )
    assert isinstance(runner.invoke(broken, ["--debug", "boom"]).exception, KeyError)
    assert runner.invoke(broken, ["library"]).stderr == (
        "error: table 'T' does not exist; create it\n"
    )
