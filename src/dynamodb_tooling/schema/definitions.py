"""Frozen model definitions: what both front ends (Python classes, Stacks dicts) produce.

A :class:`ModelDefinition` says everything the key scheme needs about one model: its name and
key prefix, attributes (with type, uniqueness, indexing), relations and traits. Definitions are
plain data — comparing two registries built from the two front ends is comparing these.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from typing import Any, Literal

AttributeType = Literal[
    "string",
    "integer",
    "number",
    "decimal",
    "boolean",
    "datetime",
    "date",
    "binary",
    "map",
    "list",
    "string_set",
    "number_set",
    "binary_set",
    "json",
    "any",
]
RelationKind = Literal[
    "has_one",
    "has_many",
    "belongs_to",
    "belongs_to_many",
    "morph_one",
    "morph_many",
    "morph_to",
    "morph_to_many",
    "morphed_by_many",
]
ProjectionType = Literal["ALL", "KEYS_ONLY", "INCLUDE"]
IdStrategy = Literal["ulid", "uuid", "uuid7", "caller"]


_KIND_ORDER: dict[str, int] = {
    "belongs_to": 0,
    "has_one": 1,
    "has_many": 2,
    "belongs_to_many": 3,
    "morph_to": 4,
    "morph_one": 5,
    "morph_many": 6,
    "morph_to_many": 7,
    "morphed_by_many": 8,
}
#: The target that names the declaring model itself (``HasMany("self")``: a tree).
SELF = "self"


@dataclass(frozen=True)
class RawCode:
    """A value from a Stacks ``.ts`` file that is code (a function, a validator chain).

    Kept as text for documentation; never executed.
    """

    text: str
    note: str = "code from a Stacks model file; kept as text, not executed"


@dataclass(frozen=True)
class AttributeDefinition:
    """One attribute of a model."""

    name: str
    type: AttributeType = "any"
    nullable: bool = False
    required: bool = False
    default: Any = None
    has_default: bool = False
    unique: bool = False
    index: bool = False
    index_sort: str | None = None
    hidden: bool = False
    fillable: bool = True
    guarded: bool = False
    cast: str | None = None
    validation: str | RawCode | None = field(default=None, compare=False)
    description: str = field(default="", compare=False)
    #: The Python type values are read back as when it is richer than ``type`` (an Enum).
    python_type: Any = field(default=None, compare=False)


@dataclass(frozen=True)
class RelationDefinition:
    """A relation as declared (or derived from the other side).

    ``foreign_key`` is the attribute on the child holding the parent's id (``user_id``).
    ``collection`` stores the child in the parent's partition. ``sort_by`` orders children in
    the index (or, for collections, by an LSI). ``index=False`` opts a path out of a GSI slot.

    Polymorphic kinds name their link with ``morph_name`` (``"commentable"``): ``morph_to`` on
    the child (its ``target`` is empty: the parent may be any type declaring the other side),
    ``morph_one``/``morph_many`` on each parent type (``target`` = the child),
    ``morph_to_many`` on each type side of a polymorphic many-to-many (``target`` = ``Tag``)
    and ``morphed_by_many`` on the target side (``target`` = one type, ``Post``). A target of
    ``"self"`` names the declaring model (a tree); definitions store the model's name.
    """

    name: str
    kind: RelationKind
    target: str
    foreign_key: str = ""
    collection: bool = False
    sort_by: str | None = None
    index: bool = True
    shards: int = 1
    pivot: str = ""
    pivot_attributes: tuple[str, ...] = ()
    derived: bool = False
    morph_name: str = ""


@dataclass(frozen=True)
class IndexDefinition:
    """An explicit index on attributes (Stacks ``indexes``): served by an overloaded GSI slot."""

    name: str
    columns: tuple[str, ...]
    projection: ProjectionType = "ALL"


@dataclass(frozen=True)
class Traits:
    """Behaviours a model opts into (Stacks ``traits``): the declaration only. What each
    trait does lives in its plug-in (:mod:`dynamodb_tooling.schema.traits`)."""

    timestamps: bool = False
    soft_deletes: bool = False
    id_strategy: IdStrategy = "ulid"
    ttl: bool = False
    ttl_attribute: str | None = None
    ttl_index: bool = False
    versioning: bool = False


@dataclass(frozen=True)
class ModelDefinition:
    """Everything the single-table scheme needs to know about one model."""

    name: str
    prefix: str
    primary_key: str = "id"
    attributes: tuple[AttributeDefinition, ...] = ()
    relations: tuple[RelationDefinition, ...] = ()
    indexes: tuple[IndexDefinition, ...] = ()
    traits: Traits = Traits()
    #: The table the model lives in, when not the main one (``schema.tables``).
    table: str | None = None
    factory: RawCode | None = field(default=None, compare=False)
    notes: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        # Canonical relation order: by kind, then as declared. Within a kind the declaration
        # order decides GSI slots; across kinds it carries no meaning (a Stacks dict groups
        # relations by kind, a class body interleaves them), so both front ends agree.
        # "self" names this model: stored as its name, so both spellings are one definition.
        relations = tuple(
            replace(r, target=self.name) if r.target == SELF else r for r in self.relations
        )
        ordered = tuple(sorted(relations, key=lambda r: _KIND_ORDER[r.kind]))
        object.__setattr__(self, "relations", ordered)

    def attribute(self, name: str) -> AttributeDefinition | None:
        return self._by_name.get(name)

    @functools.cached_property
    def _by_name(self) -> dict[str, AttributeDefinition]:
        # Definitions are frozen: the lookup is built once (hot path of every write).
        return {attribute.name: attribute for attribute in self.attributes}

    @functools.cached_property
    def unique_attributes(self) -> tuple[AttributeDefinition, ...]:
        return tuple(a for a in self.attributes if a.unique)

    def relation(self, name: str) -> RelationDefinition | None:
        for relation in self.relations:
            if relation.name == name:
                return relation
        return None

    @property
    def indexed_attributes(self) -> tuple[AttributeDefinition, ...]:
        return tuple(a for a in self.attributes if a.index)
