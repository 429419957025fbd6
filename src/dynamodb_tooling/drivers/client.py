"""``DynamoDBClient``: every DynamoDB operation as a method, over any driver.

Each method compiles a request with the pure functions of ``dynamodb_tooling.requests`` (same
arguments, same documentation) and runs it on the client's driver. Inputs are Python values;
responses are DynamoDB's wire dicts (use ``dynamodb_tooling.marshal.unmarshall_item`` on items).

>>> client = DynamoDBClient()                                  # doctest: +SKIP
>>> client.put_item("MainTable", {"pk": "USER#1", "sk": "USER#1", "name": "Ada"})  # doctest: +SKIP
>>> client.get_item("MainTable", {"pk": "USER#1", "sk": "USER#1"})["Item"]  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

from dynamodb_tooling._types import Response
from dynamodb_tooling.config import Config, get_config
from dynamodb_tooling.drivers.base import Driver
from dynamodb_tooling.drivers.registry import get_driver
from dynamodb_tooling.requests import Flow, Request, batch, items, pagination, partiql, tables
from dynamodb_tooling.requests import transactions as tx

P = ParamSpec("P")
T = TypeVar("T")

ClientMethod = Callable[Concatenate["DynamoDBClient", P], T]


def _sends(compile_request: Callable[P, Request]) -> ClientMethod[P, Response]:
    @functools.wraps(compile_request)
    def method(self: DynamoDBClient, /, *args: P.args, **kwargs: P.kwargs) -> Response:
        return self.execute(compile_request(*args, **kwargs))

    return method


def _runs(build_flow: Callable[P, Flow[T]]) -> ClientMethod[P, T]:
    @functools.wraps(build_flow)
    def method(self: DynamoDBClient, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return self.run(build_flow(*args, **kwargs))

    return method


def _all_pages(compile_request: Callable[P, Request]) -> ClientMethod[P, pagination.Pages]:
    @functools.wraps(compile_request)
    def method(self: DynamoDBClient, /, *args: P.args, **kwargs: P.kwargs) -> pagination.Pages:
        return self.run(pagination.all_pages(compile_request(*args, **kwargs)))

    method.__doc__ = f"Every page of: {compile_request.__doc__}"
    return method


AsyncClientMethod = Callable[Concatenate["DynamoDBClient", P], Coroutine[Any, Any, T]]


def _asends(compile_request: Callable[P, Request]) -> AsyncClientMethod[P, Response]:
    async def method(self: DynamoDBClient, /, *args: P.args, **kwargs: P.kwargs) -> Response:
        return await self.aexecute(compile_request(*args, **kwargs))

    method.__doc__ = f"The async twin of ``{compile_request.__name__}``."
    return method


def _aruns(build_flow: Callable[P, Flow[T]]) -> AsyncClientMethod[P, T]:
    async def method(self: DynamoDBClient, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await self.arun(build_flow(*args, **kwargs))

    method.__doc__ = f"The async twin of ``{build_flow.__name__}``."
    return method


def _aall_pages(compile_request: Callable[P, Request]) -> AsyncClientMethod[P, pagination.Pages]:
    async def method(
        self: DynamoDBClient, /, *args: P.args, **kwargs: P.kwargs
    ) -> pagination.Pages:
        return await self.arun(pagination.all_pages(compile_request(*args, **kwargs)))

    method.__doc__ = f"The async twin of every page of ``{compile_request.__name__}``."
    return method


class DynamoDBClient:
    """The low-level client: one method per DynamoDB operation, run on a driver. Each data
    operation has an ``a``-prefixed async twin (``await client.aget_item(...)``)."""

    def __init__(self, driver: Driver | None = None, *, config: Config | None = None) -> None:
        self.config = config or get_config()
        self.driver = driver or get_driver(config=self.config)
        self._busy = 0
        self._retired = False
        self._busy_lock = threading.Lock()

    def execute(self, request: Request) -> Response:
        """Send one compiled request (the raw escape hatch for any operation)."""
        with self._in_flight():
            return self.driver.execute(request)

    def run(self, flow: Flow[T]) -> T:
        """Run a sans-IO flow (batches, pagination, waits) on the driver."""
        with self._in_flight():
            return self.driver.run(flow)

    async def aexecute(self, request: Request) -> Response:
        """The async twin of :meth:`execute`."""
        with self._in_flight():
            native = getattr(self.driver, "aexecute", None)
            if native is None:
                return await asyncio.to_thread(self.driver.execute, request)
            return cast(Response, await native(request))

    async def arun(self, flow: Flow[T]) -> T:
        """The async twin of :meth:`run`: the same flow on the driver's async face (a driver
        without one runs it in a worker thread)."""
        with self._in_flight():
            native = getattr(self.driver, "arun", None)
            if native is None:
                return await asyncio.to_thread(self.driver.run, flow)
            return cast(T, await native(flow))

    @contextlib.contextmanager
    def _in_flight(self) -> Iterator[None]:
        with self._busy_lock:
            self._busy += 1
        try:
            yield
        finally:
            with self._busy_lock:  # held while closing: new work waits, then reconnects
                self._busy -= 1
                if self._busy == 0 and self._retired:
                    self.driver.disconnect()

    def retire(self) -> None:
        """Close the client once the work running on it has finished (now if it is idle).

        Used when the configuration changes: operations already running (a batch write in
        another thread) finish on this client instead of failing half-way.
        """
        with self._busy_lock:
            self._retired = True
            if self._busy == 0:
                self.driver.disconnect()

    def iter_pages(self, request: Request) -> Iterator[Response]:
        """Lazily yield each page of a Query, Scan or ExecuteStatement request."""
        current: Request | None = request
        while current is not None:
            response = self.execute(current)
            yield response
            current = pagination.next_page(current, response)

    def close(self) -> None:
        self.driver.disconnect()

    def __enter__(self) -> DynamoDBClient:
        self.driver.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Items and reads.
    get_item = _sends(items.get_item)
    put_item = _sends(items.put_item)
    update_item = _sends(items.update_item)
    delete_item = _sends(items.delete_item)
    query = _sends(items.query)
    scan = _sends(items.scan)
    query_all = _all_pages(items.query)
    scan_all = _all_pages(items.scan)

    def parallel_scan(self, request: Request, segments: int) -> pagination.Pages:
        """Scan ``segments`` segments concurrently; ``request`` is a ``requests.items.scan``."""
        return self.run(pagination.parallel_scan(request, segments))

    # Batches and transactions.
    batch_get = _runs(batch.batch_get)
    batch_write = _runs(batch.batch_write)
    transact_write = _runs(tx.transact_write_flow)
    transact_get = _sends(tx.transact_get)

    # Async twins: the same compiled requests and flows on the driver's async face.
    aget_item = _asends(items.get_item)
    aput_item = _asends(items.put_item)
    aupdate_item = _asends(items.update_item)
    adelete_item = _asends(items.delete_item)
    aquery = _asends(items.query)
    ascan = _asends(items.scan)
    aquery_all = _aall_pages(items.query)
    ascan_all = _aall_pages(items.scan)
    abatch_get = _aruns(batch.batch_get)
    abatch_write = _aruns(batch.batch_write)
    atransact_write = _aruns(tx.transact_write_flow)
    atransact_get = _asends(tx.transact_get)
    aexecute_statement = _asends(partiql.execute_statement)
    aexecute_statement_all = _aall_pages(partiql.execute_statement)
    abatch_execute_statement = _asends(partiql.batch_execute_statement)
    aexecute_transaction = _asends(partiql.execute_transaction)
    acreate_table = _asends(tables.create_table)
    adelete_table = _asends(tables.delete_table)
    adescribe_table = _asends(tables.describe_table)
    await_for_table_active = _aruns(tables.wait_for_table_active)

    # PartiQL.
    execute_statement = _sends(partiql.execute_statement)
    execute_statement_all = _all_pages(partiql.execute_statement)
    batch_execute_statement = _sends(partiql.batch_execute_statement)
    execute_transaction = _sends(partiql.execute_transaction)

    # Tables.
    create_table = _sends(tables.create_table)
    delete_table = _sends(tables.delete_table)
    describe_table = _sends(tables.describe_table)
    list_tables = _sends(tables.list_tables)
    list_all_tables = _runs(tables.list_all_tables)
    update_table = _sends(tables.update_table)
    wait_for_table_active = _runs(tables.wait_for_table_active)
    wait_for_table_deleted = _runs(tables.wait_for_table_deleted)
    update_time_to_live = _sends(tables.update_time_to_live)
    describe_time_to_live = _sends(tables.describe_time_to_live)
    update_continuous_backups = _sends(tables.update_continuous_backups)
    describe_continuous_backups = _sends(tables.describe_continuous_backups)
    create_backup = _sends(tables.create_backup)
    describe_backup = _sends(tables.describe_backup)
    list_backups = _sends(tables.list_backups)
    delete_backup = _sends(tables.delete_backup)
    restore_table_from_backup = _sends(tables.restore_table_from_backup)
    restore_table_to_point_in_time = _sends(tables.restore_table_to_point_in_time)
    tag_resource = _sends(tables.tag_resource)
    untag_resource = _sends(tables.untag_resource)
    list_tags_of_resource = _sends(tables.list_tags_of_resource)
    update_contributor_insights = _sends(tables.update_contributor_insights)
    describe_contributor_insights = _sends(tables.describe_contributor_insights)


_shared_lock = threading.Lock()
_shared: tuple[Config, DynamoDBClient] | None = None


def get_client() -> DynamoDBClient:
    """The process-wide client for the active configuration (rebuilt when it changes)."""
    global _shared
    config = get_config()
    with _shared_lock:
        if _shared is None or _shared[0] is not config:
            if _shared is not None:
                _shared[1].retire()
            _shared = (config, DynamoDBClient(config=config))
        return _shared[1]
