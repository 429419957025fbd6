"""`dbtooling access-patterns --output`: Markdown, JSON and a summary, written to a file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dynamodb_tooling.cli import app
from dynamodb_tooling.config import reset_config

MODELS = [
    {"name": "Team", "attributes": {"name": {}}, "hasMany": ["Member"]},
    {"name": "Member", "attributes": {"email": {"unique": True}}},
]


@pytest.fixture(autouse=True)
def models_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "models.json").write_text(json.dumps(MODELS))
    reset_config()
    yield
    reset_config()


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("markdown", "List Members by Team"),
        ("json", '"List Members by Team"'),
        ("summary", "  List Members by Team: Query GSI1"),
    ],
)
def test_each_format_is_written_to_the_output_file(tmp_path: Path, fmt: str, expected: str) -> None:
    out = tmp_path / f"patterns.{fmt}"
    args = ["access-patterns", "--models", "models", "--format", fmt, "--output", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    assert expected in out.read_text()
