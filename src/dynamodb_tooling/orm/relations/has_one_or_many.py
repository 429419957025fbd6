"""What ``HasMany`` and ``HasOne`` share: the children hold the parent's id in their foreign
key (``Post.user_id``) and are found on the child's GSI slot for that relation
(``gsi{k}pk = USER#<id>``), or — for a collection — in the parent's own partition. Loading
the children of N parents is one ``where_in`` on the foreign key: one Query per parent, run
concurrently and merged (a planner rule).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.orm.relations.base import R, Relation, set_loaded
from dynamodb_tooling.query.results import Collection

if TYPE_CHECKING:
    from dynamodb_tooling.orm.model import Model
    from dynamodb_tooling.orm.query import ModelQuery
    from dynamodb_tooling.schema.resolve import ParentLink


from dynamodb_tooling.orm.relations.base import identity as _identity
from dynamodb_tooling.orm.relations.base import unique_ids as _unique


class HasOneOrMany(Relation[R]):
    """What ``HasMany`` and ``HasOne`` share: children found by their foreign key."""

    @property
    def parent_link(self) -> ParentLink:
        if self.link is None:
            raise QueryError(f"{self.label} has no resolved foreign key")
        return self.link

    @property
    def key_name(self) -> str:
        """The children's attribute holding the parent's id (``user_id``)."""
        return self.parent_link.foreign_key

    def _ancestor_values(self, parent: Model) -> dict[str, Any]:
        """For children in a nested collection (OrderLine under Order under User): the
        parent's own ancestors' ids, which the children's keys are built from too."""
        link = self.parent_link
        if not link.collection:
            return {}
        schema = self.owner_class.__registry__.schema
        entity = schema.entity(link.parent)
        return {a.foreign_key: getattr(parent, a.foreign_key) for a in entity.ancestry}

    def link_values(self, parent: Model) -> dict[str, Any]:
        """What a child of ``parent`` holds to link it (``{"user_id": ...}``; nested
        collections: the ancestors' ids too)."""
        return {self.key_name: self._parent_id(parent), **self._ancestor_values(parent)}

    def add_constraints(self, query: ModelQuery[R], parent: Model) -> ModelQuery[R]:
        parent_id = self._parent_id(parent)
        if parent_id is None:
            raise QueryError(
                f"{self.label}: this {self.owner_class.__name__} has no id yet; save it "
                "before reading or adding its related models"
            )
        query = query.where(self.key_name, parent_id)
        for name, value in self._ancestor_values(parent).items():
            query = query.where(name, value)
        return query

    def add_eager_constraints(
        self, query: ModelQuery[R], parents: Sequence[Model]
    ) -> ModelQuery[R] | None:
        ids = _unique(self._parent_id(p) for p in parents)
        if not ids:
            return None
        link = self.parent_link
        if link.collection and self._ancestor_values(parents[0]):
            # Nested collection children: each parent's partition differs by its ancestors'
            # ids as well; the eager flow loads those per parent (see eager_flow).
            return None
        if len(ids) == 1:
            return self.add_constraints(query, parents[0])
        return query.where_in(self.key_name, ids)

    def eager_flow(self, parents: Sequence[Model], constraint: Any, nested: Any) -> Any:
        nested_collection = self.link is not None and self.link.collection and parents
        if nested_collection and self._ancestor_values(parents[0]):
            return self._per_parent_flow(parents, constraint, nested)
        if len(parents) > 1 and self._limits(constraint):
            # with_({"posts": lambda q: q.limit(3)}): three per parent, not three in all —
            # the same requests (one Query per parent), each with its own limit.
            return self._per_parent_flow(parents, constraint, nested)
        return super().eager_flow(parents, constraint, nested)

    def _limits(self, constraint: Any) -> bool:
        from dynamodb_tooling.orm.relations.base import constrained

        if constraint is None:
            return False
        query = constrained(self.related.query(), constraint, self.label)
        return query.state.limit is not None

    def _per_parent_flow(self, parents: Sequence[Model], constraint: Any, nested: Any) -> Any:
        """One Query per parent, all side by side (nested collection children, whose
        partitions differ by their ancestors' ids; constraints with a per-parent limit)."""
        from dynamodb_tooling.orm.relations.base import constrained, results_flow
        from dynamodb_tooling.requests._flow import gather

        self.init_relation(parents)
        flows = []
        for parent in parents:
            if self._parent_id(parent) is None:  # unsaved: no children
                continue
            query = constrained(self.query_for(parent), constraint, self.label)
            if nested:
                query = query._with_eager(nested)
            flows.append(results_flow(query))
        found = yield from gather(flows)
        results: list[Any] = []
        for outcome in found:
            if isinstance(outcome, Exception):
                raise outcome
            results += outcome
        self.match(parents, results)

    def counts_flow(self, parents: Sequence[Model], constraint: Any) -> Any:
        """A ``Select=COUNT`` Query per parent, all side by side (no child is read)."""
        from dynamodb_tooling.orm.relations.base import constrained
        from dynamodb_tooling.orm.relations.eager import _all

        counted: dict[int, int] = {}

        def one(index: int, parent: Model) -> Any:
            if self._parent_id(parent) is None:
                counted[index] = 0
                return
            query = constrained(self.query_for(parent), constraint, self.label)
            counted[index] = yield from query._reader().count_all_flow()

        yield from _all([one(i, p) for i, p in enumerate(parents)])
        return [counted[i] for i in range(len(parents))]

    def match(self, parents: Sequence[Model], results: Sequence[R]) -> None:
        key = self.key_name
        by_parent: dict[Any, list[R]] = {}
        for child in results:
            by_parent.setdefault(_identity(getattr(child, key)), []).append(child)
        for parent in parents:
            children = by_parent.get(_identity(self._parent_id(parent)), [])
            set_loaded(parent, self.name, self._value(children))

    def _value(self, children: list[R]) -> Any:
        return Collection(children)
