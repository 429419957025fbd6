"""Fixtures of the relation-flow tests: the stub table, the round recorder every request
goes to, an isolated registry and the models."""

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

import dynamodb_tooling.orm.concerns.persistence as persistence
import dynamodb_tooling.query.executor as executor_module
from dynamodb_tooling.config import use_config
from dynamodb_tooling.orm import (
    BelongsTo,
    BelongsToMany,
    HasMany,
    Model,
    MorphMany,
    MorphTo,
    MorphToMany,
)
from dynamodb_tooling.schema import Registry
from tests.orm.relation_flows._support import FakeTable, RoundRecorder


@pytest.fixture
def table() -> FakeTable:
    return FakeTable()


@pytest.fixture
def wire(table: FakeTable, monkeypatch: pytest.MonkeyPatch) -> RoundRecorder:
    """Every model and query request of the test goes to a round recorder (no server)."""
    executor = RoundRecorder(table)
    monkeypatch.setattr(executor_module, "_default", lambda: executor)
    monkeypatch.setattr(persistence, "get_client", lambda: executor)
    return executor


@pytest.fixture
def registry() -> Iterator[Registry]:
    with use_config():
        yield Registry()


@pytest.fixture
def m(registry: Registry) -> Any:
    """The models of these tests (attributes of one namespace)."""

    class Owner(Model, registry=registry):
        name: str

    class Parent(Model, registry=registry):
        name: str
        owner = BelongsTo(Owner)
        children = HasMany("Child")
        tags = BelongsToMany("Tag", pivot_attributes=("weight",))

    class Child(Model, registry=registry, soft_deletes=True):
        title: str
        toys = HasMany("Toy")

    class Toy(Model, registry=registry):
        name: str

    class Tag(Model, registry=registry):
        label: str

    class Post(Model, registry=registry):
        title: str
        comments = MorphMany("Comment", name="commentable")
        labels = MorphToMany("Label", name="labelable")

    class Video(Model, registry=registry):
        url: str
        comments = MorphMany("Comment", name="commentable")
        labels = MorphToMany("Label", name="labelable")

    class Comment(Model, registry=registry):
        body: str
        commentable = MorphTo()

    class Label(Model, registry=registry):
        name: str

    class Category(Model, registry=registry):
        name: str
        children = HasMany("self")

    class Shop(Model, registry=registry):
        name: str
        owner = BelongsTo(Owner)
        orders = HasMany("Order", collection=True)

    class Order(Model, registry=registry):
        total: int
        lines = HasMany("Line", collection=True)

    class Line(Model, registry=registry):
        sku: str

    every = (Owner, Parent, Child, Toy, Tag, Post, Video, Comment, Label, Category, Shop, Order)
    return SimpleNamespace(**{model.__name__: model for model in (*every, Line)})
