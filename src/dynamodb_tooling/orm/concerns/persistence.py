"""Persistence: inserting, updating and deleting instances."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeAlias

from dynamodb_tooling.drivers.client import DynamoDBClient, get_client
from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.orm import events
from dynamodb_tooling.orm.concerns.change_tracking import ModelState, snapshot
from dynamodb_tooling.orm.transaction import active_transaction
from dynamodb_tooling.query.unique import arun_write, run_write
from dynamodb_tooling.query.writes import WriteCompiler, WritePlan
from dynamodb_tooling.schema import ModelDefinition, Registry
from dynamodb_tooling.schema.traits import uses
from dynamodb_tooling.schema.transformer import (
    EntityTransformer,
    written_function,
)

if TYPE_CHECKING:
    from dynamodb_tooling.orm.concerns.attributes import Hydration
    from dynamodb_tooling.orm.concerns.change_tracking import Exists
    from dynamodb_tooling.orm.query import ModelQuery

#: A write and what the instance does once it is written: every persistence method builds
#: one, and its sync and async twins only differ in how the write is run.
Operation: TypeAlias = tuple[WritePlan | None, Callable[[], None]]


@dataclass(frozen=True)
class Followup:
    """What follows a write gathered by a transaction, once it is committed: the instance
    takes the written values (``finish``), then the "after" events fire on ``instance``."""

    finish: Callable[[], None]
    after: tuple[str, ...]
    instance: Any

    def run(self) -> None:
        self.finish()
        self.instance._fire_after(self.after)

    async def arun(self) -> None:
        self.finish()
        await self.instance._afire_after(self.after)


class InsertPath:
    """How one model class inserts a new instance, derived once per registry resolution:
    its compiled insert (the general one for anything unusual), its compiled read-back of
    what the write changed (:func:`written_function`) and its hydration (stored names,
    snapshot), looked up once."""

    __slots__ = ("builder", "compiler", "hydration", "model", "written")

    def __init__(self, cls: type[Persistence]) -> None:
        model = self.model = cls.__definition__.name
        compiler = self.compiler = cls._compiler()
        self.builder = compiler.insert_builder(model)
        self.hydration: Hydration = cls._hydration()  # its names and snapshot
        # The compiler's transformer is the model's (one per registry resolution).
        self.written = written_function(compiler.transformer, model)

    def plan(self, values: Mapping[str, Any]) -> WritePlan:
        """``compiler.insert(model, values)``."""
        plan = self.builder.plan(values)
        return plan if plan is not None else self.compiler.insert_general(self.model, values)


class Persistence:
    """Saving and deleting (Eloquent's ``create``/``save``/``delete``...). Writes compile
    through :class:`WriteCompiler` (unique sentinels, versions, derived keys) and run through
    ``run_write`` (typed errors); ``save()`` sends only what changed."""

    __slots__ = ()

    __definition__: ClassVar[ModelDefinition]
    __registry__: ClassVar[Registry]

    if TYPE_CHECKING:  # provided by the other concerns; declared for type checkers only

        def __init__(self, **values: Any) -> None: ...

        def _initialise(self, values: dict[str, Any], *, guarded: bool) -> None: ...

        @classmethod
        def _transformer(cls) -> EntityTransformer: ...

        @classmethod
        def query(cls) -> ModelQuery[Self]: ...

        def to_values(self) -> dict[str, Any]: ...

        @property
        def _state(self) -> ModelState: ...

        exists: ClassVar[Exists]

        def _remember(self, hydration: Hydration | None = None) -> None: ...

        @classmethod
        def _hydration(cls) -> Hydration: ...

        def _remember_only(self, names: Iterable[str]) -> None: ...

        def get_original(self, attribute: str | None = None) -> Any: ...

        def get_dirty(self) -> dict[str, Any]: ...

        @classmethod
        def _guard(cls, values: Mapping[str, Any]) -> None: ...

        @classmethod
        def _check_names(cls, values: Mapping[str, Any]) -> None: ...

        def _assign(self, values: Mapping[str, Any]) -> None: ...

        def _check_before_write(
            self, values: Mapping[str, Any], write: Callable[[], WritePlan]
        ) -> WritePlan: ...

        def _fire_before(self, action: str) -> tuple[str, ...] | None: ...

        async def _afire_before(self, action: str) -> tuple[str, ...] | None: ...

        def _fire_after(self, after: tuple[str, ...]) -> None: ...

        async def _afire_after(self, after: tuple[str, ...]) -> None: ...

    # Plumbing.
    @classmethod
    def _compiler(cls) -> WriteCompiler:
        registry = cls.__registry__  # one per registry resolution (its table, its config)
        return registry.derived(WriteCompiler, lambda: WriteCompiler(registry))

    @classmethod
    def _client(cls) -> DynamoDBClient:
        return get_client()

    def _run(self, plan: WritePlan) -> None:
        run_write(type(self)._client(), plan)

    def _absorb(self, stored: dict[str, Any]) -> None:
        """Take values the write set (timestamps, version) back, cast to Python."""
        name = type(self).__definition__.name
        entity_type = self.__registry__.config.single_table_design.entity_type_attribute
        values = type(self)._transformer().from_item({**stored, entity_type: name}, name)
        self._state.values.update(values)

    # Creating and saving.
    @classmethod
    def create(cls, **values: Any) -> Self:
        """Make an instance and insert it (unique values reserved in the same transaction).

        Guarded attributes are refused (:class:`MassAssignmentError`); see
        :meth:`force_create`.
        """
        instance = cls(**values)
        instance.save()
        return instance

    @classmethod
    async def acreate(cls, **values: Any) -> Self:
        """The async twin of :meth:`create`."""
        instance = cls(**values)
        await instance.asave()
        return instance

    @classmethod
    def force_create(cls, **values: Any) -> Self:
        """``create()`` that may set guarded attributes (Eloquent's ``forceCreate``)."""
        instance = cls.__new__(cls)
        instance._initialise(values, guarded=False)
        instance.save()
        return instance

    def save(self) -> Self:
        """Insert a new instance, or update only the attributes that changed."""
        return self._do("save", self._save_op)

    async def asave(self) -> Self:
        """The async twin of :meth:`save`."""
        return await self._ado("save", self._save_op)

    def _save_op(self) -> Operation:
        state = self._state
        if not state.exists:
            return self._insert_op(state)
        name = type(self).__definition__.name
        compiler = type(self)._compiler()
        changes = self.get_dirty()
        if not changes:
            return None, lambda: None
        update = self._check_before_write(
            changes, lambda: compiler.update(name, self.get_original(), changes)
        )

        def updated() -> None:
            self._absorb(dict(update.changes or {}))
            self._state.changes = changes
            self._remember()

        return update, updated

    def _insert_op(self, state: ModelState) -> Operation:
        """The insert ``save()`` sends for a new instance, and how the instance then follows
        it: only what the write changed is read back (timestamps, the version, cast values),
        the values sent unchanged are the instance's already."""
        path = type(self)._insert_path()
        hydration = path.hydration
        values = state.values
        # to_values(), without its look-up when every name is a stored one (as _remember does)
        sent = dict(values) if hydration.allowed.issuperset(values) else self.to_values()
        plan = self._check_before_write(sent, lambda: path.plan(sent))

        def inserted() -> None:
            assert plan.item is not None
            state.values.update(path.written(sent, plan.item))
            self._remember(hydration)

        return plan, inserted

    @classmethod
    def _insert_path(cls) -> InsertPath:
        registry = cls.__registry__
        return registry.derived((InsertPath, cls), lambda: InsertPath(cls))

    def _do(self, action: str, build: Callable[[], Operation]) -> Self:
        """Fire ``action``'s "before" events (a ``False`` cancels: nothing is written), build
        its write, run it (or gather it into the active ``with transaction():``), let the
        instance follow the write, then fire the "after" events."""
        after = self._fire_before(action)
        if after is None:
            return self
        plan, finish = build()
        tx = active_transaction()
        if tx is not None:
            tx.gather(plan, self._following(finish, after))
            return self
        if plan is not None:
            self._run(plan)
        finish()
        self._fire_after(after)
        return self

    async def _ado(self, action: str, build: Callable[[], Operation]) -> Self:
        """The async twin of :meth:`_do` (async listeners awaited)."""
        after = await self._afire_before(action)
        if after is None:
            return self
        plan, finish = build()
        tx = active_transaction()
        if tx is not None:
            tx.gather(plan, self._following(finish, after))
            return self
        if plan is not None:
            await arun_write(type(self)._client(), plan)
        finish()
        await self._afire_after(after)
        return self

    def _following(self, finish: Callable[[], None], after: tuple[str, ...]) -> Followup:
        """What a transaction does for this write once committed (events muted now stay
        muted then)."""
        muted = events.is_muted(type(self))
        return Followup(finish, () if muted else after, self)

    def update(self, **changes: Any) -> Self:
        """Set fillable attributes and save them (guarded ones are refused, nothing sent)."""
        type(self)._guard(changes)
        self._assign(changes)
        return self.save()

    async def aupdate(self, **changes: Any) -> Self:
        """The async twin of :meth:`update`."""
        type(self)._guard(changes)
        self._assign(changes)
        return await self.asave()

    # Deleting.
    def delete(self) -> None:
        """Delete the instance (soft-delete when the model uses soft deletes)."""
        self._do("delete", self._delete_op)

    async def adelete(self) -> None:
        """The async twin of :meth:`delete`."""
        await self._ado("delete", self._delete_op)

    def _delete_op(self) -> Operation:
        """The delete ``delete()`` sends: removing the item (traits such as soft deletes
        override it)."""
        self._require_saved("delete")
        return self._force_delete_op()

    def force_delete(self) -> None:
        """Delete the item for good (and release its unique values)."""
        self._do("force_delete", self._force_delete_op)

    async def aforce_delete(self) -> None:
        """The async twin of :meth:`force_delete`."""
        await self._ado("force_delete", self._force_delete_op)

    def _force_delete_op(self) -> Operation:
        self._require_saved("force_delete")
        plan = type(self)._compiler().delete(type(self).__definition__.name, self.get_original())

        def gone() -> None:
            self._state.exists = False

        return plan, gone

    def increment(
        self, attribute: str, by: int | float = 1, *, check_version: bool = False
    ) -> Self:
        """Atomically add ``by`` to a number (no read needed, applied exactly once) and keep
        the new value.

        On a versioned model an increment commutes with every other write, so by default it
        does not check the version (two increments never conflict) but bumps it, so a stale
        ``save()`` elsewhere still raises :class:`VersionConflictError`. This instance counts
        its own bump; if another write slipped in meanwhile, its next ``save()`` raises
        ``VersionConflictError`` (``refresh()`` and retry) — never a lost update.
        ``check_version=True`` makes the increment itself fail when the item changed since
        it was read."""
        return self._do("increment", lambda: self._increment_op(attribute, by, check_version))

    async def aincrement(
        self, attribute: str, by: int | float = 1, *, check_version: bool = False
    ) -> Self:
        """The async twin of :meth:`increment`."""
        return await self._ado(
            "increment", lambda: self._increment_op(attribute, by, check_version)
        )

    def _increment_op(self, attribute: str, by: int | float, check_version: bool) -> Operation:
        self._require_saved("increment")
        definition = type(self).__definition__
        version = self.__registry__.config.query_builder.version_attribute
        versioned = uses(definition, "versioning")
        expected = self._state.values.get(version) if versioned and check_version else None
        plan = (
            type(self)
            ._compiler()
            .increment(definition.name, self.get_original(), attribute, by, expect_version=expected)
        )

        def incremented() -> None:
            saved = self.get_original(attribute) or 0
            self._state.values[attribute] = saved + by
            written = {k: v for k, v in dict(plan.changes or {}).items() if k != attribute}
            if versioned and version not in written:  # an unchecked bump: ours, as far as known
                written[version] = (self.get_original(version) or 0) + 1
            self._absorb(written)
            self._remember_only({*written, attribute})

        return plan, incremented

    def decrement(
        self, attribute: str, by: int | float = 1, *, check_version: bool = False
    ) -> Self:
        """Atomically subtract ``by`` (see :meth:`increment`)."""
        return self.increment(attribute, -by, check_version=check_version)

    async def adecrement(
        self, attribute: str, by: int | float = 1, *, check_version: bool = False
    ) -> Self:
        """The async twin of :meth:`decrement`."""
        return await self.aincrement(attribute, -by, check_version=check_version)

    def touch(self) -> Self:
        """Set ``updated_at`` to now and save only that (Eloquent's ``touch``; fires
        ``saving``/``updating``/``updated``/``saved``). Needs ``timestamps=True``."""
        return self._do("touch", self._touch_op)

    async def atouch(self) -> Self:
        """The async twin of :meth:`touch`."""
        return await self._ado("touch", self._touch_op)

    def _touch_op(self) -> Operation:
        self._require_saved("touch")
        plan = type(self)._compiler().touch(type(self).__definition__.name, self.get_original())

        def touched() -> None:
            written = dict(plan.changes or {})
            self._absorb(written)
            self._remember_only(written)

        return plan, touched

    def refresh(self) -> Self:
        """Reload every attribute from the table."""
        return self._refreshed(self._fresh_query().first())

    async def arefresh(self) -> Self:
        """The async twin of :meth:`refresh`."""
        return self._refreshed(await self._fresh_query().afirst())

    def _fresh_query(self) -> ModelQuery[Self]:
        self._require_saved("refresh")
        query = type(self).query().with_trashed().without_global_scopes()  # as Eloquent
        for key in (type(self).__definition__.primary_key, *self._ancestor_keys()):
            query = query.where(key, self._state.values.get(key))
        return query

    def _refreshed(self, fresh: Self | None) -> Self:
        definition = type(self).__definition__
        if fresh is None:
            ident = self._state.values.get(definition.primary_key)
            raise QueryError(f"{definition.name} {ident!r} is gone")
        self._state.values = dict(fresh._state.values)
        self._remember()
        return self

    def _ancestor_keys(self) -> list[str]:
        entity = self.__registry__.schema.entity(type(self).__definition__.name)
        return [link.foreign_key for link in entity.ancestry]

    def replicate(self, **overrides: Any) -> Self:
        """An unsaved copy without id and managed attributes (timestamps, version).

        Guarded values are copied; ``overrides`` are mass assignment (guarded ones refused).
        """
        cls = type(self)
        cls._guard(overrides)
        definition = cls.__definition__
        managed = set(cls._transformer().managed_attributes(definition))
        values = {
            k: v
            for k, v in snapshot(self.to_values(), definition.name).items()
            if k != definition.primary_key and k not in managed
        }
        copied = cls.__new__(cls)
        copied._initialise({**values, **overrides}, guarded=False)
        config = cls.__registry__.config
        if events.may_fire(config):
            events.fire(copied, "replicating", config)  # on the copy (no cancel)
        return copied

    def _require_saved(self, action: str) -> None:
        if not self.exists:
            raise QueryError(
                f"{type(self).__definition__.name}.{action}() needs a saved instance; save() it "
                "or load it first"
            )
