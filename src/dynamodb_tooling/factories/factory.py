"""``Factory[M]``: fake models for tests and seeding (Laravel's model factories).

>>> class UserFactory(Factory[User]):
...     def definition(self) -> dict[str, Any]:
...         return {"name": self.faker.name(), "email": self.faker.unique.email()}
...
...     def admin(self) -> Self:  # a named state
...         return self.state(role="admin")
>>> UserFactory().count(3).admin().create()             # doctest: +SKIP
>>> User.factory().for_(team).has(Post.factory().count(2)).create()  # doctest: +SKIP

Builders are generative (each method returns a new factory; a half-built one is reusable).
Attributes are resolved in this order, later winning: ``definition()``, states and sequences
(in the order they were added), ``for_`` foreign keys, the overrides given to
``make``/``create``/``raw``. Then lazy values are expanded: a value that is a factory becomes
the id of the model it makes (``create()``: creates), a model becomes its id, a callable is
called with the attributes so far.

``make()``/``create()`` return one model, or a :class:`Collection` after ``count(n)``;
``make_many()``/``create_many()`` always return a collection (typed). ``create()`` writes by
the cheapest path that keeps the model's guarantees (see :mod:`._persist`); ``has`` and
``has_attached`` then create the children and attach the related models (``create`` only),
and ``after_creating`` callbacks run. ``acreate()`` is the async twin.
"""

from __future__ import annotations

import asyncio
import copy
import difflib
import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Self, TypeVar, get_args, get_origin

from dynamodb_tooling.factories import _relations
from dynamodb_tooling.factories._faker import seed_faker, shared_faker
from dynamodb_tooling.factories._persist import persist_flow, write_path
from dynamodb_tooling.factories.errors import FactoryError
from dynamodb_tooling.factories.generated import generated_definition
from dynamodb_tooling.factories.registry import register_factory
from dynamodb_tooling.factories.stacks import read_stacks_factory
from dynamodb_tooling.query.executor import default_executor
from dynamodb_tooling.query.results import Collection

if TYPE_CHECKING:
    from faker import Faker

    from dynamodb_tooling.orm.model import Model

M = TypeVar("M", bound="Model")

__all__ = ["Factory", "Sequence_"]

#: A state: values, or a callable of the attributes so far giving values.
State = Mapping[str, Any] | Callable[[dict[str, Any]], Mapping[str, Any]]
Callback = Callable[[Any], Any]


class Sequence_:  # noqa: N801 - "Sequence" is collections.abc's
    """Values that cycle over the models a factory makes (Laravel's ``Sequence``): each
    entry is values or a callable of the model's index (0, 1, 2 … across calls)."""

    def __init__(self, *entries: Mapping[str, Any] | Callable[[int], Mapping[str, Any]]) -> None:
        if not entries:
            raise FactoryError("sequence() needs at least one entry (values or a callable)")
        self.entries = entries
        self.index = 0

    def __call__(self, attributes: dict[str, Any]) -> Mapping[str, Any]:
        entry = self.entries[self.index % len(self.entries)]
        index, self.index = self.index, self.index + 1
        return entry(index) if callable(entry) else entry


@dataclass(frozen=True)
class _For:
    parent: Any  # a saved model, or a factory making one
    relation: str | None


@dataclass(frozen=True)
class _Has:
    factory: Factory[Any]
    relation: str | None


@dataclass(frozen=True)
class _Attached:
    related: Any  # a factory, or models
    pivot: Mapping[str, Any] | Callable[[Any], Mapping[str, Any]]
    relation: str | None


class Factory(Generic[M]):
    """Makes fake ``model`` instances; see the module docstring. Subclass it with the model
    as the type argument (``class UserFactory(Factory[User])``) — that registers it as
    ``User.factory()`` — and override :meth:`definition`."""

    model: ClassVar[type[Any]]
    #: ``False`` for a factory that should not become its model's ``Model.factory()``.
    register: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        model = cls.__dict__.get("model") or _model_argument(cls)
        if model is None:
            return  # an abstract base (no model yet) or a subclass of a concrete factory
        if not hasattr(model, "__definition__"):
            raise FactoryError(
                f"{cls.__name__}: model={model!r} is not a Model class; write "
                f"class {cls.__name__}(Factory[YourModel])"
            )
        cls.model = model
        if cls.__dict__.get("register", True):
            register_factory(cls)

    def __init__(self) -> None:
        if not hasattr(type(self), "model"):
            raise FactoryError(
                f"{type(self).__name__} has no model; subclass Factory[YourModel] (or set "
                "model = YourModel on the class)"
            )
        self._count: int | None = None
        self._states: tuple[Callable[[dict[str, Any]], Mapping[str, Any]], ...] = ()
        self._for: tuple[_For, ...] = ()
        self._has: tuple[_Has, ...] = ()
        self._attached: tuple[_Attached, ...] = ()
        self._after_making: tuple[Callback, ...] = ()
        self._after_creating: tuple[Callback, ...] = ()
        configured = self.configure()
        self._after_making = configured._after_making
        self._after_creating = configured._after_creating

    @classmethod
    def new(cls, **state: Any) -> Self:
        """A fresh factory (``UserFactory.new(role="admin")`` = ``UserFactory().state(...)``)."""
        made = cls()
        return made.state(**state) if state else made

    def __repr__(self) -> str:
        count = "" if self._count is None else f" count={self._count}"
        return f"<{type(self).__name__} of {self.model.__name__}{count}>"

    def __getattr__(self, name: str) -> Any:
        """Only reached for a name the factory does not have: a misspelled state."""
        if name.startswith("_"):
            raise AttributeError(name)
        states = [n for n in dir(type(self)) if not n.startswith("_")]
        close = difflib.get_close_matches(name, states, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise AttributeError(
            f"{type(self).__name__} has no state or method {name!r}{hint} (define a state as "
            f"a method: def {name}(self): return self.state(...))"
        )

    # What to override.
    def definition(self) -> dict[str, Any]:
        """The model's default fake attributes. The base gives values generated from the
        attribute types and validation rules (and a Stacks model's ``factory`` function where
        it can be read); override it, using ``self.faker``."""
        definition = self.model.__definition__
        values = generated_definition(definition, self.faker)
        if definition.factory is not None:
            values |= read_stacks_factory(definition.factory).values(self.faker)
        return values

    def configure(self) -> Self:
        """Override to register callbacks for every use of this factory:
        ``return self.after_making(...).after_creating(...)``."""
        return self

    # Faker and seeding.
    @property
    def faker(self) -> Faker:
        """The shared :class:`faker.Faker` (seeded by :meth:`seed`)."""
        return shared_faker()

    @staticmethod
    def seed(value: int) -> None:
        """Seed Faker: the same seed gives the same fake attributes, run after run (ids stay
        time-ordered and random)."""
        seed_faker(value)

    # Building (each returns a new factory).
    def _with(self, **changes: Any) -> Self:
        clone = copy.copy(self)
        for name, value in changes.items():
            setattr(clone, name, value)
        return clone

    def count(self, n: int) -> Self:
        """Make ``n`` models: ``make()``/``create()`` then return a collection."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise FactoryError(f"count() takes a whole number ≥ 0, not {n!r}")
        return self._with(_count=n)

    def times(self, n: int) -> Self:
        """Laravel's alias of :meth:`count`."""
        return self.count(n)

    def state(self, values: State | None = None, /, **attributes: Any) -> Self:
        """Values over the definition: a mapping, keywords, or a callable taking the
        attributes so far and returning values (``state(lambda a: {"slug": a["title"]})``)."""
        added: list[Callable[[dict[str, Any]], Mapping[str, Any]]] = []
        if values is not None:
            if callable(values):
                added.append(values)
            elif isinstance(values, Mapping):
                fixed = dict(values)
                added.append(lambda _: fixed)
            else:
                raise FactoryError(
                    f"state() takes a mapping, a callable or keywords, not {values!r}"
                )
        if attributes:
            added.append(lambda _: attributes)
        return self._with(_states=(*self._states, *added))

    def sequence(
        self,
        *entries: Mapping[str, Any] | Callable[[int], Mapping[str, Any]],
        **cycles: Sequence[Any],
    ) -> Self:
        """Values cycling over the models made: ``sequence({"role": "admin"}, {"role":
        "user"})``, ``sequence(lambda i: {"name": f"User {i}"})``, or per attribute
        ``sequence(role=["admin", "user"])``."""
        for name, options in cycles.items():
            if isinstance(options, str) or not options:
                raise FactoryError(f"sequence({name}=...) takes a non-empty list of values")
        if cycles:
            entries = (*entries, lambda i: {k: v[i % len(v)] for k, v in cycles.items()})
        return self._with(_states=(*self._states, Sequence_(*entries)))

    def for_(self, parent: Any, relation: str | None = None) -> Self:
        """Belong to ``parent`` (a saved model, or a factory: its model is made or created
        once per ``make``/``create`` call): sets the foreign key of the belongs-to relation to
        it (``relation`` names it when there are several)."""
        if not (isinstance(parent, Factory) or hasattr(type(parent), "__definition__")):
            raise FactoryError(f"for_() takes a model or a factory, not {parent!r}")
        return self._with(_for=(*self._for, _For(parent, relation)))

    def has(self, children: Factory[Any], relation: str | None = None) -> Self:
        """After each model is created, create ``children`` (a factory, with its count)
        through the has-many/has-one relation to them (``create()`` only)."""
        if not isinstance(children, Factory):
            raise FactoryError(f"has() takes a factory (Post.factory().count(3)), not {children!r}")
        return self._with(_has=(*self._has, _Has(children, relation)))

    def has_attached(
        self,
        related: Any,
        pivot: Mapping[str, Any] | Callable[[Any], Mapping[str, Any]] | None = None,
        relation: str | None = None,
    ) -> Self:
        """After each model is created, attach ``related`` through the many-to-many relation
        (``relation.attach``) with ``pivot`` values (a mapping, or a callable of the parent):
        a factory creates new related models for each parent, models are attached as they
        are."""
        if not isinstance(related, Factory):
            _model_of(related)  # refused now, not after the parents are written
        return self._with(_attached=(*self._attached, _Attached(related, pivot or {}, relation)))

    def after_making(self, callback: Callback) -> Self:
        """Call ``callback(model)`` on every model made (by ``make`` and ``create``)."""
        return self._with(_after_making=(*self._after_making, callback))

    def after_creating(self, callback: Callback) -> Self:
        """Call ``callback(model)`` on every model created (awaited in ``acreate`` when
        async)."""
        return self._with(_after_creating=(*self._after_creating, callback))

    # Attributes.
    def _attributes(
        self, overrides: Mapping[str, Any], links: Mapping[str, Any], create: bool
    ) -> dict[str, Any]:
        values = dict(self.definition())
        for state in self._states:
            values.update(state(values))
        values.update(links)
        values.update(overrides)
        return self._expanded(values, create)

    def _expanded(self, values: dict[str, Any], create: bool) -> dict[str, Any]:
        for name, value in list(values.items()):
            if isinstance(value, Factory):
                value = value._single("an attribute").create() if create else value.make()
            if hasattr(type(value), "__definition__"):
                value = value.get_key()
            elif callable(value) and not isinstance(value, type):
                value = value(values)
            values[name] = value
        return values

    def _single(self, what: str) -> Self:
        if self._count not in (None, 1):
            raise FactoryError(
                f"{what} takes a factory of one {self.model.__name__}, not count({self._count})"
            )
        return self._with(_count=None)

    def raw(self, **overrides: Any) -> Any:
        """The attributes (dicts) ``make`` would use, without making models: one dict, or a
        list after ``count(n)``. Nested factories are made, never written."""
        rows = [
            self._attributes(overrides, self._link_values()[0], False) for _ in range(self._size)
        ]
        return rows if self._count is not None else rows[0]

    @property
    def _size(self) -> int:
        return 1 if self._count is None else self._count

    # Making.
    def _instance(self, attributes: Mapping[str, Any], parents: Mapping[str, Any]) -> M:
        instance: M = self.model()
        instance.force_fill(**attributes)
        for name, parent in parents.items():
            instance.set_relation(name, parent)
        return instance

    def _made(
        self,
        overrides: Mapping[str, Any],
        links: tuple[dict[str, Any], dict[str, Any]],
        n: int,
        *,
        create: bool = True,
    ) -> list[M]:
        values, parents = links
        made = [
            self._instance(self._attributes(overrides, values, create), parents) for _ in range(n)
        ]
        for instance in made:
            for callback in self._after_making:
                callback(instance)
        return made

    def _link_values(
        self, parents: Sequence[Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The foreign keys of the ``for_`` parents and the parents by relation name:
        ``parents`` are the ones ``create`` wrote; without them a parent factory makes one
        (unsaved) model."""
        values: dict[str, Any] = {}
        loaded: dict[str, Any] = {}
        for index, spec in enumerate(self._for):
            parent = spec.parent
            if parents is not None:
                parent = parents[index]
            elif isinstance(parent, Factory):
                parent = parent._single("for_()").make()
            relation = _relations.belongs_to(self.model, type(parent), spec.relation)
            values |= _relations.parent_values(relation, parent)
            loaded[relation.name] = parent
        return values, loaded

    def make(self, **overrides: Any) -> Any:
        """Models, not written: one, or a :class:`Collection` after ``count(n)``
        (``has``/``has_attached`` need saved parents: ``create()`` only)."""
        made = self._made(overrides, self._link_values(), self._size, create=False)
        return self._shaped(made)

    def make_many(self, **overrides: Any) -> Collection[M]:
        """:meth:`make` typed as a collection (``count`` models, default 1)."""
        return Collection(self._made(overrides, self._link_values(), self._size, create=False))

    def _shaped(self, models: list[M]) -> Any:
        return Collection(models) if self._count is not None else models[0]

    # Creating.
    def create(self, **overrides: Any) -> Any:
        """Models, written (see :mod:`._persist` for the write path): one, or a
        :class:`Collection` after ``count(n)``."""
        return self._shaped(self._create(overrides))

    def create_many(self, **overrides: Any) -> Collection[M]:
        """:meth:`create` typed as a collection."""
        return Collection(self._create(overrides))

    def _parents(self) -> list[Any]:
        return [
            s.parent._single("for_()").create() if isinstance(s.parent, Factory) else s.parent
            for s in self._for
        ]

    def _create(self, overrides: Mapping[str, Any]) -> list[M]:
        values, parents = self._link_values(self._parents())
        made = self._made(overrides, (values, parents), self._size)
        saved = self._persist(made)
        self._finish(saved)
        return saved

    def _persist(self, made: list[M]) -> list[M]:
        if not made:
            return []
        if write_path(self.model) == "save":
            return [instance.save() for instance in made]
        saved: list[M] = default_executor().run(persist_flow(self.model, made))
        return saved

    def _finish(self, saved: list[M]) -> None:
        for spec in self._has:
            self._create_children(spec, saved)
        for attached in self._attached:
            relation = self._many_to_many(attached)
            for parent in saved:
                getattr(parent, relation.name).attach(
                    self._related(attached, create=True), **_pivot(attached, parent)
                )
        for instance in saved:
            for callback in self._after_creating:
                callback(instance)

    def _create_children(self, spec: _Has, parents: list[M]) -> None:
        relation, groups = self._children(spec, parents, spec.factory._parents())
        saved = spec.factory._persist([c for group in groups for c in group])
        spec.factory._finish(saved)
        _hand_out(relation, parents, groups, saved)

    def _children(
        self, spec: _Has, parents: list[M], for_parents: list[Any]
    ) -> tuple[Any, list[list[Any]]]:
        """The has-relation and the children made for each parent (not written yet)."""
        relation = _relations.has_children(self.model, spec.factory.model, spec.relation)
        child = spec.factory
        links = child._link_values(for_parents)
        return relation, [child._made(relation.link_values(p), links, child._size) for p in parents]

    def _many_to_many(self, spec: _Attached) -> Any:
        related = spec.related
        target = related.model if isinstance(related, Factory) else _model_of(related)
        return _relations.belongs_to_many(self.model, target, spec.relation)

    def _related(self, spec: _Attached, *, create: bool) -> list[Any]:
        if isinstance(spec.related, Factory):
            return list(spec.related.create_many()) if create else []
        return list(spec.related) if _many(spec.related) else [spec.related]

    # Async twins.
    async def acreate(self, **overrides: Any) -> Any:
        """The async twin of :meth:`create` (writes on the async executor; models with
        listeners are saved concurrently with ``asave()``)."""
        return self._shaped(await self._acreate(overrides))

    async def acreate_many(self, **overrides: Any) -> Collection[M]:
        """The async twin of :meth:`create_many`."""
        return Collection(await self._acreate(overrides))

    async def _aparents(self) -> list[Any]:
        found = []
        for spec in self._for:
            parent = spec.parent
            if isinstance(parent, Factory):
                parent = await parent._single("for_()").acreate()
            found.append(parent)
        return found

    async def _acreate(self, overrides: Mapping[str, Any]) -> list[M]:
        values, parents = self._link_values(await self._aparents())
        made = self._made(overrides, (values, parents), self._size)
        saved = await self._apersist(made)
        await self._afinish(saved)
        return saved

    async def _apersist(self, made: list[M]) -> list[M]:
        if not made:
            return []
        if write_path(self.model) == "save":
            return list(await asyncio.gather(*(instance.asave() for instance in made)))
        saved: list[M] = await default_executor().arun(persist_flow(self.model, made))
        return saved

    async def _afinish(self, saved: list[M]) -> None:
        for spec in self._has:
            relation, groups = self._children(spec, saved, await spec.factory._aparents())
            stored = await spec.factory._apersist([c for group in groups for c in group])
            await spec.factory._afinish(stored)
            _hand_out(relation, saved, groups, stored)
        for attached in self._attached:
            relation = self._many_to_many(attached)
            for parent in saved:
                related = await self._arelated(attached)
                await getattr(parent, relation.name).aattach(related, **_pivot(attached, parent))
        for instance in saved:
            for callback in self._after_creating:
                result = callback(instance)
                if inspect.isawaitable(result):
                    await result

    async def _arelated(self, spec: _Attached) -> list[Any]:
        if isinstance(spec.related, Factory):
            return list(await spec.related.acreate_many())
        return self._related(spec, create=False)


def _hand_out(relation: Any, parents: list[Any], groups: list[list[Any]], saved: list[Any]) -> None:
    """Set each parent's relation to its children as stored (``saved`` is in group order)."""
    start = 0
    for parent, group in zip(parents, groups, strict=True):
        mine = saved[start : start + len(group)]
        start += len(group)
        if relation.many:
            parent.set_relation(relation.name, Collection(mine))
        else:
            parent.set_relation(relation.name, mine[0] if mine else None)


def _many(related: Any) -> bool:
    return isinstance(related, Sequence) and not isinstance(related, str)


def _pivot(spec: _Attached, parent: Any) -> dict[str, Any]:
    return dict(spec.pivot(parent) if callable(spec.pivot) else spec.pivot)


def _model_of(related: Any) -> type[Any]:
    first = related[0] if _many(related) and related else related
    if not hasattr(type(first), "__definition__"):
        raise FactoryError(
            f"has_attached() takes a factory, a saved model or a list of them, not {related!r}"
        )
    return type(first)


def _model_argument(cls: type) -> type[Any] | None:
    """The model of ``class UserFactory(Factory[User])`` (``None``: no concrete one)."""
    for base in getattr(cls, "__orig_bases__", ()):
        origin = get_origin(base)
        if isinstance(origin, type) and issubclass(origin, Factory):
            args = get_args(base)
            if args and isinstance(args[0], type):
                return args[0]
    return None
