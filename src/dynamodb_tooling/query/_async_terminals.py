"""The ``a``-prefixed twins of the builder's terminals (Django's spelling).

Each runs the same plan and the same flows as its sync twin, on the executor's async face
(``arun``/``aexecute``): ``await User.where(...).aget()``, ``await q.afirst()``,
``async for user in User.where(...)``. No second reader, no second planner.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

from dynamodb_tooling.errors import ItemNotFoundError
from dynamodb_tooling.query.results import Collection, Page

if TYPE_CHECKING:
    from dynamodb_tooling.query.cursor import CursorCodec
    from dynamodb_tooling.query.plan import Explanation
    from dynamodb_tooling.query.reader import RawPage, Reader
    from dynamodb_tooling.query.state import QueryState

T = TypeVar("T")


class AsyncTerminals(Generic[T]):
    """Mixed into :class:`~dynamodb_tooling.query.builder.QueryBuilder`."""

    if TYPE_CHECKING:  # provided by QueryBuilder
        _state: QueryState

        def _reader(self) -> Reader: ...

        _hydrate: Callable[[dict[str, Any]], T]

        def _primary_key(self) -> str: ...

        def _find_reader(self, item_id: Any) -> Reader | None: ...

        def _known(self, attribute: str) -> None: ...

        def _codec(self) -> CursorCodec: ...

        def _as_page(self, raw: RawPage, per_page: int) -> Page[T]: ...

        def limit(self, count: int) -> Self: ...

        def where(self, attribute: Any, operator: Any = ..., value: Any = ...) -> Self: ...

        def where_in(self, attribute: str, values: Any) -> Self: ...

        def explain(self) -> Explanation: ...

    async def __aiter__(self) -> AsyncIterator[T]:
        """``async for item in query``: items as pages arrive."""
        async for item in self._reader().aitems():
            yield self._hydrate(item)

    async def aget(self) -> Collection[T]:
        """The async twin of ``get()``."""
        return Collection([self._hydrate(item) async for item in self._reader().aitems()])

    aall = aget

    async def afirst(self) -> T | None:
        async for item in self.limit(1)._reader().aitems():
            return self._hydrate(item)
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
            return self._hydrate(item)
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
        return self._as_page(raw, per_page)
