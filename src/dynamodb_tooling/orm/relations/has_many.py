"""``HasMany``: the parent side of a one-to-many relation (``user.posts``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self, overload

from dynamodb_tooling.orm.relations.base import R

if TYPE_CHECKING:
    from dynamodb_tooling.orm.model import Model
    from dynamodb_tooling.orm.relations.related import HasManyQuery


from dynamodb_tooling.orm.relations.has_one_or_many import HasOneOrMany


class HasMany(HasOneOrMany[R]):
    """The parent side of a one-to-many relation (``user.posts``).

    ``user.posts`` is a query of the user's posts (``user.posts.where(...).get()``,
    ``user.posts.create(title=...)``) that also behaves as the list of them: iterating it,
    ``len()``, indexing and truthiness give the posts, loaded once (by ``with_``/``load``,
    or lazily on first use)."""

    kind = "has_many"

    if TYPE_CHECKING:

        @overload
        def __get__(self, instance: None, owner: type[Any]) -> Self: ...
        @overload
        def __get__(self, instance: Model, owner: type[Any]) -> HasManyQuery[R]: ...
        def __get__(self, instance: Model | None, owner: type[Any]) -> Any: ...

    def value_for(self, parent: Model) -> HasManyQuery[R]:
        from dynamodb_tooling.orm.relations.related import HasManyQuery

        return HasManyQuery.bound_to(self, parent)
