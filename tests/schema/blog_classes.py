"""The blog fixture as Python model classes, registered into a registry of their own."""

from dynamodb_tooling.orm import BelongsTo, BelongsToMany, HasMany, Model, attribute
from dynamodb_tooling.schema import Registry


def define_blog(registry: Registry) -> dict[str, type[Model]]:
    """Declare the blog models into ``registry``; returns them by name."""

    class Team(Model, registry=registry):
        name: str
        users = HasMany("User")

    class User(Model, registry=registry, timestamps=True, soft_deletes=True):
        email: str = attribute(unique=True)
        name: str
        age: int | None = None
        password: str | None = attribute(hidden=True)
        team = BelongsTo(Team)
        posts = HasMany("Post")
        roles = BelongsToMany("Role")
        orders = HasMany("Order", collection=True, sort_by="created_at")

    class Post(Model, registry=registry, timestamps=True):
        title: str
        status: str | None = attribute(index=True)
        user = BelongsTo(User)
        comments = HasMany("Comment")

    class Comment(Model, registry=registry):
        body: str
        post = BelongsTo(Post)
        user = BelongsTo(User)

    class Role(Model, registry=registry):
        name: str

    class Order(Model, registry=registry, timestamps=True):
        total: int
        status: str
        lines = HasMany("OrderLine", collection=True)

    class OrderLine(Model, registry=registry, pk_prefix="LINE"):
        sku: str
        quantity: int

    return {m.__name__: m for m in (Team, User, Post, Comment, Role, Order, OrderLine)}
