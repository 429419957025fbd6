"""Every relation of a model class, declared or derived, bound to the class.

Declaring one side of a relation is enough: ``User.team = BelongsTo(Team)`` makes
``team.users`` exist (named after the child, plural), ``Team.users = HasMany("User")`` makes
``user.team`` exist, and either side of a many-to-many pair gives the other. The names
follow :mod:`dynamodb_tooling.schema.naming`, as the access-pattern documents print them.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.orm.relations.base import Relation
from dynamodb_tooling.orm.relations.belongs_to import BelongsTo
from dynamodb_tooling.orm.relations.belongs_to_many import BelongsToMany
from dynamodb_tooling.orm.relations.has_many import HasMany
from dynamodb_tooling.orm.relations.has_one import HasOne
from dynamodb_tooling.orm.relations.morph_many import MorphMany
from dynamodb_tooling.orm.relations.morph_one import MorphOne
from dynamodb_tooling.orm.relations.morph_to import MorphTo
from dynamodb_tooling.orm.relations.morph_to_many import MorphToMany
from dynamodb_tooling.orm.relations.morphed_by_many import MorphedByMany
from dynamodb_tooling.schema.naming import plural, snake

if TYPE_CHECKING:
    from dynamodb_tooling.orm.model import Model


def relations_of(cls: type[Model]) -> dict[str, Relation[Any]]:
    """Name → relation bound to ``cls``, for every relation ``cls`` has (computed once per
    registry resolution)."""
    registry = cls.__registry__
    return registry.derived(("orm.relations", cls), lambda: _build(cls))


def relation_of(cls: type[Model], name: str) -> Relation[Any]:
    """The relation ``name`` of ``cls``; an unknown name is refused with a did-you-mean."""
    found = relations_of(cls).get(name)
    if found is None:
        raise unknown_relation(cls, name)
    return found


def unknown_relation(cls: type[Model], name: str) -> QueryError:
    known = sorted(relations_of(cls))
    close = difflib.get_close_matches(name.split(".")[0], known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    have = ", ".join(known) or "none"
    return QueryError(
        f"{cls.__name__} has no relation {name!r}{hint} (its relations: {have}); declare it "
        f"on the class (e.g. {name} = HasMany(...)) or on the other model"
    )


def _build(cls: type[Model]) -> dict[str, Relation[Any]]:
    declared: dict[str, Relation[Any]] = cls._inherited()[2]
    name = cls.__definition__.name
    entity = cls.__registry__.schema.entity(name)
    found: dict[str, Relation[Any]] = {}

    def add(relation: str, make: Relation[Any], **layout: Any) -> None:
        base = declared.get(relation) or make
        found.setdefault(relation, base.bound(cls, relation, **layout))

    for link in entity.parents:
        add(link.relation, BelongsTo(link.parent), link=link)
    for link in entity.children:
        kind = HasOne if link.inverse_kind == "has_one" else HasMany
        add(link.inverse_name, kind(link.child), link=link)
    for pivot in entity.pivots:
        if pivot.owner == name:
            add(pivot.owner_relation, BelongsToMany(pivot.other), pivot=pivot)
        else:
            other = pivot.other_relation or plural(snake(pivot.owner))
            add(other, BelongsToMany(pivot.owner), pivot=pivot)
    for morph in entity.morphs:  # this model is the child of a polymorphic link
        add(morph.relation, MorphTo(morph.morph_name), morph_link=morph)
    for morph in entity.morph_children:  # this model is one of the parent types
        parent = morph.parent(name)
        if parent is not None:
            kind_m = MorphOne if parent.kind == "morph_one" else MorphMany
            add(parent.relation, kind_m(morph.child, name=morph.morph_name), morph_link=morph)
    for edges in entity.morph_pivots:
        if name in edges.types:
            relation = edges.relation(name)
            if relation is not None:
                add(relation, MorphToMany(edges.target, name=edges.morph_name), morph_pivot=edges)
        if name == edges.target:
            for model, relation in edges.inverses:
                add(relation, MorphedByMany(model, name=edges.morph_name), morph_pivot=edges)
    for relation, declaration in declared.items():  # relations the key layout does not store
        if relation not in found and declaration.to_definition() is None:
            found[relation] = declaration.bound(cls, relation)
    return found
