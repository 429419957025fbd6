"""Access patterns of polymorphic relations: children by parent (``List Comments by Post
(commentable)``), the parent of a child (``Get Post of Comment (commentable)``) and
polymorphic many-to-many edges from either side (``List Tags of Post (taggable)``, ``List Posts
of Tag (taggable)``, ``List taggables of Tag (every type)``).

A mixin of the access-pattern generator (:mod:`dynamodb_tooling.schema.access_patterns`):
children and parents are planned by the query planner like every model query; edges come from
the key scheme (:meth:`KeyScheme.morph_edges_query`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from dynamodb_tooling.config import SingleTableDesignConfig
from dynamodb_tooling.schema._pattern_examples import morph_children_example
from dynamodb_tooling.schema._pattern_parts import Follower, PatternSpec, Planner, Request
from dynamodb_tooling.schema.keys import KeyScheme
from dynamodb_tooling.schema.naming import plural, snake
from dynamodb_tooling.schema.paths import MorphLink, MorphPath, MorphPivotScheme
from dynamodb_tooling.schema.resolve import EntityScheme, ResolvedSchema

if TYPE_CHECKING:
    from dynamodb_tooling.schema.access_patterns import AccessPattern

#: Notes of the polymorphic patterns (formatted with the pattern's names).
MORPH_NOTES = {
    "children": (
        "one Query on {index}: the {parent}'s key ({parent_token}<id>) is the partition, "
        "shared with every {child} of a {types} through {morph}"
    ),
    "no_index": (
        "no index ({child}.{relation} has index=False): a Scan filtered by {type_attribute} and "
        "{id_attribute}; give the relation a GSI slot"
    ),
    "parent": (
        "the {child} holds {type_attribute} = {parent!r} and {id_attribute}: one GetItem of the "
        "{parent} (BatchGetItem per type for many {children}, no N+1)"
    ),
    "edges": (
        "one Query for the {pivot} edges on {where}, then BatchGetItem of the {names} (100 keys "
        "per request, in parallel)"
    ),
    "every_type": (
        "one Query for every {pivot} edge of the {target} on {index} (no sort condition: every "
        "type; the edge-type filter drops the {target}'s other items there), then "
        "BatchGetItem of each item by its {type_attribute} and {id_attribute}"
    ),
}


class _Generator(Protocol):
    """What the polymorphic patterns need of the access-pattern generator."""

    schema: ResolvedSchema
    keys: KeyScheme
    design: SingleTableDesignConfig

    def ask(
        self,
        model: str,
        equal: Callable[[Mapping[str, Any]], Mapping[str, Any]],
        *,
        order: str | None = None,
        present: str | None = None,
    ) -> Planner: ...

    def pattern(
        self, spec: PatternSpec, planner: Planner, follow: Follower | None = None
    ) -> AccessPattern: ...


class MorphPatterns:
    """The generator's polymorphic patterns, per entity."""

    def morph_patterns(self: _Generator, entity: EntityScheme) -> list[AccessPattern]:
        """Every polymorphic pattern returning ``entity`` items."""
        found: list[AccessPattern] = []
        for link in entity.morphs:
            found += [_children(self, entity, link, parent) for parent in link.types]
        for link in entity.morph_children:
            found.append(_parent_of(self, entity, link))
        for pivot in entity.morph_pivots:
            if entity.name == pivot.target:
                found += [_edges(self, entity, pivot, kind, on_type=True) for kind in pivot.types]
            else:
                found.append(_edges(self, entity, pivot, entity.name, on_type=False))
        for pivot in entity.morph_pivots:
            if entity.name == pivot.target:
                found.append(_every_type(self, entity, pivot))
        return found


def _children(gen: _Generator, entity: EntityScheme, link: MorphLink, parent: str) -> AccessPattern:
    """``List Comments by Post (commentable)`` (``Get Image of Post (imageable)``)."""
    child, idattr, typeattr = entity.name, link.id_attribute, link.type_attribute
    relation = link.parent(parent)
    single = relation is not None and relation.kind == "morph_one"
    title = f"Get {child} of {parent}" if single else f"List {plural(child)} by {parent}"
    title += f" ({link.morph_name})"
    path = next((p for p in entity.paths(MorphPath) if p.link == link), None)
    example = morph_children_example(gen.schema, link, parent, single, scan=path is None)

    def equal(v: Mapping[str, Any]) -> dict[str, Any]:
        return {typeattr: parent, idattr: v[idattr]}

    if path is None:
        note = MORPH_NOTES["no_index"].format(
            child=child, relation=link.relation, type_attribute=typeattr, id_attribute=idattr
        )
        spec = PatternSpec(child, title, "Scan", note, example, (idattr,))
        return gen.pattern(spec, gen.ask(child, equal))
    note = MORPH_NOTES["children"].format(
        index=gen.design.gsi_name(path.slot),
        parent=parent,
        parent_token=gen.keys.pk_token(parent),
        child=child,
        types=" or ".join(link.types),
        morph=f"{typeattr}/{idattr}",
    )
    return gen.pattern(
        PatternSpec(child, title, "Query", note, example, (idattr,)), gen.ask(child, equal)
    )


def _parent_of(gen: _Generator, entity: EntityScheme, link: MorphLink) -> AccessPattern:
    """``Get Post of Comment (commentable)``: the parent, by the child's morph id."""
    parent, child, idattr = entity.name, link.child, link.id_attribute
    title = f"Get {parent} of {child} ({link.morph_name})"
    var = snake(child)
    example = (
        f'{var}.{link.relation}  # the {parent} when {var}.{link.type_attribute} == "{parent}"'
    )
    note = MORPH_NOTES["parent"].format(
        child=child,
        parent=parent,
        type_attribute=link.type_attribute,
        id_attribute=idattr,
        children=plural(child),
    )
    pk = entity.model.primary_key
    spec = PatternSpec(parent, title, "GetItem", note, example, (idattr,))
    return gen.pattern(spec, gen.ask(parent, lambda v: {pk: v[idattr]}))


def _edges(
    gen: _Generator, entity: EntityScheme, pivot: MorphPivotScheme, kind: str, *, on_type: bool
) -> AccessPattern:
    """``List Tags of Post (taggable)`` (``entity`` is the target, read from type ``kind``'s
    partition) or ``List Posts of Tag (taggable)`` (``entity`` is type ``kind``, read from the
    target's side on the pivot's GSI)."""
    side = kind if on_type else pivot.target
    side_key = pivot.id_attribute if on_type else pivot.target_key
    relation = pivot.relation(kind) if on_type else pivot.inverse(kind)
    var, names = snake(side), plural(entity.name)
    where = "the table" if on_type else gen.design.gsi_name(pivot.slot)
    note = MORPH_NOTES["edges"].format(pivot=pivot.name, where=where, names=names)
    spec = PatternSpec(
        entity.name,
        f"List {names} of {side} ({pivot.morph_name})",
        "Query",
        note,
        f"{var}.{relation}.get()",
        (side_key,),
        "begins_with",
        (pivot.name,),
        then="BatchGetItem",
    )
    morph_type = None if on_type else kind

    def plan(v: Mapping[str, Any]) -> Request:
        query = gen.keys.morph_edges_query(pivot, side, v[side_key], morph_type)
        return Request(key_query=query)

    return gen.pattern(spec, plan, _follower(gen, pivot, entity, on_type))


def _every_type(gen: _Generator, entity: EntityScheme, pivot: MorphPivotScheme) -> AccessPattern:
    """``List taggables of Tag (every type)``: the edges of every type, one GSI Query."""
    target, key = entity.name, pivot.target_key
    index = gen.design.gsi_name(pivot.slot)
    note = MORPH_NOTES["every_type"].format(
        pivot=pivot.name,
        target=target,
        index=index,
        type_attribute=pivot.type_attribute,
        id_attribute=pivot.id_attribute,
    )
    var = snake(target)
    relations = " + ".join(f"{var}.{pivot.inverse(kind)}.get()" for kind in pivot.types)
    spec = PatternSpec(
        target,
        f"List {plural(pivot.morph_name)} of {target} (every type)",
        "Query",
        note,
        relations,
        (key,),
        None,
        (pivot.name,),
        then="BatchGetItem",
    )

    def plan(v: Mapping[str, Any]) -> Request:
        return Request(key_query=gen.keys.morph_edges_query(pivot, target, v[key]))

    def follow(edge: Mapping[str, Any]) -> dict[str, str]:
        kind = str(edge[pivot.type_attribute])
        pk = gen.schema.entity(kind).model.primary_key
        return gen.keys.primary_key(kind, {pk: edge[pivot.id_attribute]})

    # A collection child's key needs its ancestors' ids: such types are read by id.
    keyed = not any(gen.schema.entity(kind).ancestry for kind in pivot.types)
    return gen.pattern(spec, plan, follow if keyed else None)


def _follower(
    gen: _Generator, pivot: MorphPivotScheme, entity: EntityScheme, on_type: bool
) -> Follower | None:
    """The BatchGetItem key of the ``entity`` item an edge points at."""
    if entity.ancestry:
        return None  # a collection child's key needs its ancestors' ids: read it by id
    attribute = pivot.target_key if on_type else pivot.id_attribute
    pk = entity.model.primary_key

    def follow(edge: Mapping[str, Any]) -> dict[str, str]:
        return gen.keys.primary_key(entity.name, {pk: edge[attribute]})

    return follow
