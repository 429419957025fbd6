"""``HasManyThrough``: related models two has-many hops away (``country.posts`` through the
country's users).

The keys allow it when both hops are has-many (or has-one) relations DynamoDB can query by
foreign key (an index slot or a collection): the first hop reads the intermediate models of
all parents (one Query per parent, side by side), the second their children (one Query per
intermediate model, side by side) — two rounds in all, whatever the number of parents. The
relation is read-only: add models through the hops themselves.

>>> class Country(Model):                                                 # doctest: +SKIP
...     users = HasMany("User")
...     posts = HasManyThrough("Post", through="users")
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Self, overload

from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.orm.relations.base import Constraint, R, Relation, set_loaded
from dynamodb_tooling.orm.relations.base import identity as _identity
from dynamodb_tooling.orm.relations.has_one_or_many import HasOneOrMany
from dynamodb_tooling.query.results import Collection
from dynamodb_tooling.requests import Flow

if TYPE_CHECKING:
    from dynamodb_tooling.orm.model import Model
    from dynamodb_tooling.orm.relations.eager import EagerNode
    from dynamodb_tooling.orm.relations.related import ThroughQuery
    from dynamodb_tooling.schema.definitions import RelationDefinition


class HasManyThrough(Relation[R]):
    """See the module docstring. ``through`` names the parent's relation to the
    intermediate model; ``target_relation`` the intermediate model's relation to the targets
    (default: the one whose model is ``target``)."""

    kind = "has_many"  # not stored: the key layout is the two hops'

    if TYPE_CHECKING:

        @overload
        def __get__(self, instance: None, owner: type[Any]) -> Self: ...
        @overload
        def __get__(self, instance: Model, owner: type[Any]) -> ThroughQuery[R]: ...
        def __get__(self, instance: Model | None, owner: type[Any]) -> Any: ...

    @overload
    def __init__(
        self: HasManyThrough[Any], target: str, *, through: str, target_relation: str | None = None
    ) -> None: ...
    @overload
    def __init__(
        self, target: type[R], *, through: str, target_relation: str | None = None
    ) -> None: ...
    def __init__(
        self, target: type[R] | str, *, through: str, target_relation: str | None = None
    ) -> None:
        super().__init__(target)
        self.through = through
        self.target_relation = target_relation

    def to_definition(self) -> RelationDefinition | None:
        return None  # nothing to store: served by the two hops

    # The two hops.
    def hops(self) -> tuple[HasOneOrMany[Any], HasOneOrMany[Any]]:
        from dynamodb_tooling.orm.relations.registry import relations_of

        first = relations_of(self.owner_class).get(self.through)
        if not isinstance(first, HasOneOrMany):
            raise QueryError(
                f"{self.label}: through={self.through!r} must name a has-many (or has-one) "
                f"relation of {self.owner_class.__name__}"
            )
        middle = first.related
        candidates = {
            name: r
            for name, r in relations_of(middle).items()
            if isinstance(r, HasOneOrMany) and r.related.__name__ == self.target_name
        }
        if self.target_relation is not None:
            second = candidates.get(self.target_relation)
        elif len(candidates) == 1:
            second = next(iter(candidates.values()))
        else:
            second = None
        if second is None:
            have = ", ".join(candidates) or "none"
            raise QueryError(
                f"{self.label}: {middle.__name__} needs one has-many relation to "
                f"{self.target_name} (found: {have}); name it with target_relation=..."
            )
        return first, second

    def value_for(self, parent: Model) -> ThroughQuery[R]:
        from dynamodb_tooling.orm.relations.related import ThroughQuery

        return ThroughQuery(self, parent)

    def eager_flow(
        self,
        parents: Sequence[Model],
        constraint: Constraint | None,
        nested: Mapping[str, EagerNode] | None,
    ) -> Flow[None]:
        from dynamodb_tooling.orm.relations.base import constrained, results_flow

        self.init_relation(parents)
        first, second = self.hops()
        middles_query = first.add_eager_constraints(first.related.query(), parents)
        if middles_query is None:
            return
        middles = yield from results_flow(middles_query)
        if not middles:
            return
        query = second.add_eager_constraints(second.related.query(), middles)
        if query is None:
            return
        query = constrained(query, constraint, self.label)
        if nested:
            query = query._with_eager(nested)
        results = yield from results_flow(query)
        by_middle: dict[Any, list[Any]] = {}
        for found in results:
            by_middle.setdefault(_identity(getattr(found, second.key_name)), []).append(found)
        by_parent: dict[Any, list[Any]] = {}
        for middle in middles:
            owner = _identity(getattr(middle, first.key_name))
            by_parent.setdefault(owner, []).extend(by_middle.get(_identity(middle.get_key()), []))
        for parent in parents:
            set_loaded(
                parent, self.name, Collection(by_parent.get(_identity(parent.get_key()), []))
            )

    def add_constraints(self, query: Any, parent: Model) -> Any:
        raise QueryError(f"{self.label} reads its intermediate models first; use get()/aget()")

    def add_eager_constraints(self, query: Any, parents: Sequence[Model]) -> Any:
        raise QueryError(f"{self.label}: read by eager_flow")

    def match(self, parents: Sequence[Model], results: Sequence[R]) -> None:
        raise QueryError(f"{self.label}: matched by eager_flow")
