"""QueryBuilder: a generative, explainable query over a model or a raw table.

Every method returns a new builder, so a half-built query can be reused safely:

>>> adults = User.where("age", ">=", 18)                         # doctest: +SKIP
>>> adults.where("team_id", team.id).order_by("created_at").get() # doctest: +SKIP
>>> adults.explain()                                             # doctest: +SKIP
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any, Generic, Self, TypeVar, cast

from dynamodb_tooling.config import Config
from dynamodb_tooling.errors import ItemNotFoundError, QueryError
from dynamodb_tooling.query._async_terminals import AsyncTerminals, BulkJob
from dynamodb_tooling.query._bulk import bulk_flow
from dynamodb_tooling.query._guard import refuse_guarded
from dynamodb_tooling.query._write_plan import WritePlan
from dynamodb_tooling.query.aggregates import avg_of, max_of, min_of, sum_of, warn_if_large
from dynamodb_tooling.query.cursor import CursorCodec
from dynamodb_tooling.query.executor import Executor, default_executor
from dynamodb_tooling.query.partiql import to_partiql
from dynamodb_tooling.query.plan import Explanation, Plan
from dynamodb_tooling.query.planner import QueryPlanner
from dynamodb_tooling.query.predicates import (
    MISSING,
    Clause,
    Connector,
    Group,
    Predicate,
    predicate,
)
from dynamodb_tooling.query.reader import RawPage, Reader
from dynamodb_tooling.query.results import Collection, Page
from dynamodb_tooling.query.state import Direction, QueryState
from dynamodb_tooling.query.unique import read_and_upsert_flow, run_write, written
from dynamodb_tooling.query.writes import WriteCompiler, insert_many_flow
from dynamodb_tooling.requests import Flow
from dynamodb_tooling.requests.batch import ProgressCallback
from dynamodb_tooling.requests.partiql import Statement
from dynamodb_tooling.schema import Registry, get_registry, traits
from dynamodb_tooling.schema.indexes import key_attribute_names
from dynamodb_tooling.schema.transformer import ModelInfo, transformer_of

T = TypeVar("T")

_codecs: dict[str | None, CursorCodec] = {}


def _codec(secret: str | None) -> CursorCodec:
    if secret not in _codecs:
        _codecs[secret] = CursorCodec(secret)
    return _codecs[secret]


class QueryBuilder(AsyncTerminals[T], Generic[T]):
    """Records a query; ``get()``/``first()``/... plan and run it. See the module docstring."""

    def __init__(
        self,
        state: QueryState,
        *,
        registry: Registry,
        hydrate: Callable[[dict[str, Any]], T],
        client: Executor | None = None,
    ) -> None:
        self._state = state
        self._registry = registry
        self._hydrate = hydrate
        self._client = client

    @property
    def state(self) -> QueryState:
        return self._state

    @property
    def config(self) -> Config:
        return self._registry.config

    def _with(self, **changes: Any) -> Self:
        clone = type(self).__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone._state = replace(self._state, **changes)
        return clone

    def _planned_state(self) -> QueryState:
        """The state the planner plans: the recorded state here; a model query adds its
        global scopes (see :class:`~dynamodb_tooling.orm.query.ModelQuery`). Every plan,
        ``explain()``, ``to_params()``, ``to_partiql()`` and terminal goes through it."""
        return self._state

    def _hydrate_rows(self, rows: Sequence[dict[str, Any]]) -> list[T]:
        """Turn fetched rows into results — the one place every reading terminal (sync and
        async) hydrates through, a page or a whole result at a time (a model query's
        eager loading hooks in here)."""
        hydrate = self._hydrate
        return [hydrate(row) for row in rows]

    def _executor(self) -> Executor:
        return self._client or default_executor()

    def _load_flow(self, results: list[T]) -> Flow[list[T]] | None:
        """Hook: the flow that completes hydrated results before a terminal returns them
        (a model query's eager loads and relation filters), or ``None`` — the plain builder
        has nothing to add."""
        return None

    def _loads(self) -> bool:
        """Whether :meth:`_load_flow` has work: per-item terminals (``each``, ``async for``)
        then hydrate in batches, so loading stays one round per batch, not per item."""
        return False

    def _results(self, rows: Sequence[dict[str, Any]]) -> list[T]:
        """Fetched rows → the terminal's results: hydrated, then completed by
        :meth:`_load_flow` on the sync executor."""
        found = self._hydrate_rows(rows)
        flow = self._load_flow(found)
        return found if flow is None else self._executor().run(flow)

    def _add(self, connector: Connector, clause: Clause) -> Self:
        if isinstance(clause, Predicate):
            self._known(clause.attribute)
        return self._with(wheres=(*self._state.wheres, (connector, clause)))

    def _known(self, *attributes: str) -> None:
        """Model queries take only names the model stores (a typo would otherwise scan and
        find nothing); raw ``table(...)`` queries are free-form. A nested path (``meta.k``)
        is checked by its top-level attribute."""
        model = self._state.model
        if model is None:
            return
        primary_key = self._registry.model(model).primary_key
        for attribute in attributes:
            if attribute == primary_key:
                continue
            allowed = ModelInfo.of(self._registry, model).allowed
            if attribute not in allowed and _top_level(attribute) not in allowed:
                raise QueryError(_unknown_attribute(model, attribute, set(allowed)))

    # Conditions.
    def where(
        self,
        attribute: str | Predicate | Mapping[str, Any] | Callable[[Self], Self],
        operator: Any = MISSING,
        value: Any = MISSING,
    ) -> Self:
        """``where("age", 30)``, ``where("age", ">", 30)``, ``where(User.age > 30)``, a
        group ``where(lambda q: ...)``, or Eloquent's array form
        ``where({"team_id": t, "age": 20})`` (every pair an equality, AND-ed)."""
        return self._where("and", attribute, operator, value)

    def or_where(
        self,
        attribute: str | Predicate | Mapping[str, Any] | Callable[[Self], Self],
        operator: Any = MISSING,
        value: Any = MISSING,
    ) -> Self:
        """Like ``where``, joined with OR (AND binds tighter, as in SQL); a mapping is one
        OR-ed group of equalities: ``or_where({"a": 1, "b": 2})`` is ``OR (a = 1 AND b = 2)``."""
        return self._where("or", attribute, operator, value)

    def where_not(self, group: Callable[[Self], Self]) -> Self:
        """A negated group: ``where_not(lambda q: q.where("a", 1).or_where("b", 2))``."""
        return self._add("and", replace(self._group(group), negated=True))

    def _where(self, connector: Connector, attribute: Any, operator: Any, value: Any) -> Self:
        if isinstance(attribute, Predicate):
            return self._add(connector, attribute)
        if isinstance(attribute, Mapping):
            return self._where_mapping(connector, attribute, operator, value)
        if callable(attribute):
            return self._add(connector, self._group(attribute))
        if operator is MISSING:
            raise QueryError(f"where({attribute!r}) needs a value: where({attribute!r}, value)")
        clause = predicate(attribute, operator, value, has_value=value is not MISSING)
        return self._add(connector, clause)

    def _where_mapping(
        self, connector: Connector, pairs: Mapping[str, Any], operator: Any, value: Any
    ) -> Self:
        """Eloquent's array form: ``where({"team_id": t, "age": 20})``."""
        if operator is not MISSING or value is not MISSING:
            raise QueryError(
                "where({...}) takes only the mapping (each pair an equality); for other "
                "operators chain where(attribute, operator, value)"
            )
        if not pairs:
            raise QueryError("where({}) needs at least one attribute: where({'name': 'Ada'})")
        clauses: list[tuple[Connector, Clause]] = []
        for name, wanted in pairs.items():
            if not isinstance(name, str):
                raise QueryError(f"where({{...}}) keys are attribute names, not {name!r}")
            clauses.append(("and", predicate(name, wanted, MISSING, has_value=False)))
        if connector == "or" and len(clauses) > 1:
            for _, clause in clauses:
                self._known(cast("Predicate", clause).attribute)
            return self._with(wheres=(*self._state.wheres, ("or", Group(tuple(clauses)))))
        query = self
        for index, (_, clause) in enumerate(clauses):
            query = query._add(connector if index == 0 else "and", clause)
        return query

    def _group(self, build: Callable[[Self], Self]) -> Group:
        inner = build(self._with(wheres=()))
        if not inner._state.wheres:
            raise QueryError("a where group must add at least one condition")
        return Group(inner._state.wheres)

    def where_in(self, attribute: str, values: Iterable[Any]) -> Self:
        items = tuple(values)
        if not items:
            raise QueryError(f"where_in({attribute!r}, ...) needs at least one value")
        return self._add("and", Predicate(attribute, "in", items))

    def where_not_in(self, attribute: str, values: Iterable[Any]) -> Self:
        return self._add("and", Predicate(attribute, "not_in", tuple(values)))

    def where_between(self, attribute: str, low: Any, high: Any) -> Self:
        return self._add("and", Predicate(attribute, "between", low, high))

    def where_null(self, attribute: str) -> Self:
        """Items without the attribute (``None`` values are not stored)."""
        return self._add("and", Predicate(attribute, "not_exists"))

    def where_not_null(self, attribute: str) -> Self:
        return self._add("and", Predicate(attribute, "exists"))

    where_exists = where_not_null
    where_not_exists = where_null

    def where_begins_with(self, attribute: str, prefix: str) -> Self:
        return self._add("and", Predicate(attribute, "begins_with", prefix))

    def where_contains(self, attribute: str, value: Any) -> Self:
        return self._add("and", Predicate(attribute, "contains", value))

    def when(
        self,
        condition: Any,
        then: Callable[[Self], Self],
        otherwise: Callable[[Self], Self] | None = None,
    ) -> Self:
        """Apply ``then`` when ``condition`` is truthy (``otherwise`` when not)."""
        if condition:
            return then(self)
        return otherwise(self) if otherwise is not None else self

    def unless(self, condition: Any, then: Callable[[Self], Self]) -> Self:
        return self if condition else then(self)

    def scope(self, apply: Callable[..., Self], *args: Any, **kwargs: Any) -> Self:
        """Apply a reusable query scope: ``scope(published, since=day)`` calls
        ``published(query, since=day)`` (the hook the ORM's local and global scopes use)."""
        scoped = apply(self, *args, **kwargs)
        if not isinstance(scoped, QueryBuilder):
            raise QueryError(f"scope {getattr(apply, '__name__', apply)!r} must return the query")
        return scoped

    # Shape of the result.
    def select(self, *attributes: str) -> Self:
        """Only these attributes (a ProjectionExpression)."""
        self._known(*attributes)
        return self._with(projection=tuple(dict.fromkeys(attributes)))

    def order_by(self, attribute: str, direction: Direction = "asc") -> Self:
        if direction not in ("asc", "desc"):
            raise QueryError(f"order_by direction must be 'asc' or 'desc', not {direction!r}")
        self._known(attribute)
        return self._with(order=(attribute, direction))

    def order_by_desc(self, attribute: str) -> Self:
        return self.order_by(attribute, "desc")

    def latest(self, attribute: str | None = None) -> Self:
        return self.order_by(attribute or self.config.query_builder.created_at_attribute, "desc")

    def oldest(self, attribute: str | None = None) -> Self:
        return self.order_by(attribute or self.config.query_builder.created_at_attribute, "asc")

    def limit(self, count: int) -> Self:
        if count < 1:
            raise QueryError(f"limit must be at least 1 (got {count})")
        return self._with(limit=count)

    take = limit

    # How to read.
    def use_index(self, name: str) -> Self:
        return self._with(index=name)

    def consistent(self, enabled: bool = True) -> Self:
        return self._with(consistent=enabled)

    def force_scan(self) -> Self:
        """Read with a Scan even if a Query is possible (an explicit opt-in: no warning)."""
        return self._with(force_scan=True)

    def force_query(self) -> Self:
        """Fail instead of scanning when no key condition can be formed."""
        return self._with(force_query=True)

    def parallel(self, segments: int) -> Self:
        """Scan in ``segments`` parallel segments (when the plan is a Scan)."""
        if segments < 1:
            raise QueryError(f"parallel() needs at least 1 segment (got {segments})")
        return self._with(segments=segments)

    def with_trashed(self) -> Self:
        return self._with(trashed="with")

    def only_trashed(self) -> Self:
        return self._with(trashed="only")

    def as_dicts(self) -> QueryBuilder[dict[str, Any]]:
        """Terminals return plain dicts instead of models: the model's values, internal key
        attributes stripped and values cast as hydration casts them — no instances are built
        (``User.where("age", ">", 30).as_dicts().get()``). A raw ``table()`` query already
        returns dicts."""
        clone = type(self).__new__(type(self))
        clone.__dict__.update(self.__dict__)
        model = self._state.model
        if model is None:
            clone._hydrate = dict  # type: ignore[assignment]
        else:
            registry = self._registry

            def values(item: dict[str, Any]) -> dict[str, Any]:
                return transformer_of(registry).from_item(item, model)

            clone._hydrate = values  # type: ignore[assignment]
        return cast("QueryBuilder[dict[str, Any]]", clone)

    # Inspection.
    def plan(self) -> Plan:
        return QueryPlanner(self._registry).plan(self._planned_state())

    def _dry_plan(self) -> Plan:
        """The plan, for inspection: nothing sent, nothing warned."""
        return QueryPlanner(self._registry).plan(self._planned_state(), executing=False)

    def explain(self) -> Explanation:
        """The plan in words (never sends anything, never warns)."""
        return self._dry_plan().explain()

    def to_params(self) -> dict[str, Any]:
        """The exact parameters of the first request this query sends."""
        return self._dry_plan().to_params()

    def to_partiql(self) -> Statement:
        """The PartiQL SELECT reading what this query reads, values bound as parameters."""
        return to_partiql(self._dry_plan())

    def debug(self) -> Self:
        """Print the plan and the request, then carry on building."""
        print(self.explain())
        print(self.to_params())
        return self

    # Reading.
    def _reader(self, plan: Plan | None = None) -> Reader:
        plan = plan or self.plan()
        names = key_attribute_names(self.config, plan.index)
        return Reader(self._client or default_executor(), plan, names)

    def _raw(self) -> Iterator[dict[str, Any]]:
        return self._reader().items()

    def get(self) -> Collection[T]:
        """Every matching item."""
        return Collection(self._results(list(self._raw())))

    all = get

    def each(self, callback: Callable[[T], Any]) -> None:
        """Call ``callback`` for each item as pages arrive (not all held in memory)."""
        if self._loads():
            for batch in _batched(self._raw(), _LOAD_BATCH):
                for hydrated in self._results(batch):
                    callback(hydrated)
            return
        for item in self._raw():
            for hydrated in self._hydrate_rows([item]):
                callback(hydrated)

    def first(self) -> T | None:
        for item in self.limit(1)._raw():
            found = self._results([item])
            return found[0] if found else None
        return None

    def first_or_fail(self) -> T:
        found = self.first()
        if found is None:
            what = self._state.model or self._state.table or "table"
            raise ItemNotFoundError(f"no {what} matches this query ({self.explain().reason})")
        return found

    def _primary_key(self) -> str:
        if self._state.model is None:
            return self.config.single_table_design.partition_key_name
        return self._registry.model(self._state.model).primary_key

    def find(self, item_id: Any) -> T | None:
        """The item with this id (GetItem), or ``None``."""
        reader = self._find_reader(item_id)
        if reader is None:
            return self.where(self._primary_key(), item_id).first()
        for item in reader.items():  # the plan where(pk, id).first() makes
            found = self._results([item])
            return found[0] if found else None
        return None

    def _find_reader(self, item_id: Any) -> Reader | None:
        """The reader of ``find(item_id)``'s fast path (``None`` when it does not apply)."""
        plan = QueryPlanner(self._registry).plan_find(self._planned_state(), item_id)
        return None if plan is None else self._reader(plan)

    def find_or_fail(self, item_id: Any) -> T:
        return self.where(self._primary_key(), item_id).first_or_fail()

    def find_many(self, ids: Iterable[Any]) -> Collection[T]:
        """Items with these ids (BatchGetItem, 100 keys per request), in the order given; no
        ids, no items (and no request)."""
        wanted = list(ids)
        return self.where_in(self._primary_key(), wanted).get() if wanted else Collection([])

    def value(self, attribute: str) -> Any:
        self._known(attribute)
        for item in self.limit(1)._raw():
            return item.get(attribute)
        return None

    def pluck(self, attribute: str) -> Collection[Any]:
        self._known(attribute)
        return Collection(item.get(attribute) for item in self._raw())

    def exists(self) -> bool:
        return self.first() is not None

    def doesnt_exist(self) -> bool:
        return not self.exists()

    def count(self) -> int:
        """How many items match (``Select=COUNT`` when DynamoDB can count them all)."""
        return self._reader().count()

    def _aggregate(self, attribute: str, what: str) -> list[dict[str, Any]]:
        self._known(attribute)
        items = list(self._raw())
        warn_if_large(len(items), self.config.query_builder.aggregate_warning_threshold, what)
        return items

    def sum(self, attribute: str) -> Any:
        return sum_of(self._aggregate(attribute, f"sum({attribute!r})"), attribute)

    def avg(self, attribute: str) -> Any:
        return avg_of(self._aggregate(attribute, f"avg({attribute!r})"), attribute)

    def min(self, attribute: str) -> Any:
        return min_of(self._aggregate(attribute, f"min({attribute!r})"), attribute)

    def max(self, attribute: str) -> Any:
        return max_of(self._aggregate(attribute, f"max({attribute!r})"), attribute)

    # Writing (model queries).
    def _writes(
        self, values: Iterable[str] = (), via: str = ""
    ) -> tuple[str, WriteCompiler, Executor]:
        """The model, a compiler and the client for a write setting ``values`` (guarded
        attributes refused: these are mass assignment too)."""
        if self._state.model is None:
            raise QueryError("writes through a raw table() builder are not modelled; use raw_put")
        refuse_guarded(self._registry.model(self._state.model), values, via=via)
        compiler = WriteCompiler(self._registry, self._state.table)
        return self._state.model, compiler, self._client or default_executor()

    def _bulk_flow(self, job: BulkJob, items: list[dict[str, Any]]) -> tuple[Executor, Flow[int]]:
        client = self._client or default_executor()
        once = client.config.non_idempotent_writes == "exactly_once"
        return client, bulk_flow(items, job.compile_write, exactly_once=once, what=job.what)

    def _bulk(self, job: BulkJob) -> int:
        # The matching items are read first (the sync reader), then written by one flow.
        client, flow = self._bulk_flow(job, list(job.query._raw()))
        return client.run(flow)

    def insert(self, values: Mapping[str, Any]) -> T:
        """Insert one item (unique values reserved in the same transaction); returns it."""
        client, plan = self._insert_plan(values)
        run_write(client, plan)
        assert plan.item is not None
        return self._hydrate(plan.item)

    def _insert_plan(self, values: Mapping[str, Any]) -> tuple[Executor, WritePlan]:
        model, compiler, client = self._writes(values, "query().insert()")
        return client, compiler.insert(model, values)

    def upsert(self, values: Mapping[str, Any], *, original: Mapping[str, Any] | None = None) -> T:
        """Put the whole item, replacing any at its key. Unique values stay exact: on models
        with unique attributes the item is read first (unless ``original`` gives its current
        values, or ``{}`` for "no item yet") so a replaced value's sentinel is released."""
        client, flow = self._upsert_flow(values, original)
        plan = client.run(flow)
        assert plan.item is not None
        return self._hydrate(plan.item)

    def _upsert_flow(
        self, values: Mapping[str, Any], original: Mapping[str, Any] | None
    ) -> tuple[Executor, Flow[WritePlan]]:
        model, compiler, client = self._writes(values, "query().upsert()")
        if original is None and self._registry.model(model).unique_attributes:
            return client, read_and_upsert_flow(client, compiler, model, values)
        return client, written(client, compiler.upsert(model, values, original=original))

    def insert_many(
        self, rows: Iterable[Mapping[str, Any]], *, on_progress: ProgressCallback | None = None
    ) -> int:
        """Insert many items with batched, parallel writes; returns how many were written."""
        client, flow = self._insert_many_flow(rows, on_progress)
        return len(client.run(flow))

    def _insert_many_flow(
        self, rows: Iterable[Mapping[str, Any]], on_progress: ProgressCallback | None
    ) -> tuple[Executor, Flow[list[dict[str, Any]]]]:
        rows = list(rows)
        names = {name for row in rows for name in row}
        model, compiler, client = self._writes(names, "query().insert_many()")
        return client, insert_many_flow(compiler, model, rows, on_progress=on_progress)

    def update(self, **changes: Any) -> int:
        """Update every matching item (only ``changes``; keys and sentinels kept right), the
        writes running side by side; returns how many were updated. Fires no model events.
        Some failing → :class:`PartialWriteError` (how many were written, which failed)."""
        return self._bulk(self._update_job(changes))

    def _update_job(self, changes: Mapping[str, Any]) -> BulkJob:
        model, compiler, _ = self._writes(changes, "query().update()")
        return BulkJob(
            self, lambda item: compiler.update(model, item, changes), f"{model} update()"
        )

    def delete(self) -> int:
        """Delete every matching item (soft-delete when the model uses soft deletes); see
        :meth:`update` for how the writes run."""
        return self._bulk(self._delete_job())

    def _delete_job(self) -> BulkJob:
        model, compiler, _ = self._writes()
        soft = traits.uses(self._registry.model(model), "soft_deletes")
        write = compiler.soft_delete if soft else compiler.delete
        return BulkJob(self, lambda item: write(model, item), f"{model} delete()")

    def force_delete(self) -> int:
        """Delete every matching item for good (soft-deleted ones included)."""
        return self._bulk(self._force_delete_job())

    def _force_delete_job(self) -> BulkJob:
        model, compiler, _ = self._writes()
        return BulkJob(
            self.with_trashed(),
            lambda item: compiler.delete(model, item),
            f"{model} force_delete()",
        )

    # Pages.
    def paginate(self, per_page: int = 25, cursor: str | None = None) -> Page[T]:
        """One page and the cursor of the next (opaque, url-safe, tamper-evident)."""
        raw = self._reader().page(per_page, cursor, self._codec())
        return self._as_page(raw, per_page, self._results(list(raw.items)))

    def _codec(self) -> CursorCodec:
        return _codec(self.config.query_builder.cursor_secret)

    def _as_page(self, raw: RawPage, per_page: int, results: list[T]) -> Page[T]:
        items = Collection(results)
        return Page(
            items=items,
            count=len(items),
            has_more=raw.next_cursor is not None,
            next_cursor=raw.next_cursor,
            per_page=per_page,
            scanned_count=raw.scanned_count,
        )

    cursor_paginate = paginate

    def chunk(self, size: int, callback: Callable[[Collection[T]], Any]) -> bool:
        """Feed ``callback`` pages of ``size`` items; it may return ``False`` to stop.
        Returns ``False`` when stopped early."""
        if size < 1:
            raise QueryError(f"chunk size must be at least 1 (got {size})")
        if not self._dry_plan().pageable:
            # batched, sharded or sorted in memory: slice the whole result
            return all(callback(part) is not False for part in self.get().chunk(size))
        cursor: str | None = None
        while True:
            page = self.paginate(size, cursor)
            if page.items and callback(page.items) is False:
                return False
            if not page.has_more:
                return True
            cursor = page.next_cursor

    chunk_by_id = chunk


_LOAD_BATCH = 100
"""Items hydrated together by ``each`` when relations are eager-loaded (one load per batch)."""


def _batched(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _top_level(attribute: str) -> str:
    return re.split(r"[.\[]", attribute, maxsplit=1)[0]


def _unknown_attribute(model: str, attribute: str, allowed: set[str]) -> str:
    close = difflib.get_close_matches(attribute, sorted(allowed), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f" (it has {', '.join(sorted(allowed))})"
    return (
        f"{model} has no attribute {attribute!r}{hint} — a model query takes its declared "
        "attributes, primary key, relation foreign keys and managed attributes; declare the "
        "attribute on the model, or query table(...) for free-form names"
    )


def table(
    name: str,
    *,
    registry: Registry | None = None,
    client: Executor | None = None,
) -> QueryBuilder[dict[str, Any]]:
    """A builder on a raw table: keys are the configured pk/sk (and GSI) names."""
    chosen = registry or get_registry()
    return QueryBuilder(QueryState(table=name), registry=chosen, hydrate=dict, client=client)
