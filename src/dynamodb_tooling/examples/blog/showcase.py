"""The showcase data :class:`~.seeders.ShowcaseSeeder` writes, read back as models.

Each access pattern's example names its inputs by convention (a model instance by the
model's snake_case name, a value by the pattern's input name; see
:mod:`dynamodb_tooling.schema.access_patterns`); :meth:`Showcase.names` binds those names to
Ada's data, so every example returns something.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from dynamodb_tooling.examples.blog.models import (
    Comment,
    Order,
    OrderLine,
    Post,
    Role,
    Team,
    User,
)
from dynamodb_tooling.examples.blog.seeders import SHOWCASE_EMAIL
from dynamodb_tooling.schema.access_patterns import AccessPattern
from dynamodb_tooling.schema.naming import snake

__all__ = ["MODELS", "Showcase", "load_showcase"]

#: The blog's model classes by name (what an example calls ``User``, ``OrderLine``).
MODELS: dict[str, type[Any]] = {
    model.__name__: model for model in (Comment, Order, OrderLine, Post, Role, Team, User)
}


@dataclass(frozen=True)
class Showcase:
    """Ada and one of each of her related models."""

    team: Team
    user: User
    post: Post
    comment: Comment
    order: Order
    order_line: OrderLine
    role: Role

    def instance(self, model: str) -> Any:
        """The showcase instance of ``model`` (``"OrderLine"`` → :attr:`order_line`)."""
        name = snake(model)
        if name not in self.__dataclass_fields__:
            raise LookupError(
                f"the showcase has no {model}: add one to ShowcaseSeeder and to Showcase"
            )
        return getattr(self, name)

    def names(self, pattern: AccessPattern) -> dict[str, Any]:
        """What ``pattern.example`` needs bound: the model classes, the showcase instances
        by snake_case name (fresh copies: no relation loaded yet), and each input the
        example uses read from the showcase instance of the pattern's entity (``id``,
        ``email``, ``status``...)."""
        bound: dict[str, Any] = dict(MODELS)
        for name in self.__dataclass_fields__:
            instance = getattr(self, name)
            bound[name] = type(instance).from_item(instance.to_item())
        used = _names_in(pattern.example)
        for name in pattern.inputs:
            if name in used:
                bound[name] = getattr(self.instance(pattern.entity), name)
        return bound


def _names_in(example: str) -> set[str]:
    tree = ast.parse(example, mode="eval")
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def load_showcase() -> Showcase:
    """Read the showcase back (seeded by :class:`~.seeders.ShowcaseSeeder`)."""
    user = User.where("email", SHOWCASE_EMAIL).first()
    if user is None:
        raise LookupError(f"no user {SHOWCASE_EMAIL}: run ShowcaseSeeder (or BlogSeeder) first")
    post = next(p for p in user.posts.get() if p.status == "published")
    order = Order.with_("lines").find(user.orders.get()[0].id)
    team, role = user.team, Role.where("name", "admin").first()
    if order is None or team is None or role is None:
        raise LookupError("the showcase is incomplete: run ShowcaseSeeder (or BlogSeeder)")
    return Showcase(
        team=team,
        user=user,
        post=post,
        comment=post.comments.get()[0],
        order=order,
        order_line=order.get_relation("lines")[0],
        role=role,
    )
