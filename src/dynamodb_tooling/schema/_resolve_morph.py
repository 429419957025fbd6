"""Resolving polymorphic relations (morph_one / morph_many / morph_to, morph_to_many /
morphed_by_many) and the options every relation kind accepts.

A child's morph_to joins the parent types declaring morph_one/morph_many to it into one
:class:`MorphLink` (declaring only the parents derives the morph_to); the types' morph_to_many
and the target's morphed_by_many join into one :class:`MorphPivotScheme` per target and morph
name, its edges on one GSI slot shared by every type.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

from dynamodb_tooling.schema.definitions import ModelDefinition, RelationDefinition
from dynamodb_tooling.schema.errors import SchemaError
from dynamodb_tooling.schema.naming import (
    default_morph_name,
    foreign_key,
    is_self_link,
    morph_id_attribute,
    morph_pivot_name,
    morph_type_attribute,
    plural,
    snake,
)
from dynamodb_tooling.schema.paths import (
    GsiPath,
    MorphLink,
    MorphParent,
    MorphPath,
    MorphPivotScheme,
    ParentLink,
    ParentPath,
    PivotScheme,
)

_MORPH_KINDS = ("morph_one", "morph_many", "morph_to", "morph_to_many", "morphed_by_many")


def check_options(model: ModelDefinition, relation: RelationDefinition) -> None:
    """Refuse options a relation kind cannot honour (an accepted option must do something)."""
    what = f"{model.name}.{relation.name}"
    if is_self_link(model.name, relation) and relation.collection:
        raise SchemaError(
            f"{what}: a {relation.kind} of {model.name} to itself cannot be a collection "
            "(each level would live in its parent's partition: an unbounded chain); drop "
            "collection=True — the tree is served by a GSI on parent_id"
        )
    if relation.kind not in _MORPH_KINDS:
        if relation.morph_name:
            raise SchemaError(
                f"{what}: morph_name only applies to polymorphic relations (MorphOne, MorphMany, "
                f"MorphTo, MorphToMany, MorphedByMany), not {relation.kind}; drop it"
            )
        return
    refused = {
        "foreign_key": relation.foreign_key,
        "collection": relation.collection,
        "sort_by": relation.sort_by,
        "shards": relation.shards != 1,
        "pivot": relation.pivot,
    }
    if relation.kind in ("morph_one", "morph_many", "morph_to"):
        refused["pivot_attributes"] = relation.pivot_attributes
    else:
        refused["index"] = not relation.index
    given = [name for name, value in refused.items() if value]
    if given:
        raise SchemaError(
            f"{what}: {', '.join(given)} cannot be used on a {relation.kind} relation (its keys "
            "are <morph>_type/<morph>_id and its name); drop it"
        )
    if relation.kind == "morph_to" and relation.target:
        raise SchemaError(
            f"{what}: a morph_to has no single target (its parent may be any type declaring "
            f"MorphOne/MorphMany({model.name!r}, morph_name=...)); leave the target empty"
        )


def morph_links(
    by_name: dict[str, ModelDefinition], links: Sequence[ParentLink]
) -> tuple[MorphLink, ...]:
    """Every polymorphic one-to-one/one-to-many link: the child's morph_to joined with the
    parent types declaring morph_one/morph_many to it (a morph_to is derived when only the
    parents declare it)."""
    declared: dict[tuple[str, str], RelationDefinition] = {}
    parents: dict[tuple[str, str], list[MorphParent]] = {}
    for name in sorted(by_name):
        for relation in by_name[name].relations:
            if relation.kind == "morph_to":
                declared[(name, relation.morph_name or relation.name)] = relation
            elif relation.kind in ("morph_one", "morph_many"):
                morph = relation.morph_name or default_morph_name(relation.target)
                kind: Literal["morph_one", "morph_many"] = (
                    "morph_one" if relation.kind == "morph_one" else "morph_many"
                )
                found = parents.setdefault((relation.target, morph), [])
                twin = next((p for p in found if p.model == name), None)
                if twin is not None:
                    raise SchemaError(
                        f"{name}.{twin.relation} and {name}.{relation.name} both describe "
                        f"{relation.target}.{morph}; keep one, or give one another morph_name"
                    )
                found.append(MorphParent(name, relation.name, kind))
    morphs = []
    for child, morph in sorted(declared.keys() | parents.keys()):
        morph_to = declared.get((child, morph))
        types = parents.get((child, morph))
        if not types:
            raise SchemaError(
                f"{child}.{morph}: no model declares MorphOne/MorphMany({child!r}, "
                f"morph_name={morph!r}), so {child}.{morph_type_attribute(morph)} could hold no "
                f"type; declare it on each parent type (e.g. comments = MorphMany({child!r}, "
                f"morph_name={morph!r}))"
            )
        link = MorphLink(
            child=child,
            morph_name=morph,
            relation=morph_to.name if morph_to is not None else morph,
            type_attribute=morph_type_attribute(morph),
            id_attribute=morph_id_attribute(morph),
            parents=tuple(sorted(types, key=lambda p: p.model)),
            index=morph_to.index if morph_to is not None else True,
            derived=morph_to is None,
        )
        _check_morph_names(link, by_name[child], links)
        morphs.append(link)
    return tuple(morphs)


def _check_morph_names(
    link: MorphLink, child: ModelDefinition, links: Sequence[ParentLink]
) -> None:
    """A morph's attributes and relation name must not be taken by another relation."""
    for other in links:
        if other.child != link.child:
            continue
        if other.foreign_key in (link.type_attribute, link.id_attribute):
            raise SchemaError(
                f"{link.child}.{other.relation}'s foreign key {other.foreign_key!r} is also an "
                f"attribute of the polymorphic link {link.morph_name!r}; give one another name"
            )
        if other.relation == link.relation:
            raise SchemaError(
                f"{link.child} gets two relations named {link.relation!r} (to {other.parent} and "
                f"the polymorphic {link.morph_name!r}); rename one"
            )
    if child.primary_key in (link.type_attribute, link.id_attribute):
        raise SchemaError(
            f"{link.child}'s primary key {child.primary_key!r} is an attribute of the "
            f"polymorphic link {link.morph_name!r}; use another morph_name"
        )


def slots_to(paths: Iterable[GsiPath], parent: str) -> set[int]:
    """The slots of ``paths`` whose partition can be ``<parent>#<id>`` (a belongs_to to
    ``parent``, a morph with ``parent`` among its types)."""
    return {
        p.slot
        for p in paths
        if (isinstance(p, ParentPath) and p.link.parent == parent)
        or (isinstance(p, MorphPath) and parent in p.link.types)
    }


def morph_pivots(
    by_name: dict[str, ModelDefinition],
    links: Sequence[ParentLink],
    pivots: Sequence[PivotScheme],
    paths: dict[str, tuple[GsiPath, ...]],
    gsi_count: int,
) -> tuple[MorphPivotScheme, ...]:
    """Every polymorphic many-to-many: each ``(target, morph name)`` joins the types'
    morph_to_many with the target's morphed_by_many (a missing side is derived)."""
    relations: dict[tuple[str, str], dict[str, str]] = {}
    inverses: dict[tuple[str, str], dict[str, str]] = {}
    attributes: dict[tuple[str, str], tuple[str, ...]] = {}
    for name in sorted(by_name):
        for relation in by_name[name].relations:
            if relation.kind == "morph_to_many":
                pair = (relation.target, relation.morph_name or default_morph_name(relation.target))
                side, type_ = relations, name
            elif relation.kind == "morphed_by_many":
                pair = (name, relation.morph_name or default_morph_name(name))
                side, type_ = inverses, relation.target
            else:
                continue
            named = side.setdefault(pair, {})
            if type_ in named:
                raise SchemaError(
                    f"{name}.{named[type_]} and {name}.{relation.name} both describe the "
                    f"{pair[1]!r} edges of {type_} and {pair[0]}; keep one"
                )
            named[type_] = relation.name
            attributes[pair] = tuple(
                dict.fromkeys((*attributes.get(pair, ()), *relation.pivot_attributes))
            )
    found = []
    for target, morph in sorted(relations.keys() | inverses.keys()):
        declared = relations.get((target, morph), {})
        inverse = inverses.get((target, morph), {})
        types = tuple(sorted(declared.keys() | inverse.keys()))
        pivot = MorphPivotScheme(
            name=morph_pivot_name(morph),
            morph_name=morph,
            types=types,
            target=target,
            target_key=foreign_key(target),
            type_attribute=morph_type_attribute(morph),
            id_attribute=morph_id_attribute(morph),
            attributes=attributes[(target, morph)],
            slot=_morph_pivot_slot(target, morph, types, paths, gsi_count),
            relations=tuple((t, declared.get(t) or plural(snake(target))) for t in types),
            inverses=tuple((t, inverse.get(t) or plural(snake(t))) for t in types),
        )
        _check_morph_pivot(pivot, by_name, links, pivots)
        found.append(pivot)
    names: dict[str, MorphPivotScheme] = {}
    for pivot in found:
        twin = names.setdefault(pivot.name, pivot)
        if twin is not pivot:
            raise SchemaError(
                f"the polymorphic many-to-many links to {twin.target} and {pivot.target} share "
                f"the morph name {pivot.morph_name!r} (edge type {pivot.name!r}); give one "
                "another morph_name"
            )
    return tuple(sorted(found, key=lambda p: p.name))


def _morph_pivot_slot(
    target: str,
    morph: str,
    types: Sequence[str],
    paths: dict[str, tuple[GsiPath, ...]],
    gsi_count: int,
) -> int:
    # The edge's index keys are TARGET#<id> / TYPE#<id>: a type item's keys on a path to the
    # target. One slot serves every type (a query across types reads one partition).
    taken = set().union(*(slots_to(paths[t], target) for t in types))
    slot = next((n for n in range(1, gsi_count + 1) if n not in taken), None)
    if slot is None:
        raise SchemaError(
            f"the {morph!r} edges of {', '.join(types)} and {target} need a GSI slot that no "
            f"relation of those types to {target} uses; raise single_table_design.gsi_count"
        )
    return slot


def _check_morph_pivot(
    pivot: MorphPivotScheme,
    by_name: dict[str, ModelDefinition],
    links: Sequence[ParentLink],
    pivots: Sequence[PivotScheme],
) -> None:
    where = f"the {pivot.morph_name!r} edges ({', '.join(pivot.types)} → {pivot.target})"
    if pivot.name in by_name or any(p.name == pivot.name for p in pivots):
        raise SchemaError(
            f"{where} are named {pivot.name!r}, which is also a model or pivot name; give the "
            "relations another morph_name"
        )
    if pivot.target in pivot.types:
        raise SchemaError(
            f"{where}: a polymorphic many-to-many of {pivot.target} with itself is not supported "
            f"(its edges would collide with {pivot.target} items); model the link as its own model"
        )
    if pivot.target_key in (pivot.type_attribute, pivot.id_attribute):
        raise SchemaError(
            f"{where}: the morph name {pivot.morph_name!r} makes {pivot.target_key!r} both the "
            f"target's id and the type's id; use another morph_name (e.g. "
            f"{default_morph_name(pivot.target)!r})"
        )
    for type_ in pivot.types:
        pair = {type_, pivot.target}
        if any({p.owner, p.other} == pair for p in pivots):
            raise SchemaError(
                f"{where}: {type_} and {pivot.target} are also linked by a many-to-many; their "
                "edge items would share keys — keep one of the two relations"
            )
        if any(x.collection and {x.child, x.parent} == pair for x in links):
            raise SchemaError(
                f"{where}: {type_} and {pivot.target} are also a collection (one lives in the "
                "other's partition), so edges would overwrite items; drop one of the relations"
            )
