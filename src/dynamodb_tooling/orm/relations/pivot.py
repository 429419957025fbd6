"""Edge items of many-to-many relations: reading them, the ``pivot`` of a result, and the
writes behind ``attach``/``detach``/``sync``/``toggle``/``update_existing_pivot``.

Every function here compiles requests or is a sans-IO flow; the bound relation
(:class:`~dynamodb_tooling.orm.relations.related.BelongsToManyQuery`) runs them on the sync or
the async executor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from dynamodb_tooling.errors import ItemNotFoundError, QueryError, TransactionCanceledError
from dynamodb_tooling.expressions import attr, key
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.requests import Flow, Request
from dynamodb_tooling.requests.items import query as query_request
from dynamodb_tooling.requests.pagination import pages_concurrently
from dynamodb_tooling.requests.transactions import (
    ConditionCheck,
    TransactDelete,
    TransactPut,
    TransactWriteAction,
    transact_write_flow,
)

if TYPE_CHECKING:
    from dynamodb_tooling.orm.model import Model
    from dynamodb_tooling.orm.relations.belongs_to_many import BelongsToMany

#: Edges written per TransactWriteItems: each is the edge and a check that its target
#: exists, plus one check of the parent, within DynamoDB's 100 actions.
EDGES_PER_TRANSACTION = 49


@dataclass(frozen=True)
class Pivot:
    """The edge linking a result to its parent: ``role.pivot.granted_at``.

    ``parent_id`` / ``related_id`` are the two ids; ``attributes`` the pivot attributes stored
    on the edge (``with_pivot(...)`` limits which ones are read)."""

    name: str
    parent_key: str
    parent_id: Any
    related_key: str
    related_id: Any
    attributes: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(
        cls, relation: BelongsToMany[Any], edge: Mapping[str, Any], columns: Sequence[str]
    ) -> Pivot:
        return cls(
            name=relation.edge_type,
            parent_key=relation.parent_key,
            parent_id=edge.get(relation.parent_key),
            related_key=relation.related_key,
            related_id=edge.get(relation.related_key),
            attributes={c: edge.get(c) for c in columns},
        )

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        attributes = self.__dict__.get("attributes", {})
        if name in attributes:
            return attributes[name]
        if name == self.__dict__.get("parent_key"):
            return self.parent_id
        if name == self.__dict__.get("related_key"):
            return self.related_id
        have = ", ".join([self.parent_key, self.related_key, *attributes]) or "none"
        raise AttributeError(
            f"the {self.name} pivot has no attribute {name!r} (it has: {have}); declare pivot "
            "attributes with pivot_attributes=(...) and read them with with_pivot(...)"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            self.parent_key: self.parent_id,
            self.related_key: self.related_id,
            **self.attributes,
        }


# Reading edges.
def edge_requests(relation: BelongsToMany[Any], parent_ids: Sequence[Any]) -> list[Request]:
    """One Query per parent: its edges (the owner side on the table, the other on the GSI),
    filtered on the pivot's entity type."""
    registry = relation.owner_class.__registry__
    table = registry.table_name(relation.owner_class.__definition__.name)  # both ends' table
    entity_type = registry.config.single_table_design.entity_type_attribute
    requests = []
    for parent_id in parent_ids:
        where = relation.edge_query(parent_id)
        condition = key(where.partition_attribute).eq(where.partition_value)
        if where.sort_prefix:
            condition = condition & key(where.sort_attribute).begins_with(where.sort_prefix)
        requests.append(
            query_request(
                table,
                condition,
                index=where.index,
                filter=attr(entity_type).eq(relation.edge_type),
            )
        )
    return requests


def edges_flow(
    relation: BelongsToMany[Any], parent_ids: Sequence[Any]
) -> Flow[dict[Any, list[dict[str, Any]]]]:
    """The edges of each parent (keyed by the parent id as text), all Queries side by side."""
    from dynamodb_tooling.orm.relations.base import identity as _identity

    collected = yield from pages_concurrently(edge_requests(relation, parent_ids))
    return {
        _identity(parent_id): [unmarshall_item(item) for item in pages.items]
        for parent_id, pages in zip(parent_ids, collected, strict=True)
    }


# Writing edges.
def pivot_values(relation: BelongsToMany[Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """Pivot attribute values as stored: declared names only, datetimes as ISO-8601 UTC."""
    allowed = relation.edge_attributes
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        have = ", ".join(allowed) or "none are declared"
        raise QueryError(
            f"{relation.label}: the {relation.edge_type} pivot has no attribute(s) "
            f"{', '.join(map(repr, unknown))} (pivot attributes: {have}); declare them with "
            "BelongsToMany(..., pivot_attributes=(...))"
        )
    stored: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, datetime):
            aware = value if value.tzinfo else value.replace(tzinfo=UTC)
            value = aware.astimezone(UTC).isoformat()
        elif isinstance(value, date):
            value = value.isoformat()
        stored[name] = value
    return stored


def edge_item(
    relation: BelongsToMany[Any], parent_id: Any, related_id: Any, values: Mapping[str, Any]
) -> dict[str, Any]:
    """The edge item linking ``parent_id`` (this side) and ``related_id``."""
    extra = {k: v for k, v in pivot_values(relation, values).items() if v is not None}
    return {**relation.edge_keys(parent_id, related_id), **extra}


def edge_key(relation: BelongsToMany[Any], parent_id: Any, related_id: Any) -> dict[str, Any]:
    design = relation.owner_class.__registry__.config.single_table_design
    item = edge_item(relation, parent_id, related_id, {})
    return {n: item[n] for n in (design.partition_key_name, design.sort_key_name)}


def _exists_check(model: type[Model], model_id: Any) -> ConditionCheck:
    registry = model.__registry__
    name = model.__definition__.name
    key_values = registry.keys.primary_key(name, {model.__definition__.primary_key: model_id})
    design = registry.config.single_table_design
    return ConditionCheck(
        registry.table_name(name),
        key_values,
        attr(design.partition_key_name).exists(),
    )


@dataclass(frozen=True)
class EdgeChange:
    """Edges to put (related id → pivot values) and to delete (related ids)."""

    put: dict[Any, dict[str, Any]] = field(default_factory=dict)
    delete: tuple[Any, ...] = ()
    #: Put targets whose existence must be checked (new links; updates of existing edges
    #: need no check: their edge proves the link).
    check: frozenset[Any] = frozenset()


def change_actions(
    relation: BelongsToMany[Any], parent_id: Any, change: EdgeChange
) -> list[tuple[list[TransactWriteAction], list[Any]]]:
    """``change`` as transactions of up to 49 edges: each new edge with a check that its
    target exists, each transaction with a check that the parent does. Each comes with the
    id checked by each action (``None`` for the parent check and the edges)."""
    owner, related = relation.owner_class, relation.related
    table = owner.__registry__.table_name(owner.__definition__.name)  # both ends' table
    ops: list[tuple[Any, TransactWriteAction, bool]] = []
    for related_id, values in change.put.items():
        item = edge_item(relation, parent_id, related_id, values)
        ops.append((related_id, TransactPut(table, item), related_id in change.check))
    for related_id in change.delete:
        key_values = edge_key(relation, parent_id, related_id)
        ops.append((related_id, TransactDelete(table, key_values), False))
    chunks = []
    for start in range(0, len(ops), EDGES_PER_TRANSACTION):
        actions: list[TransactWriteAction] = [_exists_check(owner, parent_id)]
        checked: list[Any] = [None]
        for related_id, action, check in ops[start : start + EDGES_PER_TRANSACTION]:
            actions.append(action)
            checked.append(None)
            if check:
                actions.append(_exists_check(related, related_id))
                checked.append(related_id)
        chunks.append((actions, checked))
    return chunks


def change_flow(relation: BelongsToMany[Any], parent_id: Any, change: EdgeChange) -> Flow[None]:
    """Apply ``change`` (see :func:`change_actions`); inside ``with transaction():`` the
    actions join the ORM transaction instead, and are written when it commits. A missing
    model fails its transaction, and the error names the id."""
    from dynamodb_tooling.orm.transaction import active_transaction

    chunks = change_actions(relation, parent_id, change)
    tx = active_transaction()
    if tx is not None:
        for actions, _ in chunks:
            tx.add_actions(actions)
        return
    for actions, checked in chunks:
        try:
            yield from transact_write_flow(actions)
        except TransactionCanceledError as error:
            raise _missing(relation, parent_id, checked, error) from error


def _missing(
    relation: BelongsToMany[Any],
    parent_id: Any,
    checked: list[Any],
    error: TransactionCanceledError,
) -> Exception:
    reasons = list(getattr(error, "reasons", None) or [])
    failed = [i for i, r in enumerate(reasons) if _code(r) == "ConditionalCheckFailed"]
    if 0 in failed:
        return ItemNotFoundError(
            f"{relation.label}: no {relation.owner_class.__name__} with id {parent_id!r} exists "
            "(deleted?); nothing was linked"
        )
    ids = [checked[i] for i in failed if 0 < i < len(checked) and checked[i] is not None]
    if ids:
        return ItemNotFoundError(
            f"{relation.label}: no {relation.related.__name__} with id "
            f"{', '.join(map(repr, ids))} exists; nothing was linked — save it first"
        )
    return error


def _code(reason: Any) -> str | None:
    if isinstance(reason, Mapping):
        found = reason.get("Code")
        return found if isinstance(found, str) else None
    return getattr(reason, "code", None)


def related_ids(relation: BelongsToMany[Any], items: Iterable[Any]) -> list[Any]:
    """Ids of ``items``: models (saved) or ids."""
    related = relation.related
    key_name = related.__definition__.primary_key
    ids = []
    for item in items:
        if isinstance(item, related):
            value = getattr(item, key_name)
            if value is None:
                raise QueryError(
                    f"{relation.label}: a {related.__name__} has no id yet; save it first"
                )
            ids.append(value)
        elif hasattr(item, "__definition__"):
            raise QueryError(
                f"{relation.label} links {related.__name__} models, not {type(item).__name__}"
            )
        else:
            ids.append(item)
    return ids
