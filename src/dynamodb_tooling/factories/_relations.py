"""Finding the relation a factory's ``for_``/``has``/``has_attached`` means, and the values
that link a child to its parent.

``relation=None`` picks the one relation of the right kind between the two models; when there
are several (``author`` and ``editor`` both ``BelongsTo(User)``) the error names them and asks
for ``relation=``.
"""

from __future__ import annotations

from typing import Any

from dynamodb_tooling.factories.errors import FactoryError
from dynamodb_tooling.orm.relations import BelongsTo, BelongsToMany, HasMany, HasOne
from dynamodb_tooling.orm.relations.base import Relation
from dynamodb_tooling.orm.relations.has_one_or_many import HasOneOrMany
from dynamodb_tooling.orm.relations.morph_to_many import MorphToMany
from dynamodb_tooling.orm.relations.morphed_by_many import MorphedByMany
from dynamodb_tooling.orm.relations.registry import relations_of

__all__ = ["belongs_to", "belongs_to_many", "has_children", "parent_values"]


def _find(
    owner: type[Any], target: type[Any], kinds: tuple[type, ...], name: str | None, what: str
) -> Relation[Any]:
    relations = relations_of(owner)
    if name is not None:
        found = relations.get(name)
        if found is None or not isinstance(found, kinds):
            have = ", ".join(sorted(relations)) or "none"
            raise FactoryError(
                f"{owner.__name__} has no {what} relation {name!r} (its relations: {have})"
            )
        return found
    matches = [r for r in relations.values() if isinstance(r, kinds) and r.related is target]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise FactoryError(
            f"{owner.__name__} has no {what} relation to {target.__name__}; declare one "
            f"(e.g. on {owner.__name__}) or pass relation='name'"
        )
    names = ", ".join(sorted(r.name for r in matches))
    raise FactoryError(
        f"{owner.__name__} has several {what} relations to {target.__name__} ({names}); "
        "pass relation='name' to say which"
    )


def belongs_to(child: type[Any], parent: type[Any], name: str | None) -> BelongsTo[Any]:
    """The child's ``BelongsTo`` relation to ``parent`` (for ``for_``)."""
    found = _find(child, parent, (BelongsTo,), name, "belongs-to")
    assert isinstance(found, BelongsTo)
    return found


def has_children(parent: type[Any], child: type[Any], name: str | None) -> HasOneOrMany[Any]:
    """The parent's ``HasMany``/``HasOne`` relation to ``child`` (for ``has``)."""
    found = _find(parent, child, (HasMany, HasOne), name, "has-many/has-one")
    assert isinstance(found, HasOneOrMany)
    return found


def belongs_to_many(owner: type[Any], related: type[Any], name: str | None) -> Relation[Any]:
    """The many-to-many relation of ``owner`` to ``related`` (for ``has_attached``)."""
    kinds = (BelongsToMany, MorphToMany, MorphedByMany)
    return _find(owner, related, kinds, name, "many-to-many")


def parent_values(relation: BelongsTo[Any], parent: Any) -> dict[str, Any]:
    """What a child holds to belong to ``parent`` through ``relation``: its foreign key and,
    for a child in a nested collection, the parent's own ancestors' ids (they build the key)."""
    key = parent.get_key()
    if key is None:
        raise FactoryError(
            f"for_(): the {type(parent).__name__} has no id; save it first or pass its factory"
        )
    link = relation.parent_link
    values = {relation.key_name: key}
    if link.collection:
        entity = relation.owner_class.__registry__.schema.entity(link.parent)
        values |= {a.foreign_key: getattr(parent, a.foreign_key) for a in entity.ancestry}
    return values
