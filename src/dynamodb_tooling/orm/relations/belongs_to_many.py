"""``BelongsToMany``: a many-to-many relation stored as edge items (an adjacency list).

One edge item per linked pair lives in the owning side's partition (``pk = USER#<user_id>``,
``sk = ROLE#<role_id>``) and carries the pivot attributes; its GSI keys (``ROLE#<role_id>`` /
``USER#<user_id>``) serve the other direction, so one item keeps both directions consistent.

Loading the related models of N parents: one edge Query per parent, side by side, then one
BatchGetItem (100 keys per request, requests side by side) of the distinct targets. Writing
edges (``attach``, ``detach``, ``sync``, ``toggle``, ``update_existing_pivot``) goes through
TransactWriteItems that also check both models exist, so an edge never points nowhere.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Self, overload

from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.orm.relations.base import Constraint, R, Relation, set_loaded
from dynamodb_tooling.orm.relations.base import identity as _identity
from dynamodb_tooling.orm.relations.base import unique_ids as _unique
from dynamodb_tooling.orm.relations.pivot import Pivot, edges_flow
from dynamodb_tooling.query.results import Collection
from dynamodb_tooling.requests import Flow
from dynamodb_tooling.schema.definitions import RelationKind

if TYPE_CHECKING:
    from dynamodb_tooling.orm.model import Model
    from dynamodb_tooling.orm.query import ModelQuery
    from dynamodb_tooling.orm.relations.eager import EagerNode
    from dynamodb_tooling.orm.relations.related import BelongsToManyQuery
    from dynamodb_tooling.schema.keys import KeyQuery
    from dynamodb_tooling.schema.resolve import PivotScheme


class BelongsToMany(Relation[R]):
    """A many-to-many relation stored as edge items (adjacency list); see the module
    docstring. ``user.roles`` is a :class:`BelongsToManyQuery`: iterate it for the roles,
    ``attach``/``detach``/``sync``/``toggle`` to change the links."""

    kind: ClassVar[RelationKind] = "belongs_to_many"

    if TYPE_CHECKING:

        @overload
        def __get__(self, instance: None, owner: type[Any]) -> Self: ...
        @overload
        def __get__(self, instance: Model, owner: type[Any]) -> BelongsToManyQuery[R]: ...
        def __get__(self, instance: Model | None, owner: type[Any]) -> Any: ...

    @overload
    def __init__(
        self: BelongsToMany[Any],
        target: str,
        *,
        pivot: str | None = None,
        pivot_attributes: tuple[str, ...] = (),
    ) -> None: ...
    @overload
    def __init__(
        self, target: type[R], *, pivot: str | None = None, pivot_attributes: tuple[str, ...] = ()
    ) -> None: ...
    def __init__(
        self,
        target: type[R] | str,
        *,
        pivot: str | None = None,
        pivot_attributes: tuple[str, ...] = (),
    ) -> None:
        super().__init__(target)
        self.pivot_name = pivot or ""
        self.pivot_attributes = tuple(pivot_attributes)

    def _extra(self) -> dict[str, Any]:
        return {"pivot": self.pivot_name, "pivot_attributes": self.pivot_attributes}

    # The pair's layout, seen from this side.
    @property
    def edge_type(self) -> str:
        """The entity type of the edge items (the pivot name: ``RoleUser``)."""
        return self.scheme.name

    @property
    def edge_attributes(self) -> tuple[str, ...]:
        """The pivot attributes edges may hold."""
        return self.scheme.attributes

    @property
    def scheme(self) -> PivotScheme:
        if self.pivot is None:
            raise QueryError(f"{self.label} has no resolved pivot")
        return self.pivot

    @property
    def on_owner(self) -> bool:
        """Whether the edges live in this side's partition (this model is the pivot owner)."""
        return self.scheme.owner == self.owner_class.__definition__.name

    @property
    def parent_key(self) -> str:
        """The edge attribute holding this side's id (``user_id``)."""
        return self.scheme.owner_key if self.on_owner else self.scheme.other_key

    @property
    def related_key(self) -> str:
        """The edge attribute holding the related model's id (``role_id``)."""
        return self.scheme.other_key if self.on_owner else self.scheme.owner_key

    # The edges, seen from this side (a polymorphic many-to-many overrides these).
    def edge_query(self, parent_id: Any) -> KeyQuery:
        """Where ``parent_id``'s edges live."""
        keys = self.owner_class.__registry__.keys
        return keys.edges_query(self.scheme, self.owner_class.__definition__.name, parent_id)

    def edge_keys(self, parent_id: Any, related_id: Any) -> dict[str, Any]:
        """The keys and link attributes of the edge between ``parent_id`` and ``related_id``."""
        scheme = self.scheme
        owner_id, other_id = (parent_id, related_id) if self.on_owner else (related_id, parent_id)
        keys = self.owner_class.__registry__.keys
        found = keys.edge_keys(scheme, owner_id=owner_id, other_id=other_id)
        return {**found, scheme.owner_key: owner_id, scheme.other_key: other_id}

    def value_for(self, parent: Model) -> BelongsToManyQuery[R]:
        from dynamodb_tooling.orm.relations.related import BelongsToManyQuery

        return BelongsToManyQuery.bound_to(self, parent)

    # The protocol: the target query filters on the ids the edges name.
    def add_constraints(self, query: ModelQuery[R], parent: Model) -> ModelQuery[R]:
        raise QueryError(
            f"{self.label} reads its edges first; use {self.name}.get() / aget() on the "
            "instance, or with_(...)"
        )

    def add_eager_constraints(
        self, query: ModelQuery[R], parents: Sequence[Model]
    ) -> ModelQuery[R] | None:
        raise QueryError(f"{self.label}: edges are read by eager_flow")

    def eager_flow(
        self,
        parents: Sequence[Model],
        constraint: Constraint | None,
        nested: Mapping[str, EagerNode] | None,
        *,
        pivot_columns: Sequence[str] | None = None,
    ) -> Flow[None]:
        from dynamodb_tooling.orm.relations.base import constrained, results_flow

        self.init_relation(parents)
        ids = _unique(self._parent_id(p) for p in parents)
        if not ids:
            return
        edges = yield from edges_flow(self, ids)
        targets = _unique(e[self.related_key] for found in edges.values() for e in found)
        if not targets:
            return
        related = self.related
        query = related.query().where_in(related.__definition__.primary_key, targets)
        query = constrained(query, constraint, self.label)
        if nested:
            query = query._with_eager(nested)
        results = yield from results_flow(query)
        self.match_edges(parents, edges, results, pivot_columns)

    def match(self, parents: Sequence[Model], results: Sequence[R]) -> None:
        raise QueryError(f"{self.label}: results are matched through their edges")

    def match_edges(
        self,
        parents: Sequence[Model],
        edges: dict[Any, list[dict[str, Any]]],
        results: Sequence[R],
        pivot_columns: Sequence[str] | None = None,
    ) -> None:
        """Attach to each parent its related models in edge order, each with its ``pivot``
        (a copy per parent when a model is linked to several: their pivots differ)."""
        key = self.related.__definition__.primary_key
        by_id = {_identity(getattr(m, key)): m for m in results}
        columns = self.edge_attributes if pivot_columns is None else tuple(pivot_columns)
        used: set[int] = set()
        for parent in parents:
            found = []
            for edge in edges.get(_identity(self._parent_id(parent)), []):
                model = by_id.get(_identity(edge[self.related_key]))
                if model is None:  # a target filtered out (or missing): no entry
                    continue
                if id(model) in used:
                    model = copy.copy(model)
                used.add(id(model))
                pivot = Pivot.of(self, edge, columns)
                model.__dict__["pivot"] = pivot
                found.append(model)
            set_loaded(parent, self.name, Collection(found))

    def counts_flow(
        self, parents: Sequence[Model], constraint: Constraint | None
    ) -> Flow[list[int]]:
        """Without a constraint, the edges alone are counted (no target is read)."""
        if constraint is not None:
            return (yield from super().counts_flow(parents, constraint))
        ids = _unique(self._parent_id(p) for p in parents)
        edges = (yield from edges_flow(self, ids)) if ids else {}
        return [len(edges.get(_identity(self._parent_id(p)), [])) for p in parents]
