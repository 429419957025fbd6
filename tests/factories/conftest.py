"""Fixtures of the factory tests: a stub executor for unit tests, and a blog of models in a
registry of its own (it follows the active configuration, so ``dynamodb_table`` can point it
at a test table)."""

from __future__ import annotations

from typing import Any

import pytest

import dynamodb_tooling.orm.concerns.persistence as persistence
import dynamodb_tooling.query.executor as executor_module
from dynamodb_tooling.factories import Factory
from dynamodb_tooling.orm import BelongsTo, BelongsToMany, HasMany, Model, attribute
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.testing.stub import StubExecutor

BLOG = Registry()


class Team(Model, registry=BLOG):
    name: str


class Author(Model, registry=BLOG, timestamps=True):
    email: str = attribute(unique=True, validation="required|email|max:60")
    name: str = attribute(validation="required|max:30")
    role: str = attribute(default="writer", validation="in:writer,editor,admin")
    age: int | None = attribute(default=None, validation="nullable|integer|between:18,99")
    team = BelongsTo(Team)
    articles = HasMany("Article")
    tags = BelongsToMany("Tag", pivot_attributes=("weight",))


class Article(Model, registry=BLOG):
    title: str = attribute(validation="required|max:80")
    status: str = attribute(default="draft", validation="in:draft,published")
    views: int = 0


class Tag(Model, registry=BLOG):
    label: str


class AuthorFactory(Factory[Author]):
    def definition(self) -> dict[str, Any]:
        return {"email": self.faker.unique.email(), "name": self.faker.first_name()}

    def editor(self) -> AuthorFactory:
        return self.state(role="editor")


class ArticleFactory(Factory[Article]):
    def definition(self) -> dict[str, Any]:
        return {"title": self.faker.sentence(nb_words=4)}

    def published(self) -> ArticleFactory:
        return self.state(status="published")


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> StubExecutor:
    """Every model and query request of the test goes to a stub executor (no server)."""
    executor = StubExecutor()
    monkeypatch.setattr(executor_module, "_default", lambda: executor)
    monkeypatch.setattr(persistence, "get_client", lambda: executor)
    return executor


@pytest.fixture
def dynamodb_registry() -> Registry:
    """The blog's models build the table of ``dynamodb_table``."""
    return BLOG
