"""Polymorphic relations: a child belongs to a parent of one of several types.

``Comment`` items hold ``commentable_type`` (the parent's model name) and ``commentable_id``;
the child's morph index slot keys them under the parent's own key (``POST#<id>``), so a
parent's children are one Query, as for ``HasMany`` (DESIGN §2 style).

>>> class Post(Model):                                                   # doctest: +SKIP
...     comments = MorphMany("Comment", name="commentable")
>>> class Video(Model):                                                  # doctest: +SKIP
...     comments = MorphMany("Comment", name="commentable")
>>> class Comment(Model):                                                # doctest: +SKIP
...     body: str
...     commentable = MorphTo()
>>> post.comments.create(body="Nice")          # sets commentable_type/_id  # doctest: +SKIP
>>> comment.commentable                        # the Post (or Video)         # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, overload

from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.orm.relations.base import R
from dynamodb_tooling.orm.relations.base import unique_ids as _unique
from dynamodb_tooling.orm.relations.has_one_or_many import HasOneOrMany

if TYPE_CHECKING:
    from dynamodb_tooling.orm.model import Model
    from dynamodb_tooling.orm.query import ModelQuery
    from dynamodb_tooling.schema.definitions import RelationDefinition
    from dynamodb_tooling.schema.resolve import MorphLink


class MorphOneOrMany(HasOneOrMany[R]):
    """The parent side of a polymorphic link: children whose type is this model's name and
    whose id is this model's id."""

    morph_link: MorphLink | None = None

    @overload
    def __init__(self: MorphOneOrMany[Any], target: str, *, name: str | None = None) -> None: ...
    @overload
    def __init__(self, target: type[R], *, name: str | None = None) -> None: ...
    def __init__(self, target: type[R] | str, *, name: str | None = None) -> None:
        """``name``: the morph name the child's ``MorphTo`` uses (``commentable``; default
        ``<target>able``)."""
        super().__init__(target)
        self.morph_name = name or ""

    def _definition(self) -> RelationDefinition:
        found = super()._definition()
        from dataclasses import replace

        return replace(found, morph_name=self.morph_name)

    @property
    def link_of(self) -> MorphLink:
        if self.morph_link is None:
            raise QueryError(f"{self.label} has no resolved polymorphic link")
        return self.morph_link

    @property
    def key_name(self) -> str:
        return self.link_of.id_attribute

    def link_values(self, parent: Model) -> dict[str, Any]:
        return {
            self.link_of.type_attribute: type(parent).__definition__.name,
            self.link_of.id_attribute: parent.get_key(),
        }

    def _ancestor_values(self, parent: Model) -> dict[str, Any]:
        return {}

    def add_constraints(self, query: ModelQuery[R], parent: Model) -> ModelQuery[R]:
        if parent.get_key() is None:
            raise QueryError(f"{self.label}: save the {type(parent).__name__} first")
        for name, value in self.link_values(parent).items():
            query = query.where(name, value)
        return query

    def add_eager_constraints(
        self, query: ModelQuery[R], parents: Sequence[Model]
    ) -> ModelQuery[R] | None:
        ids = _unique(p.get_key() for p in parents)
        if not ids:
            return None
        if len(ids) == 1:
            return self.add_constraints(query, parents[0])
        owner = self.owner_class.__definition__.name
        return query.where(self.link_of.type_attribute, owner).where_in(self.key_name, ids)
