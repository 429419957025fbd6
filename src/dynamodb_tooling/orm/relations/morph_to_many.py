"""``MorphToMany``: the type side of a polymorphic many-to-many (``post.tags``); see
:mod:`.morph_edges` for the edge items both sides share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from dynamodb_tooling.orm.relations.base import R
from dynamodb_tooling.schema.definitions import RelationKind

if TYPE_CHECKING:
    from dynamodb_tooling.schema.keys import KeyQuery


from dynamodb_tooling.orm.relations.morph_edges import MorphEdges


class MorphToMany(MorphEdges[R]):
    """The type side (``post.tags``): the targets linked to this model."""

    kind: ClassVar[RelationKind] = "morph_to_many"

    @property
    def parent_key(self) -> str:
        return self.morph.id_attribute

    @property
    def related_key(self) -> str:
        return self.morph.target_key

    def edge_query(self, parent_id: Any) -> KeyQuery:
        keys = self.owner_class.__registry__.keys
        return keys.morph_edges_query(self.morph, self.owner_class.__definition__.name, parent_id)

    def edge_keys(self, parent_id: Any, related_id: Any) -> dict[str, Any]:
        morph, own = self.morph, self.owner_class.__definition__.name
        keys = self.owner_class.__registry__.keys
        found = keys.morph_edge_keys(
            morph, morph_type=own, morph_id=parent_id, target_id=related_id
        )
        links = {
            morph.type_attribute: own,
            morph.id_attribute: parent_id,
            morph.target_key: related_id,
        }
        return {**found, **links}
