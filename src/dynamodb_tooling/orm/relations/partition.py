"""A model and its collections in ONE Query: ``User.with_("orders").find(id)``.

Collection children live in their root parent's partition (``pk = USER#<id>``, DESIGN §2),
so the parent and every child — nested collections too (``orders.lines``) — come back from
one Query on that partition, instead of a GetItem plus one Query per relation. Items are told
apart by their entity type and matched to their parents by foreign key.

Used by ``find``/``afind`` when every relation asked for is such a collection (unconstrained,
without global scopes other than soft deletes); otherwise eager loading takes its usual
path (:mod:`.eager`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dynamodb_tooling.config import full_table_name
from dynamodb_tooling.expressions import key
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.orm.relations.has_one_or_many import HasOneOrMany
from dynamodb_tooling.requests import Flow
from dynamodb_tooling.requests.items import query as query_request
from dynamodb_tooling.requests.pagination import all_pages
from dynamodb_tooling.schema.traits import read_scope

if TYPE_CHECKING:
    from dynamodb_tooling.orm.model import Model
    from dynamodb_tooling.orm.relations.eager import EagerNode


@dataclass(frozen=True)
class _Member:
    """A relation served by the partition: its class, and the relations under it."""

    relation: HasOneOrMany[Any]
    children: tuple[_Member, ...]


def partition_plan(model: type[Model], tree: Mapping[str, EagerNode]) -> tuple[_Member, ...] | None:
    """The relations of ``tree`` as partition members, or ``None`` when one is not a plain
    collection of its parent (then eager loading takes its usual path)."""
    from dynamodb_tooling.orm.relations.registry import relation_of

    members = []
    for name, node in tree.items():
        relation = relation_of(model, name)
        if not isinstance(relation, HasOneOrMany) or node.constraint is not None:
            return None
        link = relation.link
        if link is None or not link.collection:
            return None
        related = relation.related
        if set(related._global_scopes()) - {"soft_deletes"}:
            return None
        children = partition_plan(related, node.children) if node.children else ()
        if children is None:
            return None
        members.append(_Member(relation, children))
    return tuple(members)


def partition_flow(
    model: type[Model],
    item_id: Any,
    members: tuple[_Member, ...],
    *,
    consistent: bool,
    trashed: str,
) -> Flow[Model | None]:
    """Read the partition of ``model`` ``item_id``: the model, its collections attached."""
    registry = model.__registry__
    name = model.__definition__.name
    where = registry.keys.id_query(name, item_id)
    request = query_request(
        full_table_name(config=registry.config),
        key(where.partition_attribute).eq(where.partition_value),
        consistent_read=consistent,
    )
    pages = yield from all_pages(request)
    entity_type = registry.config.single_table_design.entity_type_attribute
    by_type: dict[str, list[dict[str, Any]]] = {}
    sort_name = where.sort_attribute
    own = None
    for wire in pages.items:
        item = unmarshall_item(wire)
        kind = item.get(entity_type)
        if kind == name and item.get(sort_name) == where.sort_prefix:
            own = item
        elif isinstance(kind, str):
            by_type.setdefault(kind, []).append(item)
    if own is None or not _visible(model, own, trashed):
        return None
    parent = model.from_item(own)
    _attach([parent], members, by_type)
    return parent


def _visible(model: type[Model], item: Mapping[str, Any], trashed: str) -> bool:
    deleted_at = read_scope(model.__definition__, model.__registry__.config)
    if deleted_at is None:
        return True
    deleted = item.get(deleted_at) is not None
    return deleted == (trashed == "only") if trashed != "with" else True


def _attach(
    parents: list[Model], members: tuple[_Member, ...], by_type: dict[str, list[dict[str, Any]]]
) -> None:
    for member in members:
        relation = member.relation
        related = relation.related
        items = by_type.get(related.__definition__.name, [])
        children = [related.from_item(i) for i in items if _visible(related, i, "without")]
        relation.match(parents, children)
        if member.children and children:
            _attach(children, member.children, by_type)
