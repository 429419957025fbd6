"""Shared fixtures of the ORM tests."""

import pytest

import dynamodb_tooling.orm.concerns.persistence as persistence
import dynamodb_tooling.query.executor as executor_module
from dynamodb_tooling.testing.stub import StubExecutor


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> StubExecutor:
    """Every model and query request of the test goes to a stub executor (no server)."""
    executor = StubExecutor()
    monkeypatch.setattr(executor_module, "_default", lambda: executor)
    monkeypatch.setattr(persistence, "get_client", lambda: executor)
    return executor
