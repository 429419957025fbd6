"""The soft-deletes trait: delete by stamping ``deleted_at``; restore; trashed queries."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, Self

from dynamodb_tooling.orm.concerns.change_tracking import ModelState
from dynamodb_tooling.orm.concerns.persistence import Operation
from dynamodb_tooling.orm.query import ModelQuery
from dynamodb_tooling.query.writes import WriteCompiler
from dynamodb_tooling.schema import ModelDefinition, Registry
from dynamodb_tooling.schema.traits import SoftDeletesTrait, uses


class SoftDeletes:
    """Soft deletes (Eloquent's ``SoftDeletes`` trait), active on models declared with
    ``soft_deletes=True`` (or the Stacks trait ``useSoftDeletes``): ``delete()`` stamps
    ``deleted_at`` instead of removing the item, queries leave soft-deleted items out (the
    scope the planner applies: a ``deleted_at``-absent filter, and attribute indexes that
    soft-deleted items leave), ``with_trashed()``/``only_trashed()`` lift it, ``restore()``
    undoes it and ``force_delete()`` removes the item for good. What the trait means for
    items, keys and reads is its schema plug-in,
    :class:`dynamodb_tooling.schema.traits.SoftDeletesTrait`."""

    __slots__ = ()

    __definition__: ClassVar[ModelDefinition]
    __registry__: ClassVar[Registry]

    if TYPE_CHECKING:

        @classmethod
        def query(cls) -> ModelQuery[Self]: ...

        @classmethod
        def _compiler(cls) -> WriteCompiler: ...

        @property
        def _state(self) -> ModelState: ...

        def _require_saved(self, action: str) -> None: ...

        def _absorb(self, stored: dict[str, Any]) -> None: ...

        def _remember_only(self, names: Iterable[str]) -> None: ...

        def get_original(self, attribute: str | None = None) -> Any: ...

        def _do(self, action: str, build: Callable[[], Operation]) -> Self: ...

        async def _ado(self, action: str, build: Callable[[], Operation]) -> Self: ...

        def _force_delete_op(self) -> Operation: ...

    def _delete_op(self) -> Operation:
        """``delete()`` on a soft-deleting model stamps ``deleted_at`` (and moves nothing
        else); other models delete the item."""
        if not uses(type(self).__definition__, SoftDeletesTrait.name):
            removed: Operation = super()._delete_op()  # type: ignore[misc]  # Persistence's
            return removed
        self._require_saved("delete")
        plan = (
            type(self)._compiler().soft_delete(type(self).__definition__.name, self.get_original())
        )

        def deleted() -> None:
            written = dict(plan.changes or {})
            self._absorb(written)
            self._remember_only(written)

        return plan, deleted

    @classmethod
    def with_trashed(cls) -> ModelQuery[Self]:
        """A query including soft-deleted items: the global scope ``"soft_deletes"`` lifted
        (the same query as ``without_global_scope("soft_deletes")``)."""
        return cls.query().with_trashed()

    @classmethod
    def only_trashed(cls) -> ModelQuery[Self]:
        """A query of soft-deleted items only: the ``"soft_deletes"`` scope inverted."""
        return cls.query().only_trashed()

    def restore(self) -> Self:
        """Undo a soft delete."""
        return self._do("restore", self._restore_op)

    async def arestore(self) -> Self:
        """The async twin of :meth:`restore`."""
        return await self._ado("restore", self._restore_op)

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
