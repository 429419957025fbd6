"""What ``user.posts`` and ``user.roles`` give: a query bound to the parent that is also the
list of its related models (Django's related managers, Eloquent's relation collections).

- **As a list** — iterating, ``len()``, indexing, ``in`` and truthiness give the related
  models: the loaded ones (``with_``/``load``), or loaded lazily once on first use.
- **As a query** — every builder method starts a query constrained to the parent:
  ``team.users.where("age", ">", 30).get()``; such a derived query reads when iterated.
- **Writes** — ``user.posts.create(title=...)`` sets the foreign key;
  ``user.roles.attach(role)``, ``detach``, ``sync``, ``toggle``, ``update_existing_pivot``.
"""

from __future__ import annotations

import abc
import copy
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, Self, SupportsIndex, overload

from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.orm.query import ModelQuery
from dynamodb_tooling.orm.relations.base import R, forget_loaded, is_loaded, loaded_value
from dynamodb_tooling.orm.relations.lazy import loaded_or_load
from dynamodb_tooling.orm.relations.pivot import (
    EdgeChange,
    Pivot,
    change_flow,
    edges_flow,
    pivot_values,
    related_ids,
)
from dynamodb_tooling.query.results import Collection
from dynamodb_tooling.requests import Flow

if TYPE_CHECKING:
    from dynamodb_tooling.orm.model import Model
    from dynamodb_tooling.orm.relations.belongs_to_many import BelongsToMany
    from dynamodb_tooling.orm.relations.has_many_through import HasManyThrough
    from dynamodb_tooling.orm.relations.has_one_or_many import HasOneOrMany
    from dynamodb_tooling.query.plan import Plan
    from dynamodb_tooling.query.reader import Reader


class _RelatedList(Generic[R]):
    """The list face of a bound relation (see the module docstring)."""

    if TYPE_CHECKING:

        def _models(self) -> Collection[R]: ...

    def __iter__(self) -> Iterator[R]:
        return iter(self._models())

    def __len__(self) -> int:
        return len(self._models())

    def __bool__(self) -> bool:
        return len(self._models()) > 0

    def __contains__(self, item: object) -> bool:
        return item in self._models()

    @overload
    def __getitem__(self, index: SupportsIndex) -> R: ...
    @overload
    def __getitem__(self, index: slice) -> Collection[R]: ...
    def __getitem__(self, index: SupportsIndex | slice) -> R | Collection[R]:
        return self._models()[index]


class HasManyQuery(_RelatedList[R], ModelQuery[R]):
    """``user.posts``: the user's posts as a query and as a list (module docstring)."""

    _pristine: bool

    if TYPE_CHECKING:  # set in bound_to (plain attributes: relations are descriptors)
        _relation: Any
        _parent: Model

    @classmethod
    def bound_to(cls, relation: HasOneOrMany[R], parent: Model) -> HasManyQuery[R]:
        base = relation.related.query()
        if parent.get_key() is not None:
            base = relation.add_constraints(base, parent)
        bound = cls.__new__(cls)
        bound.__dict__.update(base.__dict__)
        bound._relation, bound._parent, bound._pristine = relation, parent, True
        return bound

    def _with(self, **changes: Any) -> Self:
        clone = super()._with(**changes)
        clone._pristine = False
        return clone

    def _models(self) -> Collection[R]:
        if self._pristine:
            found: Collection[R] = loaded_or_load(self._relation, self._parent)
            return found
        return self.get()

    def _reader(self, plan: Plan | None = None) -> Reader:
        """Every read goes through here: a parent without an id has no related models to
        query (unconstrained, the query would read every parent's)."""
        if self._parent.get_key() is None:
            raise QueryError(
                f"{self._relation.label}: this {type(self._parent).__name__} has no id yet; "
                "save it before querying its related models"
            )
        return super()._reader(plan)

    def __repr__(self) -> str:
        relation = self._relation
        state = "loaded" if is_loaded(self._parent, relation.name) else "not loaded"
        return f"<{relation.label} of {self._parent!r}: {state}>"

    # Writes.
    def _child_values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        relation, parent = self._relation, self._parent
        parent_id = parent.get_key()
        if parent_id is None:
            raise QueryError(
                f"{relation.label}: save the {type(parent).__name__} before adding to it"
            )
        link = relation.link_values(parent)
        clash = {k for k in link if k in values and values[k] != link[k]}
        if clash:
            raise QueryError(
                f"{relation.label}.create(): {', '.join(sorted(clash))} is set by the relation "
                f"(this {type(parent).__name__}'s id); leave it out"
            )
        return {**values, **link}

    def make(self, **values: Any) -> R:
        """A new, unsaved related model with the foreign key set."""
        made: R = self._relation.related(**self._child_values(values))
        return made

    def create(self, **values: Any) -> R:
        """Create a related model (``user.posts.create(title=...)`` sets ``user_id``)."""
        created: R = self._relation.related.create(**self._child_values(values))
        self._added([created])
        return created

    async def acreate(self, **values: Any) -> R:
        created: R = await self._relation.related.acreate(**self._child_values(values))
        self._added([created])
        return created

    def create_many(self, rows: Iterable[Mapping[str, Any]]) -> Collection[R]:
        return Collection([self.create(**row) for row in rows])

    async def acreate_many(self, rows: Iterable[Mapping[str, Any]]) -> Collection[R]:
        return Collection([await self.acreate(**row) for row in rows])

    def save(self, model: R) -> R:
        """Set ``model``'s foreign key to this parent and save it."""
        self._adopt(model)
        model.save()
        self._added([model])
        return model

    async def asave(self, model: R) -> R:
        self._adopt(model)
        await model.asave()
        self._added([model])
        return model

    def save_many(self, models: Iterable[R]) -> Collection[R]:
        return Collection([self.save(m) for m in models])

    async def asave_many(self, models: Iterable[R]) -> Collection[R]:
        return Collection([await self.asave(m) for m in models])

    def _adopt(self, model: R) -> None:
        related = self._relation.related
        if not isinstance(model, related):
            raise QueryError(
                f"{self._relation.label}.save() takes a {related.__name__}, not "
                f"{type(model).__name__}"
            )
        for name, value in self._child_values({}).items():
            setattr(model, name, value)

    def _added(self, models: list[R]) -> None:
        """Keep a loaded relation current with models added through it."""
        name = self._relation.name
        if is_loaded(self._parent, name) and self._relation.many:
            current = loaded_value(self._parent, name)
            self._parent.__dict__["_relations"][name] = Collection([*current, *models])


class _ReadQuery(_RelatedList[R], abc.ABC):
    """A relation read in two steps (edges or an intermediate model first, then the related
    models): the list face, queries of the related model (``where``, ``order_by``... return
    a derived relation query, read by ``get()``), and the reading terminals with their
    ``a``-twins. Subclasses give :meth:`_read_flow`."""

    def __init__(
        self, relation: Any, parent: Model, query: ModelQuery[R], *, pristine: bool = True
    ) -> None:
        self._relation = relation
        self._parent = parent
        self._query = query
        self._pristine = pristine

    def __repr__(self) -> str:
        state = "loaded" if is_loaded(self._parent, self._relation.name) else "not loaded"
        return f"<{self._relation.label} of {self._parent!r}: {state}>"

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        method = getattr(self._query, name)
        if not callable(method):
            return method  # type: ignore[no-any-return]

        def call(*args: Any, **kwargs: Any) -> Any:
            result = method(*args, **kwargs)
            if isinstance(result, ModelQuery):
                return self._derived(result)
            raise QueryError(
                f"{self._relation.label}.{name}() is not available here; read the related "
                "models with get()/first()/count() (or their a-twins)"
            )

        return call

    def _derived(self, query: ModelQuery[R]) -> Self:
        clone = copy.copy(self)
        clone._query, clone._pristine = query, False
        return clone

    @abc.abstractmethod
    def _read_flow(self) -> Flow[list[R]]: ...

    def _models(self) -> Collection[R]:
        if self._pristine:
            found: Collection[R] = loaded_or_load(self._relation, self._parent)
            return found
        return self.get()

    def _executor(self) -> Any:
        return self._query._executor()

    def get(self) -> Collection[R]:
        return Collection(self._executor().run(self._read_flow()))

    async def aget(self) -> Collection[R]:
        return Collection(await self._executor().arun(self._read_flow()))

    def first(self) -> R | None:
        return next(iter(self.get()), None)

    async def afirst(self) -> R | None:
        return next(iter(await self.aget()), None)

    def count(self) -> int:
        return len(self.get())

    async def acount(self) -> int:
        return len(await self.aget())

    def exists(self) -> bool:
        return self.first() is not None

    async def aexists(self) -> bool:
        return await self.afirst() is not None

    def pluck(self, attribute: str) -> Collection[Any]:
        return self.get().pluck(attribute)

    async def apluck(self, attribute: str) -> Collection[Any]:
        return (await self.aget()).pluck(attribute)


class ThroughQuery(_ReadQuery[R]):
    """``country.posts`` of a ``HasManyThrough``: read-only (add through the hops)."""

    def __init__(self, relation: HasManyThrough[R], parent: Model) -> None:
        super().__init__(relation, parent, relation.related.query())

    def _read_flow(self) -> Flow[list[R]]:
        relation, parent, name = self._relation, self._parent, self._relation.name
        mine = self._query.state

        def constraint(query: ModelQuery[R]) -> ModelQuery[R]:
            changes: dict[str, Any] = {"wheres": (*query.state.wheres, *mine.wheres)}
            if mine.limit is not None:
                changes["limit"] = mine.limit
            if mine.order is not None:
                changes["order"] = mine.order
            return query._with(**changes)

        before = loaded_value(parent, name) if is_loaded(parent, name) else _UNSET
        yield from relation.eager_flow([parent], constraint, None)
        found: list[R] = list(loaded_value(parent, name))
        if before is _UNSET:
            forget_loaded(parent, name)
        else:
            parent.__dict__["_relations"][name] = before
        return found


_UNSET = object()


class BelongsToManyQuery(_ReadQuery[R]):
    """``user.roles``: the user's roles as a list (module docstring), queries of them
    (``user.roles.where("name", "admin").get()``: the edges, then the roles they name), and
    the edge writes. Every terminal and write has its ``a``-prefixed twin."""

    _pivot_columns: tuple[str, ...] | None = None

    @classmethod
    def bound_to(cls, relation: BelongsToMany[R], parent: Model) -> BelongsToManyQuery[R]:
        return cls(relation, parent, relation.related.query())

    def with_pivot(self, *columns: str) -> BelongsToManyQuery[R]:
        """Read these pivot attributes onto each result's ``pivot`` (default: all declared)."""
        pivot_values(self._relation, dict.fromkeys(columns))  # unknown names are refused
        clone = self._derived(self._query)
        clone._pivot_columns = columns
        return clone

    def _read_flow(self) -> Flow[list[R]]:
        relation, parent = self._relation, self._parent
        parent_id = parent.get_key()
        if parent_id is None:
            return []
        edges = yield from edges_flow(relation, [parent_id])
        found = next(iter(edges.values()), [])
        ids = list(dict.fromkeys(e[relation.related_key] for e in found))
        if not ids:
            return []
        related = relation.related
        query = self._query
        limit = query.state.limit
        query = query._with(limit=None).where_in(related.__definition__.primary_key, ids)
        from dynamodb_tooling.orm.relations.base import results_flow

        results = yield from results_flow(query)
        key = related.__definition__.primary_key
        by_id = {str(getattr(m, key)): m for m in results}
        columns = relation.edge_attributes if self._pivot_columns is None else self._pivot_columns
        ordered = []
        for edge in found:
            model = by_id.get(str(edge[relation.related_key]))
            if model is not None:
                model.__dict__["pivot"] = Pivot.of(relation, edge, columns)
                ordered.append(model)
        if query.state.order is not None:
            ordered = [m for m in results if m in ordered]
        return ordered[:limit] if limit is not None else ordered

    # Writing edges.
    def _parent_id(self) -> Any:
        parent_id = self._parent.get_key()
        if parent_id is None:
            raise QueryError(
                f"{self._relation.label}: save the {type(self._parent).__name__} before linking it"
            )
        return parent_id

    def _targets(self, items: Any, values: Mapping[str, Any]) -> dict[Any, dict[str, Any]]:
        """``attach``'s argument as related id → pivot values: a model, an id, a list of
        them, or a mapping id → pivot values."""
        if isinstance(items, Mapping):
            targets = {}
            for item, own in items.items():
                (found,) = related_ids(self._relation, [item])
                targets[found] = {**values, **(own or {})}
            return targets
        listed = (
            items if isinstance(items, list | tuple | set | frozenset | Collection) else [items]
        )
        return {found: dict(values) for found in related_ids(self._relation, listed)}

    def _run(self, flow: Flow[Any]) -> Any:
        result = self._executor().run(flow)
        forget_loaded(self._parent, self._relation.name)
        return result

    async def _arun(self, flow: Flow[Any]) -> Any:
        result = await self._executor().arun(flow)
        forget_loaded(self._parent, self._relation.name)
        return result

    def _attach_flow(self, items: Any, values: Mapping[str, Any]) -> Flow[None]:
        targets = self._targets(items, values)
        for own in targets.values():
            pivot_values(self._relation, own)
        change = EdgeChange(put=targets, check=frozenset(targets))
        yield from change_flow(self._relation, self._parent_id(), change)

    def attach(self, items: Any, **pivot: Any) -> None:
        """Link related models (ids or models; a mapping id → pivot values for per-link
        values) with ``pivot`` attribute values. Attaching a linked model again updates its
        pivot values; a missing model is refused and nothing is linked."""
        self._run(self._attach_flow(items, pivot))

    async def aattach(self, items: Any, **pivot: Any) -> None:
        await self._arun(self._attach_flow(items, pivot))

    def _current_flow(self) -> Flow[dict[str, dict[str, Any]]]:
        edges = yield from edges_flow(self._relation, [self._parent_id()])
        key = self._relation.related_key
        return {str(e[key]): e for found in edges.values() for e in found}

    def _detach_flow(self, items: Any) -> Flow[int]:
        if items is None:
            current = yield from self._current_flow()
            ids = [edge[self._relation.related_key] for edge in current.values()]
        else:
            ids = list(self._targets(items, {}))
        if ids:
            yield from change_flow(self._relation, self._parent_id(), EdgeChange(delete=tuple(ids)))
        return len(ids)

    def detach(self, items: Any = None) -> int:
        """Unlink related models (ids or models; none given: all). Returns how many links
        were asked to go (unlinking an unlinked model is a no-op)."""
        result: int = self._run(self._detach_flow(items))
        return result

    async def adetach(self, items: Any = None) -> int:
        result: int = await self._arun(self._detach_flow(items))
        return result

    def _sync_flow(self, items: Any, detaching: bool) -> Flow[dict[str, list[Any]]]:
        wanted = self._targets(items, {})
        current = yield from self._current_flow()
        relation = self._relation
        attached = [i for i in wanted if str(i) not in current]
        updated = []
        for related_id, values in wanted.items():
            edge = current.get(str(related_id))
            stored = pivot_values(relation, values)
            if edge is not None and any(edge.get(k) != v for k, v in stored.items()):
                updated.append(related_id)
        detached = (
            [
                e[relation.related_key]
                for k, e in current.items()
                if k not in {str(i) for i in wanted}
            ]
            if detaching
            else []
        )
        put = {
            i: {**_kept(relation, current.get(str(i))), **wanted[i]} for i in (*attached, *updated)
        }
        change = EdgeChange(put=put, delete=tuple(detached), check=frozenset(attached))
        if put or detached:
            yield from change_flow(relation, self._parent_id(), change)
        return {"attached": attached, "detached": detached, "updated": updated}

    def sync(self, items: Any, *, detaching: bool = True) -> dict[str, list[Any]]:
        """Make the links exactly ``items`` (ids/models, or id → pivot values): links the
        missing, unlinks the others, updates changed pivot values. Returns the ids
        ``{"attached": [...], "detached": [...], "updated": [...]}``."""
        result: dict[str, list[Any]] = self._run(self._sync_flow(items, detaching))
        return result

    async def async_(self, items: Any, *, detaching: bool = True) -> dict[str, list[Any]]:
        result: dict[str, list[Any]] = await self._arun(self._sync_flow(items, detaching))
        return result

    def sync_without_detaching(self, items: Any) -> dict[str, list[Any]]:
        return self.sync(items, detaching=False)

    async def async_without_detaching(self, items: Any) -> dict[str, list[Any]]:
        return await self.async_(items, detaching=False)

    def _toggle_flow(self, items: Any) -> Flow[dict[str, list[Any]]]:
        wanted = self._targets(items, {})
        current = yield from self._current_flow()
        attached = [i for i in wanted if str(i) not in current]
        detached = [i for i in wanted if str(i) in current]
        put = {i: wanted[i] for i in attached}
        change = EdgeChange(put=put, delete=tuple(detached), check=frozenset(attached))
        if put or detached:
            yield from change_flow(self._relation, self._parent_id(), change)
        return {"attached": attached, "detached": detached}

    def toggle(self, items: Any) -> dict[str, list[Any]]:
        """Link the given models that are not linked, unlink those that are."""
        result: dict[str, list[Any]] = self._run(self._toggle_flow(items))
        return result

    async def atoggle(self, items: Any) -> dict[str, list[Any]]:
        result: dict[str, list[Any]] = await self._arun(self._toggle_flow(items))
        return result

    def _update_pivot_flow(self, item: Any, values: Mapping[str, Any]) -> Flow[bool]:
        (related_id,) = related_ids(self._relation, [item])
        current = yield from self._current_flow()
        edge = current.get(str(related_id))
        if edge is None:
            return False
        merged = {**_kept(self._relation, edge), **values}
        yield from change_flow(
            self._relation, self._parent_id(), EdgeChange(put={related_id: merged})
        )
        return True

    def update_existing_pivot(self, item: Any, **values: Any) -> bool:
        """Change pivot values of an existing link; ``False`` when there is no such link."""
        pivot_values(self._relation, values)
        result: bool = self._run(self._update_pivot_flow(item, values))
        return result

    async def aupdate_existing_pivot(self, item: Any, **values: Any) -> bool:
        pivot_values(self._relation, values)
        result: bool = await self._arun(self._update_pivot_flow(item, values))
        return result


def _kept(relation: BelongsToMany[Any], edge: Mapping[str, Any] | None) -> dict[str, Any]:
    """The pivot values an edge holds (kept when it is rewritten)."""
    if edge is None:
        return {}
    return {k: edge[k] for k in relation.edge_attributes if k in edge}
