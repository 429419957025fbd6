"""The models the demo declares: a team, users with a unique email, posts with an indexed
status, orders kept in the user's partition, and roles linked many-to-many."""

from __future__ import annotations

from dataclasses import dataclass

from dynamodb_tooling.orm import BelongsTo, BelongsToMany, HasMany, Model, attribute
from dynamodb_tooling.schema import Registry


@dataclass(frozen=True)
class DemoModels:
    Team: type[Model]
    User: type[Model]
    Post: type[Model]
    Order: type[Model]
    Role: type[Model]


def define_demo_models(registry: Registry) -> DemoModels:
    """Declare the demo models into ``registry`` (not the application's registry)."""

    class Team(Model, registry=registry):
        name: str
        users = HasMany("User")

    class User(Model, registry=registry, timestamps=True):
        email: str = attribute(unique=True)
        name: str
        team = BelongsTo(Team)
        posts = HasMany("Post")
        orders = HasMany("Order", collection=True)
        roles = BelongsToMany("Role")

    class Post(Model, registry=registry, timestamps=True):
        title: str
        status: str | None = attribute(index=True)
        user = BelongsTo(User)

    class Order(Model, registry=registry):
        total: int

    class Role(Model, registry=registry):
        name: str

    return DemoModels(Team, User, Post, Order, Role)
