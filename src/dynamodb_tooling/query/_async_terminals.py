"""The ``a``-prefixed twins of the builder's terminals (Django's spelling).

Each runs the same plan and the same flows as its sync twin, on the executor's async face
(``arun``/``aexecute``): ``await User.where(...).aget()``, ``await q.afirst()``,
``async for user in User.where(...)``. No second reader, no second planner.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

from dynamodb_tooling.errors import ItemNotFoundError, QueryError
from dynamodb_tooling.query.aggregates import avg_of, max_of, min_of, sum_of, warn_if_large
from dynamodb_tooling.query.results import Collection, Page
from dynamodb_tooling.query.unique import arun_write

if TYPE_CHECKING:
    from dynamodb_tooling.config import Config
    from dynamodb_tooling.query._write_plan import WritePlan
    from dynamodb_tooling.query.builder import QueryBuilder
    from dynamodb_tooling.query.cursor import CursorCodec
    from dynamodb_tooling.query.executor import Executor
    from dynamodb_tooling.query.plan import Explanation
    from dynamodb_tooling.query.reader import RawPage, Reader
    from dynamodb_tooling.query.state import QueryState
    from dynamodb_tooling.requests import Flow
    from dynamodb_tooling.requests.batch import ProgressCallback

T = TypeVar("T")

_LOAD_BATCH = 100
"""Items hydrated together by ``async for``/``aeach`` when relations load (one load each)."""


@dataclass(frozen=True)
class BulkJob:
    """A write over every item ``query`` matches: each item compiled by ``compile_write``."""

    query: QueryBuilder[Any]
    compile_write: Callable[[Mapping[str, Any]], WritePlan]
    what: str


class AsyncTerminals(Generic[T]):
    """Mixed into :class:`~dynamodb_tooling.query.builder.QueryBuilder`."""

    if TYPE_CHECKING:  # provided by QueryBuilder
        _state: QueryState

        def _reader(self) -> Reader: ...

        _hydrate: Callable[[dict[str, Any]], T]

        def _hydrate_rows(self, rows: Sequence[dict[str, Any]]) -> list[T]: ...

        def _executor(self) -> Executor: ...

        def _load_flow(self, results: list[T]) -> Flow[list[T]] | None: ...

        def _loads(self) -> bool: ...

        def _primary_key(self) -> str: ...

        def _find_reader(self, item_id: Any) -> Reader | None: ...

        def _known(self, attribute: str) -> None: ...

        def _codec(self) -> CursorCodec: ...

        def _as_page(self, raw: RawPage, per_page: int, results: list[T]) -> Page[T]: ...

        def limit(self, count: int) -> Self: ...

        def where(self, attribute: Any, operator: Any = ..., value: Any = ...) -> Self: ...

        def where_in(self, attribute: str, values: Any) -> Self: ...

        def explain(self) -> Explanation: ...

        @property
        def config(self) -> Config: ...

        def plan(self) -> Any: ...

        def _bulk_flow(
            self, job: BulkJob, items: list[dict[str, Any]]
        ) -> tuple[Executor, Flow[int]]: ...

        def _insert_plan(self, values: Mapping[str, Any]) -> tuple[Executor, WritePlan]: ...

        def _upsert_flow(
            self, values: Mapping[str, Any], original: Mapping[str, Any] | None
        ) -> tuple[Executor, Flow[WritePlan]]: ...

        def _insert_many_flow(
            self, rows: Iterable[Mapping[str, Any]], on_progress: ProgressCallback | None
        ) -> tuple[Executor, Flow[list[dict[str, Any]]]]: ...

        def _update_job(self, changes: Mapping[str, Any]) -> BulkJob: ...

        def _delete_job(self) -> BulkJob: ...

        def _force_delete_job(self) -> BulkJob: ...

    async def _aresults(self, rows: Sequence[dict[str, Any]]) -> list[T]:
        """The async twin of ``_results``: hydrated, then completed by ``_load_flow`` on the
        async executor."""
        found = self._hydrate_rows(rows)
        flow = self._load_flow(found)
        return found if flow is None else await self._executor().arun(flow)

    async def _abatches(self) -> AsyncIterator[list[T]]:
        """Results as pages arrive: one at a time, or in batches when relations load."""
        if not self._loads():
            async for item in self._reader().aitems():
                yield self._hydrate_rows([item])
            return
        batch: list[dict[str, Any]] = []
        async for item in self._reader().aitems():
            batch.append(item)
            if len(batch) == _LOAD_BATCH:
                yield await self._aresults(batch)
                batch = []
        if batch:
            yield await self._aresults(batch)

    async def __aiter__(self) -> AsyncIterator[T]:
        """``async for item in query``: items as pages arrive."""
        async for batch in self._abatches():
            for hydrated in batch:
                yield hydrated

    async def aget(self) -> Collection[T]:
        """The async twin of ``get()``."""
        rows = [item async for item in self._reader().aitems()]
        return Collection(await self._aresults(rows))

    aall = aget

    async def afirst(self) -> T | None:
        async for item in self.limit(1)._reader().aitems():
            found = await self._aresults([item])
            return found[0] if found else None
        return None

    async def afirst_or_fail(self) -> T:
        found = await self.afirst()
        if found is None:
            what = self._state.model or self._state.table or "table"
            raise ItemNotFoundError(f"no {what} matches this query ({self.explain().reason})")
        return found

    async def afind(self, item_id: Any) -> T | None:
        """The async twin of ``find()`` (one GetItem)."""
        reader = self._find_reader(item_id)
        if reader is None:
            return await self.where(self._primary_key(), item_id).afirst()
        async for item in reader.aitems():
            found = await self._aresults([item])
            return found[0] if found else None
        return None

    async def afind_or_fail(self, item_id: Any) -> T:
        return await self.where(self._primary_key(), item_id).afirst_or_fail()

    async def afind_many(self, ids: Iterable[Any]) -> Collection[T]:
        wanted = list(ids)
        return await self.where_in(self._primary_key(), wanted).aget() if wanted else Collection([])

    async def acount(self) -> int:
        """The async twin of ``count()`` (``Select=COUNT`` when DynamoDB can count)."""
        return await self._reader().acount()

    async def aexists(self) -> bool:
        return await self.afirst() is not None

    async def apluck(self, attribute: str) -> Collection[Any]:
        self._known(attribute)
        return Collection([item.get(attribute) async for item in self._reader().aitems()])

    async def apaginate(self, per_page: int = 25, cursor: str | None = None) -> Page[T]:
        """The async twin of ``paginate()``."""
        raw = await self._reader().apage(per_page, cursor, self._codec())
        return self._as_page(raw, per_page, await self._aresults(list(raw.items)))

    async def aeach(self, callback: Callable[[T], Any]) -> None:
        """The async twin of ``each()``: ``callback`` for each item as pages arrive."""
        async for batch in self._abatches():
            for hydrated in batch:
                callback(hydrated)

    async def achunk(self, size: int, callback: Callable[[Collection[T]], Any]) -> bool:
        """The async twin of ``chunk()`` (``callback`` stays a plain function)."""
        if size < 1:
            raise QueryError(f"chunk size must be at least 1 (got {size})")
        if not self.plan().pageable:
            found = await self.aget()
            return all(callback(part) is not False for part in found.chunk(size))
        cursor: str | None = None
        while True:
            page = await self.apaginate(size, cursor)
            if page.items and callback(page.items) is False:
                return False
            if not page.has_more:
                return True
            cursor = page.next_cursor

    async def avalue(self, attribute: str) -> Any:
        self._known(attribute)
        async for item in self.limit(1)._reader().aitems():
            return item.get(attribute)
        return None

    async def adoesnt_exist(self) -> bool:
        return not await self.aexists()

    async def _aaggregate(self, attribute: str, what: str) -> list[dict[str, Any]]:
        self._known(attribute)
        items = [item async for item in self._reader().aitems()]
        warn_if_large(len(items), self.config.query_builder.aggregate_warning_threshold, what)
        return items

    async def asum(self, attribute: str) -> Any:
        return sum_of(await self._aaggregate(attribute, f"sum({attribute!r})"), attribute)

    async def aavg(self, attribute: str) -> Any:
        return avg_of(await self._aaggregate(attribute, f"avg({attribute!r})"), attribute)

    async def amin(self, attribute: str) -> Any:
        return min_of(await self._aaggregate(attribute, f"min({attribute!r})"), attribute)

    async def amax(self, attribute: str) -> Any:
        return max_of(await self._aaggregate(attribute, f"max({attribute!r})"), attribute)

    # Writing: the sync terminals' plans and flows, on the async face.
    async def ainsert(self, values: Mapping[str, Any]) -> T:
        """The async twin of ``insert()``."""
        client, plan = self._insert_plan(values)
        await arun_write(client, plan)
        assert plan.item is not None
        return self._hydrate(plan.item)

    async def aupsert(
        self, values: Mapping[str, Any], *, original: Mapping[str, Any] | None = None
    ) -> T:
        """The async twin of ``upsert()``."""
        client, flow = self._upsert_flow(values, original)
        plan = await client.arun(flow)
        assert plan.item is not None
        return self._hydrate(plan.item)

    async def ainsert_many(
        self, rows: Iterable[Mapping[str, Any]], *, on_progress: ProgressCallback | None = None
    ) -> int:
        """The async twin of ``insert_many()``."""
        client, flow = self._insert_many_flow(rows, on_progress)
        return len(await client.arun(flow))

    async def _abulk(self, job: BulkJob) -> int:
        items = [item async for item in job.query._reader().aitems()]
        client, flow = self._bulk_flow(job, items)
        return await client.arun(flow)

    async def aupdate(self, **changes: Any) -> int:
        """The async twin of ``update()`` (the same writes, side by side)."""
        return await self._abulk(self._update_job(changes))

    async def adelete(self) -> int:
        """The async twin of ``delete()``."""
        return await self._abulk(self._delete_job())

    async def aforce_delete(self) -> int:
        """The async twin of ``force_delete()``."""
        return await self._abulk(self._force_delete_job())
