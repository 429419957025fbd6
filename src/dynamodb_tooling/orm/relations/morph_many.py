"""``MorphMany``: the parent side of a polymorphic one-to-many (``post.comments``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self, overload

from dynamodb_tooling.orm.relations.base import R

if TYPE_CHECKING:
    from dynamodb_tooling.orm.model import Model
    from dynamodb_tooling.orm.relations.related import HasManyQuery


from dynamodb_tooling.orm.relations.morph_one_or_many import MorphOneOrMany


class MorphMany(MorphOneOrMany[R]):
    """``post.comments``: the children of a polymorphic link, as ``HasMany`` gives them."""

    kind = "morph_many"

    if TYPE_CHECKING:

        @overload
        def __get__(self, instance: None, owner: type[Any]) -> Self: ...
        @overload
        def __get__(self, instance: Model, owner: type[Any]) -> HasManyQuery[R]: ...
        def __get__(self, instance: Model | None, owner: type[Any]) -> Any: ...

    def value_for(self, parent: Model) -> HasManyQuery[R]:
        from dynamodb_tooling.orm.relations.related import HasManyQuery

        return HasManyQuery.bound_to(self, parent)
