"""Persistence, guarding and change tracking for models (Eloquent's ``create``/``save``...).

Writes compile through :class:`WriteCompiler` (unique sentinels, versions, derived keys) and
run through ``run_write`` (typed errors). An instance remembers the values it was loaded or
saved with — a deep copy, so in-place edits of sets, dicts and lists count as changes — and
``save()`` sends only what changed.

An instance keeps all of this in one slot (:class:`ModelState`), never in its ``__dict__``:
``vars(user)`` and ``__dict__``-based encoders cannot reach stored values or bookkeeping.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeAlias

from dynamodb_tooling._item_size import MAX_DEPTH, TOO_DEEP, describe
from dynamodb_tooling.drivers.client import DynamoDBClient, get_client
from dynamodb_tooling.errors import MarshallingError, QueryError
from dynamodb_tooling.query._guard import protected_names, refuse_guarded
from dynamodb_tooling.query.unique import arun_write, run_write
from dynamodb_tooling.query.writes import WriteCompiler, WritePlan
from dynamodb_tooling.schema import ModelDefinition, Registry
from dynamodb_tooling.schema.transformer import ModelInfo, changed_values, written_values

#: A write and what the instance does once it is written: every persistence method builds
#: one, and its sync and async twins only differ in how the write is run.
Operation: TypeAlias = tuple[WritePlan | None, Callable[[], None]]

if TYPE_CHECKING:
    from dynamodb_tooling.query.builder import QueryBuilder
    from dynamodb_tooling.schema.transformer import EntityTransformer


_IMMUTABLE = (str, int, float, bool, bytes, Decimal, datetime, date, time, Enum, type(None))
#: The exact types of :data:`_IMMUTABLE` values met most: one set lookup says "no copy".
_SCALARS = frozenset({str, int, float, bool, bytes, Decimal, datetime, date, time, type(None)})


class _TooDeepError(Exception):
    """Raised by the fast copy at a value nested too deeply: the general walk then says where."""


def snapshot(values: Mapping[str, Any], model: str = "") -> dict[str, Any]:
    """A copy of ``values`` that later in-place edits (``tags.add(...)``) cannot reach.

    Maps and lists are copied to DynamoDB's nesting limit; a value nested deeper (it could not
    be stored) raises :class:`MarshallingError` naming the attribute (``model`` its model),
    never a ``RecursionError``. Immutable values (strings, numbers, datetimes...) are shared."""
    scalars = _SCALARS
    copied: dict[str, Any] = {}
    try:
        for k, v in values.items():
            copied[k] = v if type(v) in scalars else _fast_copy(v, k, model, 1)
    except _TooDeepError:  # the general walk names the path of the value nested too deeply
        return {
            k: v if isinstance(v, _IMMUTABLE) else _copy(v, k, model, k, 1)
            for k, v in values.items()
        }
    return copied


def _fast_copy(value: Any, name: str, model: str, depth: int) -> Any:
    """:func:`_copy` without building paths (only errors need them: :class:`_TooDeepError`)."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict or kind is list or kind is tuple:
        if depth > MAX_DEPTH:
            raise _TooDeepError
        scalars, inner = _SCALARS, depth + 1
        if kind is dict:
            for v in value.values():
                if type(v) not in scalars:
                    break
            else:
                return dict(value)  # only immutable members (the usual case): copied in C
            members: dict[Any, Any] = {}
            for k, v in value.items():
                members[k] = v if type(v) in scalars else _fast_copy(v, name, model, inner)
            return members
        for v in value:
            if type(v) not in scalars:
                break
        else:
            return list(value) if kind is list else value  # a tuple of scalars is immutable
        items = [v if type(v) in scalars else _fast_copy(v, name, model, inner) for v in value]
        return items if kind is list else tuple(items)
    if kind is set or kind is frozenset:
        return kind(value)  # members are hashable scalars
    return _copy(value, name, model, name, depth)  # no dict, list or tuple: the path is unused


def _copy(value: Any, name: str, model: str, path: str, depth: int) -> Any:
    """A deep copy of one attribute's ``value``; ``depth`` is its nesting level (the
    attribute's own map or list is level 1), ``path`` where it sits in the attribute."""
    if isinstance(value, _IMMUTABLE):
        return value
    kind = type(value)
    if kind is dict or kind is list or kind is tuple:
        if depth > MAX_DEPTH:
            where = f"{model}.{name}" if model else name
            raise MarshallingError(
                f"{where}: value nested more than {MAX_DEPTH} levels deep at {path}: {TOO_DEEP}"
            )
        if kind is dict:
            return {k: _copy(v, name, model, f"{path}.{k}", depth + 1) for k, v in value.items()}
        members = [_copy(v, name, model, f"{path}[{i}]", depth + 1) for i, v in enumerate(value)]
        return members if kind is list else tuple(members)
    if kind is set or kind is frozenset:
        return kind(value)  # members are hashable scalars
    try:
        return copy.deepcopy(value)
    except RecursionError:
        where = f"{model}.{name}" if model else name
        raise MarshallingError(
            f"{where}: value nested too deeply to copy ({describe(value)}): {TOO_DEEP}"
        ) from None


class ModelState:
    """What an instance holds: its values, the values last loaded or saved, whether it is
    stored, and what the last save changed."""

    __slots__ = ("changes", "exists", "original", "values")

    def __init__(self, values: dict[str, Any] | None = None) -> None:
        self.values: dict[str, Any] = {} if values is None else values
        self.original: dict[str, Any] = {}
        self.exists = False
        self.changes: dict[str, Any] = {}


def _present(values: Mapping[str, Any]) -> dict[str, Any]:
    """``None`` is never stored: an attribute set to ``None`` and an absent one are the same."""
    return {k: v for k, v in values.items() if v is not None}


class Persistence:
    """Mixed into ``Model``: saving, deleting, guarding and dirty tracking."""

    __slots__ = ("_model_state",)
    _model_state: ModelState

    __definition__: ClassVar[ModelDefinition]
    __registry__: ClassVar[Registry]

    if TYPE_CHECKING:  # provided by Model; declared for type checkers only

        def __init__(self, **values: Any) -> None: ...

        def _initialise(self, values: dict[str, Any], *, guarded: bool) -> None: ...

        @classmethod
        def _transformer(cls) -> EntityTransformer: ...

        @classmethod
        def query(cls) -> QueryBuilder[Self]: ...

        def to_values(self) -> dict[str, Any]: ...

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

    @property
    def _state(self) -> ModelState:
        try:
            return self._model_state
        except AttributeError:  # made by __new__ (copy, pickle) and not filled yet
            state = ModelState()
            object.__setattr__(self, "_model_state", state)
            return state

    def _remember(self) -> None:
        state = self._state
        cls = type(self)
        allowed = ModelInfo.of(cls.__registry__, cls.__definition__.name).allowed
        values = state.values  # to_values(), without its copy when every name is stored
        if not allowed.issuperset(values):
            values = self.to_values()
        state.original = snapshot(values, cls.__definition__.name)
        state.exists = True

    def _remember_only(self, names: Iterable[str]) -> None:
        """Mark just ``names`` as saved (a targeted write): other unsaved edits stay dirty."""
        original = self._state.original
        values = self.to_values()
        for name in names:
            if name in values:
                original.update(snapshot({name: values[name]}))
            else:
                original.pop(name, None)

    def _absorb(self, stored: dict[str, Any]) -> None:
        """Take values the write set (timestamps, version) back, cast to Python."""
        name = type(self).__definition__.name
        entity_type = self.__registry__.config.single_table_design.entity_type_attribute
        values = type(self)._transformer().from_item({**stored, entity_type: name}, name)
        self._state.values.update(values)

    @property
    def exists(self) -> bool:
        """Whether the instance was loaded from, or saved to, the table."""
        return self._state.exists

    # Guarding (mass assignment).
    @classmethod
    def _check_names(cls, values: Mapping[str, Any]) -> None:
        """Unknown names are refused with a did-you-mean, before any request."""
        name = cls.__definition__.name
        if not ModelInfo.of(cls.__registry__, name).allowed.issuperset(values):
            cls._transformer()._check_names(name, values)

    @classmethod
    def _guard(cls, values: Mapping[str, Any]) -> None:
        """Refuse unknown names, then guarded / non-fillable attributes (Eloquent's
        ``$guarded``): mass assignment must not set them."""
        cls._check_names(values)
        definition = cls.__definition__
        if not protected_names(definition).isdisjoint(values):
            via = f"{definition.name}(...), create(), update() and fill()"
            refuse_guarded(definition, values, via=via)

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
        return self._do(*self._save_op())

    async def asave(self) -> Self:
        """The async twin of :meth:`save`."""
        return await self._ado(*self._save_op())

    def _save_op(self) -> Operation:
        name = type(self).__definition__.name
        compiler = type(self)._compiler()
        if not self.exists:
            sent = self.to_values()
            plan = compiler.insert(name, sent)

            def inserted() -> None:
                # Only what the write changed is read back (timestamps, the version, cast
                # values): the values sent unchanged are the instance's already.
                assert plan.item is not None
                written = written_values(type(self)._transformer(), name, sent, plan.item)
                self._state.values.update(written)
                self._remember()

            return plan, inserted
        changes = self.get_dirty()
        if not changes:
            return None, lambda: None
        update = compiler.update(name, self.get_original(), changes)

        def updated() -> None:
            self._absorb(dict(update.changes or {}))
            self._state.changes = changes
            self._remember()

        return update, updated

    def _do(self, plan: WritePlan | None, finish: Callable[[], None]) -> Self:
        """Run ``plan`` (when there is one), then ``finish`` (the instance follows the write)."""
        if plan is not None:
            self._run(plan)
        finish()
        return self

    async def _ado(self, plan: WritePlan | None, finish: Callable[[], None]) -> Self:
        if plan is not None:
            await arun_write(type(self)._client(), plan)
        finish()
        return self

    def update(self, **changes: Any) -> Self:
        """Set fillable attributes and save them (guarded ones are refused, nothing sent)."""
        type(self)._guard(changes)
        self._state.values.update(changes)
        return self.save()

    async def aupdate(self, **changes: Any) -> Self:
        """The async twin of :meth:`update`."""
        type(self)._guard(changes)
        self._state.values.update(changes)
        return await self.asave()

    def fill(self, **values: Any) -> Self:
        """Set fillable attributes without saving (guarded ones are refused)."""
        type(self)._guard(values)
        self._state.values.update(values)
        return self

    def force_fill(self, **values: Any) -> Self:
        """Set attributes without saving, guarded ones included (unknown names are still
        refused): for trusted values only, never for request input."""
        type(self)._check_names(values)
        self._state.values.update(values)
        return self

    # Deleting.
    def delete(self) -> None:
        """Delete the instance (soft-delete when the model uses soft deletes)."""
        self._do(*self._delete_op())

    async def adelete(self) -> None:
        """The async twin of :meth:`delete`."""
        await self._ado(*self._delete_op())

    def _delete_op(self) -> Operation:
        self._require_saved("delete")
        if not type(self).__definition__.traits.soft_deletes:
            return self._force_delete_op()
        plan = (
            type(self)._compiler().soft_delete(type(self).__definition__.name, self.get_original())
        )

        def deleted() -> None:
            written = dict(plan.changes or {})
            self._absorb(written)
            self._remember_only(written)

        return plan, deleted

    def force_delete(self) -> None:
        """Delete the item for good (and release its unique values)."""
        self._do(*self._force_delete_op())

    async def aforce_delete(self) -> None:
        """The async twin of :meth:`force_delete`."""
        await self._ado(*self._force_delete_op())

    def _force_delete_op(self) -> Operation:
        self._require_saved("force_delete")
        plan = type(self)._compiler().delete(type(self).__definition__.name, self.get_original())

        def gone() -> None:
            self._state.exists = False

        return plan, gone

    def restore(self) -> Self:
        """Undo a soft delete."""
        return self._do(*self._restore_op())

    async def arestore(self) -> Self:
        """The async twin of :meth:`restore`."""
        return await self._ado(*self._restore_op())

    def _restore_op(self) -> Operation:
        self._require_saved("restore")
        plan = type(self)._compiler().restore(type(self).__definition__.name, self.get_original())

        def restored() -> None:
            deleted_at = self.__registry__.config.query_builder.soft_deletes.attribute
            self._state.values.pop(deleted_at, None)
            written = dict(plan.changes or {})
            self._absorb({k: v for k, v in written.items() if v is not None})
            self._remember_only({*written, deleted_at})

        return plan, restored

    def trashed(self) -> bool:
        deleted_at = self.__registry__.config.query_builder.soft_deletes.attribute
        return self._state.values.get(deleted_at) is not None

    def increment(self, attribute: str, by: int | float = 1) -> Self:
        """Atomically add ``by`` to a number (no read needed, applied exactly once) and keep
        the new value."""
        return self._do(*self._increment_op(attribute, by))

    async def aincrement(self, attribute: str, by: int | float = 1) -> Self:
        """The async twin of :meth:`increment`."""
        return await self._ado(*self._increment_op(attribute, by))

    def _increment_op(self, attribute: str, by: int | float) -> Operation:
        self._require_saved("increment")
        definition = type(self).__definition__
        version = self.__registry__.config.query_builder.version_attribute
        expected = self._state.values.get(version) if definition.traits.versioning else None
        plan = (
            type(self)
            ._compiler()
            .increment(definition.name, self.get_original(), attribute, by, expect_version=expected)
        )

        def incremented() -> None:
            saved = self.get_original(attribute) or 0
            self._state.values[attribute] = saved + by
            written = {k: v for k, v in dict(plan.changes or {}).items() if k != attribute}
            self._absorb(written)
            self._remember_only({*written, attribute})

        return plan, incremented

    def decrement(self, attribute: str, by: int | float = 1) -> Self:
        return self.increment(attribute, -by)

    def refresh(self) -> Self:
        """Reload every attribute from the table."""
        return self._refreshed(self._fresh_query().first())

    async def arefresh(self) -> Self:
        """The async twin of :meth:`refresh`."""
        return self._refreshed(await self._fresh_query().afirst())

    def _fresh_query(self) -> QueryBuilder[Self]:
        self._require_saved("refresh")
        query = type(self).query().with_trashed()
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
        return copied

    def _require_saved(self, action: str) -> None:
        if not self.exists:
            raise QueryError(
                f"{type(self).__definition__.name}.{action}() needs a saved instance; save() it "
                "or load it first"
            )

    # Dirty tracking.
    def get_original(self, attribute: str | None = None) -> Any:
        """The values last loaded or saved (a copy: editing it changes nothing)."""
        original = self._state.original
        if attribute is None:
            return snapshot(original)
        return snapshot({attribute: original.get(attribute)})[attribute]

    def get_dirty(self) -> dict[str, Any]:
        """Attributes changed since the instance was loaded or saved, in-place edits of sets,
        dicts and lists included (compared deeply)."""
        return changed_values(_present(self._state.original), _present(self.to_values()))

    def is_dirty(self, attribute: str | None = None) -> bool:
        dirty = self.get_dirty()
        return bool(dirty) if attribute is None else attribute in dirty

    def is_clean(self, attribute: str | None = None) -> bool:
        return not self.is_dirty(attribute)

    def get_changes(self) -> dict[str, Any]:
        """What the last ``save()`` changed."""
        return dict(self._state.changes)

    def was_changed(self, attribute: str | None = None) -> bool:
        changes = self.get_changes()
        return bool(changes) if attribute is None else attribute in changes

    def sync_original(self) -> Self:
        self._remember()
        return self
