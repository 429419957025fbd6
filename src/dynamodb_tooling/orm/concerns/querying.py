"""Querying: the class-level query API — every builder method and terminal on the model class.

``User.count()``, ``User.where_null("team_id").latest().first()``, ``await User.acount()``:
each starts ``User.query()`` (a :class:`~dynamodb_tooling.orm.query.ModelQuery`) and calls
the method of the same name. Plus Eloquent's ``first_or_create``, ``first_or_new``,
``update_or_create``, ``destroy``, and the instance's ``fresh()``, ``is_()``, ``is_not()``,
with their ``a``-prefixed twins.

Most pass-throughs are methods of the models' metaclass, :class:`ModelQueries`, rather than
classmethods: a metaclass method is reachable on the class (``User.count()``) but is not a
class attribute, so a model may still declare an attribute with such a name (``count``,
``value``, ``limit``, ``max`` ...). On such a model the attribute wins at class level
(``Thing.count`` is the attribute's reference) and the query method stays reachable as
``Thing.query().count()``. ``exists`` works on both levels, as in Eloquent: ``user.exists``
(whether the instance was loaded or saved) and ``User.exists()`` (whether any item matches;
``await User.aexists()``); see :class:`~dynamodb_tooling.orm.concerns.change_tracking.Exists`.
"""

from __future__ import annotations

import asyncio
import contextvars
import difflib
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar, cast

from dynamodb_tooling.errors import (
    ItemAlreadyExistsError,
    PartialWriteError,
    QueryError,
    UniqueConstraintError,
)
from dynamodb_tooling.orm.concerns.scopes import HasGlobalScopes
from dynamodb_tooling.orm.query import ModelExplanation, ModelQuery
from dynamodb_tooling.orm.transaction import active_transaction
from dynamodb_tooling.query.predicates import MISSING, Predicate
from dynamodb_tooling.query.refs import AttributeRef
from dynamodb_tooling.query.results import Collection, Page
from dynamodb_tooling.query.state import Direction, QueryState
from dynamodb_tooling.schema import ModelDefinition, Registry
from dynamodb_tooling.schema.traits import uses

if TYPE_CHECKING:
    from dynamodb_tooling.orm.concerns.change_tracking import Exists
    from dynamodb_tooling.orm.relations.base import Constraint
    from dynamodb_tooling.orm.relations.eager import EagerSpec
    from dynamodb_tooling.query.builder import QueryBuilder
    from dynamodb_tooling.query.plan import Plan
    from dynamodb_tooling.requests.batch import ProgressCallback
    from dynamodb_tooling.requests.partiql import Statement

_M = TypeVar("_M")

#: How many deletes ``destroy()`` runs side by side (sync: threads; async: tasks).
DESTROY_CONCURRENCY = 16


def _q(cls: type[_M]) -> ModelQuery[_M]:
    return cast("ModelQuery[_M]", cls.query())  # type: ignore[attr-defined]


class ModelQueries(type):
    """The metaclass of models: the builder's methods and terminals on the class (see the
    module docstring for why these are metaclass methods). Each is ``cls.query().<name>``."""

    if not TYPE_CHECKING:  # hidden from type checkers: a misspelled class attribute is an error

        def __getattr__(cls, name: str) -> Any:
            """Class access to a stored name that has no ``Field`` on the class — a foreign
            key, a timestamp, ``deleted_at``, the version or TTL attribute — is a typed
            reference like a declared attribute's (``User.team_id == t.id``); the mypy
            plugin types it so. Only reached when normal class lookup fails."""
            missing = f"type object {cls.__name__!r} has no attribute {name!r}"
            if name.startswith("__"):
                raise AttributeError(missing)
            definition = getattr(cls, "__definition__", None)
            if definition is None:  # Model itself, an abstract base, a mixin
                raise AttributeError(missing)
            try:
                names = cls._name_set()[1]
            except Exception as exc:  # e.g. a relation's model is not defined yet
                raise AttributeError(f"{missing} ({exc})") from exc
            if name in names:
                return AttributeRef(name)
            # A typo of a class-level method (User.wher) is suggested as well as attributes.
            if difflib.get_close_matches(name, sorted(names), n=1):
                raise cls._unknown(name)  # a typo of an attribute: that one is named
            methods = {n for n in (*dir(cls), *dir(type(cls))) if not n.startswith("_")}
            close = difflib.get_close_matches(name, sorted(methods), n=1, cutoff=0.8)
            if close:
                raise AttributeError(
                    f"{definition.name} has no attribute or method {name!r}; did you mean "
                    f"{close[0]!r}?"
                )
            raise cls._unknown(name)  # with a did-you-mean among its attributes

    # Relations (see ModelQuery.with_ and ModelQuery.has for what each costs).
    def with_(cls: type[_M], *relations: EagerSpec) -> ModelQuery[_M]:
        return _q(cls).with_(*relations)

    def with_count(
        cls: type[_M], *relations: str | Mapping[str, Constraint | None]
    ) -> ModelQuery[_M]:
        return _q(cls).with_count(*relations)

    def has(cls: type[_M], relation: str, operator: str = ">=", count: int = 1) -> ModelQuery[_M]:
        return _q(cls).has(relation, operator, count)

    def doesnt_have(cls: type[_M], relation: str) -> ModelQuery[_M]:
        return _q(cls).doesnt_have(relation)

    def where_has(
        cls: type[_M],
        relation: str,
        constraint: Constraint | None = None,
        operator: str = ">=",
        count: int = 1,
    ) -> ModelQuery[_M]:
        return _q(cls).where_has(relation, constraint, operator, count)

    def where_doesnt_have(
        cls: type[_M], relation: str, constraint: Constraint | None = None
    ) -> ModelQuery[_M]:
        return _q(cls).where_doesnt_have(relation, constraint)

    # Conditions.
    def or_where(
        cls: type[_M], attribute: Any, operator: Any = MISSING, value: Any = MISSING
    ) -> ModelQuery[_M]:
        return _q(cls).or_where(attribute, operator, value)

    def where_not(
        cls: type[_M], group: Callable[[ModelQuery[_M]], ModelQuery[_M]]
    ) -> ModelQuery[_M]:
        return _q(cls).where_not(group)

    def where_not_in(cls: type[_M], attribute: str, values: Iterable[Any]) -> ModelQuery[_M]:
        return _q(cls).where_not_in(attribute, values)

    def where_between(cls: type[_M], attribute: str, low: Any, high: Any) -> ModelQuery[_M]:
        return _q(cls).where_between(attribute, low, high)

    def where_null(cls: type[_M], attribute: str) -> ModelQuery[_M]:
        return _q(cls).where_null(attribute)

    def where_not_null(cls: type[_M], attribute: str) -> ModelQuery[_M]:
        return _q(cls).where_not_null(attribute)

    def where_exists(cls: type[_M], attribute: str) -> ModelQuery[_M]:
        return _q(cls).where_exists(attribute)

    def where_not_exists(cls: type[_M], attribute: str) -> ModelQuery[_M]:
        return _q(cls).where_not_exists(attribute)

    def where_begins_with(cls: type[_M], attribute: str, prefix: str) -> ModelQuery[_M]:
        return _q(cls).where_begins_with(attribute, prefix)

    def where_contains(cls: type[_M], attribute: str, value: Any) -> ModelQuery[_M]:
        return _q(cls).where_contains(attribute, value)

    def when(
        cls: type[_M],
        condition: Any,
        then: Callable[[ModelQuery[_M]], ModelQuery[_M]],
        otherwise: Callable[[ModelQuery[_M]], ModelQuery[_M]] | None = None,
    ) -> ModelQuery[_M]:
        return _q(cls).when(condition, then, otherwise)

    def unless(
        cls: type[_M], condition: Any, then: Callable[[ModelQuery[_M]], ModelQuery[_M]]
    ) -> ModelQuery[_M]:
        return _q(cls).unless(condition, then)

    def scope(
        cls: type[_M], apply: Callable[..., ModelQuery[_M]], *args: Any, **kwargs: Any
    ) -> ModelQuery[_M]:
        return _q(cls).scope(apply, *args, **kwargs)

    # Shape and reading options.
    def select(cls: type[_M], *attributes: str) -> ModelQuery[_M]:
        return _q(cls).select(*attributes)

    def order_by(cls: type[_M], attribute: str, direction: Direction = "asc") -> ModelQuery[_M]:
        return _q(cls).order_by(attribute, direction)

    def order_by_desc(cls: type[_M], attribute: str) -> ModelQuery[_M]:
        return _q(cls).order_by_desc(attribute)

    def latest(cls: type[_M], attribute: str | None = None) -> ModelQuery[_M]:
        return _q(cls).latest(attribute)

    def oldest(cls: type[_M], attribute: str | None = None) -> ModelQuery[_M]:
        return _q(cls).oldest(attribute)

    def limit(cls: type[_M], count: int) -> ModelQuery[_M]:
        return _q(cls).limit(count)

    def take(cls: type[_M], count: int) -> ModelQuery[_M]:
        return _q(cls).take(count)

    def use_index(cls: type[_M], name: str) -> ModelQuery[_M]:
        return _q(cls).use_index(name)

    def consistent(cls: type[_M], enabled: bool = True) -> ModelQuery[_M]:
        return _q(cls).consistent(enabled)

    def force_scan(cls: type[_M]) -> ModelQuery[_M]:
        return _q(cls).force_scan()

    def force_query(cls: type[_M]) -> ModelQuery[_M]:
        return _q(cls).force_query()

    def parallel(cls: type[_M], segments: int) -> ModelQuery[_M]:
        return _q(cls).parallel(segments)

    def without_global_scope(cls: type[_M], scope: str | object) -> ModelQuery[_M]:
        return _q(cls).without_global_scope(scope)

    def without_global_scopes(cls: type[_M], *scopes: str | object) -> ModelQuery[_M]:
        return _q(cls).without_global_scopes(*scopes)

    def as_dicts(cls: type[_M]) -> QueryBuilder[dict[str, Any]]:
        return _q(cls).as_dicts()

    # Inspection.
    def plan(cls: type[_M]) -> Plan:
        return _q(cls).plan()

    def explain(cls: type[_M]) -> ModelExplanation:
        return _q(cls).explain()

    def to_params(cls: type[_M]) -> dict[str, Any]:
        return _q(cls).to_params()

    def to_partiql(cls: type[_M]) -> Statement:
        return _q(cls).to_partiql()

    # Terminals.
    def get(cls: type[_M]) -> Collection[_M]:
        return _q(cls).get()

    def first(cls: type[_M]) -> _M | None:
        return _q(cls).first()

    def first_or_fail(cls: type[_M]) -> _M:
        return _q(cls).first_or_fail()

    def value(cls: type[_M], attribute: str) -> Any:
        return _q(cls).value(attribute)

    def pluck(cls: type[_M], attribute: str) -> Collection[Any]:
        return _q(cls).pluck(attribute)

    def doesnt_exist(cls: type[_M]) -> bool:
        return _q(cls).doesnt_exist()

    def count(cls: type[_M]) -> int:
        return _q(cls).count()

    def sum(cls: type[_M], attribute: str) -> Any:
        return _q(cls).sum(attribute)

    def avg(cls: type[_M], attribute: str) -> Any:
        return _q(cls).avg(attribute)

    def min(cls: type[_M], attribute: str) -> Any:
        return _q(cls).min(attribute)

    def max(cls: type[_M], attribute: str) -> Any:
        return _q(cls).max(attribute)

    def paginate(cls: type[_M], per_page: int = 25, cursor: str | None = None) -> Page[_M]:
        return _q(cls).paginate(per_page, cursor)

    def cursor_paginate(cls: type[_M], per_page: int = 25, cursor: str | None = None) -> Page[_M]:
        return _q(cls).cursor_paginate(per_page, cursor)

    def chunk(cls: type[_M], size: int, callback: Callable[[Collection[_M]], Any]) -> bool:
        return _q(cls).chunk(size, callback)

    def chunk_by_id(cls: type[_M], size: int, callback: Callable[[Collection[_M]], Any]) -> bool:
        return _q(cls).chunk_by_id(size, callback)

    def each(cls: type[_M], callback: Callable[[_M], Any]) -> None:
        _q(cls).each(callback)

    def insert(cls: type[_M], values: Mapping[str, Any]) -> _M:
        return _q(cls).insert(values)

    def upsert(
        cls: type[_M], values: Mapping[str, Any], *, original: Mapping[str, Any] | None = None
    ) -> _M:
        return _q(cls).upsert(values, original=original)

    def insert_many(
        cls: type[_M],
        rows: Iterable[Mapping[str, Any]],
        *,
        on_progress: ProgressCallback | None = None,
    ) -> int:
        return _q(cls).insert_many(rows, on_progress=on_progress)

    # Async twins.
    async def aget(cls: type[_M]) -> Collection[_M]:
        return await _q(cls).aget()

    async def afirst(cls: type[_M]) -> _M | None:
        return await _q(cls).afirst()

    async def afirst_or_fail(cls: type[_M]) -> _M:
        return await _q(cls).afirst_or_fail()

    async def avalue(cls: type[_M], attribute: str) -> Any:
        return await _q(cls).avalue(attribute)

    async def apluck(cls: type[_M], attribute: str) -> Collection[Any]:
        return await _q(cls).apluck(attribute)

    async def aexists(cls: type[_M]) -> bool:
        return await _q(cls).aexists()

    async def adoesnt_exist(cls: type[_M]) -> bool:
        return await _q(cls).adoesnt_exist()

    async def acount(cls: type[_M]) -> int:
        return await _q(cls).acount()

    async def asum(cls: type[_M], attribute: str) -> Any:
        return await _q(cls).asum(attribute)

    async def aavg(cls: type[_M], attribute: str) -> Any:
        return await _q(cls).aavg(attribute)

    async def amin(cls: type[_M], attribute: str) -> Any:
        return await _q(cls).amin(attribute)

    async def amax(cls: type[_M], attribute: str) -> Any:
        return await _q(cls).amax(attribute)

    async def apaginate(cls: type[_M], per_page: int = 25, cursor: str | None = None) -> Page[_M]:
        return await _q(cls).apaginate(per_page, cursor)

    async def achunk(cls: type[_M], size: int, callback: Callable[[Collection[_M]], Any]) -> bool:
        return await _q(cls).achunk(size, callback)

    async def aeach(cls: type[_M], callback: Callable[[_M], Any]) -> None:
        await _q(cls).aeach(callback)

    async def ainsert(cls: type[_M], values: Mapping[str, Any]) -> _M:
        return await _q(cls).ainsert(values)

    async def aupsert(
        cls: type[_M], values: Mapping[str, Any], *, original: Mapping[str, Any] | None = None
    ) -> _M:
        return await _q(cls).aupsert(values, original=original)

    async def ainsert_many(
        cls: type[_M],
        rows: Iterable[Mapping[str, Any]],
        *,
        on_progress: ProgressCallback | None = None,
    ) -> int:
        return await _q(cls).ainsert_many(rows, on_progress=on_progress)


class Querying(HasGlobalScopes, metaclass=ModelQueries):
    """The model's query entry points (Eloquent's ``User::where(...)``); see the module
    docstring. Global and local scopes come from :mod:`.scopes`."""

    __slots__ = ()

    __definition__: ClassVar[ModelDefinition]
    __registry__: ClassVar[Registry]

    if TYPE_CHECKING:

        def __init__(self, **values: Any) -> None: ...

        @classmethod
        def from_item(cls, item: Mapping[str, Any]) -> Self: ...

        exists: ClassVar[Exists]

        def _read_attribute(self, name: str) -> Any: ...

        def save(self) -> Self: ...

        async def asave(self) -> Self: ...

        def update(self, **changes: Any) -> Self: ...

        async def aupdate(self, **changes: Any) -> Self: ...

        def delete(self) -> None: ...

        async def adelete(self) -> None: ...

        def trashed(self) -> bool: ...

    @classmethod
    def query(cls) -> ModelQuery[Self]:
        """A new query on this model: ``User.query().where("age", ">", 30).get()``. Global
        scopes apply when it runs; local scopes are its methods."""
        own = cls.__dict__
        if "_scopes_booted" not in own:
            cls._boot()
        state = own.get("_empty_query_state")
        if state is None or state.model != cls.__definition__.name:
            state = QueryState(model=cls.__definition__.name)  # immutable: kept per class
            type.__setattr__(cls, "_empty_query_state", state)
        return ModelQuery(cls, state, registry=cls.__registry__, hydrate=cls.from_item)

    @classmethod
    def where(
        cls, attribute: Any, operator: Any = MISSING, value: Any = MISSING
    ) -> ModelQuery[Self]:
        """``User.where("email", "ada@example.com")``, ``User.where(User.age > 30)`` or
        ``User.where({"team_id": t, "age": 20})`` — see :meth:`QueryBuilder.where`."""
        return cls.query().where(attribute, operator, value)

    @classmethod
    def where_in(cls, attribute: str, values: Any) -> ModelQuery[Self]:
        return cls.query().where_in(attribute, values)

    @classmethod
    def find(cls, item_id: Any) -> Self | None:
        """The instance with this id (one GetItem), or ``None``."""
        return cls.query().find(item_id)

    @classmethod
    def find_or_fail(cls, item_id: Any) -> Self:
        return cls.query().find_or_fail(item_id)

    @classmethod
    def find_many(cls, ids: Any) -> Collection[Self]:
        return cls.query().find_many(ids)

    @classmethod
    def all(cls) -> Collection[Self]:
        """Every instance (a Scan of this entity type: warned)."""
        return cls.query().get()

    # Async twins (the same plans and flows on the async executor).
    @classmethod
    async def afind(cls, item_id: Any) -> Self | None:
        """The async twin of :meth:`find`."""
        return await cls.query().afind(item_id)

    @classmethod
    async def afind_or_fail(cls, item_id: Any) -> Self:
        return await cls.query().afind_or_fail(item_id)

    @classmethod
    async def afind_many(cls, ids: Any) -> Collection[Self]:
        return await cls.query().afind_many(ids)

    @classmethod
    async def aall(cls) -> Collection[Self]:
        return await cls.query().aget()

    # Find or make.
    @classmethod
    def _lookup(cls, attributes: Mapping[str, Any], via: str) -> ModelQuery[Self]:
        if not isinstance(attributes, Mapping) or not attributes:
            raise QueryError(
                f"{cls.__name__}.{via}(attributes, values) needs a non-empty dict of the "
                f"attributes to look up, e.g. {cls.__name__}.{via}({{'email': ...}})"
            )
        return cls.where(dict(attributes))

    @classmethod
    def _candidate(
        cls, attributes: Mapping[str, Any], values: Mapping[str, Any] | None, via: str
    ) -> tuple[ModelQuery[Self], Self]:
        """The lookup query and a new instance of ``attributes`` + ``values`` — made first,
        so unknown names and guarded attributes are refused before any request."""
        query = cls._lookup(attributes, via)
        if values is not None and not isinstance(values, Mapping):
            raise QueryError(f"{cls.__name__}.{via}(): values must be a dict, not {values!r}")
        return query, cls(**{**attributes, **(values or {})})

    @classmethod
    def first_or_new(
        cls, attributes: Mapping[str, Any], values: Mapping[str, Any] | None = None
    ) -> Self:
        """The first instance matching ``attributes`` (equalities), or a new **unsaved** one
        of ``attributes`` + ``values`` (mass assignment: guarded attributes are refused)."""
        query, candidate = cls._candidate(attributes, values, "first_or_new")
        found = query.first()
        return candidate if found is None else found

    @classmethod
    async def afirst_or_new(
        cls, attributes: Mapping[str, Any], values: Mapping[str, Any] | None = None
    ) -> Self:
        """The async twin of :meth:`first_or_new`."""
        query, candidate = cls._candidate(attributes, values, "first_or_new")
        found = await query.afirst()
        return candidate if found is None else found

    @classmethod
    def first_or_create(
        cls, attributes: Mapping[str, Any], values: Mapping[str, Any] | None = None
    ) -> Self:
        """The first instance matching ``attributes``, or one created from ``attributes`` +
        ``values`` (with ``save()``: events, validation, unique reservations apply).

        Concurrency: two callers may both miss and both create. When an attribute of
        ``attributes`` is ``unique`` (or the id is among them), the loser's write fails with
        :class:`UniqueConstraintError` / :class:`ItemAlreadyExistsError`, nothing written,
        and the winner's item is read and returned — so it is safe under concurrency, as
        Eloquent's ``createOrFirst``. Without a unique attribute, duplicates are possible;
        declare one (``attribute(unique=True)``) where that matters."""
        query, candidate = cls._candidate(attributes, values, "first_or_create")
        found = query.first()
        if found is not None:
            return found
        try:
            return candidate.save()
        except (UniqueConstraintError, ItemAlreadyExistsError):
            again = query.first()
            if again is None:
                raise
            return again

    @classmethod
    async def afirst_or_create(
        cls, attributes: Mapping[str, Any], values: Mapping[str, Any] | None = None
    ) -> Self:
        """The async twin of :meth:`first_or_create`."""
        query, candidate = cls._candidate(attributes, values, "first_or_create")
        found = await query.afirst()
        if found is not None:
            return found
        try:
            return await candidate.asave()
        except (UniqueConstraintError, ItemAlreadyExistsError):
            again = await query.afirst()
            if again is None:
                raise
            return again

    @classmethod
    def update_or_create(
        cls, attributes: Mapping[str, Any], values: Mapping[str, Any] | None = None
    ) -> Self:
        """Update the first instance matching ``attributes`` with ``values`` (``update()``:
        only what changed is sent), or create one from ``attributes`` + ``values``. Guarded
        attributes are refused before any request. Concurrency as :meth:`first_or_create`:
        with a unique attribute among ``attributes``, a lost race re-reads the winner's item
        and updates it."""
        query, _ = cls._candidate(attributes, values, "update_or_create")
        changes = dict(values or {})
        found = query.first()
        if found is not None:
            return found.update(**changes)
        try:
            return cls(**{**attributes, **changes}).save()
        except (UniqueConstraintError, ItemAlreadyExistsError):
            again = query.first()
            if again is None:
                raise
            return again.update(**changes)

    @classmethod
    async def aupdate_or_create(
        cls, attributes: Mapping[str, Any], values: Mapping[str, Any] | None = None
    ) -> Self:
        """The async twin of :meth:`update_or_create`."""
        query, _ = cls._candidate(attributes, values, "update_or_create")
        changes = dict(values or {})
        found = await query.afirst()
        if found is not None:
            return await found.aupdate(**changes)
        try:
            return await cls(**{**attributes, **changes}).asave()
        except (UniqueConstraintError, ItemAlreadyExistsError):
            again = await query.afirst()
            if again is None:
                raise
            return await again.aupdate(**changes)

    # Destroying by id.
    @classmethod
    def _destroy_ids(cls, ids: tuple[Any, ...]) -> list[Any]:
        if len(ids) == 1 and isinstance(ids[0], Iterable) and not isinstance(ids[0], str | bytes):
            ids = tuple(ids[0])
        for item_id in ids:
            if item_id is None or isinstance(item_id, Mapping | Predicate | Querying):
                raise QueryError(
                    f"{cls.__name__}.destroy() takes ids ({cls.__name__}.destroy(id1, id2) or "
                    f"destroy([id1, id2])), not {item_id!r}"
                )
        return list(dict.fromkeys(ids))

    def _gone(self) -> bool:
        """Whether a ``delete()`` took effect (a "deleting" listener may cancel it)."""
        if uses(type(self).__definition__, "soft_deletes"):
            return self.trashed()
        return not self.exists

    @classmethod
    def destroy(cls, *ids: Any) -> int:
        """Delete the instances with these ids (``destroy(1, 2, 3)`` or ``destroy([1, 2])``);
        returns how many were deleted. Eloquent's semantics: the instances are read (one
        BatchGetItem; global scopes apply, so already soft-deleted ones are not counted) and
        each is deleted with ``delete()`` — model events fire, soft-deleting models
        soft-delete — the deletes running side by side (up to ``DESTROY_CONCURRENCY``).
        Inside ``with transaction():`` the deletes join the transaction instead.
        Some failing → :class:`PartialWriteError` (``done``, ``failed``)."""
        wanted = cls._destroy_ids(ids)
        if not wanted:
            return 0
        found = list(cls.find_many(wanted))
        tx = active_transaction()
        if tx is not None:
            joined = 0
            for instance in found:
                before = len(tx.actions)
                instance.delete()
                joined += len(tx.actions) > before
            return joined
        if len(found) <= 1:
            outcomes: list[BaseException | None] = [_attempt(i.delete) for i in found]
        else:
            workers = min(DESTROY_CONCURRENCY, len(found))
            with ThreadPoolExecutor(workers, thread_name_prefix="dbtooling-destroy") as pool:
                runs = [
                    pool.submit(contextvars.copy_context().run, _attempt, i.delete) for i in found
                ]
                outcomes = [run.result() for run in runs]
        return cls._destroyed(found, outcomes)

    @classmethod
    async def adestroy(cls, *ids: Any) -> int:
        """The async twin of :meth:`destroy` (the deletes run as concurrent tasks)."""
        wanted = cls._destroy_ids(ids)
        if not wanted:
            return 0
        found = list(await cls.afind_many(wanted))
        tx = active_transaction()
        if tx is not None:
            joined = 0
            for instance in found:
                before = len(tx.actions)
                await instance.adelete()
                joined += len(tx.actions) > before
            return joined
        limit = asyncio.Semaphore(DESTROY_CONCURRENCY)

        async def one(instance: Self) -> BaseException | None:
            async with limit:
                try:
                    await instance.adelete()
                except Exception as exc:  # collected: the others still run
                    return exc
                return None

        outcomes = list(await asyncio.gather(*(one(i) for i in found)))
        return cls._destroyed(found, outcomes)

    @classmethod
    def _destroyed(cls, found: list[Self], outcomes: list[BaseException | None]) -> int:
        key = cls.__definition__.primary_key
        done = sum(1 for i, e in zip(found, outcomes, strict=True) if e is None and i._gone())
        failed = [
            ({key: i._read_attribute(key)}, e)
            for i, e in zip(found, outcomes, strict=True)
            if isinstance(e, Exception)
        ]
        if failed:
            raise PartialWriteError(
                f"{cls.__name__}.destroy(): {done} of {len(found)} deleted, {len(failed)} "
                f"failed (first: {failed[0][1]}); see .failed for each id and its error",
                done=done,
                failed=failed,
            ) from failed[0][1]
        return done

    # The instance.
    def _fresh_lookup(self) -> ModelQuery[Self] | None:
        cls = type(self)
        if not self.exists:
            return None
        definition = cls.__definition__
        query = cls.query().without_global_scopes()
        entity = cls.__registry__.schema.entity(definition.name)
        keys = [definition.primary_key, *(link.foreign_key for link in entity.ancestry)]
        for key in keys:
            query = query.where(key, self._read_attribute(key))
        return query

    def fresh(self) -> Self | None:
        """A new instance of this item re-read from the table (this one is left as it is);
        ``None`` when the item is gone or this instance was never saved. Global scopes do
        not apply (a soft-deleted item is found), as in Eloquent. See ``refresh()`` to
        reload this instance in place."""
        query = self._fresh_lookup()
        return None if query is None else query.first()

    async def afresh(self) -> Self | None:
        """The async twin of :meth:`fresh`."""
        query = self._fresh_lookup()
        return None if query is None else await query.afirst()

    def is_(self, other: object) -> bool:
        """Whether ``other`` is the same stored item: an instance of the same model with the
        same primary key (values may differ: compare with ``==`` for that)."""
        if not isinstance(other, Querying):
            return False
        mine, theirs = type(self), type(other)
        if mine.__definition__.name != theirs.__definition__.name:
            return False
        if mine.__registry__ is not theirs.__registry__:
            return False
        key = mine.__definition__.primary_key
        ident = self._read_attribute(key)
        return ident is not None and ident == other._read_attribute(key)

    def is_not(self, other: object) -> bool:
        """``not is_(other)``."""
        return not self.is_(other)


def _attempt(action: Callable[[], Any]) -> BaseException | None:
    try:
        action()
    except Exception as exc:  # collected: the others still run
        return exc
    return None
