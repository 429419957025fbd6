"""The blog API's tests run on the library's pytest plugin (installed with the package):
``dynamodb_app_table`` builds one table for the session from the blog's registry (``BLOG``,
given here) and cleans what each test wrote."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from blog_api.app import app
from dynamodb_tooling.examples.blog import BLOG, Role, Team, User
from dynamodb_tooling.schema import Registry


@pytest.fixture(scope="session")
def dynamodb_app_registry() -> Registry:
    """The models of the app table: the blog's own registry, not ``get_registry()``."""
    return BLOG


@pytest.fixture
def client(dynamodb_app_table: str) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def team(dynamodb_app_table: str) -> Team:
    return Team.create(name="Analytical Engines")


@pytest.fixture
def ada(team: Team) -> User:
    return User.create(email="ada@example.com", name="Ada", team_id=team.id)


@pytest.fixture
def admin(dynamodb_app_table: str) -> Role:
    return Role.create(name="admin")
