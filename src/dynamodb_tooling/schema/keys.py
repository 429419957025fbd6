"""The canonical key scheme (DESIGN §2): every key of every item, from one place.

Writes call :meth:`KeyScheme.item_keys`; reads call the same scheme's ``primary_key``,
``partition_of``-style helpers and :class:`KeyCondition` builders, so an item is always read
under the key it was written with.

Key parts: ids, foreign keys and sort values sit *inside* keys and may not contain the
delimiter (a crafted id must never address another entity's item); attribute values at the
*tail* of an index key may. Integers are encoded so that string order is numeric order. Every
key value is checked against DynamoDB's size limits (partition keys 2,048 bytes, sort keys
1,024 bytes, UTF-8) before any request is built. Model definitions may not use the names of the
key scheme's internal attributes (:func:`check_reserved_names`, run when a model registers).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from dynamodb_tooling.config import Config, SingleTableDesignConfig
from dynamodb_tooling.config._schema import MAX_GSI_PER_TABLE, MAX_LSI_PER_TABLE
from dynamodb_tooling.schema import traits
from dynamodb_tooling.schema.casts import as_utc
from dynamodb_tooling.schema.definitions import ModelDefinition
from dynamodb_tooling.schema.errors import KeyValueError, SchemaError
from dynamodb_tooling.schema.key_queries import MAX_KEY_CHAR as MAX_KEY_CHAR
from dynamodb_tooling.schema.key_queries import KeyQueries
from dynamodb_tooling.schema.key_queries import KeyQuery as KeyQuery
from dynamodb_tooling.schema.naming import (
    default_morph_name,
    link_foreign_key,
    morph_id_attribute,
    morph_type_attribute,
)
from dynamodb_tooling.schema.resolve import (
    CollectionIdPath,
    EntityScheme,
    ExpiryPath,
    GsiPath,
    IndexedAttributePath,
    MorphLink,
    MorphPath,
    MorphPivotScheme,
    ParentLink,
    ParentPath,
    PivotScheme,
    ResolvedSchema,
    path_source,
)

_INT_WIDTH = 20
_INT_OFFSET = 10**_INT_WIDTH
UNIQUE_PREFIX = "_UNIQUE"
UNIQUE_ENTITY_TYPE = "_Unique"
SENTINEL_OWNER = "owner"
#: DynamoDB's key size limits in UTF-8 bytes (tables, GSIs and LSIs alike).
MAX_PARTITION_KEY_BYTES = 2048
MAX_SORT_KEY_BYTES = 1024


def internal_names(design: SingleTableDesignConfig) -> dict[str, str]:
    """Every attribute name the key scheme writes itself, with what it is for (for errors).

    All 20 possible GSI slots and 5 LSI slots count, not only the configured ones: raising
    ``gsi_count`` later must not turn a model attribute into an index key.
    """
    names = {
        design.partition_key_name: "the table's partition key (partition_key_name)",
        design.sort_key_name: "the table's sort key (sort_key_name)",
        design.entity_type_attribute: "the entity-type attribute (entity_type_attribute)",
        design.data_attribute: "the library's data attribute (data_attribute)",
    }
    for n in range(1, MAX_GSI_PER_TABLE + 1):
        names[design.gsi_pk(n)] = f"the partition key of GSI {n} (gsi_pk_pattern)"
        names[design.gsi_sk(n)] = f"the sort key of GSI {n} (gsi_sk_pattern)"
    for n in range(1, MAX_LSI_PER_TABLE + 1):
        names[design.lsi_sk(n)] = f"the sort key of LSI {n} (lsi_sk_pattern)"
    return names


def _declared_names(definition: ModelDefinition, ttl_attribute: str) -> list[tuple[str, str]]:
    """``(name, what declares it)`` for every attribute name a definition puts on items."""
    model = definition.name
    declared = [(definition.primary_key, f"{model}'s primary key {definition.primary_key!r}")]
    declared += [(a.name, f"{model}.{a.name}") for a in definition.attributes]
    for relation in definition.relations:
        if relation.kind == "belongs_to":
            key = link_foreign_key(model, relation)
            declared.append((key, f"{model}.{relation.name}'s foreign key {key!r}"))
        elif relation.kind in ("has_one", "has_many"):
            key = link_foreign_key(model, relation)
            declared.append(
                (key, f"{model}.{relation.name}'s foreign key {key!r} (on {relation.target})")
            )
        elif relation.kind == "morph_to":
            morph = relation.morph_name or relation.name
            for key in (morph_type_attribute(morph), morph_id_attribute(morph)):
                declared.append((key, f"{model}.{relation.name}'s attribute {key!r}"))
        elif relation.kind in ("morph_one", "morph_many"):
            morph = relation.morph_name or default_morph_name(relation.target)
            for key in (morph_type_attribute(morph), morph_id_attribute(morph)):
                declared.append(
                    (key, f"{model}.{relation.name}'s attribute {key!r} (on {relation.target})")
                )
    declared += traits.declared_names(definition, ttl_attribute)
    return declared


def check_reserved_names(definition: ModelDefinition, config: Config) -> None:
    """Refuse a definition that uses a name the library writes on items itself.

    Such a model would shadow the keys of *every* item in the table (its ``pk`` value would
    replace the item's key), so it is refused when it is defined, with the fix named.
    """
    reserved = internal_names(config.single_table_design)
    for name, what in _declared_names(definition, config.ttl.attribute_name):
        if name in reserved:
            raise SchemaError(
                f"{what} uses the name {name!r}, which is {reserved[name]} of the single-table "
                f"design; the library writes it on every item, so {definition.name} cannot use "
                f"it — rename it (e.g. {name.strip('_') + '_value'!r}) or configure another "
                "name under single_table_design"
            )
        traits.check_name(definition, config, name, what)


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def encode_int(value: int) -> str:
    """Zero-padded so string order is numeric order; negatives sort first (``-`` < ``0``)."""
    if not -_INT_OFFSET < value < _INT_OFFSET:
        raise KeyValueError(f"{value} is too large to place in a key (at most 20 digits)")
    if value >= 0:
        return f"{value:0{_INT_WIDTH}d}"
    return f"-{_INT_OFFSET - 1 + value:0{_INT_WIDTH}d}"


class KeyScheme(KeyQueries):
    """Derives pk/sk, GSI/LSI keys, sentinels and edges for a resolved schema."""

    def __init__(self, schema: ResolvedSchema, design: SingleTableDesignConfig) -> None:
        self.schema = schema
        self.design = design
        self.delimiter = design.key_delimiter
        self._internal = frozenset(internal_names(design))
        self._sort_names = frozenset(
            [design.sort_key_name]
            + [design.gsi_sk(n) for n in range(1, MAX_GSI_PER_TABLE + 1)]
            + [design.lsi_sk(n) for n in range(1, MAX_LSI_PER_TABLE + 1)]
        )
        self._check_prefixes()

    def internal_attributes(self) -> frozenset[str]:
        """Key and bookkeeping attribute names no model attribute may use (computed once:
        hydration strips them from every item)."""
        return self._internal

    def _check_prefixes(self) -> None:
        # Reserved names are refused when a model registers (check_reserved_names); a
        # configuration changed since then is caught here, before any key is built.
        for entity in self.schema.entities:
            for name, what in _declared_names(entity.model, ""):
                if name in self._internal:
                    raise SchemaError(
                        f"{what} uses the name {name!r}, which the key scheme writes on every "
                        "item (single_table_design key and index names); rename it"
                    )
        for entity in self.schema.entities:
            prefix = entity.model.prefix
            if not prefix or self.delimiter in prefix or prefix.startswith(UNIQUE_PREFIX):
                raise KeyValueError(
                    f"{entity.name}'s key prefix {prefix!r} must be non-empty, must not contain "
                    f"the key delimiter {self.delimiter!r} and must not start with "
                    f"{UNIQUE_PREFIX!r} (reserved for unique sentinels); set pk_prefix"
                )
        for template in (self.design.pk_prefix, self.design.sk_prefix):
            if not template.endswith(self.delimiter):
                raise KeyValueError(
                    f"the key prefix template {template!r} must end with the key delimiter "
                    f"{self.delimiter!r} (e.g. '{{ENTITY}}{self.delimiter}')"
                )

    # Tokens and parts.
    def pk_token(self, model: str) -> str:
        return self.design.pk_prefix.format(ENTITY=self.schema.entity(model).model.prefix)

    def sk_token(self, model: str) -> str:
        return self.design.sk_prefix.format(ENTITY=self.schema.entity(model).model.prefix)

    def part(self, value: Any, what: str, *, tail: bool = False) -> str:
        """One value as key text; ``what`` names it in errors (``User.id``)."""
        if value is None or value == "":
            raise KeyValueError(f"{what} is required to build the item's key but is missing")
        text = self._text(value, what)
        if not tail and self.delimiter in text:
            raise KeyValueError(
                f"{what} = {text!r} contains the key delimiter {self.delimiter!r}; ids, foreign "
                "keys and sort values may not contain it (it could address another item)"
            )
        return text

    def _text(self, value: Any, what: str) -> str:
        if isinstance(value, Enum):
            value = value.value
        if isinstance(value, bool):
            raise KeyValueError(f"{what} is a bool; booleans cannot be placed in a key")
        if isinstance(value, int):
            return encode_int(value)
        if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
            return encode_int(int(value))
        if isinstance(value, datetime):
            return as_utc(value).isoformat()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str):
            return value
        raise KeyValueError(
            f"{what} is a {type(value).__name__}; keys take str, int, date or datetime values"
        )

    def sized(self, text: str, attribute: str, what: str, fix: str = "use a shorter value") -> str:
        """``text`` as the value of key ``attribute``, refused when it is over DynamoDB's size
        limit (2,048 bytes for partition keys, 1,024 for sort keys); ``what`` names the model
        attribute(s) it was built from."""
        limit = MAX_SORT_KEY_BYTES if attribute in self._sort_names else MAX_PARTITION_KEY_BYTES
        if len(text) * 4 <= limit:  # at most 4 UTF-8 bytes a character: surely small enough
            return text
        size = _utf8_len(text)
        if size > limit:
            kind = "sort" if limit == MAX_SORT_KEY_BYTES else "partition"
            raise KeyValueError(
                f"{what} is too long for a key: {attribute} = {text[:40]!r}... would be "
                f"{size:,} bytes (UTF-8), above DynamoDB's limit of {limit:,} bytes for a {kind} "
                f"key; {fix}"
            )
        return text

    # Primary keys.
    def primary_key(self, model: str, values: Mapping[str, Any]) -> dict[str, str]:
        """``{pk: ..., sk: ...}`` of an entity item (needs ancestor ids for collections)."""
        entity = self.schema.entity(model)
        pk_name, sk_name = self.design.partition_key_name, self.design.sort_key_name
        id_name = f"{model}.{entity.model.primary_key}"
        own = self.part(values.get(entity.model.primary_key), id_name)
        if not entity.ancestry:
            return {
                pk_name: self.sized(self.pk_token(model) + own, pk_name, id_name),
                sk_name: self.sized(self.sk_token(model) + own, sk_name, id_name),
            }
        root = entity.ancestry[0]
        root_name = f"{model}.{root.foreign_key}"
        root_id = self.part(values.get(root.foreign_key), root_name)
        levels = self._levels(entity, values)
        sk = self.delimiter.join([*levels, self.sk_token(model) + own])
        ids = ", ".join(f"{model}.{link.foreign_key}" for link in entity.ancestry[1:])
        return {
            pk_name: self.sized(self.pk_token(root.parent) + root_id, pk_name, root_name),
            sk_name: self.sized(sk, sk_name, f"{ids}, {id_name}" if ids else id_name),
        }

    def _levels(self, entity: EntityScheme, values: Mapping[str, Any]) -> list[str]:
        """The sk parts of a nested collection child's ancestors below the root partition."""
        return [
            self.sk_token(link.parent)
            + self.part(values.get(link.foreign_key), f"{entity.name}.{link.foreign_key}")
            for link in entity.ancestry[1:]
        ]

    def item_keys(
        self, model: str, values: Mapping[str, Any], *, deleted: bool = False
    ) -> dict[str, str]:
        """Every key attribute of an entity item: pk, sk, entity type, GSI and LSI keys.

        Index keys are left out while their value is null (sparse indexes); with ``deleted``
        (a soft-deleted item) indexed-attribute keys are left out too.
        """
        entity = self.schema.entity(model)
        keys = self.primary_key(model, values)
        keys[self.design.entity_type_attribute] = model
        own_name = f"{model}.{entity.model.primary_key}"
        for morph in entity.morphs:
            self.morph_parent(morph, values)
        for path in entity.gsi_paths:
            pair = self._gsi_pair(entity, path, values, deleted=deleted)
            if pair is not None:
                pk_name, sk_name = self.design.gsi_pk(path.slot), self.design.gsi_sk(path.slot)
                source = path_source(path)
                partition_of = own_name if source is None else f"{model}.{source}"
                sort_by = (
                    path.sort_by if isinstance(path, ParentPath | IndexedAttributePath) else None
                )
                sort_of = own_name if sort_by is None else f"{model}.{sort_by}"
                fix = "use a shorter value, or leave it out of the index (index=False)"
                keys[pk_name] = self.sized(pair[0], pk_name, partition_of, fix)
                keys[sk_name] = self.sized(pair[1], sk_name, sort_of, fix)
        for lsi in entity.lsi_paths:
            sort_value = values.get(lsi.sort_by)
            if sort_value is not None:
                own = self._sorted_sk(entity, values, lsi.sort_by)
                levels = self._levels(entity, values)
                name = self.design.lsi_sk(lsi.slot)
                keys[name] = self.sized(
                    self.delimiter.join([*levels, own]), name, f"{model}.{lsi.sort_by}"
                )
        return keys

    def _own_id(self, entity: EntityScheme, values: Mapping[str, Any]) -> str:
        key = entity.model.primary_key
        return self.part(values.get(key), f"{entity.name}.{key}")

    def _sorted_sk(
        self, entity: EntityScheme, values: Mapping[str, Any], sort_by: str | None
    ) -> str:
        own = self._own_id(entity, values)
        if sort_by is None:
            return self.sk_token(entity.name) + own
        sort = self.part(values.get(sort_by), f"{entity.name}.{sort_by}")
        return f"{self.sk_token(entity.name)}{sort}{self.delimiter}{own}"

    def _gsi_pair(
        self, entity: EntityScheme, path: GsiPath, values: Mapping[str, Any], *, deleted: bool
    ) -> tuple[str, str] | None:
        match path:
            case CollectionIdPath():
                token = self.pk_token(entity.name) + self._own_id(entity, values)
                return token, token
            case ParentPath():
                return self._parent_pair(entity, path, values)
            case MorphPath(link=morph):
                parent = self.morph_parent(morph, values)
                if parent is None:
                    return None  # sparse: the morph is unset
                partition = self.pk_token(parent[0]) + self.part(
                    parent[1], f"{entity.name}.{morph.id_attribute}"
                )
                return partition, self._sorted_sk(entity, values, None)
            case ExpiryPath(attribute=attribute):
                value = values.get(attribute)
                if value is None or deleted:
                    return None
                expires = self.part(value, f"{entity.name}.{attribute}")
                own = self._own_id(entity, values)
                partition = f"{self.pk_token(entity.name)}{attribute}"
                return partition, f"{self.sk_token(entity.name)}{expires}{self.delimiter}{own}"
            case IndexedAttributePath(attribute=attribute, sort_by=sort_by):
                value = values.get(attribute)
                if value is None or deleted:
                    return None
                text = self.part(value, f"{entity.name}.{attribute}", tail=True)
                partition = f"{self.pk_token(entity.name)}{attribute}{self.delimiter}{text}"
                if sort_by is not None and values.get(sort_by) is None:
                    return None  # sorted index: items without the sort value are left out
                return partition, self._sorted_sk(entity, values, sort_by)

    def _parent_pair(
        self, entity: EntityScheme, path: ParentPath, values: Mapping[str, Any]
    ) -> tuple[str, str] | None:
        parent_id = values.get(path.link.foreign_key)
        if parent_id is None:
            return None
        partition = self.pk_token(path.link.parent) + self.part(
            parent_id, f"{entity.name}.{path.link.foreign_key}"
        )
        if path.link.shards > 1:
            shard = self.shard(self._own_id(entity, values), path.link)
            partition += f"{self.delimiter}{shard}"
        if path.sort_by is not None and values.get(path.sort_by) is None:
            return None  # sorted index: items without the sort value are left out
        return partition, self._sorted_sk(entity, values, path.sort_by)

    def morph_parent(self, link: MorphLink, values: Mapping[str, Any]) -> tuple[str, Any] | None:
        """``(type, id)`` of the parent ``values`` name through polymorphic ``link``, or ``None``
        when neither is set; refuses one without the other and a type that is not one of the
        link's parent types."""
        kind, ident = values.get(link.type_attribute), values.get(link.id_attribute)
        if kind is None and ident is None:
            return None
        what = f"{link.child}.{link.morph_name}"
        types = ", ".join(link.types)
        if kind is None or ident is None:
            given, missing = (
                (link.id_attribute, link.type_attribute)
                if kind is None
                else (link.type_attribute, link.id_attribute)
            )
            raise KeyValueError(
                f"{what}: {link.child}.{given} is set but {link.child}.{missing} is not; set "
                f"both (the parent's model name — one of {types} — and its id) or neither"
            )
        if kind not in link.types:
            raise KeyValueError(
                f"{what}: {link.child}.{link.type_attribute} = {kind!r} is not a type of this "
                f"link; it must be one of {types} (the models declaring "
                f"MorphOne/MorphMany({link.child!r}, morph_name={link.morph_name!r}))"
            )
        return kind, ident

    @staticmethod
    def shard(item_id: str, link: ParentLink) -> int:
        """The write shard of an item on a sharded path (stable across processes)."""
        return zlib.crc32(item_id.encode()) % link.shards

    # Sentinels and edges.
    def sentinel_key(self, model: str, attribute: str, value: Any) -> dict[str, str]:
        """The key of the item that reserves ``value`` of unique ``attribute``."""
        what = f"{model}.{attribute}"
        text = self.part(value, what, tail=True)
        entity_prefix = self.schema.entity(model).model.prefix
        d = self.delimiter
        token = f"{UNIQUE_PREFIX}{d}{entity_prefix}{d}{attribute}{d}{text}"
        # The sentinel's sk repeats its pk, so the sort key limit (1,024 bytes) applies.
        fix = "a unique value is stored in its sentinel's key; use a shorter value or drop unique"
        sk_name = self.design.sort_key_name
        self.sized(token, sk_name, what, fix)
        return {self.design.partition_key_name: token, sk_name: token}

    def sentinel_item(
        self, model: str, attribute: str, value: Any, owner_key: Mapping[str, str]
    ) -> dict[str, Any]:
        """The sentinel item reserving ``value``: its key, the owner's primary key under
        ``owner`` and the entity type ``_Unique`` (so entity scans never see it)."""
        return {
            **self.sentinel_key(model, attribute, value),
            self.design.entity_type_attribute: UNIQUE_ENTITY_TYPE,
            SENTINEL_OWNER: dict(owner_key),
        }

    def edge_keys(self, pivot: PivotScheme, owner_id: Any, other_id: Any) -> dict[str, str]:
        """Keys of the edge item linking ``owner_id`` and ``other_id`` of a many-to-many pair."""
        owner_name = f"{pivot.name}.{pivot.owner_key}"
        other_name = f"{pivot.name}.{pivot.other_key}"
        owner = self.part(owner_id, owner_name)
        other = self.part(other_id, other_name)
        d = self.design
        keys = {
            d.partition_key_name: (self.pk_token(pivot.owner) + owner, owner_name),
            d.sort_key_name: (self.sk_token(pivot.other) + other, other_name),
            d.gsi_pk(pivot.slot): (self.pk_token(pivot.other) + other, other_name),
            d.gsi_sk(pivot.slot): (self.sk_token(pivot.owner) + owner, owner_name),
        }
        edge = {name: self.sized(text, name, what) for name, (text, what) in keys.items()}
        return {**edge, d.entity_type_attribute: pivot.name}

    def morph_edge_keys(
        self, pivot: MorphPivotScheme, *, morph_type: str, morph_id: Any, target_id: Any
    ) -> dict[str, str]:
        """Keys of the polymorphic edge linking ``morph_type`` ``morph_id`` (a ``Post``) to
        target ``target_id`` (a ``Tag``): ``pk = POST#<post_id>``, ``sk = TAG#<tag_id>``,
        ``gsi{slot}pk = TAG#<tag_id>``, ``gsi{slot}sk = POST#<post_id>``, ``_et = Taggable``.
        Keyword-only, so the two ids cannot be swapped silently."""
        self._check_morph_type(pivot, morph_type)
        type_name = f"{pivot.name}.{pivot.id_attribute}"
        target_name = f"{pivot.name}.{pivot.target_key}"
        own = self.part(morph_id, type_name)
        target = self.part(target_id, target_name)
        d = self.design
        keys = {
            d.partition_key_name: (self.pk_token(morph_type) + own, type_name),
            d.sort_key_name: (self.sk_token(pivot.target) + target, target_name),
            d.gsi_pk(pivot.slot): (self.pk_token(pivot.target) + target, target_name),
            d.gsi_sk(pivot.slot): (self.sk_token(morph_type) + own, type_name),
        }
        edge = {name: self.sized(text, name, what) for name, (text, what) in keys.items()}
        return {**edge, d.entity_type_attribute: pivot.name}

    def _check_morph_type(self, pivot: MorphPivotScheme, morph_type: Any) -> None:
        if morph_type not in pivot.types:
            raise KeyValueError(
                f"{pivot.name}.{pivot.type_attribute} = {morph_type!r} is not a type of the "
                f"{pivot.morph_name!r} edges; it must be one of {', '.join(pivot.types)} (the "
                f"models declaring MorphToMany({pivot.target!r}, "
                f"morph_name={pivot.morph_name!r}))"
            )
