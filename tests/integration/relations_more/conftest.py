"""The ``app`` fixture: the models of these tests in a table of their own on the engine."""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.orm import (
    BelongsTo,
    HasMany,
    HasManyThrough,
    Model,
    MorphedByMany,
    MorphMany,
    MorphOne,
    MorphTo,
    MorphToMany,
    attribute,
)
from dynamodb_tooling.schema import Registry


@pytest.fixture
def app(dynamodb_config: Config, dynamodb_client: DynamoDBClient) -> Iterator[Any]:
    config = validate_config(dynamodb_config, default_table_name=f"relx-{uuid.uuid4().hex[:10]}")
    set_config(config)
    registry = Registry(config)

    class Owner(Model, registry=registry):
        name: str
        pin: str | None = attribute(hidden=True, default=None)
        grandchildren = HasManyThrough("Child", through="parents")

    class Parent(Model, registry=registry, soft_deletes=True):
        name: str
        owner = BelongsTo(Owner)
        children = HasMany("Child")

    class Child(Model, registry=registry, soft_deletes=True):
        title: str
        score: int = 0
        secret: str | None = attribute(hidden=True, default=None)

    class Post(Model, registry=registry):
        title: str
        secret: str | None = attribute(hidden=True, default=None)
        comments = MorphMany("Comment", name="commentable")
        image = MorphOne("Image", name="imageable")
        labels = MorphToMany("Label", name="labelable", pivot_attributes=("weight",))

    class Video(Model, registry=registry):
        url: str
        comments = MorphMany("Comment", name="commentable")
        labels = MorphToMany("Label", name="labelable", pivot_attributes=("weight",))

    class Comment(Model, registry=registry, soft_deletes=True):
        body: str
        token: str | None = attribute(hidden=True, default=None)
        commentable = MorphTo()

    class Image(Model, registry=registry):
        path: str
        imageable = MorphTo()

    class Label(Model, registry=registry):
        name: str
        posts = MorphedByMany("Post", name="labelable")
        videos = MorphedByMany("Video", name="labelable")

    class Category(Model, registry=registry):
        name: str
        children = HasMany("self")

    class Shop(Model, registry=registry):
        name: str
        orders = HasMany("Order", collection=True)

    class Order(Model, registry=registry):
        total: int
        lines = HasMany("Line", collection=True)

    class Line(Model, registry=registry):
        sku: str

    dynamodb_client.create_table(registry.table_definition())
    dynamodb_client.wait_for_table_active(config.default_table_name, interval=0.1)
    models = (Owner, Parent, Child, Post, Video, Comment, Image, Label, Category, Shop, Order, Line)
    namespace = {model.__name__: model for model in models}
    yield type("App", (), {**namespace, "config": config, "client": dynamodb_client})
    dynamodb_client.delete_table(config.default_table_name)
    reset_config()
