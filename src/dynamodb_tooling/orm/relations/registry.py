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
from dynamodb_tooling.orm.relations.has_many import HasMany, HasOne
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
    for link in entity.parents:
        base = declared.get(link.relation) or BelongsTo(link.parent)
        found[link.relation] = base.bound(cls, link.relation, link=link)
    for link in entity.children:
        relation = link.inverse or (
            snake(link.child) if link.inverse_kind == "has_one" else plural(snake(link.child))
        )
        kind: type[HasOne[Any]] | type[HasMany[Any]] = (
            HasOne if link.inverse_kind == "has_one" else HasMany
        )
        base = declared.get(relation) or kind(link.child)
        found.setdefault(relation, base.bound(cls, relation, link=link))
    for pivot in entity.pivots:
        if pivot.owner == name:
            relation, other = pivot.owner_relation, pivot.other
        else:
            relation = pivot.other_relation or plural(snake(pivot.owner))
            other = pivot.owner
        base = declared.get(relation) or BelongsToMany(other)
        found.setdefault(relation, base.bound(cls, relation, pivot=pivot))
    for relation, declaration in declared.items():  # relations the key layout does not store
        if relation not in found and declaration.to_definition() is None:
            found[relation] = declaration.bound(cls, relation)
    return found
