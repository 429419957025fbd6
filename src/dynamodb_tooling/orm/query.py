"""``ModelQuery``: the query of a model class (Eloquent's ``Eloquent\\Builder``).

``User.query()``, ``User.where(...)`` and every other class-level query method return one. It
is a :class:`~dynamodb_tooling.query.builder.QueryBuilder` (same state, ``plan()``,
``to_params()``, ``explain()``, ``to_partiql()`` and terminals) bound to the model class,
that adds what belongs to models:

- **global scopes**, applied when the query is planned or run — never when it is built, so
  ``without_global_scope(...)`` anywhere in the chain lifts them, and ``explain()`` names
  each applied scope with its condition;
- **local scopes** as methods: ``Post.where(...).published()`` calls the model's
  ``@scope def published(query)``;
- **hydration** of fetched rows into model instances, through one method,
  :meth:`ModelQuery._hydrate_rows` (where eager loading attaches relations).

Raw ``table(...)`` queries stay plain ``QueryBuilder``s: no scopes, rows as dicts.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.orm.concerns.scopes import (
    SOFT_DELETES,
    local_scope,
    local_scope_names,
    run_global_scope,
    scope_name,
)
from dynamodb_tooling.query.aggregates import warn_if_large
from dynamodb_tooling.query.builder import QueryBuilder
from dynamodb_tooling.query.plan import Explanation, readable
from dynamodb_tooling.query.predicates import Clause, Connector, Group, to_condition
from dynamodb_tooling.query.results import Collection
from dynamodb_tooling.query.state import QueryState
from dynamodb_tooling.schema.traits import uses

if TYPE_CHECKING:
    from dynamodb_tooling.orm.concerns.scopes import GlobalScope
    from dynamodb_tooling.orm.relations.base import Constraint
    from dynamodb_tooling.orm.relations.eager import EagerNode, EagerSpec
    from dynamodb_tooling.orm.relations.filters import RelationFilter
    from dynamodb_tooling.query._async_terminals import BulkJob
    from dynamodb_tooling.query.executor import Executor
    from dynamodb_tooling.requests import Flow
    from dynamodb_tooling.schema import Registry

T = TypeVar("T")

Wheres = tuple[tuple[Connector, Clause], ...]


@dataclass(frozen=True)
class ModelExplanation(Explanation):
    """``explain()`` of a model query: the plan, and the global scopes applied to it
    (``"name: condition"`` each; their conditions are part of the key condition or filter)."""

    scopes: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = super().__str__()
        if not self.scopes:
            return text
        head, _, rest = text.partition("\n")
        lines = [f"  global scope {applied}" for applied in self.scopes]
        return "\n".join([head, *lines, rest]) if rest else "\n".join([head, *lines])


class ModelQuery(QueryBuilder[T], Generic[T]):
    """A query of one model class; see the module docstring."""

    def __init__(
        self,
        model: type[Any],
        state: QueryState,
        *,
        registry: Registry,
        hydrate: Callable[[dict[str, Any]], T],
        client: Executor | None = None,
    ) -> None:
        super().__init__(state, registry=registry, hydrate=hydrate, client=client)
        self._model = model
        #: Global scopes lifted for this query (``None``: all of them).
        self._removed: frozenset[str] | None = frozenset()
        #: Relations to eager-load (``with_``), counts (``with_count``), relation filters.
        self._eager: dict[str, EagerNode] = {}
        self._counts: dict[str, Constraint | None] = {}
        self._has: tuple[RelationFilter, ...] = ()

    @property
    def model(self) -> type[Any]:
        """The model class this query reads."""
        return self._model

    # Global scopes.
    def without_global_scope(self, scope: str | object) -> Self:
        """This query without the global scope ``scope`` (its name, its :class:`Scope`
        class or object, or its function). ``without_global_scope("soft_deletes")`` is
        ``with_trashed()``."""
        name = self._scope_known(scope)
        clone = self._with_removed(name)
        return clone._with(trashed="with") if name == SOFT_DELETES else clone

    def without_global_scopes(self, *scopes: str | object) -> Self:
        """This query without the named global scopes — or, given none, without any
        (soft-deleted items included)."""
        if scopes:
            query = self
            for scope in scopes:
                query = query.without_global_scope(scope)
            return query
        clone = self._with()
        clone._removed = None
        return clone._with(trashed="with") if self._state.trashed == "without" else clone

    def with_trashed(self) -> Self:
        """Soft-deleted items too: the ``"soft_deletes"`` global scope lifted."""
        return self._with_removed(SOFT_DELETES)._with(trashed="with")

    def only_trashed(self) -> Self:
        """Only soft-deleted items: the ``"soft_deletes"`` scope inverted."""
        return self._with_removed(SOFT_DELETES)._with(trashed="only")

    def removed_scopes(self) -> list[str]:
        """The global scopes lifted for this query (Eloquent's ``removedScopes()``)."""
        known = list(self._model._global_scopes())
        if self._removed is None:
            return known
        return [name for name in known if name in self._removed]

    def applied_scopes(self) -> list[str]:
        """The global scopes this query applies when it runs, in order."""
        return [name for name, _ in self._active_scopes()]

    def _with_removed(self, name: str) -> Self:
        clone = self._with()
        if clone._removed is not None:
            clone._removed = clone._removed | {name}
        return clone

    def _scope_known(self, scope: str | object) -> str:
        name = scope_name(scope)
        known = self._model._global_scopes()
        if name not in known:
            have = ", ".join(repr(n) for n in known) or "none"
            raise QueryError(
                f"{self._model.__name__} has no global scope {name!r} (it has: {have}); "
                "global scopes are added with add_global_scope(name, scope)"
            )
        return name

    def _active_scopes(self) -> list[tuple[str, GlobalScope | None]]:
        if self._removed is None:
            return []
        removed = self._removed
        state = self._state
        active = []
        for name, apply in self._model._global_scopes().items():
            if name in removed:
                continue
            if name == SOFT_DELETES and state.trashed != "without":
                continue
            active.append((name, apply))
        return active

    def _planned_state(self) -> QueryState:
        """The state with the active global scopes applied (see :meth:`_scoped_state`); with
        relation filters (``has``...), without ``limit``: it applies after the filter."""
        state = self._scoped_state()
        if self._has and state.limit is not None:
            state = replace(state, limit=None)
        return state

    def _scoped_state(self) -> QueryState:
        """The state with the active global scopes applied: each scope is called on a query
        holding none of this query's conditions, and its conditions are AND-ed with them (an
        OR on either side is grouped, so ``a OR b`` plus a scope ``c`` is ``(a OR b) AND
        c``, as Eloquent groups them)."""
        state = self._state
        if self._removed is None:
            return state
        scopes = self._model._global_scopes()
        if not scopes or (len(scopes) == 1 and SOFT_DELETES in scopes):
            return state  # the soft-delete scope is the planner's own filter
        for name, apply in self._active_scopes():
            if apply is None:
                continue
            scoped = self._scoped(state, name, apply)
            state = replace(scoped, wheres=_and(state.wheres, scoped.wheres))
        return state

    def _scoped(self, state: QueryState, name: str, apply: GlobalScope) -> QueryState:
        bare = self._with()
        bare._state = replace(state, wheres=())
        bare._removed = None  # a scope's own query applies no scopes
        return run_global_scope(apply, bare, self._model, name)._state

    def explain(self) -> ModelExplanation:
        """The plan in words (see :meth:`QueryBuilder.explain`) and the global scopes it
        applies, each with its condition."""
        explained = super().explain()
        fields = {name: getattr(explained, name) for name in explained.__dataclass_fields__}
        return ModelExplanation(**fields, scopes=tuple(self._scope_texts()))

    def _scope_texts(self) -> list[str]:
        texts = []
        deleted_at = self.config.query_builder.soft_deletes.attribute
        for name, apply in self._active_scopes():
            if apply is None:
                texts.append(f"{name}: {deleted_at} absent (with_trashed() lifts it)")
                continue
            wheres = self._scoped(self._state, name, apply).wheres
            texts.append(f"{name}: {_describe(wheres)}")
        if self._state.trashed == "only" and uses(self._model.__definition__, SOFT_DELETES):
            texts.append(f"{SOFT_DELETES} (inverted by only_trashed()): {deleted_at} present")
        return texts

    # Local scopes as methods.
    def __getattr__(self, name: str) -> Callable[..., Self]:
        """``query.published(...)``: the model's local scope ``published`` on this query."""
        if name.startswith("_"):
            raise AttributeError(name)
        model = self.__dict__.get("_model")
        found = local_scope(model, name) if model is not None else None
        if found is None:
            raise AttributeError(_no_such_method(model, name))

        def apply(*args: Any, **kwargs: Any) -> Any:
            return found.apply(self, *args, **kwargs)

        apply.__name__ = name
        return apply

    # Relations: eager loading, counts, filters (orm/relations/).
    def with_(self, *relations: EagerSpec) -> Self:
        """Eager-load relations with the results: ``with_("posts", "posts.comments",
        "team")``, constrained with a mapping ``with_({"posts": lambda q: q.where(...)})``.
        Each relation costs one round of requests for all the results (a BatchGetItem for
        to-one and many-to-many targets, concurrent Queries for children), each nested
        level one more; a collection fetched by id comes with its parent in one Query."""
        from dynamodb_tooling.orm.relations.eager import merge, parse

        tree = dict(self._eager)
        merge(tree, parse(self._model, relations))
        return self._with_eager(tree)

    def _with_eager(self, tree: Mapping[str, EagerNode]) -> Self:
        from dynamodb_tooling.orm.relations.eager import merge

        clone = self._with()
        merged: dict[str, EagerNode] = dict(self._eager)
        merge(merged, tree)
        clone._eager = merged
        return clone

    def without(self, *relations: str) -> Self:
        """This query without eager-loading ``relations`` (Eloquent's ``without``)."""
        clone = self._with()
        clone._eager = {k: v for k, v in self._eager.items() if k not in relations}
        return clone

    def with_count(self, *relations: str | Mapping[str, Constraint | None]) -> Self:
        """Count related models onto each result as ``<relation>_count`` (``posts_count``),
        constrained with a mapping like ``with_``: one round of requests for all results."""
        from dynamodb_tooling.orm.relations.registry import relation_of

        counts = dict(self._counts)
        for spec in relations:
            items = spec.items() if isinstance(spec, Mapping) else [(spec, None)]
            for name, constraint in items:
                relation_of(self._model, name).check_constraint(constraint)
                counts[name] = constraint
        clone = self._with()
        clone._counts = counts
        return clone

    def has(
        self,
        relation: str,
        operator: str = ">=",
        count: int = 1,
        *,
        boolean: Connector = "and",
        constraint: Constraint | None = None,
    ) -> Self:
        """Only results with related models: ``has("posts")``, ``has("posts", ">=", 3)``.

        DynamoDB has no joins: the results are read, then the relation is read for all of
        them at once (as ``with_count`` does) and the results without enough related models
        are dropped. So this costs the read of every candidate plus one round of requests
        per relation — put the selective conditions on the query itself."""
        from dynamodb_tooling.orm.relations.filters import RelationFilter

        found = RelationFilter.of(self._model, relation, operator, count, boolean, constraint)
        clone = self._with()
        clone._has = (*self._has, found)
        return clone

    def or_has(self, relation: str, operator: str = ">=", count: int = 1) -> Self:
        return self.has(relation, operator, count, boolean="or")

    def doesnt_have(self, relation: str, *, boolean: Connector = "and") -> Self:
        """Only results without related models (see :meth:`has` for the cost)."""
        return self.has(relation, "<", 1, boolean=boolean)

    def or_doesnt_have(self, relation: str) -> Self:
        return self.doesnt_have(relation, boolean="or")

    def where_has(
        self,
        relation: str,
        constraint: Constraint | None = None,
        operator: str = ">=",
        count: int = 1,
    ) -> Self:
        """Only results with related models matching ``constraint``:
        ``where_has("posts", lambda q: q.where("published", True))`` (cost: :meth:`has`)."""
        return self.has(relation, operator, count, constraint=constraint)

    def or_where_has(
        self,
        relation: str,
        constraint: Constraint | None = None,
        operator: str = ">=",
        count: int = 1,
    ) -> Self:
        return self.has(relation, operator, count, boolean="or", constraint=constraint)

    def where_doesnt_have(self, relation: str, constraint: Constraint | None = None) -> Self:
        """Only results with no related model matching ``constraint``."""
        return self.has(relation, "<", 1, constraint=constraint)

    def or_where_doesnt_have(self, relation: str, constraint: Constraint | None = None) -> Self:
        return self.has(relation, "<", 1, boolean="or", constraint=constraint)

    def find(self, item_id: Any) -> T | None:
        """The item with this id (GetItem) — with the collections ``with_`` asks for in ONE
        Query on its partition (other relations asked for load after it)."""
        flow = self._partition_flow(item_id)
        if flow is None:
            return super().find(item_id)
        found: T | None = self._executor().run(flow)
        return found

    async def afind(self, item_id: Any) -> T | None:
        """The async twin of :meth:`find`."""
        flow = self._partition_flow(item_id)
        if flow is None:
            return await super().afind(item_id)
        found: T | None = await self._executor().arun(flow)
        return found

    def _partition_flow(self, item_id: Any) -> Flow[Any] | None:
        from dynamodb_tooling.orm.relations.partition import partition_flow, partition_plan

        state = self._state
        if not self._eager or self._counts or self._has or item_id is None:
            return None
        if state.wheres or state.projection or state.force_scan:
            return None
        if set(self._model._global_scopes()) - {SOFT_DELETES} and self._removed is not None:
            return None
        entity = self._registry.schema.entity(self._model.__definition__.name)
        if entity.ancestry:
            return None
        plan = partition_plan(self._model, self._eager)
        if plan is None:
            return None
        return partition_flow(
            self._model, item_id, plan, consistent=state.consistent, trashed=state.trashed
        )

    def _loads(self) -> bool:
        return bool(self._eager or self._counts or self._has)

    def _load_flow(self, results: list[T]) -> Flow[list[T]] | None:
        """Relation filters, then eager loads and counts, for the hydrated ``results``."""
        if not self._loads():
            return None
        return self._relations_flow(results)

    def as_dicts(self) -> QueryBuilder[dict[str, Any]]:
        """See :meth:`QueryBuilder.as_dicts`; relations load onto models only."""
        if self._loads():
            raise QueryError(
                "as_dicts() returns plain dicts, which cannot hold relations: drop with_(), "
                "with_count() and has()/where_has() from this query, or read models and "
                "serialise them with to_dict() (loaded relations included)"
            )
        return super().as_dicts()

    def _relations_flow(self, results: list[T]) -> Flow[list[T]]:
        from dynamodb_tooling.orm.relations.eager import count_flow, load_flow
        from dynamodb_tooling.orm.relations.filters import filter_flow

        models: list[Any] = list(results)
        if models and isinstance(models[0], dict):
            raise QueryError(
                "as_dicts() rows cannot hold relations: call with_()/with_count()/has() "
                "on a query of models"
            )
        if self._has:
            models = yield from filter_flow(models, self._has)
            limit = self._state.limit
            if limit is not None:
                models = models[:limit]
        if models and self._eager:
            yield from load_flow(models, self._eager)
        if models and self._counts:
            yield from count_flow(models, self._counts)
        return models

    # Terminals that read rows without hydrating them (first, value, pluck, count, the
    # aggregates, bulk update/delete) keep only the rows a relation filter keeps, as get().
    def _kept_rows_flow(self) -> Flow[list[dict[str, Any]]]:
        from dynamodb_tooling.orm.relations.filters import filter_flow

        rows = yield from self._reader().all_flow()
        models: list[Any] = self._hydrate_rows(rows)
        kept = {id(m) for m in (yield from filter_flow(models, self._has))}
        found = [row for row, model in zip(rows, models, strict=True) if id(model) in kept]
        limit = self._state.limit
        return found if limit is None else found[:limit]

    def _kept_rows(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self._executor().run(self._kept_rows_flow())
        return rows

    async def _akept_rows(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = await self._executor().arun(self._kept_rows_flow())
        return rows

    def first(self) -> T | None:
        if not self._has:
            return super().first()
        found = self.limit(1).get()  # filtered first, then limited (see _planned_state)
        return found[0] if found else None

    async def afirst(self) -> T | None:
        if not self._has:
            return await super().afirst()
        found = await self.limit(1).aget()
        return found[0] if found else None

    def value(self, attribute: str) -> Any:
        if not self._has:
            return super().value(attribute)
        self._known(attribute)
        rows = self.limit(1)._kept_rows()
        return rows[0].get(attribute) if rows else None

    async def avalue(self, attribute: str) -> Any:
        if not self._has:
            return await super().avalue(attribute)
        self._known(attribute)
        rows = await self.limit(1)._akept_rows()
        return rows[0].get(attribute) if rows else None

    def pluck(self, attribute: str) -> Collection[Any]:
        if not self._has:
            return super().pluck(attribute)
        self._known(attribute)
        return Collection(row.get(attribute) for row in self._kept_rows())

    async def apluck(self, attribute: str) -> Collection[Any]:
        if not self._has:
            return await super().apluck(attribute)
        self._known(attribute)
        return Collection(row.get(attribute) for row in await self._akept_rows())

    def count(self) -> int:
        """How many items match (with relation filters: read and filtered, see :meth:`has`)."""
        return len(self._kept_rows()) if self._has else super().count()

    async def acount(self) -> int:
        return len(await self._akept_rows()) if self._has else await super().acount()

    def _aggregate(self, attribute: str, what: str) -> list[dict[str, Any]]:
        if not self._has:
            return super()._aggregate(attribute, what)
        self._known(attribute)
        items = self._kept_rows()
        warn_if_large(len(items), self.config.query_builder.aggregate_warning_threshold, what)
        return items

    async def _aaggregate(self, attribute: str, what: str) -> list[dict[str, Any]]:
        if not self._has:
            return await super()._aaggregate(attribute, what)
        self._known(attribute)
        items = await self._akept_rows()
        warn_if_large(len(items), self.config.query_builder.aggregate_warning_threshold, what)
        return items

    def _bulk(self, job: BulkJob) -> int:
        query = job.query
        if not (isinstance(query, ModelQuery) and query._has):
            return super()._bulk(job)
        client, flow = self._bulk_flow(job, query._kept_rows())
        return client.run(flow)

    async def _abulk(self, job: BulkJob) -> int:
        query = job.query
        if not (isinstance(query, ModelQuery) and query._has):
            return await super()._abulk(job)
        client, flow = self._bulk_flow(job, await query._akept_rows())
        return await client.arun(flow)

    # Hydration.
    def _hydrate_rows(self, rows: Sequence[dict[str, Any]]) -> list[T]:
        """Fetched rows → model instances (or dicts after ``as_dicts()``): every reading
        terminal, sync and async, hydrates through here, a whole result or a page at a time;
        :meth:`_load_flow` then loads relations for all of them at once."""
        hydrate = self._hydrate
        return [hydrate(row) for row in rows]


def _grouped(wheres: Wheres) -> Wheres:
    """``wheres`` as one AND-able clause list: grouped when it has a top-level OR."""
    if any(connector == "or" for connector, _ in wheres[1:]):
        return (("and", Group(wheres)),)
    return (("and", wheres[0][1]), *wheres[1:]) if wheres else ()


def _and(mine: Wheres, scope: Wheres) -> Wheres:
    if not scope:
        return mine
    if not mine:
        return _grouped(scope)
    return (*_grouped(mine), *_grouped(scope))


def _describe(wheres: Wheres) -> str:
    """A scope's conditions in words (``status = 'live'``)."""
    if not wheres:
        return "no condition"
    try:
        text = readable(to_condition(wheres), "filter")
    except Exception:  # a value the expression layer cannot show as is
        text = None
    return text or repr(wheres)


def _no_such_method(model: type[Any] | None, name: str) -> str:
    if model is None:
        return f"ModelQuery has no attribute {name!r}"
    names = sorted({*dir(ModelQuery), *local_scope_names(model)} - {"__class__"})
    close = difflib.get_close_matches(name, [n for n in names if not n.startswith("_")], n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return (
        f"a {model.__name__} query has no method or local scope {name!r}{hint} — declare a "
        f"local scope in {model.__name__}'s class body with @scope"
    )
