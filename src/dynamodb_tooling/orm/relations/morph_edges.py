"""Polymorphic many-to-many: ``Post.tags`` and ``Video.tags`` share one ``Tag`` model.

Edge items (``_et`` = the pivot, ``Taggable``) live in each type item's partition
(``pk = POST#<post_id>``, ``sk = TAG#<tag_id>``) and carry ``taggable_type``/``taggable_id``,
``tag_id`` and the pivot attributes; their GSI keys (``TAG#<tag_id>`` / ``POST#<post_id>``)
serve the tag's side. Everything ``BelongsToMany`` does — eager loading in two rounds,
``attach``/``detach``/``sync``/``toggle``/``update_existing_pivot`` in transactions that check
both models exist — works the same from either side.

>>> class Post(Model):                                                   # doctest: +SKIP
...     tags = MorphToMany("Tag", name="taggable")
>>> class Tag(Model):                                                    # doctest: +SKIP
...     posts = MorphedByMany("Post", name="taggable")
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, overload

from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.orm.relations.base import R
from dynamodb_tooling.orm.relations.belongs_to_many import BelongsToMany

if TYPE_CHECKING:
    from dynamodb_tooling.schema.definitions import RelationDefinition
    from dynamodb_tooling.schema.resolve import MorphPivotScheme


class MorphEdges(BelongsToMany[R]):
    """What both sides of a polymorphic many-to-many share: the morph pivot's edges."""

    morph_pivot: MorphPivotScheme | None = None

    @overload
    def __init__(
        self: MorphEdges[Any],
        target: str,
        *,
        name: str | None = None,
        pivot_attributes: tuple[str, ...] = (),
    ) -> None: ...
    @overload
    def __init__(
        self, target: type[R], *, name: str | None = None, pivot_attributes: tuple[str, ...] = ()
    ) -> None: ...
    def __init__(
        self,
        target: type[R] | str,
        *,
        name: str | None = None,
        pivot_attributes: tuple[str, ...] = (),
    ) -> None:
        """``name``: the morph name both sides share (``taggable``)."""
        super().__init__(target, pivot_attributes=pivot_attributes)
        self.morph_name = name or ""

    def _definition(self) -> RelationDefinition:
        return replace(super()._definition(), pivot="", morph_name=self.morph_name)

    @property
    def morph(self) -> MorphPivotScheme:
        if self.morph_pivot is None:
            raise QueryError(f"{self.label} has no resolved polymorphic pivot")
        return self.morph_pivot

    @property
    def edge_type(self) -> str:
        return self.morph.name

    @property
    def edge_attributes(self) -> tuple[str, ...]:
        return self.morph.attributes

    @property
    def on_owner(self) -> bool:
        return self.owner_class.__definition__.name in self.morph.types
