"""Transactions across models: writes gathered into one TransactWriteItems.

>>> with transaction(client, registry) as tx:                          # doctest: +SKIP
...     tx.insert("User", {"id": "u1", "email": "ada@example.com", "name": "Ada"})
...     tx.increment("Team", {"id": "t1"}, "members")
>>> transaction(client, registry)(lambda tx: tx.delete("Post", post))  # doctest: +SKIP

``async with transaction(client, registry) as tx:`` is the async twin (the same transaction,
committed by ``await tx.acommit()`` on the async driver).

Every write is compiled by :class:`WriteCompiler` when it is added (bad input fails at once,
inside the ``with`` block), checked against DynamoDB's rules (at most 100 actions, one action per
item), and sent as one transaction when the block ends without an exception — nothing is sent
otherwise. Conflicts with other transactions are retried with one idempotency token; a taken
unique value or a lost version race raise :class:`UniqueConstraintError` /
:class:`VersionConflictError`.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, TypeVar

from dynamodb_tooling._types import Response
from dynamodb_tooling.errors import QueryError, RequestValidationError
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.query._write_plan import WritePlan, merge_plans
from dynamodb_tooling.query.executor import Executor
from dynamodb_tooling.query.unique import arun_write, run_write
from dynamodb_tooling.query.writes import WriteCompiler
from dynamodb_tooling.requests._validate import MAX_TRANSACTION_ITEMS
from dynamodb_tooling.requests.transactions import TransactGet, TransactPut, TransactWriteAction
from dynamodb_tooling.requests.transactions import transact_get as transact_get_request
from dynamodb_tooling.schema import Registry

__all__ = ["Transaction", "transact_get", "transaction"]

P = ParamSpec("P")
T = TypeVar("T")


def _gathers(
    compile_write: Callable[Concatenate[WriteCompiler, P], WritePlan],
) -> Callable[Concatenate[Transaction, P], WritePlan]:
    """A Transaction method that compiles a write and adds it to the transaction."""

    @functools.wraps(compile_write)
    def method(self: Transaction, /, *args: P.args, **kwargs: P.kwargs) -> WritePlan:
        return self.add(compile_write(self.compiler, *args, **kwargs))

    return method


class Transaction:
    """Writes gathered for one TransactWriteItems; use :func:`transaction` to make one."""

    def __init__(
        self,
        client: Executor,
        compiler: WriteCompiler,
        *,
        client_request_token: str | None = None,
    ) -> None:
        self.client = client
        self.compiler = compiler
        self.token = client_request_token or str(uuid.uuid4())
        self.plans: list[WritePlan] = []
        self.response: Response | None = None
        self._targets: dict[tuple[str, str], str] = {}
        self._done = False

    @property
    def actions(self) -> list[TransactWriteAction]:
        """Every action gathered so far, in order."""
        return [action for plan in self.plans for action in plan.actions]

    def add(self, plan: WritePlan) -> WritePlan:
        """Add a compiled write (refused if it breaks a transaction rule); returns it."""
        if self._done:
            raise QueryError("this transaction was already committed; start a new one")
        if "ReturnValues" in plan.request.params:
            raise QueryError(
                "return_values is not available inside a transaction (TransactWriteItems "
                "returns no item values); read the items after committing"
            )
        count = len(self.actions) + len(plan.actions)
        if count > MAX_TRANSACTION_ITEMS:
            raise RequestValidationError(
                f"the transaction would have {count} actions, above DynamoDB's limit of "
                f"{MAX_TRANSACTION_ITEMS} (unique values add one action each); split it into "
                "smaller transactions"
            )
        self._claim_targets(plan)
        self.plans.append(plan)
        return plan

    def _claim_targets(self, plan: WritePlan) -> None:
        claimed: dict[tuple[str, str], str] = {}
        for action in plan.actions:
            target = self._target(action)
            where = f"{plan.model or 'a write'} ({target[1]})"
            earlier = self._targets.get(target) or claimed.get(target)
            if earlier is not None:
                raise RequestValidationError(
                    f"two writes of this transaction touch the same item: {earlier} and "
                    f"{where}; DynamoDB allows one action per item (two writes moving the same "
                    "unique value count too) — merge them or use two transactions"
                )
            claimed[target] = where
        self._targets.update(claimed)

    def _target(self, action: TransactWriteAction) -> tuple[str, str]:
        design = self.compiler.keys.design
        source = action.item if isinstance(action, TransactPut) else action.key
        names = (design.partition_key_name, design.sort_key_name)
        return action.table, " / ".join(str(source.get(name)) for name in names)

    insert = _gathers(WriteCompiler.insert)
    upsert = _gathers(WriteCompiler.upsert)
    update = _gathers(WriteCompiler.update)
    touch = _gathers(WriteCompiler.touch)
    delete = _gathers(WriteCompiler.delete)
    force_delete = _gathers(WriteCompiler.force_delete)
    soft_delete = _gathers(WriteCompiler.soft_delete)
    restore = _gathers(WriteCompiler.restore)
    condition_check = _gathers(WriteCompiler.condition_check)
    increment = _gathers(WriteCompiler.increment)
    decrement = _gathers(WriteCompiler.decrement)
    add_to_set = _gathers(WriteCompiler.add_to_set)
    remove_from_set = _gathers(WriteCompiler.remove_from_set)
    append_to_list = _gathers(WriteCompiler.append_to_list)
    prepend_to_list = _gathers(WriteCompiler.prepend_to_list)
    remove_from_list = _gathers(WriteCompiler.remove_from_list)
    remove_attributes = _gathers(WriteCompiler.remove_attributes)

    def plan(self) -> WritePlan | None:
        """The merged plan to send (``None`` while nothing was added)."""
        return merge_plans(self.plans) if self.plans else None

    def commit(self) -> Response | None:
        """Send the transaction (once); ``None`` when it holds no writes."""
        plan = self._closing()
        if plan is None:
            return None
        self.response = run_write(self.client, plan, client_request_token=self.token)
        return self.response

    async def acommit(self) -> Response | None:
        """The async twin of :meth:`commit`."""
        plan = self._closing()
        if plan is None:
            return None
        self.response = await arun_write(self.client, plan, client_request_token=self.token)
        return self.response

    def _closing(self) -> WritePlan | None:
        if self._done:
            raise QueryError("this transaction was already committed; start a new one")
        self._done = True
        return self.plan()

    async def __aenter__(self) -> Transaction:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is None:
            await self.acommit()
        else:
            self._done = True  # nothing was sent; the gathered writes are dropped

    def __enter__(self) -> Transaction:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self._done = True  # nothing was sent; the gathered writes are dropped

    def __call__(self, work: Callable[[Transaction], T]) -> T:
        """Run ``work(tx)`` and commit what it gathered; returns what ``work`` returns."""
        with self:
            return work(self)


def transaction(
    client: Executor,
    registry: Registry,
    table: str | None = None,
    *,
    client_request_token: str | None = None,
    compiler: WriteCompiler | None = None,
) -> Transaction:
    """A transaction over the models of ``registry`` on ``table`` (default: the configured
    table): a context manager that commits on a clean exit, or a callable taking the work.

    ``compiler`` replaces the default ``WriteCompiler(registry, table)`` (e.g. one with a
    fixed clock); ``client_request_token`` fixes the idempotency token (default: a new uuid).
    """
    compiler = compiler or WriteCompiler(registry, table)
    return Transaction(client, compiler, client_request_token=client_request_token)


def transact_get(
    client: Executor,
    registry: Registry,
    table: str | None,
    targets: Sequence[tuple[str, Mapping[str, Any]]],
) -> list[dict[str, Any] | None]:
    """A consistent snapshot of up to 100 items, each named by ``(model, values)`` (values
    holding its id and collection ancestors' ids); returns the items (Python values, keys
    included) in order, ``None`` where an item does not exist."""
    if not targets:
        return []
    compiler = WriteCompiler(registry, table)
    gets = [
        TransactGet(
            compiler.table_for(model),
            compiler.primary_key(model, compiler.current_values(model, values)),
        )
        for model, values in targets
    ]
    response = client.execute(transact_get_request(gets))
    found = response.get("Responses", [])
    return [unmarshall_item(r["Item"]) if r.get("Item") else None for r in found]
