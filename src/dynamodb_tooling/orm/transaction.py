"""ORM-aware transactions: ``with transaction():`` (Eloquent's ``DB::transaction``).

>>> with transaction():                                             # doctest: +SKIP
...     team = Team.create(name="Blue")
...     ada.update(team_id=team.id)
...     old_post.delete()

Inside the block, ``Model.create``, ``save``, ``update``, ``delete``, ``force_delete``,
``restore``, ``increment``/``decrement`` and ``touch`` do not write at once: their "before"
events fire and their writes are compiled (bad input fails at once) and gathered; when the
block ends without an exception they are sent as ONE ``TransactWriteItems`` (all or nothing),
then each instance takes its written values and the "after" events fire, in order. If the block
raises, or the transaction is refused (a taken unique value, a version conflict), nothing is
written and every instance is left exactly as it was before its write was gathered (unsaved
changes stay dirty, a new instance stays unsaved).

Reads inside the block (``find``, ``where(...).get()``) are ordinary reads: they do not see the
gathered writes. A ``with transaction():`` inside another joins the outer one (DynamoDB has no
savepoints): if the inner block raises and the exception is caught before the outer block
ends, only the writes gathered in the inner block are dropped. ``tx.insert(Team, {...})``,
``tx.save(instance)``, ``tx.delete(instance)`` accept model classes and instances and return
models; the lower-level
``tx.insert("Team", {...})`` form of :mod:`dynamodb_tooling.query.transaction` keeps working.
At most 100 actions (unique values add one each) — more is refused with a clear error when the
write is gathered.

``async with transaction():`` is the async twin (committed on the async driver; the gathered
calls are the ``a``-prefixed twins: ``await Team.acreate(...)``). ``atransaction()`` is the same
function under Django's spelling.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar, Token
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, overload

from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.query._write_plan import merge_plans
from dynamodb_tooling.query.executor import Executor, default_executor
from dynamodb_tooling.query.transaction import Transaction
from dynamodb_tooling.query.writes import WriteCompiler, WritePlan
from dynamodb_tooling.requests.transactions import (
    ConditionCheck,
    TransactWriteAction,
    transact_write,
)
from dynamodb_tooling.schema import Registry, get_registry

if TYPE_CHECKING:
    from dynamodb_tooling.orm.concerns.persistence import Followup
    from dynamodb_tooling.orm.model import Model

M = TypeVar("M", bound="Model")
T = TypeVar("T")

_active: ContextVar[ModelTransaction | None] = ContextVar("dbtooling_transaction", default=None)


def active_transaction() -> ModelTransaction | None:
    """The transaction gathering writes in this thread or task (``None`` outside one)."""
    return _active.get()


class ModelTransaction(Transaction):
    """A :class:`Transaction` that models join: see the module docstring."""

    def __init__(
        self,
        client: Executor | None,
        registry: Registry | None,
        table: str | None = None,
        *,
        client_request_token: str | None = None,
    ) -> None:
        self._registry = registry
        self._table = table
        self._after: list[Followup] = []
        self._token: Token[ModelTransaction | None] | None = None
        self._joined_to: tuple[ModelTransaction, int, int, dict[tuple[str, str], str]] | None = None
        self._compiler: WriteCompiler | None = None
        # Edge writes (add_actions): their plans, the items they only check, and the checks
        # a later write of the same item superseded.
        self._edge_plans: set[int] = set()
        self._soft: set[tuple[str, str]] = set()
        self._superseded: set[tuple[str, str]] = set()
        if registry is not None:
            self._compiler = WriteCompiler(registry, table)
        super().__init__(
            client or default_executor(),
            self._compiler,  # type: ignore[arg-type]  # None: chosen by compiler_for
            client_request_token=client_request_token,
        )

    # The compiler follows the models' registry (the one of the first model gathered; the
    # application's registry when a model name comes first).
    @property
    def compiler(self) -> WriteCompiler:
        return self.compiler_for(get_registry()) if self._compiler is None else self._compiler

    @compiler.setter
    def compiler(self, value: WriteCompiler | None) -> None:
        self._compiler = value

    def compiler_for(self, registry: Registry) -> WriteCompiler:
        """The compiler of this transaction, checking ``registry`` is the one it writes."""
        if self._compiler is None:
            self._registry = registry
            self._compiler = WriteCompiler(registry, self._table)
        elif self._registry is not registry:
            raise QueryError(
                "this transaction holds models of another registry; models of one transaction "
                "must share a registry (one table and configuration)"
            )
        return self._compiler

    def gather(self, plan: WritePlan | None, then: Followup) -> None:
        """Add ``plan`` (when there is one); ``then`` runs once the transaction committed."""
        if plan is not None:
            self.add(plan)
        self._after.append(then)

    def add_actions(self, actions: Sequence[TransactWriteAction], what: str = "") -> None:
        """Raw actions join this transaction (a relation's edge writes). A check of an item
        another write of this transaction already touches is dropped: that write decides
        (``User.create(...)`` then ``user.roles.attach(...)`` in one block)."""
        kept = [
            action
            for action in actions
            if not (isinstance(action, ConditionCheck) and self._target(action) in self._targets)
        ]
        if not kept:
            return
        plan = self.add(WritePlan(request=transact_write(kept), actions=tuple(kept), model=what))
        self._edge_plans.add(id(plan))
        self._soft.update(self._target(a) for a in kept if isinstance(a, ConditionCheck))

    def _claim_targets(self, plan: WritePlan) -> None:
        """A write of an item an edge write only checks (``user.roles.detach()`` then
        ``user.delete()``) supersedes the check: that write decides."""
        for action in plan.actions:
            target = self._target(action)
            if target in self._soft and id(plan) not in self._edge_plans:
                self._soft.discard(target)
                self._targets.pop(target, None)
                self._superseded.add(target)
        super()._claim_targets(plan)

    def plan(self) -> WritePlan | None:
        if not self._superseded:
            return super().plan()
        plans = []
        for plan in self.plans:
            if id(plan) in self._edge_plans:
                kept = tuple(
                    a
                    for a in plan.actions
                    if not (isinstance(a, ConditionCheck) and self._target(a) in self._superseded)
                )
                if not kept:
                    continue
                plan = WritePlan(request=transact_write(kept), actions=kept, model=plan.model)
            plans.append(plan)
        return merge_plans(plans) if plans else None

    # Models in, models out.
    @overload
    def insert(self, model: type[M], values: Mapping[str, Any]) -> M: ...

    @overload
    def insert(self, model: str, values: Mapping[str, Any], **options: Any) -> WritePlan: ...

    def insert(self, model: Any, values: Mapping[str, Any], **options: Any) -> Any:
        """Gather an insert: ``tx.insert(Team, {"name": "Blue"})`` returns the ``Team``
        (saved once the transaction commits); with a model name it returns the compiled
        plan."""
        if isinstance(model, str):
            return self._gather_compiled("insert", model, values, **options)
        if options:
            raise QueryError(
                f"tx.insert({model.__name__}, ...) takes no options; use tx.insert("
                f"{model.__name__!r}, ...) for the compiler's options"
            )
        return self.save(model(**dict(values)))

    def save(self, instance: M) -> M:
        """Gather ``instance.save()`` (an insert when new, the changed attributes otherwise)."""
        with self._joined_by_models():
            return instance.save()

    @overload
    def delete(self, model: Model) -> None: ...

    @overload
    def delete(self, model: str, values: Mapping[str, Any], **options: Any) -> WritePlan: ...

    def delete(self, model: Any, values: Any = None, **options: Any) -> Any:
        """Gather ``instance.delete()`` (a soft delete on soft-deleting models), or with a
        model name the compiled delete of ``values``' item."""
        if isinstance(model, str):
            return self._gather_compiled("delete", model, values, **options)
        with self._joined_by_models():
            model.delete()
        return None

    @contextlib.contextmanager
    def _joined_by_models(self) -> Iterator[None]:
        """Model writes in the block join this transaction (committed by its owner)."""
        token = _active.set(self)
        try:
            yield
        finally:
            _active.reset(token)

    def _gather_compiled(self, method: str, model: str, *args: Any, **kwargs: Any) -> WritePlan:
        plan: WritePlan = getattr(self.compiler, method)(model, *args, **kwargs)
        return self.add(plan)

    # Committing.
    def commit(self) -> Any:
        response = super().commit()
        after, self._after = self._after, []
        for then in after:
            then.run()
        return response

    async def acommit(self) -> Any:
        response = await super().acommit()
        after, self._after = self._after, []
        for then in after:
            await then.arun()
        return response

    def _enter(self) -> ModelTransaction:
        outer = _active.get()
        if outer is not None and outer is not self:
            # Joining: remember where the outer transaction stood, to drop what this block
            # gathers if it raises (a savepoint, emulated: nothing was sent yet).
            self._joined_to = (outer, len(outer.plans), len(outer._after), dict(outer._targets))
            return outer
        self._token = _active.set(self)
        return self

    def _leave(self, failed: bool) -> bool:
        """Whether this exit ends the transaction (``False`` for a block that joined another:
        if it failed, the writes it gathered are dropped and the outer one goes on)."""
        if self._joined_to is not None:
            outer, plans, after, targets = self._joined_to
            self._joined_to = None
            if failed:
                del outer.plans[plans:]
                del outer._after[after:]
                outer._targets = targets
            return False
        if self._token is not None:
            _active.reset(self._token)
            self._token = None
        return True

    def __enter__(self) -> ModelTransaction:
        return self._enter()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if not self._leave(exc_type is not None):
            return
        if exc_type is None:
            self.commit()
        else:
            self._done = True
            self._after.clear()

    async def __aenter__(self) -> ModelTransaction:
        return self._enter()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if not self._leave(exc_type is not None):
            return
        if exc_type is None:
            await self.acommit()
        else:
            self._done = True
            self._after.clear()


def transaction(
    client: Executor | None = None,
    registry: Registry | None = None,
    table: str | None = None,
    *,
    client_request_token: str | None = None,
) -> ModelTransaction:
    """A transaction the ORM joins (see the module docstring); ``client`` defaults to the
    configured client, ``registry`` to the registry of the first model gathered."""
    return ModelTransaction(client, registry, table, client_request_token=client_request_token)


atransaction = transaction
