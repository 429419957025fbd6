"""Factories of the blog's models (registered: ``User.factory()`` is :class:`UserFactory`).

States read like the app's vocabulary: ``PostFactory().published()``,
``OrderFactory().with_lines(3)``, ``UserFactory().with_roles(admin)``. Prices are cents.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Self

from dynamodb_tooling.examples.blog.models import (
    Comment,
    Order,
    OrderLine,
    Post,
    Role,
    Team,
    User,
)
from dynamodb_tooling.factories import Factory

__all__ = [
    "CommentFactory",
    "OrderFactory",
    "OrderLineFactory",
    "PostFactory",
    "RoleFactory",
    "TeamFactory",
    "UserFactory",
]

SKUS = ("BOOK-ENGINE", "CARD-PUNCH", "GEAR-BRASS", "NOTE-LOOM", "PEN-QUILL", "TEA-EARLGREY")


def now() -> str:
    """The current time as the library stores timestamps (ISO-8601, UTC)."""
    return datetime.now(UTC).isoformat()


class TeamFactory(Factory[Team]):
    def definition(self) -> dict[str, Any]:
        return {"name": self.faker.unique.company()}


class RoleFactory(Factory[Role]):
    def definition(self) -> dict[str, Any]:
        return {"name": self.faker.unique.job().lower()}


class UserFactory(Factory[User]):
    def definition(self) -> dict[str, Any]:
        return {
            "email": self.faker.unique.email(),
            "name": self.faker.name(),
            "bio": self.faker.sentence(nb_words=8),
        }

    def with_roles(self, *roles: Role) -> Self:
        """Attached to ``roles`` (edge items carrying ``granted_at``)."""
        return self.has_attached(list(roles), lambda _user: {"granted_at": now()})


class PostFactory(Factory[Post]):
    def definition(self) -> dict[str, Any]:
        return {
            "title": self.faker.sentence(nb_words=5).rstrip("."),
            "body": self.faker.paragraph(nb_sentences=3),
            "status": "published",
        }

    def published(self) -> Self:
        return self.state(status="published")

    def draft(self) -> Self:
        return self.state(status="draft")

    def unlisted(self) -> Self:
        """No status: the post is not in the sparse status index at all."""
        return self.state(status=None)


class CommentFactory(Factory[Comment]):
    def definition(self) -> dict[str, Any]:
        return {"body": self.faker.sentence(nb_words=10)}

    def by(self, *authors: User) -> Self:
        """Written by ``authors``, in turn."""
        return self.sequence(*({"user_id": author.id} for author in authors))


class OrderLineFactory(Factory[OrderLine]):
    def definition(self) -> dict[str, Any]:
        return {
            "sku": self.faker.random_element(SKUS),
            "quantity": self.faker.random_int(1, 4),
            "price": self.faker.random_int(150, 4_500),
        }


class OrderFactory(Factory[Order]):
    def definition(self) -> dict[str, Any]:
        return {"status": "paid", "total": 0}

    def with_lines(self, count: int) -> Self:
        """With ``count`` lines (in the order's partition) and ``total`` their sum."""
        return self.has(OrderLineFactory().count(count)).after_creating(_set_total)


def _set_total(order: Order) -> None:
    lines = order.get_relation("lines")
    order.update(total=sum(line.quantity * line.price for line in lines))
