"""The parts of the resolved single-table layout: links between models and index paths.

A :class:`ParentLink` joins a child to its parent through a foreign key; a :class:`MorphLink`
joins a child to a parent of one of several types (``<morph>_type`` + ``<morph>_id``). Every
access path a GSI slot serves is one small frozen dataclass of the :data:`GsiPath` union;
:class:`PivotScheme` and :class:`MorphPivotScheme` describe many-to-many edge items.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal, TypeVar

from dynamodb_tooling.schema.naming import children_name


@dataclass(frozen=True)
class ParentLink:
    """Child ``child`` belongs to ``parent`` through ``foreign_key`` (``Post.user_id``)."""

    child: str
    parent: str
    relation: str
    foreign_key: str
    collection: bool = False
    sort_by: str | None = None
    index: bool = True
    shards: int = 1
    inverse: str | None = None
    inverse_kind: Literal["has_one", "has_many"] | None = None
    derived: bool = False
    #: The parent's derived relation name when the plain one (``reviews``) would be shared by
    #: two links of the same parent: qualified by this link's name (``editor_reviews``).
    qualified: str = ""

    @property
    def is_self(self) -> bool:
        """A tree: the parent is the child's own model (``Category.parent_id``)."""
        return self.child == self.parent

    @property
    def inverse_name(self) -> str:
        """The parent's relation to its children: declared, else derived (``posts``;
        ``children`` in a tree)."""
        return self.inverse or self.qualified or children_name(self.child, self.parent)


@dataclass(frozen=True)
class MorphParent:
    """A parent type of a polymorphic link and its relation (``Post.comments``, morph_many)."""

    model: str
    relation: str
    kind: Literal["morph_one", "morph_many"]


@dataclass(frozen=True)
class MorphLink:
    """Child ``child`` belongs to one parent of any of several types (``Comment.commentable``):
    ``type_attribute`` holds the parent's model name, ``id_attribute`` its id; both set or
    neither. ``relation`` is the child's morph_to (declared, or derived when ``derived``)."""

    child: str
    morph_name: str
    relation: str
    type_attribute: str
    id_attribute: str
    parents: tuple[MorphParent, ...]
    index: bool = True
    derived: bool = False

    @property
    def types(self) -> tuple[str, ...]:
        """The model names the type attribute may hold, sorted."""
        return tuple(sorted({parent.model for parent in self.parents}))

    def parent(self, model: str) -> MorphParent | None:
        """The relation of parent type ``model`` (``None`` when it is not a parent type)."""
        return next((p for p in self.parents if p.model == model), None)


# GSI access paths: a tagged union of small frozen dataclasses (the class is the tag; ``kind``
# is its name as text, for labels and messages). Code dispatches with ``match``/``isinstance``.


@dataclass(frozen=True)
class ParentPath:
    """Children by their parent's id: ``gsi{slot}pk = USER#<user_id>`` for ``Post.user_id``."""

    entity: str
    name: str
    slot: int
    link: ParentLink
    sort_by: str | None = None
    kind: ClassVar[str] = "parent"


@dataclass(frozen=True)
class CollectionIdPath:
    """A collection child by its id alone: ``gsi{slot}pk = gsi{slot}sk = ORDER#<id>``."""

    entity: str
    name: str
    slot: int
    link: ParentLink
    kind: ClassVar[str] = "collection_id"


@dataclass(frozen=True)
class IndexedAttributePath:
    """Items by the value of an indexed attribute (sparse): ``POST#status#<value>``."""

    entity: str
    name: str
    slot: int
    attribute: str
    sort_by: str | None = None
    kind: ClassVar[str] = "attribute"


@dataclass(frozen=True)
class ExpiryPath:
    """Items with a TTL, sorted by expiry (sparse): ``POST#<ttl attribute>``."""

    entity: str
    name: str
    slot: int
    attribute: str
    kind: ClassVar[str] = "expiry"


@dataclass(frozen=True)
class MorphPath:
    """Children of a polymorphic link by their parent: ``gsi{slot}pk = POST#<commentable_id>``
    for a Comment whose ``commentable_type`` is ``Post`` (the value a belongs_to child of the
    Post would have), ``gsi{slot}sk = COMMENT#<id>``; absent while the morph is unset."""

    entity: str
    name: str
    slot: int
    link: MorphLink
    kind: ClassVar[str] = "morph"

    @property
    def morph_name(self) -> str:
        return self.link.morph_name


#: One access path served by GSI slot ``slot`` of entity ``entity``.
GsiPath = ParentPath | CollectionIdPath | IndexedAttributePath | ExpiryPath | MorphPath
P = TypeVar("P", ParentPath, CollectionIdPath, IndexedAttributePath, ExpiryPath, MorphPath)


def path_source(path: GsiPath) -> str | None:
    """The item attribute a path's partition value is built from (``None``: the item's id;
    a morph path's partition also takes the parent's type, :func:`path_attributes`)."""
    match path:
        case ParentPath(link=link):
            return link.foreign_key
        case MorphPath(link=morph):
            return morph.id_attribute
        case IndexedAttributePath(attribute=attribute) | ExpiryPath(attribute=attribute):
            return attribute
        case CollectionIdPath():
            return None


def path_sort(path: GsiPath) -> str | None:
    """The item attribute a path's sort key orders by, besides the id (``None``: the id)."""
    match path:
        case ParentPath(sort_by=sort) | IndexedAttributePath(sort_by=sort):
            return sort
        case ExpiryPath(attribute=attribute):
            return attribute
        case CollectionIdPath() | MorphPath():
            return None


def path_attributes(path: GsiPath) -> tuple[str, ...]:
    """Every item attribute a path's keys are built from, besides the item's id."""
    names = [path_source(path), path_sort(path)]
    if isinstance(path, MorphPath):
        names.insert(0, path.link.type_attribute)
    return tuple(dict.fromkeys(name for name in names if name))


@dataclass(frozen=True)
class LsiPath:
    """A collection child sorted by ``sort_by`` through LSI slot ``slot``."""

    entity: str
    link: ParentLink
    sort_by: str
    slot: int


@dataclass(frozen=True)
class PivotScheme:
    """A many-to-many pair stored as edge items in the owner's partition."""

    name: str
    owner: str
    other: str
    owner_key: str
    other_key: str
    owner_relation: str
    other_relation: str | None
    attributes: tuple[str, ...]
    slot: int = 1


@dataclass(frozen=True)
class MorphPivotScheme:
    """A polymorphic many-to-many (``Post.tags``, ``Video.tags`` → ``Tag``, morph name
    ``taggable``) stored as edge items in each type item's partition: ``pk = POST#<post_id>``,
    ``sk = TAG#<tag_id>``, ``gsi{slot}pk = TAG#<tag_id>``, ``gsi{slot}sk = POST#<post_id>``,
    the entity type ``name`` (``Taggable``), ``type_attribute``/``id_attribute``/``target_key``
    and the pivot attributes. ``relations`` are the types' morph_to_many relations and
    ``inverses`` the target's morphed_by_many, one per type, as ``(model, relation)`` (declared
    or derived)."""

    name: str
    morph_name: str
    types: tuple[str, ...]
    target: str
    target_key: str
    type_attribute: str
    id_attribute: str
    attributes: tuple[str, ...]
    slot: int
    relations: tuple[tuple[str, str], ...] = ()
    inverses: tuple[tuple[str, str], ...] = ()

    def relation(self, model: str) -> str | None:
        """Type ``model``'s relation to the target (``tags``)."""
        return next((name for owner, name in self.relations if owner == model), None)

    def inverse(self, model: str) -> str | None:
        """The target's relation to type ``model`` (``posts``)."""
        return next((name for owner, name in self.inverses if owner == model), None)
