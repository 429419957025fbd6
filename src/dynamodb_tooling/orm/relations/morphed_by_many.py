"""``MorphedByMany``: the target side of a polymorphic many-to-many (``tag.posts``); see
:mod:`.morph_edges` for the edge items both sides share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from dynamodb_tooling.orm.relations.base import R
from dynamodb_tooling.schema.definitions import RelationKind

if TYPE_CHECKING:
    from dynamodb_tooling.schema.keys import KeyQuery


from dynamodb_tooling.orm.relations.morph_edges import MorphEdges


class MorphedByMany(MorphEdges[R]):
    """The target side (``tag.posts``): the models of one type linked to this target."""

    kind: ClassVar[RelationKind] = "morphed_by_many"

    @property
    def parent_key(self) -> str:
        return self.morph.target_key

    @property
    def related_key(self) -> str:
        return self.morph.id_attribute

    def edge_query(self, parent_id: Any) -> KeyQuery:
        keys = self.owner_class.__registry__.keys
        own = self.owner_class.__definition__.name
        return keys.morph_edges_query(self.morph, own, parent_id, morph_type=self.target_name)

    def edge_keys(self, parent_id: Any, related_id: Any) -> dict[str, Any]:
        morph, kind = self.morph, self.target_name
        keys = self.owner_class.__registry__.keys
        found = keys.morph_edge_keys(
            morph, morph_type=kind, morph_id=related_id, target_id=parent_id
        )
        links = {
            morph.type_attribute: kind,
            morph.id_attribute: related_id,
            morph.target_key: parent_id,
        }
        return {**found, **links}
