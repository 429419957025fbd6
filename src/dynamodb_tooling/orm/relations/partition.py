"""A model and its collections in ONE Query: ``User.with_("orders").find(id)``.

Collection children live in their root parent's partition (``pk = USER#<id>``, DESIGN §2),
so the parent and every child — nested collections too (``orders.lines``) — come back from
one Query on that partition, instead of a GetItem plus one Query per relation. Items are told
apart by their entity type and matched to their parents by foreign key.

Used by ``find``/``afind`` when at least one relation asked for is such a collection
(unconstrained, without global scopes other than soft deletes). The other relations asked for
(``Post.with_("comments", "user")``: the author) load after the Query as eager loading loads
them (:mod:`.eager`), side by side: the post, its comments and its author in two requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dynamodb_tooling.expressions import key
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.orm.relations.eager import EagerNode, _all, load_flow
from dynamodb_tooling.orm.relations.has_one_or_many import HasOneOrMany
from dynamodb_tooling.requests import Flow
from dynamodb_tooling.requests.items import query as query_request
from dynamodb_tooling.requests.pagination import all_pages
from dynamodb_tooling.schema.traits import read_scope

if TYPE_CHECKING:
    from dynamodb_tooling.orm.model import Model


@dataclass(frozen=True)
class _Member:
    """A relation served by the partition: its class, the collections under it, and the other
    relations to load onto its models afterwards."""

    relation: HasOneOrMany[Any]
    children: tuple[_Member, ...]
    rest: Mapping[str, EagerNode]


def partition_plan(
    model: type[Model], tree: Mapping[str, EagerNode]
) -> tuple[tuple[_Member, ...], dict[str, EagerNode]] | None:
    """The relations of ``tree`` that the partition serves (plain collections of their
    parent, nested ones included) and the rest, loaded afterwards; ``None`` when the partition
    serves none of them (then eager loading takes its usual path)."""
    members, rest = _split(model, tree)
    return (members, rest) if members else None


def _split(
    model: type[Model], tree: Mapping[str, EagerNode]
) -> tuple[tuple[_Member, ...], dict[str, EagerNode]]:
    from dynamodb_tooling.orm.relations.registry import relation_of

    members: list[_Member] = []
    rest: dict[str, EagerNode] = {}
    for name, node in tree.items():
        relation = relation_of(model, name)
        if _in_partition(relation, node):
            assert isinstance(relation, HasOneOrMany)
            children, below = _split(relation.related, node.children)
            members.append(_Member(relation, children, below))
        else:
            rest[name] = node
    return tuple(members), rest


def _in_partition(relation: Any, node: EagerNode) -> bool:
    """A plain collection of its parent: its items are in the parent's partition."""
    if not isinstance(relation, HasOneOrMany) or node.constraint is not None:
        return False
    link = relation.link
    if link is None or not link.collection:
        return False
    return not set(relation.related._global_scopes()) - {"soft_deletes"}


def partition_flow(
    model: type[Model],
    item_id: Any,
    plan: tuple[tuple[_Member, ...], dict[str, EagerNode]],
    *,
    consistent: bool,
    trashed: str,
) -> Flow[Model | None]:
    """Read the partition of ``model`` ``item_id``: the model, its collections attached."""
    registry = model.__registry__
    name = model.__definition__.name
    where = registry.keys.id_query(name, item_id)
    request = query_request(
        registry.table_name(name),  # its collections live there too (schema.tables)
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
    members, rest = plan
    loads: list[tuple[list[Model], Mapping[str, EagerNode]]] = [([parent], rest)] if rest else []
    _attach([parent], members, by_type, loads)
    if loads:  # the relations the partition does not hold, side by side
        yield from _all([load_flow(models, tree) for models, tree in loads])
    return parent


def _visible(model: type[Model], item: Mapping[str, Any], trashed: str) -> bool:
    deleted_at = read_scope(model.__definition__, model.__registry__.config)
    if deleted_at is None:
        return True
    deleted = item.get(deleted_at) is not None
    return deleted == (trashed == "only") if trashed != "with" else True


def _attach(
    parents: list[Model],
    members: tuple[_Member, ...],
    by_type: dict[str, list[dict[str, Any]]],
    loads: list[tuple[list[Model], Mapping[str, EagerNode]]],
) -> None:
    """Match each member's items to ``parents`` (nested members to their children); the
    relations the partition does not serve go to ``loads``."""
    for member in members:
        relation = member.relation
        related = relation.related
        items = by_type.get(related.__definition__.name, [])
        children = [related.from_item(i) for i in items if _visible(related, i, "without")]
        relation.match(parents, children)
        if children and member.rest:
            loads.append((list(children), member.rest))
        if member.children and children:
            _attach(children, member.children, by_type, loads)
