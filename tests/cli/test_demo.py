"""`dbtooling demo` runs its whole tour against the test endpoint and cleans up after itself."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dynamodb_tooling.cli import app
from dynamodb_tooling.config import reset_config
from dynamodb_tooling.drivers import DynamoDBClient

# Spawns its own processes (the dbtooling CLI, pytest): run once, in the default pass.
pytestmark = [pytest.mark.integration, pytest.mark.processes]


@pytest.fixture
def pointed_at_test_endpoint(
    dynamodb_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DBTOOLING_ENDPOINT", dynamodb_endpoint)
    monkeypatch.setenv("DBTOOLING_CREDENTIALS__ACCESS_KEY_ID", "embedded")
    monkeypatch.setenv("DBTOOLING_CREDENTIALS__SECRET_ACCESS_KEY", "embedded")
    reset_config()
    yield
    reset_config()


@pytest.mark.usefixtures("pointed_at_test_endpoint")
def test_demo_tour(dynamodb_client: DynamoDBClient) -> None:
    result = CliRunner().invoke(app, ["demo"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Created Demo-" in out
    assert "UniqueConstraintError: User.email 'ada@example.com' is already taken" in out
    assert "impostor stored: False" in out
    assert "User by email → UniqueLookup" in out
    assert "Users of the team → Query GSI1" in out
    assert "['Notes on the Engine']" in out  # the sparse status index skips the draft
    assert "['Order', 'Order', 'RoleUser', 'User']" in out  # the collection in one Query
    assert "to make it cheaper: mark User.name index=True" in out
    assert "batch_write: 60 items" in out
    assert "n = 100" in out
    assert not [t for t in dynamodb_client.list_all_tables() if t.startswith("Demo-")]
