"""Which derived index keys an update must SET or REMOVE (DESIGN §2, "every key from one place").

Every GSI/LSI key of an entity depends on a few attributes (a foreign key, a polymorphic
link's type and id, an indexed attribute, a sort attribute, the soft-delete marker). An update
recomputes, with :meth:`KeyScheme.item_keys`, the keys of the paths whose attributes it
changes, and compares them with the keys of the item before the change.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from dynamodb_tooling.schema import EntityScheme, KeyScheme, KeyValueError
from dynamodb_tooling.schema.resolve import ExpiryPath, IndexedAttributePath, path_attributes


@dataclass(frozen=True)
class PathKeys:
    """The key attributes of one index path and the attributes they are derived from."""

    names: tuple[str, ...]
    depends_on: frozenset[str]


@dataclass(frozen=True)
class KeyChanges:
    """Key attributes to SET (new value) and to REMOVE (the path no longer applies)."""

    set: dict[str, str]
    remove: tuple[str, ...]


def identity_attributes(entity: EntityScheme) -> tuple[str, ...]:
    """Attributes that define the item's pk/sk: its id and its collection ancestors' ids."""
    return (entity.model.primary_key, *(link.foreign_key for link in entity.ancestry))


def path_keys(keys: KeyScheme, entity: EntityScheme, soft_delete: str | None) -> list[PathKeys]:
    """Every index path of ``entity`` with its key attributes and dependencies."""
    design = keys.design
    found: list[PathKeys] = []
    for path in entity.gsi_paths:
        depends = set(path_attributes(path))
        # Attribute-derived paths leave the index when the item is soft-deleted.
        if isinstance(path, IndexedAttributePath | ExpiryPath) and soft_delete:
            depends.add(soft_delete)
        names = (design.gsi_pk(path.slot), design.gsi_sk(path.slot))
        found.append(PathKeys(names, frozenset(depends)))
    for lsi in entity.lsi_paths:
        found.append(PathKeys((design.lsi_sk(lsi.slot),), frozenset({lsi.sort_by})))
    return found


def key_changes(
    keys: KeyScheme,
    model: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    changed: Collection[str],
    *,
    soft_delete: str | None,
) -> KeyChanges:
    """The key attributes to SET/REMOVE when ``before`` becomes ``after`` (stored values).

    Only paths depending on a ``changed`` attribute are recomputed, from just the attributes
    they need, so unrelated paths never require values the caller did not pass.
    """
    entity = keys.schema.entity(model)
    affected = [p for p in path_keys(keys, entity, soft_delete) if p.depends_on & set(changed)]
    if not affected:
        return KeyChanges({}, ())
    needed = set(identity_attributes(entity)).union(*(p.depends_on for p in affected))
    new = _keys(keys, model, after, needed, soft_delete)
    try:
        old = _keys(keys, model, before, needed, soft_delete)
    except KeyValueError:
        old = {}  # the old keys could not exist (a sort value was missing): set them all
    names = [name for p in affected for name in p.names]
    return KeyChanges(
        {n: new[n] for n in names if n in new and old.get(n) != new[n]},
        tuple(n for n in names if n not in new),
    )


def _keys(
    keys: KeyScheme,
    model: str,
    values: Mapping[str, Any],
    needed: set[str],
    soft_delete: str | None,
) -> dict[str, str]:
    only = {name: value for name, value in values.items() if name in needed}
    deleted = soft_delete is not None and values.get(soft_delete) is not None
    return keys.item_keys(model, only, deleted=deleted)
