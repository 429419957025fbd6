"""The blog's models, declared into their own registry :data:`BLOG`.

Why a dedicated registry: the classes are ordinary module-level models (an app imports
``from dynamodb_tooling.examples.blog import User`` and uses them as its own), yet declaring
them never adds ``User`` or ``Post`` to *your* application's registry (``get_registry()``),
its table definition or its access patterns. ``BLOG`` is a ``Registry()`` without a
configuration of its own: it follows the active configuration, so whatever table
``set_config``/``use_config`` (or the test fixtures) point at is where the blog lives.

The design, and why:

- ``Team`` ←→ ``User``: a user belongs to a team (GSI path "users of a team").
- ``User.email`` is unique (a sentinel item, in one transaction with the user); timestamps.
- ``Post`` belongs to its author (GSI path "posts of a user") and has a sparse ``status``
  index: only posts with a status are in it ("published posts" is one Query).
- ``Comment`` lives in its **post's partition** (a collection): comments are read with their
  post, so ``Post.with_("comments").find(id)`` is one Query and a post page costs one
  request. Comments of one post never outgrow a partition in a blog, and a comment is still
  found by id alone (the collection's id path) and by author (``Comment.user``).
- ``Order`` belongs to a user (GSI path "orders of a user"); its ``OrderLine`` rows live in
  the **order's partition** (a collection), so ``Order.with_("lines").find(id)`` is one Query.
- ``Role`` ↔ ``User`` is many-to-many; each edge item carries pivot data (``granted_at``).
"""

from __future__ import annotations

from dynamodb_tooling.orm import BelongsTo, BelongsToMany, HasMany, Model, attribute
from dynamodb_tooling.schema import Registry

__all__ = ["BLOG", "Comment", "Order", "OrderLine", "Post", "Role", "Team", "User"]

#: The blog's registry (follows the active configuration; see the module docstring).
BLOG = Registry()


class Team(Model, registry=BLOG):
    name: str
    users = HasMany("User")


class User(Model, registry=BLOG, timestamps=True):
    email: str = attribute(unique=True, validation="required|email")
    name: str
    bio: str | None = None
    team = BelongsTo(Team)
    posts = HasMany("Post")
    orders = HasMany("Order")
    roles = BelongsToMany("Role", pivot_attributes=("granted_at",))


class Post(Model, registry=BLOG, timestamps=True):
    title: str
    body: str = ""
    status: str | None = attribute(index=True)  # "published", "draft"; None: not listed
    user = BelongsTo(User)
    comments = HasMany("Comment", collection=True)


class Comment(Model, registry=BLOG, timestamps=True):
    body: str
    user = BelongsTo(User)  # the author


class Order(Model, registry=BLOG, timestamps=True):
    status: str = "paid"
    total: int = 0  # cents: the sum of its lines
    user = BelongsTo(User)
    lines = HasMany("OrderLine", collection=True)


class OrderLine(Model, registry=BLOG):
    sku: str
    quantity: int = 1
    price: int = 0  # cents, per unit


class Role(Model, registry=BLOG):
    name: str = attribute(unique=True)
