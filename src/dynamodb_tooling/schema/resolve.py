"""Resolve a set of model definitions into the single-table layout (DESIGN §2).

Relations are normalised into parent links (declaring one side derives the other), collections
are chained to their root partition, many-to-many pairs become pivot entities, and every access
path that needs an index gets an overloaded GSI slot — deterministically: models sorted by name,
paths in declaration order, slot numbers restarting at 1 for each entity.

Self links (``HasMany("self")``) are parent links whose parent is the child's own model
(foreign key ``parent_id``). Polymorphic links become :class:`MorphLink` (the child holds
``<morph>_type`` and ``<morph>_id``; one :class:`MorphPath` serves every parent type) and
:class:`MorphPivotScheme` (edges between several types and one target).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Literal, overload

from dynamodb_tooling.schema import traits
from dynamodb_tooling.schema._resolve_morph import (
    check_options,
    morph_links,
    morph_pivots,
    slots_to,
)
from dynamodb_tooling.schema.definitions import ModelDefinition, RelationDefinition
from dynamodb_tooling.schema.errors import SchemaError
from dynamodb_tooling.schema.naming import foreign_key, link_foreign_key
from dynamodb_tooling.schema.paths import (
    CollectionIdPath,
    ExpiryPath,
    GsiPath,
    IndexedAttributePath,
    LsiPath,
    MorphLink,
    MorphParent,
    MorphPath,
    MorphPivotScheme,
    P,
    ParentLink,
    ParentPath,
    PivotScheme,
    path_attributes,
    path_sort,
    path_source,
)

__all__ = [
    "MAX_LSI",
    "CollectionIdPath",
    "EntityScheme",
    "ExpiryPath",
    "GsiPath",
    "IndexedAttributePath",
    "LsiPath",
    "MorphLink",
    "MorphParent",
    "MorphPath",
    "MorphPivotScheme",
    "ParentLink",
    "ParentPath",
    "PivotScheme",
    "ResolvedSchema",
    "path_attributes",
    "path_sort",
    "path_source",
    "resolve",
]

MAX_LSI = 5


@dataclass(frozen=True)
class EntityScheme:
    """The resolved layout of one model."""

    model: ModelDefinition
    parents: tuple[ParentLink, ...]
    collection_parent: ParentLink | None
    ancestry: tuple[ParentLink, ...]
    gsi_paths: tuple[GsiPath, ...]
    lsi_paths: tuple[LsiPath, ...]
    children: tuple[ParentLink, ...]
    pivots: tuple[PivotScheme, ...]
    #: Polymorphic links this entity is the child of (its morph_to relations).
    morphs: tuple[MorphLink, ...] = ()
    #: Polymorphic links this entity is a parent type of (its morph_one/morph_many).
    morph_children: tuple[MorphLink, ...] = ()
    #: Polymorphic many-to-many pivots this entity is a type or the target of.
    morph_pivots: tuple[MorphPivotScheme, ...] = ()

    @property
    def name(self) -> str:
        return self.model.name

    def morph(self, name: str) -> MorphLink | None:
        """This entity's polymorphic link named ``name`` (its morph name or morph_to name)."""
        return next((m for m in self.morphs if name in (m.morph_name, m.relation)), None)

    def paths(self, kind: type[P]) -> tuple[P, ...]:
        """This entity's GSI paths of one kind (``entity.paths(ParentPath)``), in slot order."""
        return tuple(path for path in self.gsi_paths if isinstance(path, kind))

    @overload
    def path(self, kind: type[P], name: str) -> P | None: ...
    @overload
    def path(self, kind: str, name: str) -> GsiPath | None: ...
    def path(self, kind: type[P] | str, name: str) -> P | GsiPath | None:
        """The path of ``kind`` (a path class, or its ``kind`` text such as ``"parent"``) named
        ``name`` (a relation or attribute/index name)."""
        if isinstance(kind, str):
            return next((p for p in self.gsi_paths if p.kind == kind and p.name == name), None)
        return next((path for path in self.paths(kind) if path.name == name), None)


@dataclass(frozen=True)
class ResolvedSchema:
    """Every entity and pivot of a registry, in deterministic (name) order."""

    entities: tuple[EntityScheme, ...]
    pivots: tuple[PivotScheme, ...]
    gsi_count: int
    lsi_count: int
    morph_pivots: tuple[MorphPivotScheme, ...] = ()

    def entity(self, name: str) -> EntityScheme:
        for entity in self.entities:
            if entity.name == name:
                return entity
        known = ", ".join(e.name for e in self.entities)
        raise SchemaError(f"no model named {name!r} is registered (registered: {known})")

    def pivot(self, name: str) -> PivotScheme:
        for pivot in self.pivots:
            if pivot.name == name:
                return pivot
        raise SchemaError(f"no many-to-many pivot named {name!r}")

    def morph_pivot(self, name: str) -> MorphPivotScheme:
        """A polymorphic many-to-many pivot by its name (``Taggable``) or morph name."""
        for pivot in self.morph_pivots:
            if name in (pivot.name, pivot.morph_name):
                return pivot
        known = ", ".join(p.name for p in self.morph_pivots) or "none"
        raise SchemaError(
            f"no polymorphic many-to-many pivot named {name!r} (defined: {known}); declare "
            "MorphToMany(target, morph_name=...) on each type"
        )

    def morph_link(self, child: str, morph_name: str) -> MorphLink:
        """The polymorphic link ``morph_name`` of ``child`` (``Comment``, ``commentable``)."""
        link = self.entity(child).morph(morph_name)
        if link is None:
            known = ", ".join(m.morph_name for m in self.entity(child).morphs) or "none"
            raise SchemaError(
                f"{child} has no polymorphic link named {morph_name!r} (its links: {known}); "
                f"declare MorphMany({child!r}, morph_name={morph_name!r}) on each parent type"
            )
        return link


def resolve(
    models: Sequence[ModelDefinition], gsi_count: int, ttl_attribute: str = "ttl"
) -> ResolvedSchema:
    """Resolve ``models`` for a table with ``gsi_count`` overloaded GSIs (``ttl_attribute``
    is the TTL attribute of models whose ttl trait names none)."""
    by_name = _check_names(models)
    links = _parent_links(by_name)
    morphs = morph_links(by_name, links)
    paths = {
        name: _allocate(
            by_name[name],
            [link for link in links if link.child == name],
            [morph for morph in morphs if morph.child == name],
            gsi_count,
            ttl_attribute,
        )
        for name in sorted(by_name)
    }
    pivots = _pivots(by_name, links, paths, gsi_count)
    edges = morph_pivots(by_name, links, pivots, paths, gsi_count)
    entities = []
    for name in sorted(by_name):
        model = by_name[name]
        parents = tuple(link for link in links if link.child == name)
        collection = _collection_parent(name, parents)
        entities.append(
            EntityScheme(
                model=model,
                parents=parents,
                collection_parent=collection,
                ancestry=_ancestry(name, links),
                gsi_paths=paths[name],
                lsi_paths=_lsi_paths(name, collection),
                children=tuple(link for link in links if link.parent == name),
                pivots=tuple(p for p in pivots if name in (p.owner, p.other)),
                morphs=tuple(m for m in morphs if m.child == name),
                morph_children=tuple(m for m in morphs if name in m.types),
                morph_pivots=tuple(p for p in edges if name == p.target or name in p.types),
            )
        )
    lsi_count = max((p.slot for e in entities for p in e.lsi_paths), default=0)
    return ResolvedSchema(tuple(entities), pivots, gsi_count, lsi_count, edges)


def _check_names(models: Sequence[ModelDefinition]) -> dict[str, ModelDefinition]:
    by_name: dict[str, ModelDefinition] = {}
    prefixes: dict[str, str] = {}
    for model in models:
        if model.name in by_name:
            raise SchemaError(f"model {model.name!r} is defined twice; model names must be unique")
        if model.prefix in prefixes:
            raise SchemaError(
                f"models {prefixes[model.prefix]!r} and {model.name!r} share the key prefix "
                f"{model.prefix!r}; give one a different pk_prefix"
            )
        by_name[model.name] = model
        prefixes[model.prefix] = model.name
    for model in models:
        for relation in model.relations:
            check_options(model, relation)
            if relation.kind == "morph_to":
                continue  # any type declaring the other side
            if relation.target not in by_name:
                known = ", ".join(sorted(by_name))
                raise SchemaError(
                    f"{model.name}.{relation.name}: relation target {relation.target!r} is not a "
                    f"defined model (defined: {known}); define it or fix the name"
                )
    return by_name


def _link_from(model: ModelDefinition, relation: RelationDefinition) -> ParentLink:
    if relation.kind == "belongs_to":
        return ParentLink(
            child=model.name,
            parent=relation.target,
            relation=relation.name,
            foreign_key=link_foreign_key(model.name, relation),
            collection=relation.collection,
            sort_by=relation.sort_by,
            index=relation.index,
            shards=relation.shards,
        )
    inverse_kind: Literal["has_one", "has_many"] = (
        "has_one" if relation.kind == "has_one" else "has_many"
    )
    key = link_foreign_key(model.name, relation)
    return ParentLink(
        child=relation.target,
        parent=model.name,
        # Named after the foreign key (author_id → author), so two has_many relations to the
        # same child through different keys get distinct paths.
        relation=key.removesuffix("_id") or key,
        foreign_key=key,
        collection=relation.collection,
        sort_by=relation.sort_by,
        index=relation.index,
        shards=relation.shards,
        inverse=relation.name,
        inverse_kind=inverse_kind,
        derived=True,
    )


def _merge(declared: ParentLink, other: ParentLink) -> ParentLink:
    """Join a child's link with the parent's has_one/has_many declaring the same relation."""
    if declared.inverse is not None:
        raise SchemaError(
            f"{other.parent}.{declared.inverse} and {other.parent}.{other.inverse} both describe "
            f"{declared.child}.{declared.foreign_key}; give one its own foreign_key"
        )
    for field in ("sort_by", "shards"):
        a, b = getattr(declared, field), getattr(other, field)
        default = 1 if field == "shards" else None
        if a != default and b != default and a != b:
            raise SchemaError(
                f"{declared.child}.{declared.relation} and {other.parent}.{other.inverse} disagree "
                f"on {field} ({a!r} vs {b!r}); declare it on one side only"
            )
    return ParentLink(
        child=declared.child,
        parent=declared.parent,
        relation=declared.relation,
        foreign_key=declared.foreign_key,
        collection=declared.collection or other.collection,
        sort_by=declared.sort_by or other.sort_by,
        index=declared.index and other.index,
        shards=max(declared.shards, other.shards),
        inverse=other.inverse,
        inverse_kind=other.inverse_kind,
        derived=declared.derived,
    )


def _parent_links(by_name: dict[str, ModelDefinition]) -> list[ParentLink]:
    declared: list[ParentLink] = []
    derived: list[ParentLink] = []
    for name in sorted(by_name):
        for relation in by_name[name].relations:
            if relation.kind == "belongs_to":
                declared.append(_link_from(by_name[name], relation))
            elif relation.kind in ("has_one", "has_many"):
                derived.append(_link_from(by_name[name], relation))
    links = list(declared)
    for link in derived:
        match = next(
            (
                i
                for i, d in enumerate(links)
                if (d.child, d.parent, d.foreign_key) == (link.child, link.parent, link.foreign_key)
            ),
            None,
        )
        if match is None:
            links.append(link)
        else:
            links[match] = _merge(links[match], link)
    seen: dict[tuple[str, str], ParentLink] = {}
    for link in links:
        twin = seen.setdefault((link.child, link.relation), link)
        if twin is not link:
            raise SchemaError(
                f"{link.child} gets two relations named {link.relation!r} (to {twin.parent} via "
                f"{twin.foreign_key} and to {link.parent} via {link.foreign_key}); give one an "
                "explicit foreign_key"
            )
    return _qualify_shared_names(links, by_name)


def _qualify_shared_names(
    links: list[ParentLink], by_name: dict[str, ModelDefinition]
) -> list[ParentLink]:
    """Two links of one parent would derive the same relation name (``Review.author`` and
    ``Review.editor`` both give ``user.reviews``): each derived one is qualified by its own
    relation name instead (``author_reviews``, ``editor_reviews``), so neither is lost."""
    taken: dict[tuple[str, str], list[int]] = {}
    for index, link in enumerate(links):
        taken.setdefault((link.parent, link.inverse_name), []).append(index)
    qualified = list(links)
    for (parent, name), indexes in taken.items():
        declared = {r.name for r in by_name[parent].relations}
        shared = len(indexes) > 1 or (name in declared and links[indexes[0]].inverse is None)
        if not shared:
            continue
        for index in indexes:
            link = links[index]
            if link.inverse is None:
                qualified[index] = replace(link, qualified=f"{link.relation}_{name}")
    return qualified


def _collection_parent(name: str, parents: Iterable[ParentLink]) -> ParentLink | None:
    collections = [link for link in parents if link.collection]
    if len(collections) > 1:
        names = ", ".join(f"{c.parent} ({c.relation})" for c in collections)
        raise SchemaError(
            f"{name} is a collection child of several parents ({names}); an item lives in one "
            "partition — keep collection=True on one relation and index the others"
        )
    return collections[0] if collections else None


def _ancestry(name: str, links: Sequence[ParentLink]) -> tuple[ParentLink, ...]:
    chain: list[ParentLink] = []
    current = name
    seen = {name}
    while True:
        parent = next((x for x in links if x.child == current and x.collection), None)
        if parent is None:
            return tuple(reversed(chain))
        if parent.parent in seen:
            cycle = " → ".join([*seen, parent.parent])
            raise SchemaError(
                f"collection relations form a cycle ({cycle}) that cannot be keyed: an item "
                "cannot live in its own descendant's partition; drop collection=True on one"
            )
        chain.append(parent)
        seen.add(parent.parent)
        current = parent.parent


def _allocate(
    model: ModelDefinition,
    parents: Sequence[ParentLink],
    morphs: Sequence[MorphLink],
    gsi_count: int,
    ttl_attribute: str,
) -> tuple[GsiPath, ...]:
    """The entity's GSI paths, slots numbered from 1 in declaration order."""
    name = model.name
    wanted: list[Callable[[int], GsiPath]] = []
    for link in parents:
        if link.collection:
            wanted.append(partial(CollectionIdPath, name, link.relation, link=link))
        elif link.index:
            wanted.append(partial(ParentPath, name, link.relation, link=link, sort_by=link.sort_by))
    for morph in morphs:
        if morph.index:
            wanted.append(partial(MorphPath, name, morph.relation, link=morph))
    for attribute in model.indexed_attributes:
        wanted.append(
            partial(
                IndexedAttributePath,
                name,
                attribute.name,
                attribute=attribute.name,
                sort_by=attribute.index_sort,
            )
        )
    for index in model.indexes:
        sort = index.columns[1] if len(index.columns) > 1 else None
        wanted.append(
            partial(
                IndexedAttributePath, name, index.name, attribute=index.columns[0], sort_by=sort
            )
        )
    if (expires := traits.expiry_index(model, ttl_attribute)) is not None:
        wanted.append(partial(ExpiryPath, name, expires, attribute=expires))
    paths = tuple(make(slot) for slot, make in enumerate(wanted, start=1))
    if len(paths) > gsi_count:
        named = ", ".join(f"{p.kind} {p.name!r}" for p in paths)
        raise SchemaError(
            f"{name} needs {len(paths)} GSI slots ({named}) but gsi_count is {gsi_count}; "
            f"raise single_table_design.gsi_count to {len(paths)}, make a relation a "
            "collection (collection=True), or mark a path index=False"
        )
    return paths


def _lsi_paths(name: str, collection: ParentLink | None) -> tuple[LsiPath, ...]:
    if collection is None or collection.sort_by is None:
        return ()
    return (LsiPath(name, collection, collection.sort_by, 1),)


def _pivots(
    by_name: dict[str, ModelDefinition],
    links: Sequence[ParentLink],
    paths: dict[str, tuple[GsiPath, ...]],
    gsi_count: int,
) -> tuple[PivotScheme, ...]:
    pairs: dict[tuple[str, str], PivotScheme] = {}
    for name in sorted(by_name):
        for relation in by_name[name].relations:
            if relation.kind != "belongs_to_many":
                continue
            _check_pivot_pair(name, relation, by_name, links)
            pair = (min(name, relation.target), max(name, relation.target))
            existing = pairs.get(pair)
            if existing is None:
                pairs[pair] = _new_pivot(name, relation, paths, gsi_count)
            elif (
                existing.other == name
                and existing.other_relation is None
                and (not relation.pivot or relation.pivot == existing.name)
            ):
                attributes = tuple(
                    dict.fromkeys((*existing.attributes, *relation.pivot_attributes))
                )
                pairs[pair] = replace(existing, other_relation=relation.name, attributes=attributes)
            else:
                first = existing.other_relation or existing.owner_relation
                raise SchemaError(
                    f"{name}.{relation.name} and {existing.owner}.{first} both link {pair[0]} and "
                    f"{pair[1]}; their edge items would share keys — keep one many-to-many "
                    "relation per pair (or model the second link as its own model)"
                )
    for pivot in pairs.values():
        if pivot.name in by_name:
            raise SchemaError(
                f"the many-to-many pivot name {pivot.name!r} is also a model name; give the "
                f"relation another pivot= name"
            )
    return tuple(sorted(pairs.values(), key=lambda p: p.name))


def _check_pivot_pair(
    name: str,
    relation: RelationDefinition,
    by_name: dict[str, ModelDefinition],
    links: Sequence[ParentLink],
) -> None:
    if relation.target == name:
        raise SchemaError(
            f"{name}.{relation.name}: a many-to-many relation of {name} with itself is not "
            f"supported (its edges would collide with {name} items); model the link as its own "
            f"model with two BelongsTo({name!r}, foreign_key=...) relations"
        )
    for owner, other in ((name, relation.target), (relation.target, name)):
        if any(x.child == other and x.parent == owner and x.collection for x in links):
            raise SchemaError(
                f"{name}.{relation.name}: {other} already lives in {owner}'s partition "
                f"(collection=True), so {owner}-{other} edges would overwrite {other} items; "
                "drop one of the two relations"
            )


def _new_pivot(
    owner: str,
    relation: RelationDefinition,
    paths: dict[str, tuple[GsiPath, ...]],
    gsi_count: int,
) -> PivotScheme:
    # The edge's index keys are OTHER#<id> / OWNER#<id>: exactly an owner item's keys on a
    # belongs_to (or morph) path to OTHER. Take a slot no such path uses, so the two never mix.
    taken = slots_to(paths[owner], relation.target)
    slot = next((n for n in range(1, gsi_count + 1) if n not in taken), None)
    if slot is None:
        raise SchemaError(
            f"{owner}.{relation.name}: every GSI slot is used by {owner}'s relations to "
            f"{relation.target}; raise single_table_design.gsi_count"
        )
    return PivotScheme(
        name=relation.pivot or "".join(sorted((owner, relation.target))),
        owner=owner,
        other=relation.target,
        owner_key=foreign_key(owner),
        other_key=foreign_key(relation.target),
        owner_relation=relation.name,
        other_relation=None,
        attributes=relation.pivot_attributes,
        slot=slot,
    )
