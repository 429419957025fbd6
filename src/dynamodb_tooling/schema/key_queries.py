"""Where to read: the Query targets (:class:`KeyQuery`) of every access path, from the key
scheme that writes the items (:class:`~dynamodb_tooling.schema.keys.KeyScheme` is a
:class:`KeyQueries`), so an item is always read under the key it was written with."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from dynamodb_tooling.config import SingleTableDesignConfig
from dynamodb_tooling.schema.errors import KeyValueError
from dynamodb_tooling.schema.paths import (
    CollectionIdPath,
    ExpiryPath,
    IndexedAttributePath,
    MorphLink,
    MorphPath,
    MorphPivotScheme,
    ParentLink,
    ParentPath,
    PivotScheme,
)
from dynamodb_tooling.schema.resolve import EntityScheme, ResolvedSchema

#: The largest code point: DynamoDB compares keys as UTF-8 bytes, and nothing sorts above it.
MAX_KEY_CHAR = "\U0010ffff"


@dataclass(frozen=True)
class KeyQuery:
    """Where an access path's items live: Query ``index`` on ``partition`` with sk prefix."""

    index: str | None
    partition_attribute: str
    partition_value: str
    sort_attribute: str
    sort_prefix: str
    shards: int = 1
    delimiter: str = "#"

    def subtree_upper(self) -> str:
        """Upper bound of ``sk BETWEEN sort_prefix AND …`` covering the item at ``sort_prefix``
        and everything nested under it, and nothing else (``ORDER#o1`` but not ``ORDER#o10``)."""
        return f"{self.sort_prefix}{self.delimiter}{MAX_KEY_CHAR}"

    def partitions(self) -> list[str]:
        """Every partition value to query (one per shard for write-sharded paths)."""
        if self.shards == 1:
            return [self.partition_value]
        return [f"{self.partition_value}{self.delimiter}{n}" for n in range(self.shards)]


class _Keys(Protocol):
    """What the read side needs of the key scheme (:class:`KeyScheme`)."""

    schema: ResolvedSchema
    design: SingleTableDesignConfig
    delimiter: str

    def part(self, value: Any, what: str, *, tail: bool = False) -> str: ...
    def pk_token(self, model: str) -> str: ...
    def sk_token(self, model: str) -> str: ...
    def sized(
        self, text: str, attribute: str, what: str, fix: str = "use a shorter value"
    ) -> str: ...
    def _levels(self, entity: EntityScheme, values: Mapping[str, Any]) -> list[str]: ...
    def morph_parent(
        self, link: MorphLink, values: Mapping[str, Any]
    ) -> tuple[str, Any] | None: ...
    def _check_morph_type(self, pivot: MorphPivotScheme, morph_type: Any) -> None: ...
    def _checked(self, query: KeyQuery, what: str) -> KeyQuery: ...


class KeyQueries:
    """The read side of the key scheme: one method per access path."""

    def _checked(self: _Keys, query: KeyQuery, what: str) -> KeyQuery:
        """``query`` once its key values are known to fit DynamoDB's key size limits (no item
        could have a longer key, and DynamoDB refuses the request)."""
        self.sized(query.partition_value, query.partition_attribute, what)
        self.sized(query.sort_prefix, query.sort_attribute, what)
        return query

    def children_query(self: _Keys, link: ParentLink, parent_id: Any) -> KeyQuery:
        """Where the children of ``link.parent`` ``parent_id`` live."""
        child = self.schema.entity(link.child)
        parent_text = self.part(parent_id, f"{link.parent}.id")
        if link.collection:
            parent = self.schema.entity(link.parent)
            if parent.ancestry:
                raise KeyValueError(
                    f"{link.child} lives in {parent.ancestry[0].parent}'s partition; query it "
                    f"with the full key of the {link.parent} (use its primary_key)"
                )
            return self._checked(
                KeyQuery(
                    None,
                    self.design.partition_key_name,
                    self.pk_token(link.parent) + parent_text,
                    self.design.sort_key_name,
                    self.sk_token(link.child),
                ),
                f"{link.parent}.id",
            )
        path = child.path(ParentPath, link.relation)
        if path is None:
            raise KeyValueError(
                f"{link.child}.{link.relation} has no index (index=False); reading "
                f"{link.parent}'s {link.child} items needs a Scan"
            )
        return self._checked(
            KeyQuery(
                self.design.gsi_name(path.slot),
                self.design.gsi_pk(path.slot),
                self.pk_token(link.parent) + parent_text,
                self.design.gsi_sk(path.slot),
                self.sk_token(link.child),
                shards=link.shards,
                delimiter=self.delimiter,
            ),
            f"{link.parent}.id",
        )

    def attribute_query(self: _Keys, model: str, attribute: str, value: Any) -> KeyQuery:
        """Where items of ``model`` with ``attribute == value`` live (an indexed attribute)."""
        entity = self.schema.entity(model)
        path = next(
            (p for p in entity.paths(IndexedAttributePath) if p.attribute == attribute), None
        )
        if path is None:
            raise KeyValueError(f"{model}.{attribute} is not indexed; mark it index=True")
        text = self.part(value, f"{model}.{attribute}", tail=True)
        return self._checked(
            KeyQuery(
                self.design.gsi_name(path.slot),
                self.design.gsi_pk(path.slot),
                f"{self.pk_token(model)}{attribute}{self.delimiter}{text}",
                self.design.gsi_sk(path.slot),
                self.sk_token(model),
            ),
            f"{model}.{attribute}",
        )

    def expiry_query(self: _Keys, model: str) -> KeyQuery:
        """Where items of ``model`` with a TTL live, sorted by expiry (a sparse index)."""
        entity = self.schema.entity(model)
        path = next(iter(entity.paths(ExpiryPath)), None)
        if path is None:
            raise KeyValueError(
                f"{model} has no expiry index; declare the ttl trait with ttl_index"
            )
        return KeyQuery(
            self.design.gsi_name(path.slot),
            self.design.gsi_pk(path.slot),
            f"{self.pk_token(model)}{path.attribute}",
            self.design.gsi_sk(path.slot),
            self.sk_token(model),
            delimiter=self.delimiter,
        )

    def collection_query(self: _Keys, model: str, values: Mapping[str, Any]) -> KeyQuery:
        """Where the items of collection child ``model`` live, given its ancestors' ids
        (``user_id`` for Order; ``user_id`` and ``order_id`` for OrderLine)."""
        entity = self.schema.entity(model)
        if not entity.ancestry:
            raise KeyValueError(f"{model} is not a collection child; it has its own partition")
        root = entity.ancestry[0]
        root_id = self.part(values.get(root.foreign_key), f"{model}.{root.foreign_key}")
        prefix = self.delimiter.join([*self._levels(entity, values), self.sk_token(model)])
        return self._checked(
            KeyQuery(
                None,
                self.design.partition_key_name,
                self.pk_token(root.parent) + root_id,
                self.design.sort_key_name,
                prefix,
                delimiter=self.delimiter,
            ),
            f"{model}.{root.foreign_key}",
        )

    def id_query(self: _Keys, model: str, item_id: Any) -> KeyQuery:
        """How to find an item by id alone (direct for roots, via GSI for collection children)."""
        entity = self.schema.entity(model)
        text = self.part(item_id, f"{model}.{entity.model.primary_key}")
        if not entity.ancestry:
            return self._checked(
                KeyQuery(
                    None,
                    self.design.partition_key_name,
                    self.pk_token(model) + text,
                    self.design.sort_key_name,
                    self.sk_token(model) + text,
                ),
                f"{model}.{entity.model.primary_key}",
            )
        path = entity.paths(CollectionIdPath)[0]
        token = self.pk_token(model) + text
        return self._checked(
            KeyQuery(
                self.design.gsi_name(path.slot),
                self.design.gsi_pk(path.slot),
                token,
                self.design.gsi_sk(path.slot),
                token,
            ),
            f"{model}.{entity.model.primary_key}",
        )

    def edges_query(self: _Keys, pivot: PivotScheme, side: str, side_id: Any) -> KeyQuery:
        """Where the edges of one side of a many-to-many pair live."""
        text = self.part(side_id, f"{side}.id")
        if side == pivot.owner:
            return self._checked(
                KeyQuery(
                    None,
                    self.design.partition_key_name,
                    self.pk_token(pivot.owner) + text,
                    self.design.sort_key_name,
                    self.sk_token(pivot.other),
                ),
                f"{side}.id",
            )
        return self._checked(
            KeyQuery(
                self.design.gsi_name(pivot.slot),
                self.design.gsi_pk(pivot.slot),
                self.pk_token(pivot.other) + text,
                self.design.gsi_sk(pivot.slot),
                self.sk_token(pivot.owner),
            ),
            f"{side}.id",
        )

    def morph_children_query(
        self: _Keys, child: str, morph_name: str, parent_model: str, parent_id: Any
    ) -> KeyQuery:
        """Where the ``child`` items of parent ``parent_model`` ``parent_id`` through the
        polymorphic link ``morph_name`` live (``Comment``, ``commentable``, ``Post``, id):
        a Query on the morph's GSI slot, ``begins_with(gsi sk, COMMENT#)``."""
        link = self.schema.morph_link(child, morph_name)
        self.morph_parent(link, {link.type_attribute: parent_model, link.id_attribute: parent_id})
        path = next((p for p in self.schema.entity(child).paths(MorphPath) if p.link == link), None)
        if path is None:
            raise KeyValueError(
                f"{child}.{link.relation} has no index (index=False); reading a "
                f"{parent_model}'s {child} items needs a Scan"
            )
        what = f"{child}.{link.id_attribute}"
        return self._checked(
            KeyQuery(
                self.design.gsi_name(path.slot),
                self.design.gsi_pk(path.slot),
                self.pk_token(parent_model) + self.part(parent_id, what),
                self.design.gsi_sk(path.slot),
                self.sk_token(child),
                delimiter=self.delimiter,
            ),
            what,
        )

    def morph_edges_query(
        self: _Keys, pivot: MorphPivotScheme, side: str, side_id: Any, morph_type: str | None = None
    ) -> KeyQuery:
        """Where the polymorphic edges of one side live.

        From a type side (``side="Post"``): its partition, ``begins_with(sk, TAG#)``. From the
        target side (``side="Tag"``): the pivot's GSI slot on ``TAG#<id>``, with
        ``begins_with(gsi sk, POST#)`` for ``morph_type="Post"``, or no sort condition
        (``sort_prefix == ""``) for the edges of every type — that partition can also hold the
        target's other children on the slot, so filter on the entity type (``pivot.name``).
        """
        if side in pivot.types:
            if morph_type not in (None, side):
                raise KeyValueError(
                    f"morph_edges_query from the {side} side reads {side} edges only; drop "
                    f"morph_type={morph_type!r}"
                )
            what = f"{side}.id"
            return self._checked(
                KeyQuery(
                    None,
                    self.design.partition_key_name,
                    self.pk_token(side) + self.part(side_id, what),
                    self.design.sort_key_name,
                    self.sk_token(pivot.target),
                    delimiter=self.delimiter,
                ),
                what,
            )
        if side != pivot.target:
            raise KeyValueError(
                f"{side} is not a side of the {pivot.name} edges (types: "
                f"{', '.join(pivot.types)}; target: {pivot.target})"
            )
        if morph_type is not None:
            self._check_morph_type(pivot, morph_type)
        what = f"{side}.id"
        return self._checked(
            KeyQuery(
                self.design.gsi_name(pivot.slot),
                self.design.gsi_pk(pivot.slot),
                self.pk_token(pivot.target) + self.part(side_id, what),
                self.design.gsi_sk(pivot.slot),
                "" if morph_type is None else self.sk_token(morph_type),
                delimiter=self.delimiter,
            ),
            what,
        )
