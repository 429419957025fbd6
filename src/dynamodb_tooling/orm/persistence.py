"""Persistence and change tracking for models (Eloquent's ``create``/``save``/``delete``...).

Writes compile through :class:`WriteCompiler` (unique sentinels, versions, derived keys) and
run through ``run_write`` (typed errors). An instance remembers the values it was loaded or
saved with, so ``save()`` sends only what changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self

from dynamodb_tooling.drivers.client import DynamoDBClient, get_client
from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.query.unique import run_write
from dynamodb_tooling.query.writes import WriteCompiler, WritePlan
from dynamodb_tooling.schema import ModelDefinition, Registry
from dynamodb_tooling.schema.transformer import changed_values

if TYPE_CHECKING:
    from dynamodb_tooling.query.builder import QueryBuilder
    from dynamodb_tooling.schema.transformer import EntityTransformer


class Persistence:
    """Mixed into ``Model``: saving, deleting and dirty tracking."""

    __definition__: ClassVar[ModelDefinition]
    __registry__: ClassVar[Registry]

    if TYPE_CHECKING:  # provided by Model; declared for type checkers only

        def __init__(self, **values: Any) -> None: ...

        @classmethod
        def _transformer(cls) -> EntityTransformer: ...

        @classmethod
        def query(cls) -> QueryBuilder[Self]: ...

        def to_values(self) -> dict[str, Any]: ...

    # Plumbing.
    @classmethod
    def _compiler(cls) -> WriteCompiler:
        return WriteCompiler(cls.__registry__)

    @classmethod
    def _client(cls) -> DynamoDBClient:
        return get_client()

    def _run(self, plan: WritePlan) -> None:
        run_write(type(self)._client(), plan)

    def _remember(self) -> None:
        self.__dict__["_original"] = dict(self.to_values())
        self.__dict__["_exists"] = True

    def _remember_only(self, names: Any) -> None:
        """Mark just ``names`` as saved (a targeted write): other unsaved edits stay dirty."""
        original: dict[str, Any] = self.__dict__.setdefault("_original", {})
        values = self.to_values()
        for name in names:
            if name in values:
                original[name] = values[name]
            else:
                original.pop(name, None)

    def _absorb(self, stored: dict[str, Any]) -> None:
        """Take values the write set (timestamps, version) back, cast to Python."""
        name = type(self).__definition__.name
        entity_type = self.__registry__.config.single_table_design.entity_type_attribute
        values = type(self)._transformer().from_item({**stored, entity_type: name}, name)
        self.__dict__.update(values)

    @property
    def exists(self) -> bool:
        """Whether the instance was loaded from, or saved to, the table."""
        return bool(self.__dict__.get("_exists", False))

    # Creating and saving.
    @classmethod
    def create(cls, **values: Any) -> Self:
        """Make an instance and insert it (unique values reserved in the same transaction)."""
        instance = cls(**values)
        instance.save()
        return instance

    def save(self) -> Self:
        """Insert a new instance, or update only the attributes that changed."""
        name = type(self).__definition__.name
        compiler = type(self)._compiler()
        if not self.exists:
            plan = compiler.insert(name, self.to_values())
            self._run(plan)
            assert plan.item is not None
            self._absorb(plan.item)
            self._remember()
            return self
        changes = self.get_dirty()
        if not changes:
            return self
        plan = compiler.update(name, self.get_original(), changes)
        self._run(plan)
        self._absorb(dict(plan.changes or {}))
        self.__dict__["_changes"] = changes
        self._remember()
        return self

    def update(self, **changes: Any) -> Self:
        """Set attributes and save them."""
        self.__dict__.update(changes)
        return self.save()

    def fill(self, **values: Any) -> Self:
        """Set fillable attributes without saving (guarded ones are refused)."""
        definition = type(self).__definition__
        for key in values:
            attribute = definition.attribute(key)
            if attribute is not None and (attribute.guarded or not attribute.fillable):
                raise QueryError(f"{definition.name}.{key} is guarded; set it explicitly")
        self.__dict__.update(values)
        return self

    # Deleting.
    def delete(self) -> None:
        """Delete the instance (soft-delete when the model uses soft deletes)."""
        self._require_saved("delete")
        name = type(self).__definition__.name
        compiler = type(self)._compiler()
        if type(self).__definition__.traits.soft_deletes:
            plan = compiler.soft_delete(name, self.get_original())
            self._run(plan)
            written = dict(plan.changes or {})
            self._absorb(written)
            self._remember_only(written)
            return
        self.force_delete()

    def force_delete(self) -> None:
        """Delete the item for good (and release its unique values)."""
        self._require_saved("force_delete")
        self._run(
            type(self)._compiler().delete(type(self).__definition__.name, self.get_original())
        )
        self.__dict__["_exists"] = False

    def restore(self) -> Self:
        """Undo a soft delete."""
        self._require_saved("restore")
        plan = type(self)._compiler().restore(type(self).__definition__.name, self.get_original())
        self._run(plan)
        deleted_at = self.__registry__.config.query_builder.soft_deletes.attribute
        self.__dict__.pop(deleted_at, None)
        written = dict(plan.changes or {})
        self._absorb({k: v for k, v in written.items() if v is not None})
        self._remember_only({*written, deleted_at})
        return self

    def trashed(self) -> bool:
        deleted_at = self.__registry__.config.query_builder.soft_deletes.attribute
        return self.__dict__.get(deleted_at) is not None

    def increment(self, attribute: str, by: int | float = 1) -> Self:
        """Atomically add ``by`` to a number (no read needed) and keep the new value."""
        self._require_saved("increment")
        definition = type(self).__definition__
        version = self.__registry__.config.query_builder.version_attribute
        expected = self.__dict__.get(version) if definition.traits.versioning else None
        plan = (
            type(self)
            ._compiler()
            .increment(definition.name, self.get_original(), attribute, by, expect_version=expected)
        )
        self._run(plan)
        saved = self.get_original(attribute) or 0
        self.__dict__[attribute] = saved + by
        written = {k: v for k, v in dict(plan.changes or {}).items() if k != attribute}
        self._absorb(written)
        self._remember_only({*written, attribute})
        return self

    def decrement(self, attribute: str, by: int | float = 1) -> Self:
        return self.increment(attribute, -by)

    def refresh(self) -> Self:
        """Reload every attribute from the table."""
        self._require_saved("refresh")
        definition = type(self).__definition__
        query = type(self).query().with_trashed()
        for key in (definition.primary_key, *self._ancestor_keys()):
            query = query.where(key, self.__dict__[key])
        fresh = query.first()
        if fresh is None:
            raise QueryError(f"{definition.name} {self.__dict__[definition.primary_key]!r} is gone")
        self.__dict__.update(fresh.to_values())
        self._remember()
        return self

    def _ancestor_keys(self) -> list[str]:
        entity = self.__registry__.schema.entity(type(self).__definition__.name)
        return [link.foreign_key for link in entity.ancestry]

    def replicate(self, **overrides: Any) -> Self:
        """An unsaved copy without id and managed attributes (timestamps, version)."""
        definition = type(self).__definition__
        managed = set(type(self)._transformer().managed_attributes(definition))
        values = {
            k: v
            for k, v in self.to_values().items()
            if k != definition.primary_key and k not in managed
        }
        return type(self)(**{**values, **overrides})

    def _require_saved(self, action: str) -> None:
        if not self.exists:
            raise QueryError(
                f"{type(self).__definition__.name}.{action}() needs a saved instance; save() it "
                "or load it first"
            )

    # Dirty tracking.
    def get_original(self, attribute: str | None = None) -> Any:
        original: dict[str, Any] = self.__dict__.get("_original", {})
        return dict(original) if attribute is None else original.get(attribute)

    def get_dirty(self) -> dict[str, Any]:
        """Attributes changed since the instance was loaded or saved."""
        return changed_values(self.get_original(), self.to_values())

    def is_dirty(self, attribute: str | None = None) -> bool:
        dirty = self.get_dirty()
        return bool(dirty) if attribute is None else attribute in dirty

    def is_clean(self, attribute: str | None = None) -> bool:
        return not self.is_dirty(attribute)

    def get_changes(self) -> dict[str, Any]:
        """What the last ``save()`` changed."""
        return dict(self.__dict__.get("_changes", {}))

    def was_changed(self, attribute: str | None = None) -> bool:
        changes = self.get_changes()
        return bool(changes) if attribute is None else attribute in changes

    def sync_original(self) -> Self:
        self._remember()
        return self
