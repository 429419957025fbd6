"""`dbtooling schema` / `access-patterns` on the Stacks .ts fixture of the blog."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dynamodb_tooling.cli import app
from dynamodb_tooling.config import reset_config, validate_config
from dynamodb_tooling.schema import Registry
from tests.schema import blog

MODELS = Path(__file__).parents[1] / "schema" / "fixtures" / "blog_ts"


@pytest.fixture(autouse=True)
def fresh_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    reset_config()
    yield
    reset_config()


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def test_schema_json_is_the_registry_table_definition() -> None:
    expected = Registry(validate_config())
    for definition in blog.BLOG:
        expected.register(definition)
    printed = json.loads(
        run("schema", "--models", str(MODELS), "--format", "json", "--table", "Blog")
    )
    assert printed == json.loads(json.dumps(expected.table_definition("Blog")))


def test_schema_summary_and_access_patterns(tmp_path: Path) -> None:
    assert "_UNIQUE#USER#email#<email>" in run("schema", "--models", str(MODELS))
    out = tmp_path / "patterns.md"
    run("access-patterns", "--models", str(MODELS), "--output", str(out))
    markdown = out.read_text()
    assert "List Posts by User" in markdown
    assert "Get User with its Orders (collection)" in markdown
    matrix = json.loads(run("access-patterns", "--models", str(MODELS), "-f", "matrix"))
    assert matrix["Post"]["List Posts by status"] == "Query GSI2"


def test_missing_models_folder_is_a_clear_error() -> None:
    result = CliRunner().invoke(app, ["schema", "--models", "nowhere"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")  # one line, no traceback
    assert "nowhere" in result.stderr
